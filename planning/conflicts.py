"""Optimistic locking and its conflicts, in one place (issue 13).

Every editable row carries a ``version``. A save names the version its editor loaded;
if the row has moved on, the save is refused with ``EditConflict`` (nothing is written)
and the view answers with ``conflict_page`` (HTTP 409): what is saved now beside what
this person typed. Plans, items, comments' responses, progress returns, risks and
quarters all work this way. Writers that must not overlap a change to a row they only
read (returns and reviews against their quarter being locked) take ``share_lock``.
"""

from collections.abc import Iterable

from django.db import connection, models
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from planning.formatting import field_text


class EditConflict(Exception):
    """Someone saved the row after the editor loaded it; ``stored`` is what is saved now."""

    def __init__(self, stored):
        super().__init__(f"{stored!r} changed since it was loaded")
        self.stored = stored


def check_version(row: models.Model, expected_version: int) -> None:
    """Refuse the save (``EditConflict``) unless ``row``, read under its lock, is still at
    the version its editor loaded."""
    if row.version != expected_version:
        raise EditConflict(row)


def share_lock(model: type[models.Model], pk: int) -> None:
    """Hold a shared lock on one row until the transaction ends: writers that hold it do not
    wait for one another, but the row cannot be changed (``select_for_update``) meanwhile.
    On PostgreSQL; SQLite's IMMEDIATE transactions already serialise every writer."""
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        with connection.cursor() as cursor:
            # The table is a model's, quoted; the id is a parameter. (A bare nosec: bandit 1.9
            # calls a "nosec B608" on an f-string stray and still reports the line.)
            sql = f"SELECT 1 FROM {table} WHERE id = %s FOR SHARE"  # noqa: S608  # nosec
            cursor.execute(sql, [pk])


def conflict_page(
    request: HttpRequest, *, stored, form: Form, fields: Iterable[str], cancel_url: str, empty: dict | None = None
) -> HttpResponse:
    """Each of ``fields`` the form has, written as the pages write it (labels, not codes;
    dates and amounts formatted; people and organisations by name); ``empty`` names what
    an empty value means for a field (a risk without an item is "The plan as a whole")."""
    model = type(stored)
    empty = empty or {}

    def text(name: str, value) -> str:
        return field_text(model, name, value) or empty.get(name, "")

    rows = [
        {
            "label": form[name].label,
            "stored": text(name, getattr(stored, name)),
            "mine": text(name, form.cleaned_data.get(name)),
        }
        for name in fields
        if name in form.fields
    ]
    return render(request, "409.html", {"rows": rows, "stored": stored, "cancel_url": cancel_url}, status=409)
