"""Import in the browser (issue 16): an admin uploads the loader's JSON or the plan export's
spreadsheet, sees what it would create, change and remove with every problem by row or
path and field, and applies it all or nothing, with history naming the admin."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from planning import importing
from planning.models import Plan, PlanImport, PlanItem
from tests.factories import IndicatorFactory, add_item, vision_of
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
    assert entry["removed"] == [
        {"reference": "2", "kind": "Priority", "title": "Every child reads by seven", "below": 0}
    ]
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


# --- the spreadsheet --------------------------------------------------------------------------


def test_the_import_reads_every_column_the_export_writes():
    from planning.views.exports import EVIDENCE_HEADINGS, PLAN_HEADINGS, WELSH_HEADINGS

    assert list(importing.COLUMN_FIELDS) == [*PLAN_HEADINGS, *EVIDENCE_HEADINGS, *WELSH_HEADINGS]


def test_a_spreadsheet_round_trip_previews_the_edit_then_applies_it_with_history(client, ada, plan, items):
    vision, priority, action = items
    client.force_login(ada)
    content = edit_sheet(exported(client, plan), {(4, "Title"): "Tutor in maths and English"})
    row = upload("sip.xlsx", content, ada)
    assert row.preview["problems"] == []
    [entry] = row.preview["plans"]
    assert (entry["slug"], entry["action"], entry["created"], entry["removed"], entry["fields"]) == (
        "sip", "change", [], [], [])  # fmt: skip
    assert entry["changed"] == [{"reference": "1.1", "title": "Tutor in maths", "changes": [
        {"field": "Title", "old": "Tutor in maths", "new": "Tutor in maths and English"}]}]  # fmt: skip
    action.refresh_from_db()
    assert action.title == "Tutor in maths"

    importing.apply(import_id=row.pk, user=ada)
    action.refresh_from_db()
    assert action.title == "Tutor in maths and English"
    latest = action.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (ada, "Imported from sip.xlsx")


def test_an_unchanged_export_changes_nothing(client, ada, plan, items):
    client.force_login(ada)
    row = upload("sip.xlsx", exported(client, plan), ada)
    assert row.preview["problems"] == []
    assert row.preview["plans"][0]["empty"] is True


def test_a_spreadsheet_adds_and_removes_items_by_reference(client, ada, plan, items):
    vision, priority, action = items
    client.force_login(ada)
    content = exported(client, plan)
    workbook = load_workbook(io.BytesIO(content))
    workbook.worksheets[0].delete_rows(4)  # 1.1 Tutor in maths
    out = io.BytesIO()
    workbook.save(out)
    content = edit_sheet(out.getvalue(), {}, add_rows=[{"Reference": "2", "Kind": "Priority", "Title": "Safe schools",
                                                        "Status": "Not started"}])  # fmt: skip
    row = upload("sip.xlsx", content, ada)
    assert row.preview["problems"] == []
    [entry] = row.preview["plans"]
    assert entry["created"] == [{"reference": "2", "kind": "Priority", "title": "Safe schools"}]
    assert entry["removed"] == [{"reference": "1.1", "kind": "Action", "title": "Tutor in maths", "below": 0}]
    importing.apply(import_id=row.pk, user=ada)
    titles = list(PlanItem.objects.filter(plan=plan).order_by("lft").values_list("title", flat=True))
    assert titles == [vision.title, "Raise attainment", "Safe schools"]


def test_every_problem_in_a_spreadsheet_is_named_by_row_and_column(client, ada, plan, items):
    client.force_login(ada)
    content = edit_sheet(
        exported(client, plan),
        {(3, "Status"): "Sleeping", (4, "Due date"): "soon", (4, "Cost (£)"): "lots", (4, "Lead officer"): "Nobody",
         (3, "Title"): "<script>x</script>"},
    )  # fmt: skip
    row = upload("sip.xlsx", content, ada)
    found = {(p["where"], p["field"]) for p in row.preview["problems"]}
    assert found >= {("row 3", "Status"), ("row 4", "Due date"), ("row 4", "Cost (£)"), ("row 4", "Lead officer"),
                     ("row 3", "Title")}  # fmt: skip
    messages = {(p["where"], p["field"]): p["message"] for p in row.preview["problems"]}
    assert messages[("row 4", "Due date")] == "“soon” is not a date: enter a date, for example 31/03/2014"
    assert messages[("row 3", "Title")] == "must be plain text; HTML and script are not allowed"
    with pytest.raises(ValidationError):
        importing.apply(import_id=row.pk, user=ada)


def test_an_error_in_the_last_row_leaves_nothing_written(client, ada, plan, items):
    client.force_login(ada)
    content = edit_sheet(
        exported(client, plan),
        {(2, "Title"): "A new vision", (3, "Title"): "A new priority"},
        add_rows=[{"Reference": "1.2", "Kind": "Action", "Title": "Bad", "Status": "Not started", "Due date": "2014-01-01",
                   "Start date": "2014-06-01"}],
    )  # fmt: skip
    row = upload("sip.xlsx", content, ada)
    assert [(p["where"], p["field"]) for p in row.preview["problems"]] == [("row 5", "Due date")]
    before = table_counts()
    with pytest.raises(ValidationError):
        importing.apply(import_id=row.pk, user=ada)
    assert table_counts() == before
    assert vision_of(plan).title != "A new vision"


def test_a_failure_while_writing_rolls_everything_back(client, ada, plan, items, monkeypatch):
    """All or nothing even past the checks: the last write fails, the first ones go too."""
    vision, priority, action = items
    client.force_login(ada)
    content = edit_sheet(exported(client, plan), {(2, "Title"): "A new vision", (4, "Title"): "Last"})
    row = upload("sip.xlsx", content, ada)
    real = importing.item_update

    def failing(**kwargs):
        if kwargs["item_id"] == action.pk:
            raise RuntimeError("the disk is full")
        return real(**kwargs)

    monkeypatch.setattr(importing, "item_update", failing)
    before = table_counts()
    with pytest.raises(RuntimeError):
        importing.apply(import_id=row.pk, user=ada)
    assert table_counts() == before
    assert vision_of(plan).title == vision.title
    row.refresh_from_db()
    assert row.applied_at is None


def test_a_stale_preview_is_refused(client, ada, alice, plan, items):
    vision, priority, action = items
    client.force_login(ada)
    row = upload("sip.xlsx", edit_sheet(exported(client, plan), {(4, "Title"): "Mine"}), ada)
    from planning.services import ItemChange, item_update

    item_update(item_id=priority.pk, user=alice, change=ItemChange(fields={"title": "Theirs"}), expected_version=1)
    with pytest.raises(importing.StalePreview, match="the plan “sip” has changed"):
        importing.apply(import_id=row.pk, user=ada)
    action.refresh_from_db()
    assert action.title == "Tutor in maths"


def test_an_approved_plan_needs_a_reason(client, ada, plan, items):
    client.force_login(ada)
    row = upload("sip.xlsx", edit_sheet(exported(client, plan), {(4, "Title"): "Mine"}), ada)
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)  # the status alone matters here
    with pytest.raises(ValidationError) as refused:
        importing.apply(import_id=row.pk, user=ada)
    assert "give a reason" in str(refused.value)
    importing.apply(import_id=row.pk, user=ada, reason="Cabinet agreed")
    action = items[2]
    assert action.history.latest().history_change_reason == "Imported from sip.xlsx: Cabinet agreed"


# --- one validation for the command and the browser ------------------------------------------


@pytest.mark.parametrize("path", sorted(BROKEN.glob("*.json")), ids=lambda p: p.name)
def test_the_command_and_the_browser_name_the_same_problems(seeded_for_broken, ada, path):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("load_plans", str(path), stderr=err, stdout=io.StringIO())
    # the browser updates a plan whose slug exists (the command needs --replace), so the
    # command's "already exists" is the one message the browser does not give
    command = [line for line in err.getvalue().splitlines() if line.strip() and "already exists" not in line]
    row = upload(path.name, path.read_bytes(), ada)
    browser = [_as_command(path.name, p) for p in row.preview["problems"]]
    assert browser == command
    assert browser or "already exists" in err.getvalue()


def _as_command(name: str, problem: dict) -> str:
    """A browser problem in the command's words: ``file: object N (label): field: message``."""
    parts = [name]
    if problem["object"] is not None:
        parts.append(f"object {problem['object']} ({problem['label']})")
    if problem["field"]:
        parts.append(problem["field"])
    return ": ".join([*parts, problem["message"]])


