"""A published plan as CSV and JSON, from its public page (issue 16).

The cells are the app's plan export's (``planning.views.exports.item_cells``), without the
lead officer (the public pages name organisations, not officers: decision 0016), with one
more column: the item's links, each end in a plan that is not published redacted as on
the public pages ("An item in a plan that is not published"); and, where the council writes
Welsh, the Welsh title and description (decision 0033), the Welsh of the links' ends in the
JSON. CSV cells go through ``config.spreadsheets`` (text a spreadsheet would run as a formula
is escaped)."""

import json
from datetime import date, datetime
from decimal import Decimal

from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse

from config import bilingual
from config.spreadsheets import csv_response
from planning.models import Plan
from planning.selectors import OutlineRow
from planning.views.exports import PLAN_HEADINGS, WELSH_HEADINGS, item_cells, welsh_cells

_OFFICER = PLAN_HEADINGS.index("Lead officer")
HEADINGS = [*PLAN_HEADINGS[:_OFFICER], *PLAN_HEADINGS[_OFFICER + 1 :], "Links"]
FORMATS = ("csv", "json")


def _links(row: OutlineRow) -> list[str]:
    return [
        f"{end.relation[:1].upper()}{end.relation[1:]} {end.title}" + ("" if end.hidden else f" ({end.plan_title})")
        for end in (*row.links_out, *row.links_in)
    ]


def _cells(plan: Plan, row: OutlineRow) -> list:
    cells = item_cells(plan, row.item, row.reference, row.supporters)
    del cells[_OFFICER]
    return cells


def plan_csv(plan: Plan, rows: list[OutlineRow]) -> HttpResponse:
    welsh = bilingual.welsh_content()
    headings = [*HEADINGS, *(WELSH_HEADINGS if welsh else [])]
    lines = ([*_cells(plan, row), "; ".join(_links(row)), *welsh_cells(row.item, welsh)] for row in rows)
    return csv_response(f"{plan.slug}.csv", [headings, *lines])


def _json_value(value):
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def plan_json(plan: Plan, rows: list[OutlineRow]) -> HttpResponse:
    """The plan and its items, keyed by the CSV's headings, each item's links as a list of
    objects (relation, item, plan, address; item and plan withheld where not published)."""
    welsh = bilingual.welsh_content()
    items = []
    for row in rows:
        entry = {heading: _json_value(value) for heading, value in zip(HEADINGS, _cells(plan, row), strict=False)}
        entry.update(zip(WELSH_HEADINGS, welsh_cells(row.item, welsh), strict=False))
        entry["Address"] = settings.SITE_URL + row.url
        entry["Links"] = [
            {"relation": end.relation, "published": False}
            if end.hidden
            else {
                "relation": end.relation,
                "published": True,
                "item": end.title,
                "plan": end.plan_title,
                "address": settings.SITE_URL + end.url,
                **({"item_cy": end.title_cy, "plan_cy": end.plan_title_cy} if welsh else {}),
            }
            for end in (*row.links_out, *row.links_in)
        ]
        items.append(entry)
    document = {
        "plan": {
            "title": plan.title,
            **({"title_cy": plan.title_cy} if welsh else {}),
            "kind": plan.get_kind_display(),
            "organisation": plan.organisation.name,
            "period": plan.period,
            "status": plan.get_status_display(),
            "published": _json_value(plan.published_at),
            "address": settings.SITE_URL + plan_address(plan),
        },
        "items": items,
    }
    response = HttpResponse(
        json.dumps(document, ensure_ascii=False, indent=1, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{plan.slug}.json"'
    return response


def plan_address(plan: Plan) -> str:
    return reverse("public:plan-detail", args=[plan.slug])
