"""Workbooks within every byte limit whose reading would still tie up a worker (issue 12,
item 3): the work is bounded too. Before openpyxl opens anything, ``check_workbook`` reads
every part of the zip with a streaming parser that stops at the first limit passed
(shared strings, rows, cells, sheets, names, styles, elements, characters in a cell).
Each refusal names the file and the limit, and nothing is saved.

The hostile files are built in ``uploads/corpus.py`` as each test runs (none is committed);
how fast they are refused is measured by ``python -m benchmarks.hostile_workbooks``, not here.
"""

import io
import zipfile
from copy import copy

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from config import uploads
from monitoring import workbook
from monitoring.models import ProgressReturn, WorkbookUpload
from tests.monitoring.uploads import corpus

UPLOAD = reverse("monitoring:workbook-upload")
SO = "so it has not been read."

HOSTILE = [
    (corpus.shared_strings_bomb, "strings.xlsx has more than 20,000 different texts (shared strings); "),
    (corpus.many_cells, "cells.xlsx has more than 50,000 cells; a return workbook has at most 50,000 (2,500 rows"),
    (corpus.many_rows, "rows.xlsx has more than 10,000 rows in its sheets; a return workbook has at most 10,000,"),
    (corpus.long_cell, "long.xlsx has a cell of more than 32,767 characters, more than Excel itself allows,"),
    (corpus.many_styles, "styles.xlsx has more than 5,000 styles; a return workbook has at most 5,000,"),
    (corpus.many_sheets, "sheets.xlsx has more than 50 sheets; a return workbook has at most 50,"),
    (corpus.many_names, "names.xlsx has more than 1,000 defined names; a return workbook has at most 1,000,"),
    (corpus.many_settings, "settings.xlsx has more than 10,000 XML elements of formatting and settings "),
    (corpus.many_elements, "elements.xlsx has more than 250,000 XML elements in its parts; "),
    (
        corpus.entity_expansion,
        "entities.xlsx declares a document type (in xl/sharedStrings.xml), which Excel never does,",
    ),
]
IDS = [build.__name__ for build, _ in HOSTILE]


@pytest.fixture(scope="module")
def built():
    """Each hostile workbook built once for the tests of this module."""
    return {build.__name__: build() for build, _ in HOSTILE}


def _refusal(name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        uploads.check_workbook(SimpleUploadedFile(name, content))
    return " ".join(refused.value.messages)


@pytest.mark.parametrize(("build", "message"), HOSTILE, ids=IDS)
def test_a_hostile_workbook_passes_the_byte_checks_but_is_refused_naming_the_file_and_the_limit(built, build, message):
    name, content = built[build.__name__]
    members = zipfile.ZipFile(io.BytesIO(content)).infolist()
    assert len(content) <= uploads.WORKBOOK_MAX_BYTES
    assert sum(member.file_size for member in members) <= uploads.WORKBOOK_MAX_UNPACKED_BYTES
    assert all(member.file_size <= uploads.WORKBOOK_MAX_RATIO * member.compress_size for member in members)

    refusal = _refusal(name, content)

    assert message in refusal and SO in refusal


def test_the_three_million_strings_are_refused_after_reading_a_small_part_of_them(built, monkeypatch):
    """The work bound, not a stopwatch: the check stops at the 20,001st string, having
    inflated and parsed less than a megabyte of the 50 MB part."""
    inflated = {}
    real_read = zipfile.ZipExtFile.read

    def counting_read(self, *args):
        data = real_read(self, *args)
        inflated[self.name] = inflated.get(self.name, 0) + len(data)
        return data

    monkeypatch.setattr(zipfile.ZipExtFile, "read", counting_read)
    name, content = built["shared_strings_bomb"]
    assert "more than 20,000 different texts" in _refusal(name, content)
    assert zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/sharedStrings.xml").file_size > 50_000_000
    assert 20_001 * len(b"<si><t>a</t></si>") < inflated["xl/sharedStrings.xml"] < 1_000_000


@pytest.mark.parametrize(("build", "message"), HOSTILE, ids=IDS)
def test_a_hostile_upload_is_refused_on_the_page_before_openpyxl_opens_it_and_nothing_is_saved(
    client, alice, monitored, periods, built, build, message, monkeypatch
):
    def never(*args, **kwargs):
        raise AssertionError("openpyxl was asked to open a workbook the checks should have refused")

    monkeypatch.setattr(workbook, "load_workbook", never)
    client.force_login(alice)
    counts = (ProgressReturn.objects.count(), ProgressReturn.history.count())
    name, content = built[build.__name__]

    response = client.post(UPLOAD, {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)})

    page = response.content.decode()
    assert response.status_code == 400
    assert message.replace(",", "").split(";")[0].split(" (")[0] in page.replace(",", "")
    assert "govuk-error-summary" in page
    assert not WorkbookUpload.objects.exists()
    assert (ProgressReturn.objects.count(), ProgressReturn.history.count()) == counts