@pytest.fixture
def seeded_for_broken(plan, alice, college):
    """The rows the loader's broken corpus is checked against (as its own tests seed them)."""
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    add_item(plan, priority, "action", user=alice, cost_amount=1000, cost_type="revenue")
    IndicatorFactory(code="ks2-reading")
    return plan


# --- the pages ----------------------------------------------------------------------------------

UPLOAD = reverse("planning:import-upload")


def post_file(client, name: str, content: bytes, plan_slug: str = ""):
    return client.post(UPLOAD, {"file": SimpleUploadedFile(name, content), "plan": plan_slug})


def test_the_pages_upload_preview_and_apply(client, ada):
    client.force_login(ada)
    assert client.get(UPLOAD).status_code == 200
    response = post_file(client, "valid_plan.json", VALID.read_bytes())
    assert response.status_code == 302
    preview = response["Location"]
    page = client.get(preview).content.decode()
    assert "New plan" in page and "Eastvale Libraries Service Plan 2013-14" in page
    assert not Plan.objects.filter(slug=JSON_SLUG).exists()
    response = client.post(preview, {"reason": ""})
    assert response.status_code == 302
    page = client.get(preview).content.decode()
    assert "Import complete" in page
    assert reverse("planning:plan-detail", args=[JSON_SLUG]) in page


