"""Property tests of the return workbook forms (``UploadForm``, ``DownloadForm``) and the
preview's "save all" POST, as the people who fill returns (alice for her plan, bob and
pat for what their organisations lead): a workbook downloaded here and then changed
anyhow (any value in any cell, formulas, broken headings, another quarter's code, a
missing sheet), or a file that is no workbook at all, never gives a server error;
an upload or a save that is refused changes no return; and every return a workbook
saves keeps the return rules."""

import io
import zipfile
from datetime import date, datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import assume, event, given
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from monitoring import workbook
from monitoring.models import WorkbookUpload
from tests.properties.invariants import assert_all_valid
from tests.properties.support import (
    NASTY,
    assert_unchanged,
    examples,
    fingerprint,
    nasty,
    post,
    redirected,
    rolled_back,
    text,
)

PERIOD_SLUGS = ["2013-q1", "2013-q2", "2013-q3", "2013-q4", "2099-q1", "²-q1", ""]


def _cell(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def cell_values() -> st.SearchStrategy:
    """Anything a spreadsheet cell can hold."""
    return st.one_of(
        st.none(),
        text(200),
        st.sampled_from(NASTY),
        st.integers(-(10**20), 10**20),
        st.floats(),
        st.decimals(places=3, allow_nan=False, allow_infinity=False),
        st.dates(date(1900, 3, 1), date(9999, 12, 31)),
        st.datetimes(datetime(1900, 3, 1), datetime(9999, 12, 31)),
        st.booleans(),
        st.sampled_from(["=1+1", '=HYPERLINK("http://evil.example","x")', "'=1+1", "@SUM(A1)"]),
    )


# what a person would type in each writable column
TYPED = {
    "rag": st.sampled_from(["Red", "amber", " GREEN ", "Complete", "Not started", ""]),
    "actual_value": st.one_of(st.integers(0, 100), st.sampled_from(["75", "75%", "0.5", "12.345", "1,000"])),
    "narrative": text(300),
    "soft_outcomes": text(100),
    "next_steps": text(100),
    "evidence_url": st.sampled_from(["https://example.org/r", "example.org", "javascript:alert(1)"]),
    "revised_due_date": st.one_of(st.dates(date(2013, 1, 1), date(2016, 12, 31)), st.just("31/01/2014")),
    "revision_reason": text(100),
    "submit": st.sampled_from(["Yes", "No", "yes", "maybe"]),
    "": st.one_of(st.sampled_from(["0", "1", "2", "²", "-1", "99999999999999999999"]), st.integers(-5, 10**20)),
}


class File(bytes):
    """An upload's content, shown in a failure report by what was done to it."""

    recipe: list

    def __repr__(self) -> str:
        return f"File({len(self)} bytes: {getattr(self, 'recipe', bytes(self[:40]))!r})"


# what a careful person types in each writable column: a row changed only so is saved
CAREFUL = {
    "rag": st.sampled_from(["Red", "Amber", "Green", "Complete", "Not started"]),
    "narrative": text(100),
    "soft_outcomes": text(100),
    "next_steps": text(100),
    "evidence_url": st.just("https://example.org/evidence"),
}


@st.composite
def changed_workbooks(draw, user, scope, *, careful: bool) -> File:
    """The workbook this site gives ``user`` for ``scope``, then changed: by a careful
    person (the writable cells of its rows, sensibly), or anyhow."""
    book = workbook.build_workbook(user, scope)
    sheet = book[workbook.SHEET]
    last = sheet.max_row
    recipe = []

    def put(row, heading, value):
        sheet.cell(row=row, column=workbook.POSITION[heading]).value = value
        recipe.append((row, heading, value))

    if careful:
        for row in range(2, last + 1):
            for field in draw(st.sets(st.sampled_from(sorted(CAREFUL)), max_size=3)):
                put(row, workbook.HEADING[field], _cell(draw(CAREFUL[field])))
            if sheet.cell(row=row, column=workbook.POSITION["Kind"]).value == "Target" and draw(st.booleans()):
                put(row, "Actual value", draw(st.integers(0, 100)))
            if draw(st.booleans()):
                put(row, "Revised due date", draw(st.dates(date(2013, 4, 1), date(2016, 3, 31))))
                put(row, "Reason for new date", "It slipped")
            if draw(st.booleans()):
                put(row, "RAG", "Green")
                put(row, "Narrative", "Done")
                put(row, "Submit?", draw(st.sampled_from(["Yes", "No"])))
    else:
        for _ in range(draw(st.integers(1, 6))):
            identity = st.sampled_from([workbook.ITEM_ID, workbook.VERSION])
            column = draw(st.one_of(st.sampled_from(workbook.WRITABLE), identity, st.sampled_from(workbook.COLUMNS)))
            typed = TYPED.get(column.field, TYPED[""])
            put(draw(st.integers(2, last + 1)), column.heading, _cell(draw(st.one_of(typed, cell_values()))))
        damage = draw(st.integers(0, 9))
        if damage == 0:
            heading = workbook.COLUMNS[draw(st.integers(0, len(workbook.COLUMNS) - 1))].heading
            sheet.cell(row=1, column=workbook.POSITION[heading]).value = value = _cell(draw(nasty()))
            recipe.append((1, heading, value))
        elif damage == 1:
            book[workbook.README]["B4"] = value = draw(st.sampled_from(["2013-q2", "2099-q1", "²", ""]))
            recipe.append(("quarter code", value))
        elif damage == 2:
            del book[workbook.README]
            recipe.append("no Read me sheet")
        elif damage == 3:
            sheet.title = "Something else"
            recipe.append("Returns sheet renamed")
        elif damage == 4:
            book[workbook.README]["B7"] = value = draw(st.sampled_from(["sip", "fair", "nothing", "²"]))
            recipe.append(("plan code", value))
    buffer = io.BytesIO()
    try:
        book.save(buffer)
    except (ValueError, TypeError, OverflowError):  # a value openpyxl itself cannot write
        assume(False)
    content = File(buffer.getvalue())
    content.recipe = recipe
    return content


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


NOT_WORKBOOKS = st.sampled_from(
    [
        b"",
        b"plain text",
        b"PK\x03\x04broken",
        _zip({"[Content_Types].xml": b"<Types/>"}),
        _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<not-a-workbook"}),
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel",
    ]
)


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_uploading_and_saving_a_workbook_never_fails_and_saves_only_valid_returns(
    client, quarters, periods, alice, bob, pat, data
):
    user = data.draw(st.sampled_from([alice, bob, pat]), label="who")
    with rolled_back(client, user):
        period = data.draw(st.one_of(st.just(periods[2]), st.sampled_from(periods)), label="quarter downloaded")
        period.refresh_from_db()
        scope = workbook.Scope(period, plan=quarters) if user == alice else workbook.Scope(period, user.organisation)
        careful, anyhow = changed_workbooks(user, scope, careful=True), changed_workbooks(user, scope, careful=False)
        content = data.draw(st.one_of(careful, anyhow, NOT_WORKBOOKS), label="file")
        name = data.draw(st.sampled_from(["returns.xlsx", "é" * 300 + ".xlsx", "x.xls", "../up.xlsx"]), label="name")
        slug = data.draw(
            st.one_of(st.just(period.slug), st.just(period.slug), st.sampled_from(PERIOD_SLUGS)), label="quarter chosen"
        )
        before = fingerprint()
        response = post(
            client,
            reverse("monitoring:workbook-upload"),
            {"workbook": SimpleUploadedFile(name, content), "period": slug},
        )
        if not redirected(response):
            event(f"upload refused ({response.status_code})")
            assert response.status_code in (400, 404)
            assert_unchanged(before)
            return
        upload = WorkbookUpload.objects.get(uploaded_by=user)
        assert response["Location"] == reverse("monitoring:workbook-preview", args=[upload.pk])
        assert_all_valid(before)
        before = fingerprint()
        saved = post(client, response["Location"], {})
        event("saved (redirect)" if redirected(saved) else f"save refused ({saved.status_code})")
        if redirected(saved):
            assert not upload.problems and upload.changes
            assert_all_valid(before)
        else:
            assert saved.status_code in (400, 409)
            changed = [t for (t, a), (_, b) in zip(before.tables, fingerprint().tables, strict=True) if a != b]
            assert not changed or changed == [WorkbookUpload._meta.db_table], changed
            assert WorkbookUpload.objects.get(pk=upload.pk).applied_at is None


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_asking_for_a_workbook_never_fails_and_changes_nothing(client, quarters, alice, bob, pat, mel, data):
    with rolled_back(client, data.draw(st.sampled_from([alice, bob, pat, mel]), label="who")):
        query = data.draw(
            st.dictionaries(
                st.sampled_from(["period", "plan", "organisation"]),
                st.one_of(st.sampled_from([*PERIOD_SLUGS, "sip", "fair", "mine"]), nasty()),
                max_size=3,
            ),
            label="query",
        )
        before = fingerprint()
        response = client.get(reverse("monitoring:workbook-download"), query)
        assert response.status_code in (200, 400, 403, 404)
        assert_unchanged(before)
        if response.status_code == 200 and "period" in query:
            assert response["Content-Type"].startswith("application/vnd.openxmlformats")
