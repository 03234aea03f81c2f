"""Placeholder until the exports land (being written now)."""
from django.http import Http404


def _missing(*args, **kwargs):
    raise Http404("Not built yet")


plan_export = returns_export = _missing
