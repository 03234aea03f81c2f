"""A worker killed mid-render (issue 12, item 4): the PDF is not left "Being produced" for
ever. Once it has waited longer than ``PDF_RENDER_TIMEOUT`` the person waiting is told it
took too long and offered to try again; trying again produces it; and the task row the dead
worker left running is marked failed, so nothing stays stuck.

The worker is real: ``manage.py db_worker`` in a process of its own, against the test
database (on PostgreSQL the same database; on SQLite, whose test database lives in this
process's memory, a copy on disk that is copied back once the worker has gone). Its renderer
waits on a file (tests/monitoring/worker_that_blocks.py), and the test kills it with SIGKILL
while its task and document are running.
"""

import io
import os
import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from config import pdf
from monitoring import documents
from monitoring.models import Document
from monitoring.tasks import release_lost, render_document

ROOT = Path(__file__).resolve().parents[2]
DATABASE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
TIMEOUT = 600


@contextmanager
def _shared_database(tmp_path: Path):
    """A DATABASE_URL another process can open, holding what this test has written; what
    that process writes is in this test's database once the block ends."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        yield f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
        return
    connection.ensure_connection()
    here = connection.connection
    if not connection.is_in_memory_db():
        yield f"sqlite:///{connection.settings_dict['NAME']}"
        return
    path = tmp_path / "shared.sqlite3"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as there:
        here.backup(there)
    try:
        yield f"sqlite:///{path}"
    finally:
        with sqlite3.connect(path) as there:
            there.backup(here)


def _worker_env(url: str, media: Path) -> dict:
    inherited = {k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE", "TASKS_BACKEND"}}
    return {**inherited, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "DJANGO_SETTINGS_MODULE": "config.settings"}


def _kill_mid_render(url: str, media: Path, started: Path) -> None:
    worker = subprocess.Popen(  # noqa: S603 - this interpreter, a module of the tests, no shell
        [sys.executable, "-m", "tests.monitoring.worker_that_blocks", str(started)],
        cwd=ROOT,
        env=_worker_env(url, media),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while not started.exists():
            if worker.poll() is not None:
                raise AssertionError(f"the worker stopped before rendering: {worker.stdout.read().decode()}")
            if time.monotonic() > deadline:
                raise AssertionError("the worker never started rendering")
            time.sleep(0.05)
        worker.send_signal(signal.SIGKILL)
        assert worker.wait(timeout=30) == -signal.SIGKILL
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait()
        worker.stdout.close()


def _run_worker_once(url: str, media: Path) -> None:
    """``manage.py db_worker --batch``, as deployed: every queued task, then it exits."""
    done = subprocess.run(  # noqa: S603 - this interpreter, manage.py, fixed arguments
        [sys.executable, "manage.py", "db_worker", "--batch", "--no-reload", "--no-startup-delay"],
        cwd=ROOT,
        env=_worker_env(url, media),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def _as_if_minutes_passed(minutes: int) -> None:
    """Move the moments the stuck rows record back, rather than wait."""
    document = Document.objects.get()
    Document.objects.filter(pk=document.pk).update(
        requested_at=document.requested_at - timedelta(minutes=minutes),
        started_at=document.started_at - timedelta(minutes=minutes) if document.started_at else None,
    )
    for row in DBTaskResult.objects.all():
        DBTaskResult.objects.filter(pk=row.pk).update(
            enqueued_at=row.enqueued_at - timedelta(minutes=minutes),
            started_at=row.started_at - timedelta(minutes=minutes) if row.started_at else None,
        )


@pytest.mark.django_db(transaction=True)  # committed, so the worker's process sees the rows
def test_a_pdf_whose_worker_was_killed_mid_render_is_offered_again_and_produced_on_retry(
    client, alice, monitored, settings, tmp_path
):
    settings.TASKS = DATABASE
    settings.MEDIA_ROOT = media = tmp_path / "media"
    settings.PDF_RENDER_TIMEOUT = TIMEOUT
    client.force_login(alice)
    asked = client.get(reverse("monitoring:plan-pdf", args=[monitored.slug]))
    status_url = asked.url

    with _shared_database(tmp_path) as url:
        _kill_mid_render(url, media, started=tmp_path / "started")

    document = Document.objects.get()
    [task] = DBTaskResult.objects.all()
    assert (document.status, task.status) == (Document.Status.RUNNING, "RUNNING")  # what a killed worker leaves
    waiting = client.get(status_url).content.decode()
    assert "Being produced" in waiting and "Try again" not in waiting

    _as_if_minutes_passed(TIMEOUT // 60 + 1)
    page = client.get(status_url).content.decode()
    assert "The PDF took too long to produce" in page
    assert "Being produced" not in page and "document-status.js" not in page
    retry = reverse("monitoring:plan-pdf", args=[monitored.slug])
    assert f'href="{retry}">Try again</a>' in page
    assert client.get(status_url + "?format=json").json() == {"status": "failed", "label": "Took too long"}

    again = client.get(retry)  # the person follows "Try again"
    assert again.url == status_url  # the same document, queued again
    assert Document.objects.get().status == Document.Status.QUEUED
    with _shared_database(tmp_path) as url:
        _run_worker_once(url, media)

    document = Document.objects.get()
    assert document.status == Document.Status.READY and document.pages >= 2
    assert (media / document.file.name).exists()
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses.pop(task.id) == "FAILED"  # the dead worker's row, released
    assert list(statuses.values()) == ["SUCCESSFUL"]
    assert "took too long" in DBTaskResult.objects.get(pk=task.id).traceback
    download = client.get(reverse("monitoring:document-download", args=[document.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    assert render_document.module_path == DBTaskResult.objects.get(pk=task.id).task_path


# --- the pieces, without a worker process ----------------------------------------------


def _document(plan, user, status, minutes_ago: int, key: str = "plan:test") -> Document:
    """A document asked for ``minutes_ago``, and (if running) started then."""
    document = Document.objects.create(kind=Document.Kind.PLAN, plan=plan, key=key, status=status, requested_by=user)
    then = timezone.now() - timedelta(minutes=minutes_ago)
    started = then if status == Document.Status.RUNNING else None
    Document.objects.filter(pk=document.pk).update(requested_at=then, started_at=started)
    document.refresh_from_db()
    return document


def _task_row(document: Document, minutes_ago: int) -> DBTaskResult:
    now = timezone.now()
    return DBTaskResult.objects.create(
        status="RUNNING",
        args_kwargs={"args": [document.pk], "kwargs": {}},
        task_path=render_document.module_path,
        backend_name="default",
        run_after=now,
        started_at=now - timedelta(minutes=minutes_ago),
    )


def test_release_marks_failed_what_has_taken_too_long_and_leaves_the_rest(monitored, alice, settings):
    settings.PDF_RENDER_TIMEOUT = TIMEOUT
    lost = _document(monitored, alice, Document.Status.RUNNING, minutes_ago=11, key="a")
    never_started = _document(monitored, alice, Document.Status.QUEUED, minutes_ago=11, key="b")
    busy = _document(monitored, alice, Document.Status.RUNNING, minutes_ago=9, key="c")
    dead_row, live_row = _task_row(lost, minutes_ago=11), _task_row(busy, minutes_ago=9)
    out = io.StringIO()

    call_command("release_lost_tasks", stdout=out)

    assert "Marked failed 2 PDFs and 1 task rows still not done after 10 minutes." in out.getvalue()
    for document in (lost, never_started):
        document.refresh_from_db()
        assert document.status == Document.Status.FAILED
        assert "still not produced after 10 minutes" in document.error
    busy.refresh_from_db()
    assert busy.status == Document.Status.RUNNING
    assert DBTaskResult.objects.get(pk=dead_row.pk).status == "FAILED"
    assert DBTaskResult.objects.get(pk=live_row.pk).status == "RUNNING"


def test_a_render_that_finishes_after_its_document_was_asked_for_again_stores_nothing(
    monitored, alice, settings, tmp_path, monkeypatch
):
    """A render slower than the timeout: the person tried again meanwhile, so the document
    belongs to the new request; the old render's PDF is not stored over it."""
    settings.MEDIA_ROOT = tmp_path / "media"
    document = _document(
        monitored, alice, Document.Status.QUEUED, minutes_ago=0, key=documents.plan_key(monitored, None)
    )

    def slow(html):
        # while this render runs, it times out and is asked for again
        Document.objects.filter(pk=document.pk).update(status=Document.Status.QUEUED, requested_at=timezone.now())
        return real(html)

    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", slow)

    assert render_document.call(document.pk) == "superseded"

    document.refresh_from_db()
    assert document.status == Document.Status.QUEUED and not document.file
    assert not list((tmp_path / "media").rglob("*.pdf"))


