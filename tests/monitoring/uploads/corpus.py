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


# --- hostile workbooks: within every byte limit, but each multiplies the work of reading it ---


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def _openpyxl_workbook() -> dict[str, bytes]:
    """The parts of a real workbook as openpyxl writes it: every check on the zip passes."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Returns"
    workbook.active["A1"] = "Item ID"
    buffer = io.BytesIO()
    workbook.save(buffer)
    archive = zipfile.ZipFile(buffer)
    return {name: archive.read(name) for name in archive.namelist()}


def workbook_with(name: str, parts: dict) -> tuple[str, bytes]:
    """A real workbook with ``parts`` (path → bytes, or an iterable of byte chunks streamed in,
    so that no 50 MB string is ever built) put in. Fast compression keeps the builders quick
    and the packing ratio low, as a hostile file's would be."""
    members = {**_openpyxl_workbook(), **parts}
    if "xl/sharedStrings.xml" in parts:
        override = f'<Override PartName="/xl/sharedStrings.xml" ContentType="{SHARED_STRINGS_TYPE}"/>'.encode()
        members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(b"</Types>", override + b"</Types>")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path, data in members.items():
            with archive.open(path, "w") as part:
                for chunk in [data] if isinstance(data, bytes) else data:
                    part.write(chunk)
    return name, buffer.getvalue()


def random_text(template: bytes, count: int, alphabet: bytes = b"abcdefghijklmnop") -> bytes:
    """``count`` copies of ``template`` with %c filled by random letters: varied enough
    that the part packs only about 12 to 1, well inside the 100 to 1 the zip check allows."""
    return b"".join(template % alphabet[byte % len(alphabet)] for byte in os.urandom(count))


def shared_strings_bomb(strings: int = 2_960_000) -> tuple[str, bytes]:
    """The workbook of issue 12: about 4 MB, whose shared-strings part holds 2.96 million
    one-letter strings (50 MB unpacked, about 12 to 1)."""
    template = b"<si><t>%c</t></si>"
    block = random_text(template, min(strings, 148_000))

    def chunks():
        yield f'<sst xmlns="{MAIN}" count="{strings}" uniqueCount="{strings}">'.encode()
        for start in range(0, strings, 148_000):
            yield block[: min(148_000, strings - start) * len(template % 97)]
        yield b"</sst>"

    return workbook_with("strings.xlsx", {"xl/sharedStrings.xml": chunks()})


def _sheet(rows) -> bytes:
    return f'<worksheet xmlns="{MAIN}"><sheetData>'.encode() + b"".join(rows) + b"</sheetData></worksheet>"


def many_cells(rows: int = 400, columns: int = 500, extra: int = 0) -> tuple[str, bytes]:
    """200,000 numbers on the Returns sheet (``extra`` more in a last row)."""
    row = b"<row>" + random_text(b"<c><v>%c</v></c>", columns, b"0123456789") + b"</row>"
    last = [b"<row>" + b"<c><v>1</v></c>" * extra + b"</row>"] if extra else []
    return workbook_with("cells.xlsx", {"xl/worksheets/sheet1.xml": _sheet([row] * rows + last)})


def many_rows(rows: int = 200_000) -> tuple[str, bytes]:
    """200,000 rows that all claim to be among the first few thousand (a reader that stops at
    a row number never stops)."""
    numbers = [b"%d" % (2 + byte * 11) for byte in os.urandom(rows)]
    return workbook_with("rows.xlsx", {"xl/worksheets/sheet1.xml": _sheet(b'<row r="' + n + b'"/>' for n in numbers)})


def long_cell(characters: int = 1_000_000) -> tuple[str, bytes]:
    """One cell of a million letters (Excel holds at most 32,767 in a cell)."""
    text = random_text(b"%c", characters, b"abcdefghijklmnopqrstuvwxyz")
    return workbook_with(
        "long.xlsx", {"xl/sharedStrings.xml": f'<sst xmlns="{MAIN}"><si><t>'.encode() + text + b"</t></si></sst>"}
    )