def test_a_stale_preview_says_so_on_the_page(client, ada, alice, plan, items):
    client.force_login(ada)
    response = post_file(client, "sip.xlsx", edit_sheet(exported(client, plan), {(4, "Title"): "Mine"}))
    from planning.services import ItemChange, item_update

    item_update(item_id=items[1].pk, user=alice, change=ItemChange(fields={"title": "Theirs"}), expected_version=1)
    response = client.post(response["Location"], {"reason": ""})
    assert response.status_code == 409
    assert "has changed, so nothing was imported" in response.content.decode()


def test_problems_are_listed_on_the_preview_with_no_import_button(client, ada, plan, items):
    client.force_login(ada)
    response = post_file(client, "sip.xlsx", edit_sheet(exported(client, plan), {(4, "Due date"): "soon"}))
    page = client.get(response["Location"]).content.decode()
    assert "row 4" in page and "Due date" in page and "is not a date" in page
    assert ">Import</button>" not in page


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("plan.pdf", b"%PDF-1.4 not a plan", "is not a plan file we can read"),
        ("plan.json", b"", "plan.json is empty"),
        ("plan.xlsx", b"PK\x03\x04 broken zip", "is not an Excel workbook"),
        ("plan.json", b"\xff\xfe\x00binary", "is not a plan file we can read"),
        ("plan.zip", b"PK\x03\x04 a zip", "but its name ends “.zip”"),
    ],
)
def test_a_bad_file_is_refused_next_to_the_field(client, ada, name, content, says):
    client.force_login(ada)
    response = post_file(client, name, content)
    assert response.status_code == 400
    page = response.content.decode()
    assert says in page
    assert 'id="id_file-error"' in page
    assert not PlanImport.objects.exists()


def test_a_file_too_big_is_refused(client, ada, monkeypatch):
    monkeypatch.setattr(importing, "MAX_BYTES", 10)
    client.force_login(ada)
    response = post_file(client, "valid_plan.json", VALID.read_bytes())
    assert response.status_code == 400
    assert "is too big: a plan file must be 5 MB or smaller" in response.content.decode()


