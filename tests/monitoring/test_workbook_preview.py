"""The workbook's preview is checked in memory, by the same rules as the save (issue 12,
item 3: a full-size upload reaches its preview within 2 s).

The preview reads every item, saved return and past version it needs in a fixed number
of queries, then checks each row with ``services.return_check``, the function
``return_save`` itself calls: no row is tried by writing it and rolling back.

Row 2 of alice's workbook for ``sip`` is bob's action, row 3 the college's percentage
target (reading order), then the extra targets below them."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import services as monitoring
from monitoring.models import ProgressReturn, WorkbookUpload
from monitoring.workbook import HEADING
from tests.factories import add_item, make_return
from tests.monitoring.uploads import corpus

DOWNLOAD = reverse("monitoring:workbook-download")
UPLOAD = reverse("monitoring:workbook-upload")
ACTION_ROW, TARGET_ROW = 2, 3
# the upload page's queries whatever the number of rows: the session and the user, the
# quarters (the form's choices, then the one chosen), the items with their leads, their
# plans, the plans' shares, the saved returns with their authors, the milestones done before, the versions stale rows
# were downloaded at (two, only when there are such rows), the workbook's plan, the upload
PREVIEW_QUERIES = 13


def _download(client, user) -> bytes:
    client.force_login(user)
    response = client.get(DOWNLOAD, {"period": "2013-q1", "plan": "sip"})
    assert response.status_code == 200
    return response.content


def _upload(client, content: bytes):
    return client.post(UPLOAD, {"period": "2013-q1", "workbook": SimpleUploadedFile("returns.xlsx", content)})


def _filled(content: bytes) -> bytes:
    """Every row given a RAG, a narrative and, for a target, a value."""
    edits = {}
    for number, row in enumerate(corpus.rows(content), start=2):
        edits[(number, "RAG")] = "Amber"
        edits[(number, "Narrative")] = f"Row {number}: behind plan as staff moved on."
        if row["Kind"] != "Action":
            edits[(number, "Actual value")] = 50 + number % 40
    return corpus.edit(content, edits)[1]


@pytest.fixture(params=[0, 24], ids=["2 rows", "26 rows"])
def sized(request, monitored, college, q1):
    """The monitored plan with ``param`` more percentage targets led by the college."""
    for n in range(request.param):
        add_item(monitored, monitored.action, "target", title=f"Extra target {n}", lead_organisation=college)
    return monitored


def test_the_preview_makes_the_same_number_of_queries_whatever_the_number_of_rows(
    client, alice, sized, django_assert_max_num_queries
):
    content = _filled(_download(client, alice))
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        response = _upload(client, content)
    assert response.status_code == 302
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and len(upload.changes) == len(corpus.rows(content))


def test_rows_whose_returns_changed_since_the_download_cost_no_query_each(
    client, alice, bob, sized, q1, django_assert_max_num_queries
):
    """bob saved every return again after alice's download; she changed every other row
    and left the rest alone. The versions the rows were downloaded at are read for all of
    them at once: the changed rows are conflicts, the rows left alone are nothing."""
    content = _download(client, alice)
    items = [row["Item ID"] for row in corpus.rows(content)]
    for item in sized.items.filter(pk__in=items):
        make_return(item, q1, bob, {"rag": "green", "narrative": "Bob's first", "actual_value": None})
    content = _download(client, alice)
    for item in sized.items.filter(pk__in=items):
        ret = ProgressReturn.objects.get(item=item, period=q1)
        monitoring.return_save(
            item=item, period=q1, user=bob, fields={"narrative": "Bob's second"}, expected_version=ret.version
        )
    edits = {(number, "Narrative"): "Alice's" for number in range(2, len(items) + 2, 2)}
    content = corpus.edit(content, edits)[1]
    with django_assert_max_num_queries(PREVIEW_QUERIES):
        assert _upload(client, content).status_code == 302
    upload = WorkbookUpload.objects.get()
    assert upload.changes == []
    assert [(problem["row"], problem["column"]) for problem in upload.problems] == [
        (number, "Version") for number in range(2, len(items) + 2, 2)
    ]
    assert all("has changed by Bob Officer since this workbook was downloaded" in p["message"] for p in upload.problems)


def test_the_preview_writes_no_return_not_even_one_rolled_back(client, alice, monitored, q1):
    content = _filled(_download(client, alice))
    with CaptureQueriesContext(connection) as queries:
        assert _upload(client, content).status_code == 302
    written = [
        query["sql"]
        for query in queries.captured_queries
        if query["sql"].upper().startswith(("INSERT", "UPDATE", "DELETE", "SAVEPOINT"))
    ]
    assert written and all("monitoring_workbookupload" in sql or "django_session" in sql for sql in written), written
    assert not ProgressReturn.objects.exists()


# --- the preview refuses what the save refuses, with the save's own words -------------------

SERVICE_RULES = [
    # (edits to the row, the return fields saved directly, the column named, the message)
    (
        {(ACTION_ROW, "Revised due date"): date(2014, 1, 31)},
        {"revised_due_date": date(2014, 1, 31)},
        "Reason for new date",
        "Say why the date has moved.",
    ),
    (
        {(ACTION_ROW, "Reason for new date"): "Staff left."},
        {"revision_reason": "Staff left."},
        "Revised due date",
        "Give the new date, or leave the reason empty.",
    ),
    (
        {(ACTION_ROW, "Revised due date"): date(2013, 1, 31), (ACTION_ROW, "Reason for new date"): "Early."},
        {"revised_due_date": date(2013, 1, 31), "revision_reason": "Early."},
        "Revised due date",
        "The new date is before the action starts (1 April 2013).",
    ),
    (
        {(TARGET_ROW, "RAG"): "Green", (TARGET_ROW, "Narrative"): "Ahead.", (TARGET_ROW, "Submit?"): "Yes"},
        {"rag": "green", "narrative": "Ahead."},
        "Actual value",
        "Give the measured value before you submit.",
    ),
    (
        {(ACTION_ROW, "Narrative"): "Done.", (ACTION_ROW, "Submit?"): "Yes"},
        {"narrative": "Done."},
        "RAG",
        "Choose a RAG rating before you submit.",
    ),
]


@pytest.mark.parametrize(("edits", "fields", "column", "message"), SERVICE_RULES)
def test_the_preview_names_what_the_save_would_refuse_in_its_words(
    client, alice, monitored, q1, edits, fields, column, message
):
    row = next(iter(edits))[0]
    content = corpus.edit(_download(client, alice), edits)[1]
    assert _upload(client, content).status_code == 302
    upload = WorkbookUpload.objects.get()
    assert {"sheet": "Returns", "row": row, "column": column, "message": message} in upload.problems
    item = monitored.action if row == ACTION_ROW else monitored.target
    submit = (row, "Submit?") in edits
    with pytest.raises(ValidationError) as refused:
        monitoring.return_save(item=item, period=q1, user=alice, fields=fields, expected_version=0, submit=submit)
    field = next(name for name, heading in HEADING.items() if heading == column)
    assert refused.value.message_dict[field] == [message]
    assert client.post(reverse("monitoring:workbook-preview", args=[upload.pk])).status_code == 400
    assert not ProgressReturn.objects.exists()
