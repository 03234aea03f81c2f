"""Checks on uploaded files, made before anything parses or stores them.

What a file is comes from its first bytes, never from its name or the browser's
content type, both of which the uploader chooses. The name's extension must then
agree with the content, so that a file is later served as what it really is (a
text file called ``report.html`` is refused rather than served as a web page).

Office files are zips. For evidence only the zip's central directory is read: member
names, count and declared sizes. Python's ``zipfile`` never inflates a member past its
declared size, so refusing large declared sizes and extreme compression ratios is enough
to keep a zip bomb from ever being unpacked.

Bytes are not work, though: 50 MB of one-letter shared strings packs only 12 to 1 and
took openpyxl 47 s to open (issue 12). So a return workbook's parts are then read once
more with a streaming parser (expat, a chunk at a time, never a whole part in memory)
that counts what multiplies openpyxl's work (shared strings, rows, cells, sheets,
defined names, styles, XML elements, characters in a cell) and stops at the first limit
passed, before openpyxl opens anything. The limits, and why, are in
docs/decisions/0008-bounded-uploads-and-stuck-tasks.md.
"""

import codecs
import os
import zipfile
import zlib
from xml.parsers import expat

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

MB = 1024 * 1024

EVIDENCE_MAX_BYTES = 10 * MB
WORKBOOK_MAX_BYTES = 5 * MB
WORKBOOK_MAX_MEMBERS = 1000
WORKBOOK_MAX_UNPACKED_BYTES = 50 * MB
WORKBOOK_MAX_RATIO = 100
# What a return workbook may hold (docs/decisions/0008-bounded-uploads-and-stuck-tasks.md).
# The largest real one, for a plan of 2,000 items, has about 1,900 rows of 19 columns: some
# 38,000 cells, 100,000 XML elements, at most 16,000 different texts and under 2,000
# elements of formatting. The limits leave room over that, and keep what openpyxl does with
# the most they allow to about a second on a 2-core machine: some 10 µs a cell,
# 12 µs a shared string, 1 µs any element, and 30 µs an element of formatting or
# settings (openpyxl makes an object of each).
WORKBOOK_MAX_RETURN_ROWS = 2_500  # rows of returns read from the Returns sheet
WORKBOOK_MAX_CELLS = 50_000  # <c> in all sheets: 2,500 rows of 20 columns
WORKBOOK_MAX_ROWS = 10_000  # <row> in all sheets (rows may repeat a number, so count them all)
WORKBOOK_MAX_STRINGS = 20_000  # <si> in the shared-strings part
WORKBOOK_MAX_CELL_CHARACTERS = 32_767  # in one cell or shared string: Excel's own limit
WORKBOOK_MAX_SHEETS = 50
WORKBOOK_MAX_NAMES = 1_000  # defined names
WORKBOOK_MAX_STYLES = 5_000  # elements of the styles part (formats, fonts, fills, borders...)
WORKBOOK_MAX_FORMATTING = 10_000  # elements other than rows, cells, their values and plain texts
WORKBOOK_MAX_ELEMENTS = 250_000  # XML elements in all parts together
_CHUNK = 64 * 1024

PDF, PNG, JPEG, OFFICE, TEXT = "a PDF", "a PNG image", "a JPEG image", "an Office document", "a text file"
EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    OFFICE: {".docx", ".xlsx", ".pptx"},
    TEXT: {".txt", ".csv"},
}
ALLOWED = gettext_lazy(
    "a PDF, a PNG or JPEG image, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx), or a text or CSV file"
)
# the kinds as a message names them (the constants above stay the keys)
_KIND_NAMES = {
    PDF: gettext_lazy("a PDF"),
    PNG: gettext_lazy("a PNG image"),
    JPEG: gettext_lazy("a JPEG image"),
    OFFICE: gettext_lazy("an Office document"),
    TEXT: gettext_lazy("a text file"),
}
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and password-protected Office files


def _megabytes(size: int) -> str:
    return _("%(size)s MB") % {"size": f"{size / MB:.1f}"}


