"""Evidence files and PDFs kept in object storage (``FILE_STORAGE=s3``, config/storage.py),
against a real S3-compatible server started here (tests/backing.py): what is uploaded or
rendered lands in the bucket and nowhere on the local disk, downloads come back from it with
the same permission checks and headers, housekeeping deletes from it, and a store that
refuses a file leaves no row behind."""

import io
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from config import storage
from monitoring import services as monitoring
from monitoring.models import Document, ProgressReturn, WorkbookUpload
from partners.models import Organisation, User
from tests.backing import S3Server, free_port
from tests.factories import OrganisationFactory, UserFactory, make_plan
from tests.monitoring.conftest import make_monitored
from tests.monitoring.uploads import corpus

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n"


@dataclass
class Bucket:
    server: S3Server
    name: str
    media: Path  # MEDIA_ROOT: nothing may be written there

    def keys(self) -> list[str]:
        return self.server.keys(self.name)

    def read(self, key: str) -> bytes:
        return self.server.read(self.name, key)

    def local_files(self) -> list[Path]:
        return [path for path in self.media.rglob("*") if path.is_file()]


@pytest.fixture(scope="module")
def s3_server():
    server = S3Server().start()
    yield server
    server.stop()


def _point_storage_at(settings, monkeypatch, variables: dict[str, str]) -> None:
    """Set the variables and build the storage from them as config/settings.py does."""
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    settings.STORAGES = {**settings.STORAGES, "default": storage.default_storage()}


@pytest.fixture
def bucket(s3_server, settings, monkeypatch, tmp_path) -> Bucket:
    """A bucket of the test's own, the app's file storage pointed at it, and PDFs rendered at once."""
    name = s3_server.new_bucket()
    _point_storage_at(settings, monkeypatch, s3_server.env(name))
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE
    return Bucket(s3_server, name, settings.MEDIA_ROOT)


@pytest.fixture
def monitored(plan, bob, college, pat):
    return make_monitored(plan, bob, college)


@pytest.fixture
def q1(db):
    return monitoring.financial_year_create(start_year=2013, user=None)[0]


def _edit_url(item, period) -> str:
    return reverse("monitoring:return-edit", args=[item.plan.slug, item.pk, period.slug])


def _evidence_url(item, period) -> str:
    return reverse("monitoring:return-evidence", args=[item.plan.slug, item.pk, period.slug])


def _post_evidence(client, item, period, name: str, content: bytes, version: int = 0):
    return client.post(
        _edit_url(item, period),
        {
            "rag": "green",
            "narrative": "Evidence attached",
            "actual_value": "75",
            "version": version,
            "action": "draft",
            "evidence_file": SimpleUploadedFile(name, content, content_type="application/pdf"),
        },
    )


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


# --- evidence ---------------------------------------------------------------------------------------


def test_evidence_is_stored_in_the_bucket_and_downloads_from_it(client, bucket, monitored, q1, bob, carol):
    client.force_login(bob)
    assert _post_evidence(client, monitored.action, q1, "report.pdf", PDF).status_code == 302
    ret = ProgressReturn.objects.get()
    assert bucket.keys() == [ret.evidence_file.name] and ret.evidence_file.name.startswith("evidence/")
    assert bucket.read(ret.evidence_file.name) == PDF
    assert bucket.local_files() == []

    download = client.get(_evidence_url(monitored.action, q1))
    assert download.status_code == 200 and _body(download) == PDF
    assert download["Content-Disposition"] == 'attachment; filename="report.pdf"'
    assert download["Content-Type"] == "application/octet-stream" and download["Content-Length"] == str(len(PDF))
    assert "no-store" in download["Cache-Control"]
    client.force_login(carol)  # an officer elsewhere may not read the plan's returns
    assert client.get(_evidence_url(monitored.action, q1)).status_code == 404


