"""The return workbook round-trip: download a pre-filled workbook, upload it completed,
see every change and every problem by sheet, row and column, then save all or nothing.

Row 2 of alice's workbook for ``sip`` is bob's action, row 3 the college's percentage
target (reading order)."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from monitoring import services as monitoring
from monitoring.models import ProgressReturn, WorkbookUpload
from partners.models import Organisation, User
from planning.models import PlanItem
from tests.factories import OrganisationFactory, UserFactory, add_item, make_return
from tests.monitoring.uploads import corpus

DOWNLOAD = reverse("monitoring:workbook-download")
UPLOAD = reverse("monitoring:workbook-upload")
ACTION_ROW, TARGET_ROW = 2, 3


def _download(client, user, **params) -> bytes:
    client.force_login(user)
    response = client.get(DOWNLOAD, {"period": "2013-q1", **params})
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return response.content


def _upload(client, name: str, content: bytes, period: str = "2013-q1", follow: bool = True):
    return client.post(UPLOAD, {"period": period, "workbook": SimpleUploadedFile(name, content)}, follow=follow)


def _counts() -> tuple[int, int]:
    return ProgressReturn.objects.count(), ProgressReturn.history.count()


def _preview_url(upload: WorkbookUpload) -> str:
    return reverse("monitoring:workbook-preview", args=[upload.pk])


@pytest.fixture
def workbook(client, alice, monitored, periods) -> bytes:
    """alice's workbook for the whole plan, as downloaded."""
    return _download(client, alice, plan="sip")


@pytest.fixture
def police_partner(db):
    police = OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)
    return UserFactory(username="pc", organisation=police, role=User.Role.PARTNER)


# --- download --------------------------------------------------------------------------------


def test_the_plan_workbook_has_a_row_per_action_and_target_with_what_is_saved(client, alice, bob, monitored, q1):
    make_return(monitored.action, q1, bob, {"rag": "amber", "narrative": "- half done"})
    content = _download(client, alice, plan="sip")
    rows = corpus.rows(content)
    assert [row["Item ID"] for row in rows] == [monitored.action.pk, monitored.target.pk]
    action, target = rows
    assert action["Reference"] == "1.1" and target["Reference"] == "1.1.1"
    assert action["RAG"] == "Amber" and action["Version"] == 1 and action["Current state"] == "Draft"
    assert action["Narrative"] == "- half done"  # as typed: a string cell never runs as a formula
    assert target["Version"] == 0 and target["Unit"] == "Percentage (%)" and target["Target value"] == 80
    assert target["Submit?"] == "No"


def test_the_workbook_offers_lists_for_rag_and_submit_and_a_read_me(workbook):
    book = load_workbook(io.BytesIO(workbook))
    lists = {rule.formula1 for rule in book["Returns"].data_validations.dataValidation if rule.type == "list"}
    assert lists == {'"Red,Amber,Green,Complete,Not started"', '"Done,On track,Late"', '"Yes,No"'}
    facts = {row[0]: row[1] for row in book["Read me"].iter_rows(values_only=True) if row and row[0]}
    assert facts["Quarter code"] == "2013-q1" and facts["Plan code"] == "sip"
    assert book["Returns"].protection.sheet  # grey cells (item ID, version) are locked against slips


def test_a_submitted_return_is_shown_greyed_and_locked(client, alice, bob, monitored, q1):
    make_return(monitored.action, q1, bob, submit=True)
    book = load_workbook(io.BytesIO(_download(client, alice, plan="sip")))
    sheet = book["Returns"]
    narrative = corpus.headings(sheet)["Narrative"]
    assert sheet.cell(ACTION_ROW, narrative).protection.locked
    assert not sheet.cell(TARGET_ROW, narrative).protection.locked


def test_text_that_looks_like_a_formula_is_a_string_cell_in_the_download(client, alice, monitored, q1):
    monitored.action.title = '=HYPERLINK("http://evil")'
    monitored.action.save()
    content = _download(client, alice, plan="sip")
    assert corpus.rows(content)[0]["Item"] == '=HYPERLINK("http://evil")'
    book = load_workbook(io.BytesIO(content))
    item = book["Returns"].cell(2, corpus.headings(book["Returns"])["Item"])
    assert item.value == '=HYPERLINK("http://evil")' and item.data_type == "s"
    assert all(cell.data_type != "f" for row in book["Returns"].iter_rows() for cell in row)