def _name(uploaded_file) -> str:
    return os.path.basename(getattr(uploaded_file, "name", "") or "") or "The file"


def _head(uploaded_file, size: int = 8) -> bytes:
    uploaded_file.seek(0)
    head = uploaded_file.read(size)
    uploaded_file.seek(0)
    return head


def _size(uploaded_file) -> int:
    size = getattr(uploaded_file, "size", None)
    if size is None:
        uploaded_file.seek(0, os.SEEK_END)
        size = uploaded_file.tell()
        uploaded_file.seek(0)
    return size


def _zip_names(uploaded_file) -> list[zipfile.ZipInfo] | None:
    """The members listed in the zip's central directory, or None if it is not a zip."""
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        return None
    finally:
        uploaded_file.seek(0)


def _is_text(uploaded_file) -> bool:
    """UTF-8 throughout, with no NUL bytes (which binary files almost always have)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    uploaded_file.seek(0)
    try:
        while chunk := uploaded_file.read(64 * 1024):
            if b"\x00" in chunk:
                return False
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        uploaded_file.seek(0)
    return True


def _kind(uploaded_file) -> str | None:
    head = _head(uploaded_file)
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04"):
        members = _zip_names(uploaded_file)
        if members is not None and any(m.filename == "[Content_Types].xml" for m in members):
            return OFFICE
        return None
    if _is_text(uploaded_file):
        return TEXT
    return None


def check_evidence(uploaded_file) -> None:
    """Refuse an evidence file that is too big, or is not one of the kinds we accept by
    its content, or whose name says it is something else."""
    name = _name(uploaded_file)
    size = _size(uploaded_file)
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too big: evidence files must be 10 MB or smaller.") % {"name": name}, code="too_big"
        )
    kind = _kind(uploaded_file)
    if kind is None:
        raise ValidationError(
            _("%(name)s is not a file type we accept. Upload %(allowed)s.") % {"name": name, "allowed": ALLOWED},
            code="file_type",
        )
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[kind]:
        expected = _(" or ").join(sorted(EXTENSIONS[kind]))
        raise ValidationError(
            _(
                "%(name)s contains %(kind)s, but its name ends “%(extension)s”. "
                "Rename it to end %(expected)s, or upload %(allowed)s."
            )
            % {
                "name": name,
                "kind": _KIND_NAMES[kind],
                "extension": extension or _("(nothing)"),
                "expected": expected,
                "allowed": ALLOWED,
            },
            code="file_type",
        )


def check_workbook(uploaded_file) -> None:
    """Refuse an upload that is not an Excel workbook (.xlsx) of sane size before openpyxl
    opens it: at most 5 MB, a zip holding ``[Content_Types].xml`` and ``xl/workbook.xml``,
    at most 1,000 members, 50 MB unpacked, and no member compressed more than 100 to 1."""
    name = _name(uploaded_file)
    size = _size(uploaded_file)
    if size == 0:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    if size > WORKBOOK_MAX_BYTES:
        raise ValidationError(
            _("%(name)s is too big: workbooks must be 5 MB or smaller.") % {"name": name},
            code="too_big",
        )
    head = _head(uploaded_file)
    if head.startswith(_OLE):
        raise ValidationError(
            _(
                "%(name)s is an old-style Excel file (.xls) or has a password. "
                "Save it as an Excel Workbook (.xlsx) without a password, then upload it again."
            )
            % {"name": name},
            code="file_type",
        )
    members = _zip_names(uploaded_file) if head.startswith(b"PK\x03\x04") else None
    names = {member.filename for member in members or []}
    if members is None or not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ValidationError(
            _("%(name)s is not an Excel workbook (.xlsx). Upload the return workbook downloaded from this site.")
            % {"name": name},
            code="file_type",
        )
    if len(members) > WORKBOOK_MAX_MEMBERS:
        raise ValidationError(
            _("%(name)s holds %(count)s files inside it; a workbook may hold at most %(limit)s.")
            % {"name": name, "count": f"{len(members):,}", "limit": f"{WORKBOOK_MAX_MEMBERS:,}"},
            code="zip_bomb",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > WORKBOOK_MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("%(name)s unpacks to %(size)s; a workbook may unpack to at most 50 MB.")
            % {"name": name, "size": _megabytes(unpacked)},
            code="zip_bomb",
        )
    for member in members:
        if member.file_size and member.file_size > WORKBOOK_MAX_RATIO * max(member.compress_size, 1):
            raise ValidationError(
                _(
                    "%(name)s is compressed suspiciously far (its part %(part)s is "
                    "%(ratio)s times smaller packed than unpacked), so it has not been opened."
                )
                % {
                    "name": name,
                    "part": member.filename,
                    "ratio": f"{member.file_size // max(member.compress_size, 1):,}",
                },
                code="zip_bomb",
            )
        if member.flag_bits & 0x1:
            raise ValidationError(
                _("%(name)s is encrypted. Upload it without a password.") % {"name": name}, code="file_type"
            )
    _check_workbook_parts(uploaded_file, name)


def unreadable(name: str) -> ValidationError:
    """The refusal of a workbook that passed the checks but cannot be read."""
    return ValidationError(
        _(
            "%(name)s could not be read as an Excel workbook. Save it from Excel as an Excel Workbook (.xlsx) "
            "and upload it again."
        )
        % {"name": name},
        code="unreadable",
    )


def _too_many(name: str, what: str, limit: int, why: str = "") -> ValidationError:
    return ValidationError(
        _(
            "%(name)s has more than %(limit)s %(what)s; a return workbook has at most %(limit)s%(why)s, "
            "so it has not been read. Upload the workbook downloaded from this site, with your returns filled in."
        )
        % {"name": name, "limit": f"{limit:,}", "what": what, "why": why},
        code="too_complex",
    )


# What is counted in a part, by the part's root element and the counted element's name
_SHEETS = {"worksheet", "chartsheet", "dialogsheet", "macrosheet"}
_COUNTED = {
    ("sst", "si"): "strings",
    **{(root, "row"): "rows" for root in _SHEETS},
    **{(root, "c"): "cells" for root in _SHEETS},
    ("workbook", "sheet"): "sheets",
    ("workbook", "definedName"): "names",
}
# each total: its limit, what the message calls what it counts, and why the limit is what it is
_LIMITS = {
    "strings": (WORKBOOK_MAX_STRINGS, gettext_lazy("different texts (shared strings)"), ""),
    "rows": (WORKBOOK_MAX_ROWS, gettext_lazy("rows in its sheets"), ""),
    "cells": (
        WORKBOOK_MAX_CELLS,
        gettext_lazy("cells"),
        format_lazy(
            " ({})", format_lazy(gettext_lazy("{count} rows of 20 columns"), count=f"{WORKBOOK_MAX_RETURN_ROWS:,}")
        ),
    ),
    "sheets": (WORKBOOK_MAX_SHEETS, gettext_lazy("sheets"), ""),
    "names": (WORKBOOK_MAX_NAMES, gettext_lazy("defined names"), ""),
    "styles": (WORKBOOK_MAX_STYLES, gettext_lazy("styles"), ""),
    "formatting": (
        WORKBOOK_MAX_FORMATTING,
        gettext_lazy(
            "XML elements of formatting and settings (styles, rich text, merged cells, validations, "
            "relationships, properties)"
        ),
        "",
    ),
}
# rows, cells, their values and plain texts, which openpyxl reads cheaply; anything else in a
# sheet or the shared strings is formatting
_PLAIN = {"row", "c", "v", "f", "is", "t", "si", "sheetData"}
# what a cell's text is made of (runs of rich text, their fonts, a formula, a value): the
# characters of a cell are added up across these, and start again at any other element
_IN_A_CELL = {"t", "r", "rPr", "rPh", "f", "v", "is", "rFont", "charset", "family", "b", "i", "strike", "outline",
              "shadow", "condense", "extend", "color", "sz", "u", "vertAlign", "scheme"}  # fmt: skip


class _Totals:
    """What the parts read so far hold, together."""

    def __init__(self) -> None:
        self.elements = 0
        self.counts = dict.fromkeys(_LIMITS, 0)


class _PartReader:
    """Counts what one part holds as expat reads it, adding to the workbook's totals, and
    raises ValidationError at the first limit passed. This runs for every element of the
    file, so an element's full name (namespace and all) is looked up once per part and
    what it counts towards is remembered."""

    def __init__(self, name: str, part: str, totals: _Totals):
        self.name, self.part, self.totals = name, part, totals
        self.root = ""
        self.cells = False  # a sheet or the shared strings
        self.kinds: dict[str, tuple[tuple[str, ...], bool]] = {}
        self.characters = 0
        self.parser = expat.ParserCreate(namespace_separator="}")
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self.start
        self.parser.StartDoctypeDeclHandler = self.doctype
        self.parser.EntityDeclHandler = self.doctype

    def start(self, tag: str, attributes) -> None:
        totals = self.totals
        totals.elements += 1
        if totals.elements > WORKBOOK_MAX_ELEMENTS:
            raise _too_many(self.name, _("XML elements in its parts"), WORKBOOK_MAX_ELEMENTS)
        kind = self.kinds.get(tag) or self._kind(tag)
        for key in kind[0]:
            totals.counts[key] += 1
            if totals.counts[key] > _LIMITS[key][0]:
                limit, what, why = _LIMITS[key]
                raise _too_many(self.name, what, limit, why)
        if not kind[1]:
            self.characters = 0

    def _kind(self, tag: str) -> tuple[tuple[str, ...], bool]:
        """What an element counts towards, and whether it is part of a cell's text."""
        local = tag.rpartition("}")[2]
        if not self.root:  # the root element says what the part is, whatever it is called
            self.root = local
            self.cells = local == "sst" or local in _SHEETS
            if self.cells:
                self.parser.CharacterDataHandler = self.text
        counted = _COUNTED.get((self.root, local))
        keys = [counted] if counted else []
        if self.root == "styleSheet":
            keys.append("styles")
        if not (self.cells and local in _PLAIN):
            keys.append("formatting")
        kind = self.kinds[tag] = (tuple(keys), self.cells and local in _IN_A_CELL)
        return kind

    def text(self, data: str) -> None:
        self.characters += len(data)
        if self.characters > WORKBOOK_MAX_CELL_CHARACTERS:
            raise ValidationError(
                _(
                    "%(name)s has a cell of more than %(limit)s characters, more than "
                    "Excel itself allows, so it has not been read."
                )
                % {"name": self.name, "limit": f"{WORKBOOK_MAX_CELL_CHARACTERS:,}"},
                code="too_complex",
            )

    def doctype(self, *args) -> None:
        raise ValidationError(
            _("%(name)s declares a document type (in %(part)s), which Excel never does, so it has not been read.")
            % {"name": self.name, "part": self.part},
            code="file_type",
        )

    def feed(self, chunk: bytes, last: bool = False) -> bool:
        """Parse the next chunk; False once the part turns out not to be XML (openpyxl
        would stop there too, so reading on would count work no one does)."""
        try:
            self.parser.Parse(chunk, last)
        except expat.ExpatError:
            return False
        return True


def _check_workbook_parts(uploaded_file, name: str) -> None:
    """Read every part of the zip (whatever it is called: openpyxl finds parts through
    the package's own lists, which the uploader writes) with a streaming parser, counting
    against the workbook limits. A part that is not XML (a picture) is left at its first
    chunk."""
    totals = _Totals()
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            for member in archive.infolist():
                if member.is_dir():
                    continue
                reader = _PartReader(name, member.filename, totals)
                with archive.open(member) as stream:
                    while chunk := stream.read(_CHUNK):
                        if not reader.feed(chunk):
                            break
                    else:
                        reader.feed(b"", last=True)
    except (zipfile.BadZipFile, NotImplementedError, zlib.error, EOFError, OSError, ValueError) as error:
        raise unreadable(name) from error
    finally:
        uploaded_file.seek(0)
