"""Placeholder: PDFs being written now."""
from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("Not built yet")


plan_pdf = scorecard_pdf = document_status = document_download = _missing
