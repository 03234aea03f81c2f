"""Background tasks (django-tasks; the database backend in the app, run by
``manage.py db_worker``).

A worker can die mid-render (killed for memory, its server lost) and django-tasks' database
backend then leaves the task's row "running" for ever, and the document with it. So a
document asked for more than ``PDF_RENDER_TIMEOUT`` ago and still not produced counts as
failed (its page offers to try again), and ``release_lost`` marks such documents, and task
rows running that long, failed: every render does so first, and ``manage.py
release_lost_tasks`` can be run from cron. Trying again moves the document's
``requested_at`` on; a render started for the old request that does finish after all finds
the document no longer its own, and stores nothing.
"""

import logging
from io import BytesIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task
from django_tasks_db.models import DBTaskResult
from pypdf import PdfReader

from config.pdf import RenderError
from monitoring.inspection_report import render_report
from monitoring.models import Document, render_cutoff
from monitoring.scorecard_pack import render_scorecard
from planning.access import HIDING, hidden_plans
from planning.plan_document import render_plan

logger = logging.getLogger(__name__)

# the messages a reader sees on the document's page, written in the document's language
FAILED_MESSAGE = gettext_lazy(
    "The PDF could not be produced. Ask for it again; if it fails again, tell the "
    "system administrator that document %(pk)s failed."
)
FAILED_BECAUSE_MESSAGE = gettext_lazy(
    "The PDF could not be produced: %(reason)s. Ask for it again; if it fails again, tell the "
    "system administrator that document %(pk)s failed."
)
TIMED_OUT_MESSAGE = gettext_lazy(
    "The PDF was still not produced after %(minutes)s minutes, so it was given up: the worker producing it "
    "has probably stopped. Ask for it again; if it happens again, tell the system administrator that "
    "document %(pk)s took too long."
)


class TaskLost(Exception):
    """Recorded on a task row still running ``PDF_RENDER_TIMEOUT`` after it started."""


class _Superseded(Exception):
    """The document was asked for again while this render ran (it had timed out)."""


CHANGED_MESSAGE = gettext_lazy("the plan changed while its PDF was waiting to be produced")


def _still_current(document: Document) -> bool:
    """A live plan's document shows the plan as it was when asked for (its key names that
    moment, and which linked plans its readers may not see). The renderer draws the plan as
    it is; if it has changed since, the PDF would show what the key does not cover (a link
    added meanwhile into a plan its readers may not read), so it is not kept: the next
    request names the new moment. Editions and scorecards are keyed otherwise."""
    if document.kind != Document.Kind.PLAN or document.edition_id is not None:
        return True
    from monitoring.documents import language_key, plan_key  # documents queues this task: imported when used

    now = language_key(document.language) + plan_key(document.plan, None)
    return document.key == now or document.key.startswith(now + HIDING)