def test_a_partner_downloads_what_their_organisation_leads(client, pat, monitored, periods):
    rows = corpus.rows(_download(client, pat, organisation="mine"))
    assert [row["Item ID"] for row in rows] == [monitored.target.pk]


def test_an_officer_downloads_what_they_and_their_colleagues_lead(client, bob, monitored, periods):
    rows = corpus.rows(_download(client, bob, organisation="mine"))
    assert [row["Item ID"] for row in rows] == [monitored.action.pk]


def test_the_download_page_offers_the_plans_the_user_may_change(client, alice, carol, monitored, periods):
    client.force_login(alice)
    page = client.get(DOWNLOAD)
    assert page.status_code == 200 and monitored.title in page.content.decode()
    client.force_login(carol)
    page = client.get(DOWNLOAD)
    assert page.status_code == 200 and monitored.title not in page.content.decode()


def test_only_those_who_may_change_a_plan_download_its_workbook(client, carol, pat, police_partner, monitored, periods):
    client.force_login(carol)
    assert client.get(DOWNLOAD, {"period": "2013-q1", "plan": "sip"}).status_code == 403
    client.force_login(pat)  # the plan is not shared with the college: pat only sees what the college leads
    assert client.get(DOWNLOAD, {"period": "2013-q1", "plan": "sip"}).status_code == 404
    client.force_login(police_partner)
    assert client.get(DOWNLOAD, {"period": "2013-q1", "plan": "sip"}).status_code == 404


def test_an_unknown_quarter_is_not_found(client, alice, monitored, periods):
    client.force_login(alice)
    assert client.get(DOWNLOAD, {"period": "2099-q1", "plan": "sip"}).status_code == 404


def test_members_make_no_returns(client, mel, monitored, periods):
    client.force_login(mel)
    assert client.get(DOWNLOAD).status_code == 403
    assert client.get(DOWNLOAD, {"period": "2013-q1", "plan": "sip"}).status_code == 403
    assert client.get(UPLOAD).status_code == 403
    assert client.post(UPLOAD).status_code == 403


def test_the_download_is_read_only(client, alice, monitored, periods):
    client.force_login(alice)
    assert client.post(DOWNLOAD).status_code == 405