def test_two_evidence_files_with_one_name_are_both_kept(client, bucket, monitored, q1, bob, pat):
    client.force_login(bob)
    assert _post_evidence(client, monitored.action, q1, "report.pdf", PDF + b"% bob's").status_code == 302
    client.force_login(pat)
    assert _post_evidence(client, monitored.target, q1, "report.pdf", PDF + b"% pat's").status_code == 302
    assert len(bucket.keys()) == 2
    assert _body(client.get(_evidence_url(monitored.target, q1))).endswith(b"% pat's")
    client.force_login(bob)
    assert _body(client.get(_evidence_url(monitored.action, q1))).endswith(b"% bob's")


@pytest.mark.parametrize("fault", ["the bucket does not exist", "the store does not answer"])
def test_a_store_that_refuses_the_file_saves_no_return_and_says_so_beside_the_field(
    client, bucket, settings, monkeypatch, monitored, q1, bob, fault
):
    if fault == "the bucket does not exist":
        _point_storage_at(settings, monkeypatch, {"S3_BUCKET": "gt-no-such-bucket"})
    else:
        _point_storage_at(settings, monkeypatch, {"S3_ENDPOINT_URL": f"http://127.0.0.1:{free_port()}"})
    client.force_login(bob)
    response = _post_evidence(client, monitored.action, q1, "report.pdf", PDF)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_evidence_file-error"' in page
    assert "report.pdf could not be stored, so nothing has been saved" in page and "Traceback" not in page
    assert not ProgressReturn.objects.exists() and not ProgressReturn.history.exists()
    assert bucket.keys() == [] and bucket.local_files() == []


def test_evidence_stored_for_a_return_someone_saved_first_is_deleted_again(
    client, bucket, monkeypatch, monitored, q1, bob
):
    """Two first saves of one return at once: the second stores its file, then its insert
    meets the first's row (the unique constraint), and it gets the conflict page."""
    first = monitoring.return_save(
        item=monitored.action, period=q1, user=bob, fields={"rag": "amber"}, expected_version=0
    )
    monkeypatch.setattr(monitoring, "_stored_return", lambda item_id, period_id: None)  # read before that insert
    client.force_login(bob)
    response = _post_evidence(client, monitored.action, q1, "late.pdf", PDF)
    assert response.status_code == 409
    assert list(ProgressReturn.objects.values_list("pk", "rag", "evidence_file")) == [(first.pk, "amber", "")]
    assert bucket.keys() == []


def test_evidence_missing_from_the_bucket_is_not_found(client, bucket, monitored, q1, bob):
    client.force_login(bob)
    _post_evidence(client, monitored.action, q1, "report.pdf", PDF)
    bucket.server.client.delete_object(Bucket=bucket.name, Key=ProgressReturn.objects.get().evidence_file.name)
    assert client.get(_evidence_url(monitored.action, q1)).status_code == 404


# --- return workbooks -------------------------------------------------------------------------------


def test_a_workbook_is_previewed_then_applied_keeping_no_file(client, bucket, monitored, q1, alice):
    """A workbook is read when it is uploaded; its rows, not the file, wait for the preview
    (in the database, which every app server shares), so nothing is stored for it."""
    client.force_login(alice)
    downloaded = client.get(reverse("monitoring:workbook-download"), {"period": q1.slug, "plan": monitored.slug})
    name, content = corpus.edit(downloaded.content, {(2, "RAG"): "Green", (2, "Narrative"): "All booked."})
    uploaded = client.post(
        reverse("monitoring:workbook-upload"), {"period": q1.slug, "workbook": SimpleUploadedFile(name, content)}
    )
    upload = WorkbookUpload.objects.get()
    assert uploaded.url == reverse("monitoring:workbook-preview", args=[upload.pk])
    assert "All booked." in client.get(uploaded.url).content.decode()
    applied = client.post(uploaded.url, follow=True)
    assert "Saved 1 return from returns.xlsx" in applied.content.decode()
    assert ProgressReturn.objects.get().narrative == "All booked."
    assert bucket.keys() == [] and bucket.local_files() == []


