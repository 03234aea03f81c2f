"""The return workbook in a real browser: the officer downloads his quarter's workbook,
fills it in (openpyxl standing in for Excel), uploads it, checks the preview and saves
it; a second workbook with a bad cell is shown with the problem named by sheet, row and
column, and nothing is saved. Every page is checked with axe."""

import io
import re

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from monitoring.models import ProgressReturn, WorkbookUpload
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

# The monitored plan, its quarters and Q1, shared with tests/monitoring.
monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
q1 = monitoring_fixtures.q1

ACTION = "Train every maths teacher"
NARRATIVE = "Twelve teachers trained in June; the rest are booked for September."
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

State = ProgressReturn.State


def _banner(page):
    return page.locator(".govuk-notification-banner")


def _download(page, quarter: str) -> tuple[str, bytes]:
    """Choose the quarter on the download page and take the workbook it sends."""
    form = page.locator("form", has=page.get_by_role("button", name="Download the workbook (Excel)"))
    form.get_by_label("Quarter").select_option(label=quarter)
    with page.expect_download() as download:
        form.get_by_role("button", name="Download the workbook (Excel)").click()
    path = download.value.path()
    with open(path, "rb") as handle:
        return download.value.suggested_filename, handle.read()


def _fill(content: bytes, item_id: int, values: dict[str, object]) -> tuple[int, bytes]:
    """Type ``values`` (by column heading) into the row for ``item_id``, as in Excel;
    returns the row's number and the saved workbook."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Returns"]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    row = next(cells[0].row for cells in sheet.iter_rows(min_row=2) if cells[columns["Item ID"] - 1].value == item_id)
    for heading, value in values.items():
        sheet.cell(row=row, column=columns[heading]).value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return row, buffer.getvalue()


def _upload(page, form, name: str, content: bytes, quarter: str):
    form.get_by_label("Completed workbook").set_input_files({"name": name, "mimeType": XLSX, "buffer": content})
    form.get_by_label("Quarter the workbook is for").select_option(label=quarter)
    submit(page, form.get_by_role("button", name="Upload and preview"))


def test_officer_downloads_fills_uploads_previews_and_saves_a_workbook_then_a_bad_one_saves_nothing(
    live_server, page, bob, monitored, periods, q1
):
    action = monitored.action
    sign_in(page, bob)
    follow(page, page.get_by_role("link", name="My returns", exact=True))
    follow(page, page.get_by_role("link", name="Work in a spreadsheet: download and upload a return workbook"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Work on returns in a spreadsheet")

    # Download the Q1 workbook of everything his service leads: one row, his action.
    name, content = _download(page, "Q1 2013/14")
    assert name == "returns-2013-q1-school-improvement.xlsx"
    row, content = _fill(content, action.pk, {"RAG": "Amber", "Narrative": NARRATIVE, "Submit?": "Yes"})
    assert row == 2

    # Upload it from the same page: the preview lists the change and saves nothing yet.
    upload_form = page.locator("form", has=page.get_by_role("button", name="Upload and preview"))
    _upload(page, upload_form, name, content, "Q1 2013/14")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Check the changes in {name}")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    changes = page.get_by_role("table", name=re.compile(r"^Changes \(1 return, 1 submitted for review\)"))
    change = changes.locator("tbody tr")
    expect(change).to_have_count(1)
    expect(change.locator("td").first).to_have_text(str(row))
    expect(change.get_by_role("rowheader")).to_contain_text(ACTION)
    shown = change.locator("li")
    expect(shown).to_have_count(3)
    expect(shown.nth(0)).to_have_text(re.compile(r"^RAG: \(blank\) .*Amber$"))
    expect(shown.nth(1)).to_have_text(re.compile(rf"^Narrative: \(blank\) .*{re.escape(NARRATIVE)}$"))
    expect(shown.nth(2)).to_have_text("Submitted for review")
    assert not ProgressReturn.objects.exists()

    # Save all: the return is made and submitted, with its history.
    submit(page, page.get_by_role("button", name="Save all 1 return"))
    expect(_banner(page)).to_contain_text(f"Saved 1 return from {name}.")
    expect(page.locator(".govuk-inset-text")).to_contain_text("Saved on")
    expect(page.get_by_role("button", name=re.compile("^Save all"))).to_have_count(0)
    ret = ProgressReturn.objects.get()
    assert (ret.item, ret.period, ret.state, ret.rag, ret.narrative, ret.author) == (
        action,
        q1,
        State.SUBMITTED,
        "amber",
        NARRATIVE,
        bob,
    )
    assert ret.history.count() == 1
    assert WorkbookUpload.objects.get().applied_at is not None

    # It is on his list, awaiting review.
    follow(page, page.get_by_role("link", name="Go to my returns"))
    expect(page.locator("table#awaiting")).to_contain_text(ACTION)

    # A second workbook, for Q2, with a RAG rating that does not exist.
    follow(page, page.get_by_role("link", name="Work in a spreadsheet: download and upload a return workbook"))
    name, content = _download(page, "Q2 2013/14")
    row, content = _fill(content, action.pk, {"RAG": "Purple", "Narrative": NARRATIVE})
    visit(page, "/monitoring/workbook/upload/?period=2013-q2")
    expect(page.get_by_label("Quarter the workbook is for")).to_have_value("2013-q2")
    upload_form = page.locator("main form")
    _upload(page, upload_form, name, content, "Q2 2013/14")
    expect(page).to_have_title(re.compile(r"^Error: Check the changes in"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(f"{name} has 1 problem. Nothing has been saved.")
    problems = page.get_by_role("table", name="Problems (1)")
    expect(problems.locator("tbody tr")).to_have_count(1)
    expect(problems.get_by_role("rowheader")).to_have_text(f"Sheet Returns, row {row}, column RAG")
    expect(problems.locator("tbody td")).to_have_text(
        "“Purple” is not a RAG rating. Choose one of Red, Amber, Green, Complete, Not started."
    )
    expect(page.get_by_role("button", name=re.compile("^Save all"))).to_have_count(0)
    assert list(ProgressReturn.objects.values_list("period__quarter", flat=True)) == [1]  # nothing for Q2
    assert ret.history.count() == 1

    # The error summary's link takes the reader to the problems.
    page.locator(".govuk-error-summary").get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"#problems$"))