@pytest.mark.parametrize("url", [DOWNLOAD, UPLOAD])
def test_anonymous_people_are_sent_to_sign_in(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


# --- the good path ---------------------------------------------------------------------------


def test_download_fill_upload_preview_and_save_everything(client, alice, monitored, q1, workbook):
    name, content = corpus.edit(
        workbook,
        {
            (ACTION_ROW, "RAG"): "Green",
            (ACTION_ROW, "Narrative"): "Every maths teacher booked on the course.",
            (ACTION_ROW, "Submit?"): "Yes",
            (TARGET_ROW, "RAG"): "Amber",
            (TARGET_ROW, "Actual value"): 76.5,
            (TARGET_ROW, "Narrative"): "Up from 70%.",
            (TARGET_ROW, "Revised due date"): date(2014, 6, 30),
            (TARGET_ROW, "Reason for new date"): "Results come in June.",
        },
    )
    before = _counts()
    response = _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    assert response.redirect_chain[-1][0] == _preview_url(upload)
    page = response.content.decode()
    assert "Every maths teacher booked on the course." in page and "Submitted for review" in page
    assert "76.5" in page and "30 June 2014" in page
    assert _counts() == before  # the preview saves nothing

    response = client.post(_preview_url(upload), follow=True)
    assert "Saved 2 returns from returns.xlsx" in response.content.decode()
    action = ProgressReturn.objects.get(item=monitored.action, period=q1)
    target = ProgressReturn.objects.get(item=monitored.target, period=q1)
    assert action.state == ProgressReturn.State.SUBMITTED and action.rag == "green" and action.author == alice
    assert target.state == ProgressReturn.State.DRAFT and target.actual_value == Decimal("76.50")
    assert target.revised_due_date == date(2014, 6, 30) and target.revision_reason == "Results come in June."
    upload.refresh_from_db()
    assert upload.applied_at is not None

    again = client.post(_preview_url(upload))
    assert again.status_code == 400 and "already been saved" in again.content.decode()
    assert ProgressReturn.history.count() == before[1] + 2


def test_a_partner_fills_the_target_their_organisation_leads(client, pat, monitored, q1):
    content = _download(client, pat, organisation="mine")
    name, content = corpus.edit(content, {(2, "RAG"): "Green", (2, "Actual value"): 81, (2, "Narrative"): "Ahead."})
    _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and len(upload.changes) == 1
    assert client.post(_preview_url(upload)).status_code == 302
    assert ProgressReturn.objects.get(item=monitored.target).actual_value == 81


def test_an_untouched_workbook_changes_nothing(client, alice, bob, monitored, q1):
    make_return(
        monitored.action, q1, bob, {"rag": "red", "narrative": "=not a formula\r\nsecond line", "actual_value": None}
    )
    content = _download(client, alice, plan="sip")
    response = _upload(client, "returns.xlsx", content)
    upload = WorkbookUpload.objects.get()
    assert upload.changes == [] and upload.problems == []
    assert "there is nothing to save" in response.content.decode()
    assert client.post(_preview_url(upload)).status_code == 400


def test_a_cell_formatted_as_a_percentage_means_what_it_shows(client, alice, monitored, q1, workbook):
    name, content = corpus.edit(
        workbook, {(TARGET_ROW, "Actual value"): 0.755}, formats={(TARGET_ROW, "Actual value"): "0.0%"}
    )
    _upload(client, name, content)
    change = WorkbookUpload.objects.get().changes[0]
    assert change["fields"] == {"actual_value": "75.50"}


# --- all or nothing --------------------------------------------------------------------------


def test_a_return_changed_since_the_download_is_a_problem_and_nothing_is_saved(
    client, alice, bob, monitored, q1, workbook
):
    monitoring.return_save(
        item=monitored.action, period=q1, user=bob, fields={"narrative": "Bob's"}, expected_version=0
    )
    name, content = corpus.edit(
        workbook,
        {(ACTION_ROW, "Narrative"): "Alice's", (TARGET_ROW, "RAG"): "Green", (TARGET_ROW, "Actual value"): 80},
    )
    before = _counts()
    page = _upload(client, name, content).content.decode()
    assert f"Sheet Returns, row {ACTION_ROW}, column Version" in page
    assert "has changed by Bob Officer since this workbook was downloaded" in page
    upload = WorkbookUpload.objects.get()
    assert client.post(_preview_url(upload)).status_code == 400
    assert _counts() == before
    assert ProgressReturn.objects.get(item=monitored.action).narrative == "Bob's"


def test_a_row_left_alone_is_no_conflict_when_someone_else_changes_its_return(client, alice, bob, monitored, q1):
    first = monitoring.return_save(
        item=monitored.action, period=q1, user=bob, fields={"narrative": "v1"}, expected_version=0
    )
    workbook = _download(client, alice, plan="sip")
    monitoring.return_save(
        item=monitored.action, period=q1, user=bob, fields={"narrative": "v2"}, expected_version=first.version
    )
    name, content = corpus.edit(workbook, {(TARGET_ROW, "RAG"): "Green", (TARGET_ROW, "Actual value"): 80})
    _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and [change["item_id"] for change in upload.changes] == [monitored.target.pk]
    assert client.post(_preview_url(upload)).status_code == 302
    assert ProgressReturn.objects.get(item=monitored.action).narrative == "v2"  # bob's change stands


def test_a_formula_row_is_reported_and_not_half_read(client, alice, monitored, q1, workbook):
    name, content = corpus.edit(workbook, {(ACTION_ROW, "RAG"): "Green", (ACTION_ROW, "Narrative"): "=A1"})
    _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    assert upload.changes == []
    assert upload.problems == [
        {
            "sheet": "Returns",
            "row": ACTION_ROW,
            "column": "Narrative",
            "message": "Formulas are not accepted: type the value itself.",
        }
    ]


def test_text_starting_with_an_equals_sign_in_a_string_cell_is_read_as_text(client, alice, monitored, q1, workbook):
    """As Excel stores '=1+1 typed by hand, and as the download writes such text."""
    book = load_workbook(io.BytesIO(workbook))
    sheet = book["Returns"]
    columns = corpus.headings(sheet)
    sheet.cell(ACTION_ROW, columns["RAG"]).value = "Green"
    narrative = sheet.cell(ACTION_ROW, columns["Narrative"])
    narrative.value = "=1+1 is two"
    narrative.data_type = "s"
    buffer = io.BytesIO()
    book.save(buffer)
    _upload(client, "returns.xlsx", buffer.getvalue())
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and len(upload.changes) == 1
    assert client.post(_preview_url(upload)).status_code == 302
    assert ProgressReturn.objects.get(item=monitored.action).narrative == "=1+1 is two"


def test_a_return_changed_after_the_preview_stops_the_whole_save(client, alice, bob, monitored, q1, workbook):
    name, content = corpus.edit(
        workbook,
        {(ACTION_ROW, "Narrative"): "Alice's", (TARGET_ROW, "RAG"): "Green", (TARGET_ROW, "Actual value"): 80},
    )
    _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and len(upload.changes) == 2
    monitoring.return_save(
        item=monitored.action, period=q1, user=bob, fields={"narrative": "Bob's"}, expected_version=0
    )
    before = _counts()
    response = client.post(_preview_url(upload))
    assert response.status_code == 409
    assert f"Sheet Returns, row {ACTION_ROW}, column Version" in response.content.decode()
    assert _counts() == before  # the target row, which was fine, was not saved either
    assert not ProgressReturn.objects.filter(item=monitored.target).exists()
    upload.refresh_from_db()
    assert upload.applied_at is None and upload.problems


def test_what_the_save_would_refuse_is_shown_in_the_preview(client, alice, monitored, q1, workbook):
    """Submitting needs a narrative: the services' own checks run before anything is saved."""
    name, content = corpus.edit(workbook, {(ACTION_ROW, "RAG"): "Green", (ACTION_ROW, "Submit?"): "Yes"})
    before = _counts()
    page = _upload(client, name, content).content.decode()
    assert f"Sheet Returns, row {ACTION_ROW}, column Narrative" in page
    assert "Say what happened this quarter before you submit." in page
    assert _counts() == before


# --- the bad-workbook corpus -----------------------------------------------------------------


@pytest.fixture
def counted(monitored, college):
    """A count target led by the college, added after the fixture's (row 4)."""
    return add_item(
        monitored,
        monitored.action,
        "target",
        title="Schools visited",
        unit=PlanItem.Unit.COUNT,
        target_value=20,
        lead_organisation=college,
    )


BAD_CELLS = [
    # (row, column, value, what the page says)
    (ACTION_ROW, "Narrative", "=1+1", "Formulas are not accepted"),
    (ACTION_ROW, "Narrative", '=HYPERLINK("http://evil","x")', "Formulas are not accepted"),
    (
        ACTION_ROW,
        "Item ID",
        999999,
        "There is no action, target or milestone with the ID 999999 that you can report on.",
    ),
    (ACTION_ROW, "Item ID", "abc", "“abc” is not a valid Item ID: copy it from the downloaded workbook."),
    (
        ACTION_ROW,
        "RAG",
        "Purple",
        "“Purple” is not a RAG rating. Choose one of Red, Amber, Green, Complete, Not started.",
    ),
    (TARGET_ROW, "Actual value", 150, "A percentage must be between 0 and 100."),
    (TARGET_ROW, "Actual value", "lots", "“lots” is not a number."),
    (TARGET_ROW, "Actual value", 12.345, "12.345 has more than 2 decimal places."),
    (ACTION_ROW, "Actual value", 5, "Only targets have an actual value"),
    (4, "Actual value", 2.5, "A count must be a whole number, 0 or more."),
    (ACTION_ROW, "Revised due date", "soon", "“soon” is not a date."),
    (ACTION_ROW, "Evidence link", "javascript:alert(1)", "is not a web address"),
    (ACTION_ROW, "Submit?", "Maybe", "“Maybe” is not Yes or No."),
    (ACTION_ROW, "Version", "", "The Version is missing."),
    (ACTION_ROW, "Narrative", "x" * 10_001, "Ensure this value has at most 10000 characters (it has 10001)."),
    # found by the property tests: a character the return form refuses, typed in a workbook
    (ACTION_ROW, "Narrative", "\x7f", "Remove an invisible character (U+007F) from the text"),
    (ACTION_ROW, "Next steps", "Ask \u202eCabinet", "U+202E Right-To-Left Override"),
]


@pytest.mark.parametrize(("row", "column", "value", "message"), BAD_CELLS)
def test_a_bad_cell_is_named_by_sheet_row_and_column_and_nothing_is_saved(
    client, alice, monitored, counted, q1, row, column, value, message
):
    workbook = _download(client, alice, plan="sip")
    edits = {(row, column): value}
    if column != "Narrative":
        edits[(row, "Narrative")] = "Something happened."  # so the row is not blank
    name, content = corpus.edit(workbook, edits)
    before = _counts()
    response = _upload(client, name, content)
    page = response.content.decode()
    assert f"Sheet Returns, row {row}, column {column}" in page
    assert message in page
    upload = WorkbookUpload.objects.get()
    assert client.post(_preview_url(upload)).status_code == 400
    assert _counts() == before


def test_a_missing_column_is_named(client, alice, monitored, q1, workbook):
    name, content = corpus.drop_column(workbook, "Narrative")
    before = _counts()
    page = _upload(client, name, content).content.decode()
    assert "Sheet Returns, row 1, column Narrative" in page and "The column “Narrative” is missing." in page
    assert _counts() == before


def test_a_workbook_for_another_quarter_is_refused(client, alice, monitored, q1, workbook):
    name, content = corpus.edit(workbook, {(ACTION_ROW, "Narrative"): "Something."})
    page = _upload(client, name, content, period="2013-q2").content.decode()
    assert "Sheet Read me" in page and "This workbook is for the quarter 2013-q1, not Q2 2013/14" in page
    assert not ProgressReturn.objects.exists()


def test_a_change_to_a_submitted_return_is_a_problem(client, alice, bob, monitored, q1):
    make_return(monitored.action, q1, bob, submit=True)
    name, content = corpus.edit(_download(client, alice, plan="sip"), {(ACTION_ROW, "Narrative"): "Changed"})
    before = _counts()
    page = _upload(client, name, content).content.decode()
    assert f"Sheet Returns, row {ACTION_ROW}" in page and "is submitted: it can no longer be changed" in page
    assert _counts() == before


def test_a_partner_cannot_report_on_an_item_they_do_not_lead(client, pat, monitored, q1):
    content = _download(client, pat, organisation="mine")
    name, content = corpus.edit(content, {(2, "Item ID"): monitored.action.pk, (2, "Narrative"): "Mine now"})
    page = _upload(client, name, content).content.decode()
    assert "Sheet Returns, row 2, column Item ID" in page
    assert f"There is no action, target or milestone with the ID {monitored.action.pk} that you can report on." in page
    assert not ProgressReturn.objects.exists()


def test_an_officer_cannot_report_on_a_plan_they_may_read_but_not_change(client, alice, carol, monitored, q1, workbook):
    name, content = corpus.edit(workbook, {(ACTION_ROW, "Narrative"): "Carol's"})
    client.force_login(carol)
    page = _upload(client, name, content).content.decode()
    assert "You cannot report on “Train every maths teacher”" in page
    assert not ProgressReturn.objects.exists()


def test_a_duplicated_row_is_a_problem(client, alice, monitored, q1, workbook):
    name, content = corpus.edit(
        workbook,
        {
            (ACTION_ROW, "Narrative"): "Once",
            (TARGET_ROW, "Item ID"): monitored.action.pk,
            (TARGET_ROW, "Narrative"): "Twice",
        },
    )
    page = _upload(client, name, content).content.decode()
    assert f"Item {monitored.action.pk} is also in row {ACTION_ROW}" in page


# --- whose upload ----------------------------------------------------------------------------


def test_an_upload_is_only_for_the_person_who_made_it(client, alice, bob, mel, monitored, q1, workbook):
    name, content = corpus.edit(workbook, {(ACTION_ROW, "Narrative"): "Alice's"})
    _upload(client, name, content)
    upload = WorkbookUpload.objects.get()
    client.force_login(bob)
    assert client.get(_preview_url(upload)).status_code == 404
    assert client.post(_preview_url(upload)).status_code == 404
    client.force_login(mel)
    assert client.get(_preview_url(upload)).status_code == 403
    client.logout()
    assert client.get(_preview_url(upload))["Location"].startswith(reverse("login"))
    assert not ProgressReturn.objects.exists()
    client.force_login(alice)
    assert client.get(_preview_url(upload)).status_code == 200


def test_an_admin_downloads_any_plan(client, ada, monitored, periods):
    rows = corpus.rows(_download(client, ada, plan="sip"))
    assert len(rows) == 2


def test_someone_with_no_organisation_and_no_plan_is_told_so(client, monitored, periods):
    loner = UserFactory(username="loner", organisation=None)
    client.force_login(loner)
    assert "there are no returns for you to fill in" in client.get(DOWNLOAD).content.decode()
    response = client.get(DOWNLOAD, {"period": "2013-q1"})
    assert response.status_code == 400 and "You are not in an organisation: choose a plan." in response.content.decode()
