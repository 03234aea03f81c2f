"""PDFs when something fails after WeasyPrint has done its part, and failures the reader
can act on. ``test_documents.py`` covers WeasyPrint itself raising (a clear message on
the document page, no file, marked failed, asking again renders it) and a worker lost
mid-render (queued again once it has timed out; ``test_worker_killed_mid_render.py``
kills a real worker)."""

from datetime import UTC, datetime

import pytest
from django.db import OperationalError
from django.urls import reverse

from monitoring.models import Document
from planning import services as planning
from planning.models import Edition

IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.TASKS = IMMEDIATE
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _ask(client, django_capture_on_commit_callbacks, url):
    with django_capture_on_commit_callbacks(execute=True):
        return client.get(url)


def test_a_pdf_that_cannot_be_recorded_as_ready_leaves_no_file_and_is_tried_again(
    client, monitored, alice, media, monkeypatch, django_capture_on_commit_callbacks
):
    """The PDF is rendered and stored, then the database fails as the document is marked
    ready: the stored file is removed with it, not left behind for a document that is
    not ready."""
    real_save = Document.save

    def fails_when_marked_ready(self, *args, **kwargs):
        if "status" in (kwargs.get("update_fields") or ()):
            assert list(media.rglob("*.pdf"))  # the file was stored before the row failed
            raise OperationalError("server closed the connection unexpectedly")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(Document, "save", fails_when_marked_ready)
    url = reverse("monitoring:plan-pdf", args=[monitored.slug])
    client.force_login(alice)
    response = _ask(client, django_capture_on_commit_callbacks, url)

    document = Document.objects.get()
    assert document.status == Document.Status.FAILED and not document.file and document.pages is None
    assert not list(media.rglob("*.pdf"))
    page = client.get(response.url).content.decode()
    assert "The PDF could not be produced" in page and "server closed" not in page
    download = client.get(reverse("monitoring:document-download", args=[document.pk]))
    assert download.url == reverse("monitoring:document-status", args=[document.pk])

    monkeypatch.undo()
    _ask(client, django_capture_on_commit_callbacks, url)
    document.refresh_from_db()
    assert Document.objects.count() == 1 and document.status == Document.Status.READY
    assert [path.name for path in media.rglob("*.pdf")] == [document.file.name.rsplit("/", 1)[1]]


def test_a_pdf_that_cannot_be_produced_for_a_reason_says_the_reason(
    client, monitored, alice, django_capture_on_commit_callbacks
):
    edition = planning.edition_create(plan=monitored, name="Before the plan", user=alice)
    Edition.objects.filter(pk=edition.pk).update(moment=datetime(2001, 1, 1, tzinfo=UTC))
    client.force_login(alice)
    url = reverse("monitoring:plan-pdf", args=[monitored.slug]) + f"?edition={edition.pk}"
    response = _ask(client, django_capture_on_commit_callbacks, url)

    document = Document.objects.get()
    assert document.status == Document.Status.FAILED and not document.file
    page = client.get(response.url).content.decode()
    assert "The PDF could not be produced: the plan did not exist yet at the moment of this edition." in page