def test_a_spreadsheet_with_wrong_columns_is_refused_naming_them(client, ada, plan, items):
    client.force_login(ada)
    workbook = load_workbook(io.BytesIO(exported(client, plan)))
    workbook.worksheets[0].cell(row=1, column=4, value="Name")
    out = io.BytesIO()
    workbook.save(out)
    response = post_file(client, "sip.xlsx", out.getvalue())
    assert response.status_code == 400
    assert "sip.xlsx is missing the column “Title”" in response.content.decode()


def test_a_spreadsheet_for_no_plan_is_a_problem(client, ada, plan, items):
    client.force_login(ada)
    response = post_file(client, "renamed.xlsx", exported(client, plan))
    page = client.get(response["Location"]).content.decode()
    assert "There is no plan “renamed”" in page
    response = post_file(client, "renamed.xlsx", exported(client, plan), plan_slug="sip")
    assert client.get(response["Location"]).context["preview"]["problems"] == []


def test_an_unreadable_json_file_is_a_problem_on_the_preview(client, ada):
    client.force_login(ada)
    response = post_file(client, "plan.json", b"[{")
    page = client.get(response["Location"]).content.decode()
    assert "not valid JSON" in page


@pytest.mark.parametrize("who", ["bob", "pat", "mel", "alice"])
def test_only_admins_may_import(client, request, who, ada):
    user = request.getfixturevalue(who)
    row = upload("valid_plan.json", VALID.read_bytes(), ada)
    client.force_login(user)
    assert client.get(UPLOAD).status_code == 403
    assert post_file(client, "valid_plan.json", VALID.read_bytes()).status_code == 403
    preview = reverse("planning:import-preview", args=[row.pk])
    assert client.get(preview).status_code == 403
    assert client.post(preview).status_code == 403
    assert not Plan.objects.filter(slug=JSON_SLUG).exists()


def test_anonymous_is_sent_to_sign_in(client, ada):
    row = upload("valid_plan.json", VALID.read_bytes(), ada)
    for url in (UPLOAD, reverse("planning:import-preview", args=[row.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse("planning:import-preview", args=[row.pk])).status_code == 302
    assert not Plan.objects.filter(slug=JSON_SLUG).exists()


def test_another_admins_import_is_not_found(client, ada, council):
    from tests.factories import UserFactory

    other = UserFactory(username="otto", organisation=council, role="admin")
    row = upload("valid_plan.json", VALID.read_bytes(), ada)
    client.force_login(other)
    assert client.get(reverse("planning:import-preview", args=[row.pk])).status_code == 404


def test_an_import_never_applied_is_cleared_after_thirty_days(ada):
    from datetime import timedelta

    from django.utils import timezone

    from monitoring.housekeeping import storage_clean

    old = upload("valid_plan.json", VALID.read_bytes(), ada)
    applied = upload("valid_plan.json", VALID.read_bytes(), ada)
    importing.apply(import_id=applied.pk, user=ada)
    fresh = upload("valid_plan.json", VALID.read_bytes(), ada)
    PlanImport.objects.filter(pk__in=[old.pk, applied.pk]).update(uploaded_at=timezone.now() - timedelta(days=31))
    assert storage_clean().plan_imports == 1
    assert set(PlanImport.objects.values_list("pk", flat=True)) == {applied.pk, fresh.pk}


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"[" * 100_000, "nested too deeply"),
        (json.dumps([{}] * (importing.MAX_OBJECTS + 1)).encode(), "at most 10,000 can be loaded at once"),
    ],
)
def test_a_hostile_json_file_is_a_plain_problem(ada, content, says):
    row = upload("plan.json", content, ada)
    [problem] = row.preview["problems"]
    assert says in problem["message"]


