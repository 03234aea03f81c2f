"""Spreadsheets out of the app: every CSV and XLSX export goes through here.

A CSV cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return can
run as a formula when a spreadsheet opens the file (CSV injection): CSV has no types, so
such text is prefixed with a quote. XLSX cells are typed: text is always written as a
string cell (``data_type`` "s"), which no spreadsheet evaluates, so it is written as
typed, without the quote. Numbers are written as numbers in both: a Decimal or an int
cannot hold a formula, and "-5" is a negative number, not an instruction.
"""

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

SPREADSHEET_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
FORMATS = {"csv", "xlsx"}  # what an export URL's ``<fmt>`` may be
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_NUMBERS = (int, float, Decimal)
_BAD_SHEET_TITLE_CHARACTERS = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def spreadsheet_safe(value) -> str:
    """Cells that start like a formula are prefixed with a quote so spreadsheets show
    them as text instead of running them."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(SPREADSHEET_TRIGGERS) else text


def _is_number(value) -> bool:
    return isinstance(value, _NUMBERS) and not isinstance(value, bool)


def _local(moment: datetime) -> datetime:
    """A naive local time: spreadsheets have no time zones, and readers think in UK time."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


def csv_cell(value) -> str | int | float | Decimal:
    """One value as a CSV cell: numbers as they are, dates in ISO form, text escaped."""
    if value is None:
        return ""
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return spreadsheet_safe(value)


def xlsx_value(value):
    """One value as an XLSX cell value: numbers and dates typed, text as typed but for the
    control characters XML cannot carry (``set_xlsx_cell`` makes it a string cell)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if _is_number(value):
        return value
    if isinstance(value, datetime):
        return _local(value)
    if isinstance(value, date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def set_xlsx_cell(cell, value) -> None:
    """Write ``value`` into an openpyxl cell so that text can never become a formula:
    openpyxl takes text starting with "=" for a formula, so the type is set after."""
    cell.value = xlsx_value(value)
    if isinstance(cell.value, str):
        cell.data_type = "s"
    elif isinstance(cell.value, datetime):
        cell.number_format = "yyyy-mm-dd hh:mm"
    elif isinstance(cell.value, date):
        cell.number_format = "yyyy-mm-dd"


def sheet_title(title: str) -> str:
    """A title Excel accepts: at most 31 characters, none of []:*?/\\."""
    return (title.translate(_BAD_SHEET_TITLE_CHARACTERS).strip() or "Sheet")[:31]


def _disposition(filename: str) -> str:
    safe = "".join(c for c in filename if c.isalnum() or c in "-_.") or "export"
    return f'attachment; filename="{safe}"'


def csv_response(filename: str, rows: Iterable[Sequence]) -> HttpResponse:
    """A CSV download of ``rows`` (the first is usually the heading row)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = _disposition(filename)
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([csv_cell(value) for value in row])
    return response


def workbook_response(filename: str, workbook: Workbook) -> HttpResponse:
    """An openpyxl workbook as a download."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = _disposition(filename)
    return response


def xlsx_response(filename: str, sheets: Mapping[str, Iterable[Sequence]]) -> HttpResponse:
    """An XLSX download with one sheet per entry of ``sheets`` (title → rows). The first
    row of each sheet is its heading row: bold, and frozen while the rest scrolls."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    bold = Font(bold=True)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(sheet_title(title))
        widths: dict[int, int] = {}
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                cell = sheet.cell(row=r, column=c)
                set_xlsx_cell(cell, value)
                if r == 1:
                    cell.font = bold
                widths[c] = max(widths.get(c, 0), min(len(str(cell.value or "")), 60))
        for c, width in widths.items():
            sheet.column_dimensions[get_column_letter(c)].width = max(width + 2, 8)
        sheet.freeze_panes = "A2"
    if not workbook.worksheets:
        workbook.create_sheet("Sheet")
    return workbook_response(filename, workbook)


def spreadsheet_response(fmt: str, filename: str, title: str, rows: list[list]) -> HttpResponse:
    """``rows`` as ``<filename>.csv`` or as ``<filename>.xlsx`` with one sheet ``title``:
    what an export URL answers for a ``fmt`` of ``FORMATS``."""
    if fmt == "csv":
        return csv_response(f"{filename}.csv", rows)
    return xlsx_response(f"{filename}.xlsx", {title: rows})