def many_styles(formats: int = 100_000) -> tuple[str, bytes]:
    """100,000 cell formats, which openpyxl turns into objects as it opens the file."""
    xfs = b"".join(
        b'<xf numFmtId="%d" fontId="0" fillId="0" borderId="0"/>' % (byte % 50) for byte in os.urandom(formats)
    )
    styles = f'<styleSheet xmlns="{MAIN}"><cellXfs count="{formats}">'.encode() + xfs + b"</cellXfs></styleSheet>"
    return workbook_with("styles.xlsx", {"xl/styles.xml": styles})


def _workbook_part(inside: bytes) -> bytes:
    relations = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    return f'<workbook xmlns="{MAIN}" xmlns:r="{relations}">'.encode() + inside + b"</workbook>"


def many_sheets(sheets: int = 5_000) -> tuple[str, bytes]:
    """5,000 sheets, each opened in turn to find its size."""
    listed = b"".join(b'<sheet name="S%d" sheetId="%d" r:id="rId1"/>' % (n, n) for n in range(1, sheets + 1))
    return workbook_with("sheets.xlsx", {"xl/workbook.xml": _workbook_part(b"<sheets>" + listed + b"</sheets>")})


def many_names(names: int = 100_000) -> tuple[str, bytes]:
    """100,000 defined names."""
    sheets = b'<sheets><sheet name="Returns" sheetId="1" r:id="rId1"/></sheets>'
    defined = b"".join(b'<definedName name="n%d">Returns!$A$1</definedName>' % n for n in range(names))
    return workbook_with(
        "names.xlsx", {"xl/workbook.xml": _workbook_part(sheets + b"<definedNames>" + defined + b"</definedNames>")}
    )


def many_settings(elements: int = 500_000) -> tuple[str, bytes]:
    """Half a million elements in a part of properties (openpyxl makes an object of each)."""
    body = random_text(b"<p v='%c'/>", elements)
    return workbook_with("settings.xlsx", {"docProps/custom.xml": b"<Properties>" + body + b"</Properties>"})


def many_elements(cells: int = 40_000, values: int = 6) -> tuple[str, bytes]:
    """Fewer cells than the limit, but each with six values in it: 280,000 elements."""
    values_of = random_text(b"<v>%c</v>", cells * values, b"0123456789")
    width = len(values_of) // cells
    cell = [b"<c>" + values_of[n * width : (n + 1) * width] + b"</c>" for n in range(cells)]
    rows = [b"<row>" + b"".join(cell[n : n + 20]) + b"</row>" for n in range(0, cells, 20)]
    return workbook_with("elements.xlsx", {"xl/worksheets/sheet1.xml": _sheet(rows)})


def entity_expansion() -> tuple[str, bytes]:
    """A document type declaring entities ("billion laughs"): Excel never writes one."""
    doctype = b'<!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    return workbook_with(
        "entities.xlsx", {"xl/sharedStrings.xml": doctype + f'<sst xmlns="{MAIN}"><si><t>&b;</t></si></sst>'.encode()}
    )