def test_a_long_queue_is_waited_through_not_given_up(monitored, alice, settings):
    """At quarter end the queue can take longer than the timeout to work through: a document
    waiting its turn, its task still in the queue, is not lost; one whose task is gone is;
    and one a worker has just started is not failed by another worker's release."""
    settings.PDF_RENDER_TIMEOUT = TIMEOUT
    waiting = _document(monitored, alice, Document.Status.QUEUED, minutes_ago=30, key="waiting")
    DBTaskResult.objects.create(
        status="READY",
        args_kwargs={"args": [waiting.pk], "kwargs": {}},
        task_path=render_document.module_path,
        backend_name="default",
        run_after=timezone.now(),
    )
    _document(monitored, alice, Document.Status.QUEUED, minutes_ago=30, key="orphaned")  # no task left
    just_started = _document(monitored, alice, Document.Status.RUNNING, minutes_ago=30, key="started")
    Document.objects.filter(pk=just_started.pk).update(started_at=timezone.now())

    assert release_lost() == (1, 0)

    states = dict(Document.objects.values_list("key", "status"))
    assert states == {"waiting": "queued", "orphaned": "failed", "started": "running"}
    assert documents.queued_ahead(Document.objects.get(key="waiting")) == 0


def test_documents_that_have_timed_out_are_not_counted_as_ahead_in_the_queue(client, monitored, alice, settings):
    settings.PDF_RENDER_TIMEOUT = TIMEOUT
    _document(monitored, alice, Document.Status.RUNNING, minutes_ago=30, key="lost")
    _document(monitored, alice, Document.Status.QUEUED, minutes_ago=5, key="ahead")
    waiting = _document(monitored, alice, Document.Status.QUEUED, minutes_ago=1, key="mine")

    assert documents.queued_ahead(waiting) == 1
    client.force_login(alice)
    page = client.get(reverse("monitoring:document-status", args=[waiting.pk])).content.decode()
    assert "1 other PDF" in page and "Try again" not in page


def test_a_timeout_shorter_than_a_minute_is_refused_at_start_up():
    started = subprocess.run(  # noqa: S603 - this interpreter, fixed code, no shell
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={**_worker_env("sqlite:///:memory:", Path("media")), "PDF_RENDER_TIMEOUT": "5"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert started.returncode != 0
    assert "PDF_RENDER_TIMEOUT must be at least 60 seconds." in started.stderr
