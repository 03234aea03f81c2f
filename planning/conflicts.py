"""The conflict page (HTTP 409): someone saved the row since the form was loaded, so what
is saved is shown beside what this person typed, and nothing is saved. Plans, items and
progress returns all answer a stale save with it."""

from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from planning.formatting import field_text


def conflict_page(request: HttpRequest, *, stored, form: Form, fields, cancel_url: str) -> HttpResponse:
    """Each of ``fields`` the form has, written as the pages write it (labels, not codes;
    dates and amounts formatted; people and organisations by name)."""
    model = type(stored)
    rows = [
        {
            "label": form[name].label,
            "stored": field_text(model, name, getattr(stored, name)),
            "mine": field_text(model, name, form.cleaned_data.get(name)),
        }
        for name in fields
        if name in form.fields
    ]
    return render(request, "409.html", {"rows": rows, "stored": stored, "cancel_url": cancel_url}, status=409)