def test_every_problem_in_a_json_file_is_named_by_its_path(ada):
    objects = valid_objects()
    by_pk(objects, "planning.planitem", 4)["fields"]["due_date"] = "someday"
    by_pk(objects, "planning.planitem", 6)["fields"]["parent"] = 2  # a milestone under a priority
    row = upload("libraries.json", as_json(objects), ada)
    where = {p["where"]: p["message"] for p in row.preview["problems"]}
    assert set(where) == {"[8].fields.due_date", "[10].fields.parent"}
    assert "someday" in where["[8].fields.due_date"] or "date" in where["[8].fields.due_date"]


def test_a_formula_cell_is_a_problem_not_a_value(client, ada, plan, items):
    client.force_login(ada)
    row = upload("sip.xlsx", edit_sheet(exported(client, plan), {(4, "Title"): '=HYPERLINK("x")'}), ada)
    assert [(p["where"], p["field"], p["message"]) for p in row.preview["problems"]] == [
        ("row 4", "Title", "formulas are not accepted: type the value itself")
    ]


def test_a_workbook_openpyxl_cannot_read_is_refused_next_to_the_field(client, ada):
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    client.force_login(ada)
    response = post_file(client, "sip.xlsx", buffer.getvalue())
    assert response.status_code == 400
    assert "sip.xlsx could not be read as an Excel workbook" in response.content.decode()


def test_the_page_asks_for_a_reason_to_change_an_approved_plan(client, ada, plan, items):
    client.force_login(ada)
    response = post_file(client, "sip.xlsx", edit_sheet(exported(client, plan), {(4, "Title"): "Mine"}))
    preview = response["Location"]
    Plan.objects.filter(pk=plan.pk).update(status=Plan.Status.APPROVED)  # the status alone matters here
    response = client.post(preview, {"reason": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_reason-error"' in page and "is approved: give a reason for changing it" in page
    assert client.post(preview, {"reason": "Cabinet agreed"}).status_code == 302
    assert items[2].history.latest().history_change_reason == "Imported from sip.xlsx: Cabinet agreed"


def test_the_demo_file_imported_twice_changes_nothing_the_second_time(ada):
    """The demo council's file (eleven plans, parents in the file) creates everything,
    then, uploaded again, matches every plan as it is: no field, item or plan changes,
    and applying it writes no history."""
    from pathlib import Path

    from tests.planning.loader.support import history_counts

    content = (Path(__file__).resolve().parents[2] / "fixtures" / "demo_council.json").read_bytes()
    first = upload("demo_council.json", content, ada)
    assert first.preview["problems"] == []
    assert {p["action"] for p in first.preview["plans"]} == {"create"}
    importing.apply(import_id=first.pk, user=ada)
    again = upload("demo_council.json", content, ada)
    assert again.preview["problems"] == []
    assert len(again.preview["plans"]) == len(first.preview["plans"])
    assert [p["slug"] for p in again.preview["plans"] if not p["empty"]] == []
    before = history_counts()
    importing.apply(import_id=again.pk, user=ada)
    assert history_counts() == before


def test_every_demo_plan_s_spreadsheet_imports_back_unchanged(client, db):
    """Statuses, units, directions, people's and organisations' names, indicators, costs and
    supporters all read back as the export wrote them: no plan of the demo changes."""
    from pathlib import Path

    from partners.models import User
    from tests.factories import UserFactory

    admin = UserFactory(username="root", role=User.Role.ADMIN, organisation=None)
    content = (Path(__file__).resolve().parents[2] / "fixtures" / "demo_council.json").read_bytes()
    importing.apply(import_id=upload("demo_council.json", content, admin).pk, user=admin)
    client.force_login(admin)
    plans = list(Plan.objects.all())
    assert len(plans) == 11
    for plan in plans:
        row = upload(f"{plan.slug}.xlsx", exported(client, plan), admin)
        assert row.preview["problems"] == [], plan.slug
        assert [entry["empty"] for entry in row.preview["plans"]] == [True], plan.slug
