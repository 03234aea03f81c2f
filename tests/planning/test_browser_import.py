"""Import in the browser (issue 16): an admin uploads the loader's JSON or the plan export's
spreadsheet, sees what it would create, change and remove with every problem by row or
path and field, and applies it all or nothing, with history naming the admin."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from planning import importing
from planning.models import Plan, PlanImport, PlanItem
from tests.factories import add_item, vision_of
from tests.planning.loader.support import BROKEN, VALID, table_counts, valid_objects

JSON_SLUG = "eastvale-libraries-2013"


def upload(name: str, content: bytes, user, plan_slug: str = "") -> PlanImport:
    return importing.upload_create(SimpleUploadedFile(name, content), user=user, plan_slug=plan_slug)


def as_json(objects) -> bytes:
    return json.dumps(objects).encode()


def exported(client, plan) -> bytes:
    response = client.get(reverse("monitoring:plan-export", args=[plan.slug, "xlsx"]))
    assert response.status_code == 200
    return response.content


def edit_sheet(content: bytes, edits: dict[tuple[int, str], object], *, add_rows=()) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    headings = [cell.value for cell in sheet[1]]
    for (row, heading), value in edits.items():
        sheet.cell(row=row, column=headings.index(heading) + 1, value=value)
    for values in add_rows:
        sheet.append([values.get(h) for h in headings])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


@pytest.fixture
def items(plan, alice):
    vision = vision_of(plan)
    priority = add_item(plan, vision, "priority", title="Raise attainment")
    action = add_item(plan, priority, "action", title="Tutor in maths", due_date="2014-03-31")
    return vision, priority, action


# --- JSON -------------------------------------------------------------------------------------


def test_a_json_file_with_a_new_slug_previews_a_new_plan_and_writes_nothing(ada):
    before = table_counts()
    row = upload("valid_plan.json", VALID.read_bytes(), ada)
    assert row.preview["problems"] == []
    [entry] = row.preview["plans"]
    assert entry == {"slug": JSON_SLUG, "title": "Eastvale Libraries Service Plan 2013-14", "action": "create",
                     "items": 6, "approved": False}  # fmt: skip
    after = table_counts()
    after["planning.PlanImport"] -= 1
    assert after == before


def test_a_json_file_creates_its_plan_with_the_admin_in_history(ada):
    row = upload("valid_plan.json", VALID.read_bytes(), ada)
    importing.apply(import_id=row.pk, user=ada)
    plan = Plan.objects.get(slug=JSON_SLUG)
    assert PlanItem.objects.filter(plan=plan).count() == 6
    record = plan.history.earliest()
    assert record.history_user == ada
    assert record.history_change_reason == "Imported from valid_plan.json"
    row.refresh_from_db()
    assert row.applied_at is not None


@pytest.fixture
def loaded(ada):
    importing.apply(import_id=upload("valid_plan.json", VALID.read_bytes(), ada).pk, user=ada)
    return Plan.objects.get(slug=JSON_SLUG)


def by_pk(objects, label, pk):
    return next(o for o in objects if o["model"] == label and o["pk"] == pk)


def test_a_json_file_for_an_existing_plan_previews_its_changes_then_applies_them(ada, loaded):
    objects = valid_objects()
    by_pk(objects, "planning.plan", 1)["fields"]["summary"] = "Reading for all."
    by_pk(objects, "planning.planitem", 4)["fields"]["due_date"] = "2014-06-30"
    del objects[objects.index(by_pk(objects, "planning.planitem", 3))]  # 2 "Every child reads by seven"
    del objects[objects.index(by_pk(objects, "planning.link", 1))]  # which the link pointed to
    objects.append({"model": "planning.planitem", "pk": 99, "fields": {
        "plan": 1, "parent": 2, "position": 9, "kind": "action", "title": "Open late on Thursdays"}})  # fmt: skip
    row = upload("libraries.json", as_json(objects), ada)
    assert row.preview["problems"] == []
    [entry] = row.preview["plans"]
    assert entry["action"] == "change"
    assert entry["fields"] == [{"field": "summary", "old": "Reading for everyone.", "new": "Reading for all."}]
    assert entry["changed"] == [{"reference": "1.1", "title": "Open on Sundays",
                                 "changes": [{"field": "Due date", "old": "31 March 2014", "new": "30 June 2014"}]}]  # fmt: skip
    assert entry["created"] == [{"reference": "1.2", "kind": "Action", "title": "Open late on Thursdays"}]
    assert entry["removed"] == [{"reference": "2", "kind": "Priority", "title": "Every child reads by seven", "below": 0}]
    assert "organisation “Eastvale Libraries”" in row.preview["kept"]
    assert Plan.objects.get(pk=loaded.pk).summary == "Reading for everyone."  # the preview wrote nothing

    importing.apply(import_id=row.pk, user=ada)
    loaded.refresh_from_db()
    assert loaded.summary == "Reading for all."
    titles = set(PlanItem.objects.filter(plan=loaded).values_list("title", flat=True))
    assert "Open late on Thursdays" in titles and "Every child reads by seven" not in titles
    action = PlanItem.objects.get(plan=loaded, title="Open on Sundays")
    assert str(action.due_date) == "2014-06-30"
    latest = action.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (ada, "Imported from libraries.json")
    assert PlanItem.objects.filter(plan=loaded).count() == 6
