"""Checks on uploaded files, made before anything parses or stores them.

What a file is comes from its first bytes, never from its name or the browser's
content type, both of which the uploader chooses. The name's extension must then
agree with the content, so that a file is later served as what it really is (a
text file called ``report.html`` is refused rather than served as a web page).

Office files are zips. Only the zip's central directory is read here: member names,
count and declared sizes. Python's ``zipfile`` never inflates a member past its
declared size, so refusing large declared sizes and extreme compression ratios here
is enough to keep a zip bomb from ever being unpacked by openpyxl later.
"""

import codecs
import os
import zipfile

from django.core.exceptions import ValidationError

MB = 1024 * 1024

EVIDENCE_MAX_BYTES = 10 * MB
WORKBOOK_MAX_BYTES = 5 * MB
WORKBOOK_MAX_MEMBERS = 1000
WORKBOOK_MAX_UNPACKED_BYTES = 50 * MB
WORKBOOK_MAX_RATIO = 100

PDF, PNG, JPEG, OFFICE, TEXT = "a PDF", "a PNG image", "a JPEG image", "an Office document", "a text file"
EXTENSIONS = {
    PDF: {".pdf"},
    PNG: {".png"},
    JPEG: {".jpg", ".jpeg"},
    OFFICE: {".docx", ".xlsx", ".pptx"},
    TEXT: {".txt", ".csv"},
}
ALLOWED = "a PDF, a PNG or JPEG image, a Word, Excel or PowerPoint file (.docx, .xlsx, .pptx), or a text or CSV file"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .doc/.xls, and password-protected Office files


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB"


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
        raise ValidationError(f"{name} is empty.", code="empty")
    if size > EVIDENCE_MAX_BYTES:
        raise ValidationError(f"{name} is too big: evidence files must be 10 MB or smaller.", code="too_big")
    kind = _kind(uploaded_file)
    if kind is None:
        raise ValidationError(f"{name} is not a file type we accept. Upload {ALLOWED}.", code="file_type")
    extension = os.path.splitext(name)[1].lower()
    if extension not in EXTENSIONS[kind]:
        expected = " or ".join(sorted(EXTENSIONS[kind]))
        raise ValidationError(
            f"{name} contains {kind}, but its name ends “{extension or '(nothing)'}”. "
            f"Rename it to end {expected}, or upload {ALLOWED}.",
            code="file_type",
        )


def check_workbook(uploaded_file) -> None:
    """Refuse an upload that is not an Excel workbook (.xlsx) of sane size before openpyxl
    opens it: at most 5 MB, a zip holding ``[Content_Types].xml`` and ``xl/workbook.xml``,
    at most 1,000 members, 50 MB unpacked, and no member compressed more than 100 to 1."""
    name = _name(uploaded_file)
    size = _size(uploaded_file)
    if size == 0:
        raise ValidationError(f"{name} is empty.", code="empty")
    if size > WORKBOOK_MAX_BYTES:
        raise ValidationError(
            f"{name} is too big: workbooks must be 5 MB or smaller.",
            code="too_big",
        )
    head = _head(uploaded_file)
    if head.startswith(_OLE):
        raise ValidationError(
            f"{name} is an old-style Excel file (.xls) or has a password. "
            "Save it as an Excel Workbook (.xlsx) without a password, then upload it again.",
            code="file_type",
        )
    members = _zip_names(uploaded_file) if head.startswith(b"PK\x03\x04") else None
    names = {member.filename for member in members or []}
    if members is None or not {"[Content_Types].xml", "xl/workbook.xml"} <= names:
        raise ValidationError(
            f"{name} is not an Excel workbook (.xlsx). Upload the return workbook downloaded from this site.",
            code="file_type",
        )
    if len(members) > WORKBOOK_MAX_MEMBERS:
        raise ValidationError(
            f"{name} holds {len(members):,} files inside it; a workbook may hold at most {WORKBOOK_MAX_MEMBERS:,}.",
            code="zip_bomb",
        )
    unpacked = sum(member.file_size for member in members)
    if unpacked > WORKBOOK_MAX_UNPACKED_BYTES:
        raise ValidationError(
            f"{name} unpacks to {_megabytes(unpacked)}; a workbook may unpack to at most 50 MB.",
            code="zip_bomb",
        )
    for member in members:
        if member.file_size and member.file_size > WORKBOOK_MAX_RATIO * max(member.compress_size, 1):
            raise ValidationError(
                f"{name} is compressed suspiciously far (its part {member.filename} is "
                f"{member.file_size // max(member.compress_size, 1):,} times smaller packed than unpacked), "
                "so it has not been opened.",
                code="zip_bomb",
            )
        if member.flag_bits & 0x1:
            raise ValidationError(f"{name} is encrypted. Upload it without a password.", code="file_type")