def at_every_limit() -> tuple[str, bytes]:
    """The costliest workbook the checks accept: a Returns sheet with the real headings and
    60,000 cells in 3,000 rows of 20 columns (half of them shared strings, half inline, each
    styled), 7,000 more rows that all claim to be row 3,000, 30,000 shared strings of which
    one is 32,767 characters long, a styles part of nearly 5,000 elements, 49 more sheets,
    1,000 defined names and merged cells up to nearly 10,000 elements of formatting. Every
    item ID is made up, so every row is a problem: it is read in full, and nothing is saved."""
    from config import uploads
    from monitoring.workbook import COLUMNS

    relationships = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    columns, rows = 20, uploads.WORKBOOK_MAX_RETURN_ROWS
    letters = b"abcdefghijklmnopqrstuvwxyz"
    words = random_text(b"%c", 30 * uploads.WORKBOOK_MAX_STRINGS, letters)
    strings = [words[n * 30 : (n + 1) * 30] for n in range(uploads.WORKBOOK_MAX_STRINGS)]
    strings[-1] = random_text(b"%c", uploads.WORKBOOK_MAX_CELL_CHARACTERS, letters)
    sst = f'<sst xmlns="{MAIN}">'.encode() + b"".join(b"<si><t>" + s + b"</t></si>" for s in strings) + b"</sst>"
    formats = 2_400
    styles = (
        f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/></font></fonts>'
        '<fills count="1"><fill><patternFill/></fill></fills><borders count="1"><border/></borders>'
        f'<cellXfs count="{formats}">'.encode()
        + b"".join(
            b'<xf numFmtId="%d" applyAlignment="1"><alignment wrapText="1"/></xf>' % (n % 50) for n in range(formats)
        )
        + b"</cellXfs></styleSheet>"
    )
    style_of = os.urandom(columns * (rows + 1) + 1)

    def cell(row: int, column: int) -> bytes:
        style = style_of[row * columns + column] * formats // 256
        if row == 1:
            heading = COLUMNS[column - 1].heading.encode() if column <= len(COLUMNS) else b"Notes"
            return b'<c t="inlineStr" s="%d"><is><t>%s</t></is></c>' % (style, heading)
        if column == 1:  # unstyled: an item ID styled as a date would be read as an error
            return b"<c><v>%d</v></c>" % (900_000_000 + row)
        if column % 2:
            return b'<c t="inlineStr" s="%d"><is><t>%s</t></is></c>' % (style, strings[(row * columns + column) % 1000])
        return b'<c t="s" s="%d"><v>%d</v></c>' % (style, (row * columns + column) % uploads.WORKBOOK_MAX_STRINGS)

    body = [b"<row>" + b"".join(cell(r, c) for c in range(1, columns + 1)) + b"</row>" for r in range(1, rows + 1)]
    body += [b'<row r="3000"/>'] * (uploads.WORKBOOK_MAX_ROWS - rows)
    merges = b"".join(b'<mergeCell ref="U%d:V%d"/>' % (n, n) for n in range(1, 3_500))
    returns = _sheet(body).replace(b"</worksheet>", b"<mergeCells>" + merges + b"</mergeCells></worksheet>")
    extra = range(2, uploads.WORKBOOK_MAX_SHEETS + 1)
    listed = b'<sheet name="Returns" sheetId="1" r:id="rId1"/>' + b"".join(
        b'<sheet name="Notes %d" sheetId="%d" r:id="rIdS%d"/>' % (n, n, n) for n in extra
    )
    names = b"".join(
        b'<definedName name="n%d">Returns!$A$1</definedName>' % n for n in range(uploads.WORKBOOK_MAX_NAMES)
    )
    members = _openpyxl_workbook()
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>",
        b"".join(
            f'<Relationship Type="{relationships}/worksheet" Target="/xl/worksheets/notes{n}.xml" Id="rIdS{n}"/>'.encode()
            for n in extra
        )
        + b"</Relationships>",
    )
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>",
        b"".join(
            f'<Override PartName="/xl/worksheets/notes{n}.xml" ContentType="{sheet_type}"/>'.encode() for n in extra
        )
        + b"</Types>",
    )
    return workbook_with(
        "returns.xlsx",
        {
            "[Content_Types].xml": members["[Content_Types].xml"],
            "xl/_rels/workbook.xml.rels": members["xl/_rels/workbook.xml.rels"],
            "xl/workbook.xml": _workbook_part(
                b"<sheets>" + listed + b"</sheets><definedNames>" + names + b"</definedNames>"
            ),
            "xl/sharedStrings.xml": sst,
            "xl/styles.xml": styles,
            "xl/worksheets/sheet1.xml": returns,
            **{f"xl/worksheets/notes{n}.xml": _sheet([]) for n in extra},
        },
    )
