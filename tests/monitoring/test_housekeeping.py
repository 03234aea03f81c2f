"""Superseded live PDFs and abandoned uploads are cleared; everything else stays
(monitoring/housekeeping.py, manage.py clean_storage)."""

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils import timezone

from monitoring.housekeeping import storage_clean
from monitoring.models import Document, WorkbookUpload
from planning import services as planning_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _document(plan, key: str, *, days_old: int, status=Document.Status.READY, **fields) -> Document:
    document = Document.objects.create(
        kind=fields.pop("kind", Document.Kind.PLAN), plan=plan, key=key, status=status, **fields
    )
    if status == Document.Status.READY:
        document.file.save(f"{key.replace(':', '-')}.pdf", ContentFile(b"%PDF-1.7 test"))
    # not history-tracked (a product, not plan content): a plain update sets its age
    Document.objects.filter(pk=document.pk).update(requested_at=timezone.now() - timedelta(days=days_old))
    document.refresh_from_db()
    return document


def _upload(user, period, *, days_old: int, applied: bool) -> WorkbookUpload:
    upload = WorkbookUpload.objects.create(uploaded_by=user, period=period, filename="returns.xlsx")
    WorkbookUpload.objects.filter(pk=upload.pk).update(
        uploaded_at=timezone.now() - timedelta(days=days_old), applied_at=timezone.now() if applied else None
    )
    return upload


def test_superseded_live_pdfs_go_and_everything_else_stays(monitored, q1, alice, bob):
    edition = planning_services.edition_create(plan=monitored, name="Approved", user=alice)
    oldest = _document(monitored, f"plan:{monitored.pk}:live@2013-04-01", days_old=90)
    older = _document(monitored, f"plan:{monitored.pk}:live@2013-05-01", days_old=60)
    recent_superseded = _document(monitored, f"plan:{monitored.pk}:live@2013-05-15", days_old=10)
    newest = _document(monitored, f"plan:{monitored.pk}:live@2013-06-01", days_old=5)  # may still be current
    frozen = _document(monitored, f"plan:{monitored.pk}:edition:{edition.pk}", days_old=400, edition=edition)
    pack = _document(
        monitored, f"scorecard:{monitored.pk}:{q1.slug}:plan-only:v1:live@2013-06-01", days_old=90,
        kind=Document.Kind.SCORECARD, period=q1,
    )  # fmt: skip
    abandoned = _upload(bob, q1, days_old=40, applied=False)
    applied = _upload(bob, q1, days_old=400, applied=True)
    fresh = _upload(bob, q1, days_old=2, applied=False)
    files = {doc.pk: doc.file.name for doc in (oldest, older, newest, frozen, pack)}

    cleared = storage_clean()

    assert (cleared.documents, cleared.files, cleared.uploads) == (2, 2, 1)
    assert set(Document.objects.values_list("pk", flat=True)) == {newest.pk, recent_superseded.pk, frozen.pk, pack.pk}
    storage = newest.file.storage
    assert not storage.exists(files[oldest.pk]) and not storage.exists(files[older.pk])
    assert all(storage.exists(files[doc.pk]) for doc in (newest, frozen, pack))
    assert set(WorkbookUpload.objects.values_list("pk", flat=True)) == {applied.pk, fresh.pk}
    assert not WorkbookUpload.objects.filter(pk=abandoned.pk).exists()
    assert storage_clean() == type(cleared)()  # nothing more to do: safe to run again


def test_a_pdf_being_produced_is_never_cleared(monitored):
    running = _document(monitored, f"plan:{monitored.pk}:live@2013-04-01", days_old=90, status=Document.Status.RUNNING)
    _document(monitored, f"plan:{monitored.pk}:live@2013-06-01", days_old=60)
    assert storage_clean().documents == 0
    assert Document.objects.filter(pk=running.pk).exists()


def test_the_command_reports_what_it_deleted_and_refuses_a_nonsense_age(monitored, capsys):
    _document(monitored, f"plan:{monitored.pk}:live@2013-04-01", days_old=90)
    _document(monitored, f"plan:{monitored.pk}:live@2013-06-01", days_old=60)
    call_command("clean_storage", "--days", "30")
    assert "Deleted 1 superseded PDFs (1 files) and 0 workbook uploads never applied, older than 30 days." in (
        capsys.readouterr().out
    )
    with pytest.raises(CommandError, match="1 or more"):
        call_command("clean_storage", "--days", "0")