def timeout_minutes() -> int:
    return max(1, settings.PDF_RENDER_TIMEOUT // 60)


def _pending_task(document_pk: int) -> bool:
    """Is a render task for the document still waiting in the queue or running?"""
    return DBTaskResult.objects.filter(
        task_path=render_document.module_path, status__in=["READY", "RUNNING"], args_kwargs__args__0=document_pk
    ).exists()


def is_lost(document: Document) -> bool:
    """Will nothing ever produce this document? Being produced for longer than
    ``PDF_RENDER_TIMEOUT`` (its worker was killed), or waiting that long with no task left
    in the queue to take it (its worker died before claiming it, or queueing failed). A
    document waiting its turn behind others is not lost, however long the queue."""
    if document.stalled:
        return True
    return (
        document.status == Document.Status.QUEUED
        and document.requested_at < render_cutoff()
        and not _pending_task(document.pk)
    )


def release_lost() -> tuple[int, int]:
    """Mark failed every document that is lost (``is_lost``) and every render task row still
    running ``PDF_RENDER_TIMEOUT`` after it started (its worker died: nothing else would ever
    finish it). Returns how many of each."""
    cutoff = render_cutoff()
    rows = DBTaskResult.objects.running().filter(task_path=render_document.module_path, started_at__lt=cutoff)
    tasks = 0
    for row in rows:
        row.set_failed(TaskLost(f"Still running {timeout_minutes()} minutes after it started (took too long): its "
                                "worker is taken to have died."))  # fmt: skip
        tasks += 1
    candidates = Document.objects.filter(
        Q(status=Document.Status.RUNNING) | Q(status=Document.Status.QUEUED, requested_at__lt=cutoff)
    )
    documents = 0
    for document in candidates:
        if not is_lost(document):
            continue
        pk, status, requested_at = document.pk, document.status, document.requested_at
        with translation.override(document.language):
            error = TIMED_OUT_MESSAGE % {"minutes": timeout_minutes(), "pk": pk}
        documents += Document.objects.filter(pk=pk, status=status, requested_at=requested_at).update(
            status=Document.Status.FAILED,
            error=error,
            finished_at=timezone.now(),
        )
    if documents or tasks:
        logger.warning("Released %s PDF document(s) and %s task row(s) that took too long", documents, tasks)
    return documents, tasks


@task()
def render_document(document_id: int) -> str:
    """Render a queued document, store its PDF and mark it ready; or mark it failed with a
    message fit to show the reader (the traceback goes to the log only). A document that
    is not queued (already rendered, or being rendered by another worker) is left alone,
    so enqueueing twice renders once. Lost documents and task rows are released first."""
    release_lost()
    claimed = Document.objects.filter(pk=document_id, status=Document.Status.QUEUED).update(
        status=Document.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    document = Document.objects.select_related(
        "plan__organisation", "plan__owner", "edition", "period", "inspection__organisation"
    ).get(pk=document_id)
    mine = Document.objects.filter(pk=document.pk, status=Document.Status.RUNNING, requested_at=document.requested_at)
    with translation.override(document.language):  # no request here: the PDF is in its reader's language
        return _produce(document, mine)


def _produce(document: Document, mine) -> str:
    try:
        content = _render(document)
        if not _still_current(document):
            raise RenderError(str(CHANGED_MESSAGE))
        pages = len(PdfReader(BytesIO(content)).pages)
        document.file.save(download_name(document), ContentFile(content), save=False)
        document.status = Document.Status.READY
        document.pages = pages
        document.error = ""
        document.finished_at = timezone.now()
        # inside the try: a row that cannot be marked ready must not leave its file behind
        with transaction.atomic():
            if not mine.select_for_update().exists():
                raise _Superseded
            document.save(update_fields=["file", "status", "pages", "error", "finished_at"])
    except _Superseded:
        document.file.delete(save=False)
        return "superseded"
    except Exception as error:
        logger.exception("PDF document %s (%s) failed", document.pk, document.key)
        if document.file:
            document.file.delete(save=False)
        if isinstance(error, RenderError):
            message = FAILED_BECAUSE_MESSAGE % {"reason": error, "pk": document.pk}
        else:
            message = FAILED_MESSAGE % {"pk": document.pk}
        mine.update(
            status=Document.Status.FAILED,
            file="",
            pages=None,
            error=message,
            finished_at=timezone.now(),
        )
        return "failed"
    return "ready"


def _render(document: Document) -> bytes:
    if document.kind == Document.Kind.PLAN:
        return render_plan(document.plan, document.edition, hidden_plans(document.key))
    if document.period is None:
        raise RenderError(_("no quarter was given for the scorecard"))
    if document.kind == Document.Kind.INSPECTION:
        return render_report(document.inspection, document.period, hidden_plans(document.key))
    from monitoring.documents import with_questions  # documents queues this task: imported when used

    return render_scorecard(
        document.plan,
        document.period,
        document.include_children,
        hidden_plans(document.key),
        questions=with_questions(document),
    )


def download_name(document: Document) -> str:
    """How the stored file (and the download) is named: sip-approved-by-cabinet.pdf,
    sip-2013-q2-scorecard.pdf."""
    if document.kind == Document.Kind.PLAN:
        what = slugify(document.edition.name)[:60] if document.edition else "current"
        return f"{document.plan.slug}-{what}.pdf"
    if document.kind == Document.Kind.INSPECTION:
        return f"inspection-{document.inspection_id}-{document.period.slug}-progress-report.pdf"
    children = "-with-plans-beneath" if document.include_children else ""
    return f"{document.plan.slug}-{document.period.slug}-scorecard{children}.pdf"
