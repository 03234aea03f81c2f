"""A corpus of bad uploads, built in code so that no binary file is committed.

Each builder returns ``(filename, content)``. The workbook edits take a workbook
downloaded from the app (bytes) and change cells by row number and column heading,
as a person would in Excel.
"""

import io
import os
import zipfile

from openpyxl import load_workbook

PNG_HEADER = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MB = 1024 * 1024


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _workbook_skeleton(**extra: bytes) -> dict[str, bytes]:
    return {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>", **extra}


def png_renamed() -> tuple[str, bytes]:
    return "returns.xlsx", PNG_HEADER + b"\x00" * 200


def oversize() -> tuple[str, bytes]:
    """6 MB: a zip that is a workbook in every other respect."""
    picture = {"xl/media/image1.bin": os.urandom(6 * MB)}
    return "big.xlsx", _zip(_workbook_skeleton(**picture), zipfile.ZIP_STORED)


def zip_bomb() -> tuple[str, bytes]:
    """60 MB of zeros packed into a few tens of kilobytes."""
    return "bomb.xlsx", _zip(_workbook_skeleton(**{"xl/worksheets/sheet1.xml": b"\x00" * (60 * MB)}))


def dense_member() -> tuple[str, bytes]:
    """Under the 50 MB total, but one part packed more than 100 to 1."""
    return "dense.xlsx", _zip(_workbook_skeleton(**{"xl/worksheets/sheet1.xml": b" " * (5 * MB)}))


def many_members() -> tuple[str, bytes]:
    return "crowded.xlsx", _zip(_workbook_skeleton(**{f"xl/part{n}.xml": b"<x/>" for n in range(1001)}))


def old_excel() -> tuple[str, bytes]:
    return "returns.xls", OLE_HEADER + b"\x00" * 500


def word_document() -> tuple[str, bytes]:
    """A zip with [Content_Types].xml but no workbook in it."""
    return "returns.xlsx", _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})


def not_xml_inside() -> tuple[str, bytes]:
    """Shaped like a workbook, but its parts are not XML: openpyxl cannot read it."""
    return "broken.xlsx", _zip(_workbook_skeleton(**{"xl/_rels/workbook.xml.rels": b"not xml"}))


def empty() -> tuple[str, bytes]:
    return "empty.xlsx", b""


def headings(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def edit(content: bytes, changes: dict[tuple[int, str], object], *, name: str = "returns.xlsx", formats=None):
    """The workbook with cells changed: ``{(row, "Narrative"): "text"}``."""
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Returns"]
    columns = headings(sheet)
    for (row, heading), value in changes.items():
        cell = sheet.cell(row=row, column=columns[heading])
        cell.value = value
        if formats and (row, heading) in formats:
            cell.number_format = formats[(row, heading)]
    buffer = io.BytesIO()
    workbook.save(buffer)
    return name, buffer.getvalue()


def drop_column(content: bytes, heading: str) -> tuple[str, bytes]:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Returns"]
    sheet.delete_cols(headings(sheet)[heading])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "returns.xlsx", buffer.getvalue()


def set_readme(content: bytes, label: str, value) -> tuple[str, bytes]:
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["Read me"]
    for row in sheet.iter_rows(min_col=1, max_col=2):
        if row[0].value == label:
            row[1].value = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return "returns.xlsx", buffer.getvalue()


def rows(content: bytes, sheet: str = "Returns") -> list[dict]:
    """The sheet as dicts keyed by heading (for assertions on downloads)."""
    workbook = load_workbook(io.BytesIO(content))
    lines = list(workbook[sheet].iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=False)) for line in lines[1:]]
