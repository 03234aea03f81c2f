"""Uploads are checked before anything parses them: size, type by content (never by
name), and for workbooks the zip's directory (member count, unpacked size, compression
ratio) so that a zip bomb is never unpacked. Each refusal names the file, and nothing
is saved."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from config.uploads import check_evidence, check_workbook
from monitoring.models import ProgressReturn, WorkbookUpload
from tests.monitoring.uploads import corpus

UPLOAD = reverse("monitoring:workbook-upload")
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 100


def _refusal(check, name: str, content: bytes) -> str:
    with pytest.raises(ValidationError) as refused:
        check(SimpleUploadedFile(name, content))
    return " ".join(refused.value.messages)


def _docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


# --- workbooks -------------------------------------------------------------------------------


BAD_WORKBOOKS = [
    (corpus.png_renamed, "returns.xlsx is not an Excel workbook (.xlsx)."),
    (corpus.oversize, "big.xlsx is too big: workbooks must be 5 MB or smaller."),
    (corpus.zip_bomb, "bomb.xlsx unpacks to 60.0 MB; a workbook may unpack to at most 50 MB."),
    (corpus.dense_member, "dense.xlsx is compressed suspiciously far"),
    (corpus.many_members, "crowded.xlsx holds 1,003 files inside it; a workbook may hold at most 1,000."),
    (corpus.old_excel, "returns.xls is an old-style Excel file (.xls) or has a password."),
    (corpus.word_document, "returns.xlsx is not an Excel workbook (.xlsx)."),
    (corpus.empty, "empty.xlsx is empty."),
]


@pytest.mark.parametrize(("build", "message"), BAD_WORKBOOKS, ids=[build.__name__ for build, _ in BAD_WORKBOOKS])
def test_check_workbook_refuses_the_bad_corpus(build, message):
    assert message in _refusal(check_workbook, *build())


def test_check_workbook_reads_only_the_zip_directory(monkeypatch):
    """No member is opened, let alone inflated: the bomb is refused from its directory."""

    def never(*args, **kwargs):
        raise AssertionError("a member was opened")

    bomb = corpus.zip_bomb()
    monkeypatch.setattr(zipfile.ZipFile, "open", never)
    assert "unpacks to 60.0 MB" in _refusal(check_workbook, *bomb)


def test_check_workbook_accepts_a_workbook_made_by_openpyxl():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    upload = SimpleUploadedFile("returns.xlsx", buffer.getvalue())
    check_workbook(upload)
    assert upload.tell() == 0  # left ready to be read


@pytest.mark.parametrize(("build", "message"), BAD_WORKBOOKS, ids=[build.__name__ for build, _ in BAD_WORKBOOKS])
def test_a_bad_upload_is_refused_on_the_page_and_nothing_is_saved(client, alice, monitored, periods, build, message):
    client.force_login(alice)
    returns, history = ProgressReturn.objects.count(), ProgressReturn.history.count()
    name, content = build()
    response = client.post(UPLOAD, {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WorkbookUpload.objects.exists()
    assert (ProgressReturn.objects.count(), ProgressReturn.history.count()) == (returns, history)


def test_a_workbook_openpyxl_cannot_read_is_refused_by_name(client, alice, monitored, periods):
    client.force_login(alice)
    name, content = corpus.not_xml_inside()
    response = client.post(UPLOAD, {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)})
    assert response.status_code == 400
    assert "broken.xlsx could not be read as an Excel workbook." in response.content.decode()
    assert not WorkbookUpload.objects.exists()


def test_an_upload_needs_a_file(client, alice, monitored, periods):
    client.force_login(alice)
    response = client.post(UPLOAD, {"period": "2013-q1"})
    assert response.status_code == 400 and "govuk-error-summary" in response.content.decode()


def test_openpyxl_parses_with_defusedxml():
    import openpyxl.xml

    assert openpyxl.xml.DEFUSEDXML is True


# --- evidence --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", PDF),
        ("chart.png", corpus.PNG_HEADER),
        ("photo.JPG", JPEG),
        ("minutes.docx", _docx()),
        ("figures.csv", b"School,Visits\nNorthmoor Primary,3\n"),
        ("notes.txt", "Café visits – all done".encode()),
    ],
)
def test_check_evidence_accepts_documents_images_and_text(name, content):
    check_evidence(SimpleUploadedFile(name, content))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tool.exe", b"MZ\x90\x00" + b"\x00" * 100, "tool.exe is not a file type we accept."),
        ("report.pdf", corpus.PNG_HEADER, "report.pdf contains a PNG image, but its name ends “.pdf”."),
        ("page.html", b"<script>alert(1)</script>", "page.html contains a text file, but its name ends “.html”."),
        ("notes.txt", "caf\xe9".encode("latin-1"), "notes.txt is not a file type we accept."),
        ("notes.txt", b"text\x00with a NUL", "notes.txt is not a file type we accept."),
        ("archive.zip", corpus.word_document()[1], "archive.zip contains an Office document"),
        ("plain.zip", b"PK\x03\x04" + b"\x00" * 50, "plain.zip is not a file type we accept."),
        ("empty.pdf", b"", "empty.pdf is empty."),
    ],
)
def test_check_evidence_refuses_by_content_and_names_the_file(name, content, message):
    assert message in _refusal(check_evidence, name, content)


def test_check_evidence_refuses_more_than_10_mb():
    assert "big.pdf is too big: evidence files must be 10 MB or smaller." in _refusal(
        check_evidence, "big.pdf", PDF + b"\x00" * (10 * 1024 * 1024)
    )