def test_a_cell_of_excels_own_longest_length_is_accepted():
    """32,767 characters, the most Excel puts in a cell, passes the check (the return form's
    own limits then apply to it as a problem on its row)."""
    text = corpus.random_text(b"%c", uploads.WORKBOOK_MAX_CELL_CHARACTERS, b"abcdefghijklmnopqrstuvwxyz")
    part = f'<sst xmlns="{corpus.MAIN}"><si><t>'.encode() + text + b"</t></si></sst>"
    name, content = corpus.workbook_with("returns.xlsx", {"xl/sharedStrings.xml": part})
    uploads.check_workbook(SimpleUploadedFile(name, content))


def test_an_upload_that_cannot_be_unpacked_is_refused_as_unreadable():
    """A part whose packed bytes are damaged (its checksum no longer matches) is found
    while reading it, and refused as openpyxl's failures are."""
    name, content = corpus.workbook_with("damaged.xlsx", {})
    member = zipfile.ZipFile(io.BytesIO(content)).getinfo("xl/styles.xml")
    data_starts = member.header_offset + 30 + len(member.filename.encode())  # openpyxl writes no extra field
    damaged = bytearray(content)
    damaged[data_starts + member.compress_size // 2] ^= 0xFF

    assert "damaged.xlsx could not be read as an Excel workbook." in _refusal(name, bytes(damaged))


# --- the largest real workbook still passes ---------------------------------------------


PLAN_OF_2000_ROWS = 1_900  # a plan of 2,000 items: 20 priorities, 380 actions, 1,520 targets


def _as_large_as_a_2000_item_plan(download: bytes) -> bytes:
    """The real download (its columns, styles, validations and Read me) with its rows
    repeated to 1,900, as many as a plan of 2,000 items has actions and targets, and every
    cell a person writes filled with a text of its own: more different texts than any
    real quarter has."""
    book = load_workbook(io.BytesIO(download))
    sheet = book["Returns"]
    columns = corpus.headings(sheet)
    for row in range(2, PLAN_OF_2000_ROWS + 2):
        for column in range(1, len(columns) + 1):
            model = sheet.cell(row=2 + row % 2, column=column)
            cell = sheet.cell(row=row, column=column)
            cell.value, cell._style = model.value, copy(model._style)
        sheet.cell(row=row, column=columns["Item ID"]).value = 100_000 + row
        sheet.cell(row=row, column=columns["RAG"]).value = "Amber"
        sheet.cell(row=row, column=columns["Narrative"]).value = f"Row {row}: behind plan as " + "staff moved on. " * 20
        sheet.cell(row=row, column=columns["Soft outcomes"]).value = f"Row {row}: better attendance at sessions."
        sheet.cell(row=row, column=columns["Next steps"]).value = f"Row {row}: recruit two officers by spring."
        sheet.cell(row=row, column=columns["Evidence link"]).value = f"https://intranet.example.org/evidence/{row}"
        sheet.cell(row=row, column=columns["Reason for new date"]).value = f"Row {row}: the contractor went bust."
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_workbook_as_large_as_a_2000_item_plans_passes_the_checks_and_every_row_is_read(client, alice, monitored, q1):
    client.force_login(alice)
    download = client.get(reverse("monitoring:workbook-download"), {"period": q1.slug, "plan": monitored.slug})
    content = _as_large_as_a_2000_item_plan(download.content)
    upload = SimpleUploadedFile("returns.xlsx", content)

    uploads.check_workbook(upload)

    rows, problems, _ = workbook._read(load_workbook(upload, read_only=True), q1)
    assert len(rows) == PLAN_OF_2000_ROWS and not problems
    assert {row[1]["Narrative"][0][:9] for row in rows[:2]} == {"Row 2: be", "Row 3: be"}


@pytest.mark.parametrize(
    ("build", "refused"),
    [
        (lambda: corpus.shared_strings_bomb(strings=uploads.WORKBOOK_MAX_STRINGS), False),
        (lambda: corpus.shared_strings_bomb(strings=uploads.WORKBOOK_MAX_STRINGS + 1), True),
        (lambda: corpus.many_cells(rows=100, columns=500), False),  # 50,000
        (lambda: corpus.many_cells(rows=100, columns=500, extra=1), True),
    ],
    ids=["20,000 strings", "20,001 strings", "50,000 cells", "50,001 cells"],
)
def test_each_limit_is_the_most_accepted(build, refused):
    name, content = build()
    if refused:
        _refusal(name, content)
    else:
        uploads.check_workbook(SimpleUploadedFile(name, content))


def test_the_costliest_workbook_the_limits_allow_is_accepted_by_the_checks():
    """The benchmark's measure of what an accepted upload can cost (every limit reached at
    once) is a workbook the checks really accept."""
    name, content = corpus.at_every_limit()
    uploads.check_workbook(SimpleUploadedFile(name, content))