# --- PDFs ---------------------------------------------------------------------------------------------


def _ask_for_pdf(client, django_capture_on_commit_callbacks, plan) -> Document:
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("monitoring:plan-pdf", args=[plan.slug]))
    return Document.objects.order_by("-pk").first()


def test_a_pdf_is_rendered_into_the_bucket_and_downloaded_from_it(
    client, bucket, monitored, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    document = _ask_for_pdf(client, django_capture_on_commit_callbacks, monitored)
    assert document.status == Document.Status.READY
    assert bucket.keys() == [document.file.name] and bucket.local_files() == []
    download = client.get(reverse("monitoring:document-download", args=[document.pk]))
    content = _body(download)
    assert content == bucket.read(document.file.name) and len(PdfReader(io.BytesIO(content)).pages) == document.pages
    assert download["Content-Type"] == "application/pdf" and "no-store" in download["Cache-Control"]
    police = OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)
    client.force_login(UserFactory(username="pc", organisation=police, role=User.Role.PARTNER))  # not shared with
    assert client.get(reverse("monitoring:document-download", args=[document.pk])).status_code == 404


def test_a_pdf_the_store_refuses_fails_keeping_no_file_and_is_produced_when_asked_again(
    client, bucket, settings, monkeypatch, monitored, alice, django_capture_on_commit_callbacks
):
    working = dict(settings.STORAGES)
    _point_storage_at(settings, monkeypatch, {"S3_BUCKET": "gt-no-such-bucket"})
    client.force_login(alice)
    document = _ask_for_pdf(client, django_capture_on_commit_callbacks, monitored)
    assert document.status == Document.Status.FAILED and not document.file
    assert document.error.startswith("The PDF could not be produced") and "Bucket" not in document.error
    settings.STORAGES = working
    again = _ask_for_pdf(client, django_capture_on_commit_callbacks, monitored)
    assert again.pk == document.pk and again.status == Document.Status.READY
    assert bucket.keys() == [again.file.name]


def test_a_pdf_gone_from_the_bucket_is_produced_again(
    client, bucket, monitored, alice, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    document = _ask_for_pdf(client, django_capture_on_commit_callbacks, monitored)
    bucket.server.client.delete_object(Bucket=bucket.name, Key=document.file.name)
    download = client.get(reverse("monitoring:document-download", args=[document.pk]))
    assert download.status_code == 302 and download.url == reverse("monitoring:plan-pdf", args=[monitored.slug])
    again = _ask_for_pdf(client, django_capture_on_commit_callbacks, monitored)
    assert again.pk == document.pk and again.status == Document.Status.READY
    assert bucket.keys() == [again.file.name]


def test_clean_storage_deletes_superseded_pdfs_from_the_bucket(bucket, alice, capsys):
    plan = make_plan(owner=alice, slug="sip")

    def stored(key: str, days_old: int) -> Document:
        document = Document.objects.create(kind=Document.Kind.PLAN, plan=plan, key=key, status=Document.Status.READY)
        document.file.save("sip-current.pdf", ContentFile(PDF))
        Document.objects.filter(pk=document.pk).update(requested_at=timezone.now() - timedelta(days=days_old))
        return document

    old = stored(f"plan:{plan.pk}:live@2013-04-01", days_old=90)
    newest = stored(f"plan:{plan.pk}:live@2013-06-01", days_old=60)
    assert sorted(bucket.keys()) == sorted([old.file.name, newest.file.name]) and old.file.name != newest.file.name
    call_command("clean_storage")
    assert "Deleted 1 superseded PDFs (1 files)" in capsys.readouterr().out
    assert bucket.keys() == [newest.file.name]
    assert list(Document.objects.values_list("pk", flat=True)) == [newest.pk]
