"""Importing a plan in a real browser (issue 16): the admin downloads a plan's spreadsheet,
edits a cell, uploads it, reads the preview (the change, field: old → new), imports it,
and lands on the result linking the plan; a bad file is refused next to its field; a
file with a bad cell is shown with the problem named by row and column. Every page is
checked with axe."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from planning.models import PlanImport, PlanItem
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _edit(content: bytes, row: int, heading: str, value) -> bytes:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    column = [cell.value for cell in sheet[1]].index(heading) + 1
    sheet.cell(row=row, column=column, value=value)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _upload(page, name: str, content: bytes, mime: str = XLSX, status: int = 200):
    page.get_by_label("Plan file").set_input_files({"name": name, "mimeType": mime, "buffer": content})
    return submit(page, page.get_by_role("button", name="Upload and preview"), status)


def test_admin_imports_an_edited_plan_spreadsheet(live_server, page, ada, alice, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    action = add_item(plan, priority, "action", user=alice, title="Tutor in maths")
    sign_in(page, ada)
    # the plan page's Excel download, fetched as the signed-in admin
    download = page.request.get(reverse("monitoring:plan-export", args=[plan.slug, "xlsx"]))
    assert download.ok
    content = _edit(download.body(), 4, "Title", "Tutor in maths and English")
    visit(page, "/")
    follow(page, page.get_by_role("link", name="Import a plan from a file"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a plan")

    # A file that is not a plan is refused next to the field.
    _upload(page, "notes.pdf", b"%PDF-1.4 not a plan", "application/pdf", status=400)
    expect(page.locator("#id_file-error")).to_contain_text("notes.pdf is not a plan file we can read")

    # The edited spreadsheet: the preview shows the change and writes nothing.
    _upload(page, f"{plan.slug}.xlsx", content)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check the import of {plan.slug}.xlsx")
    changed = page.get_by_role("table", name="Items changed (1)")
    expect(changed.get_by_role("rowheader")).to_have_text("1.1 Tutor in maths")
    expect(changed.locator("li")).to_have_text(re.compile(r"^Title: Tutor in maths .*Tutor in maths and English$"))
    action.refresh_from_db()
    assert action.title == "Tutor in maths"

    # Import: the result links the plan; the history names the admin and the file.
    submit(page, page.get_by_role("button", name="Import"))
    expect(page.locator(".govuk-panel")).to_contain_text("Import complete")
    action.refresh_from_db()
    assert action.title == "Tutor in maths and English"
    latest = action.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (ada, f"Imported from {plan.slug}.xlsx")
    follow(page, page.get_by_role("link", name=plan.title))
    expect(page.get_by_role("heading", level=1)).to_contain_text(plan.title)

    # A bad cell: the problem by row and column, no Import button, nothing written.
    visit(page, "/imports/")
    _upload(page, f"{plan.slug}.xlsx", _edit(content, 4, "Due date", "soon"))
    expect(page).to_have_title(re.compile(r"^Error: Check the import of"))
    problems = page.get_by_role("table", name="Problems (1)")
    expect(problems.get_by_role("rowheader")).to_have_text("row 4")
    expect(problems.locator("tbody td").first).to_have_text("Due date")
    expect(page.get_by_role("button", name="Import")).to_have_count(0)
    assert PlanImport.objects.filter(applied_at__isnull=True).count() == 1
    assert PlanItem.objects.get(pk=action.pk).due_date is None


def test_the_import_pages_are_refused_to_an_officer(live_server, page, bob):
    sign_in(page, bob)
    visit(page, "/imports/", status=403)
