"""Background tasks (django-tasks; the database backend in the app, run by
``manage.py db_worker``)."""

import logging
from io import BytesIO

from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.text import slugify
from django_tasks import task
from pypdf import PdfReader

from monitoring import pdf
from monitoring.models import Document

logger = logging.getLogger(__name__)

FAILED_MESSAGE = (
    "The PDF could not be produced{reason}. Ask for it again; if it fails again, tell the "
    "system administrator that document {pk} failed."
)


@task()
def render_document(document_id: int) -> str:
    """Render a queued document, store its PDF and mark it ready; or mark it failed with a
    message fit to show the reader (the traceback goes to the log only). A document that
    is not queued (already rendered, or being rendered by another worker) is left alone,
    so enqueueing twice renders once."""
    claimed = Document.objects.filter(pk=document_id, status=Document.Status.QUEUED).update(
        status=Document.Status.RUNNING
    )
    if not claimed:
        return "skipped"
    document = Document.objects.select_related("plan__organisation", "plan__owner", "edition", "period").get(
        pk=document_id
    )
    try:
        content = _render(document)
        pages = len(PdfReader(BytesIO(content)).pages)
        document.file.save(download_name(document), ContentFile(content), save=False)
        document.status = Document.Status.READY
        document.pages = pages
        document.error = ""
        document.finished_at = timezone.now()
        # inside the try: a row that cannot be marked ready must not leave its file behind
        document.save(update_fields=["file", "status", "pages", "error", "finished_at"])
    except Exception as error:
        logger.exception("PDF document %s (%s) failed", document.pk, document.key)
        if document.file:
            document.file.delete(save=False)
        reason = f": {error}" if isinstance(error, pdf.RenderError) else ""
        Document.objects.filter(pk=document.pk).update(
            status=Document.Status.FAILED,
            file="",
            pages=None,
            error=FAILED_MESSAGE.format(reason=reason, pk=document.pk),
            finished_at=timezone.now(),
        )
        return "failed"
    return "ready"


def _render(document: Document) -> bytes:
    if document.kind == Document.Kind.PLAN:
        return pdf.render_plan(document.plan, document.edition, pdf.hidden_plans(document.key))
    if document.period is None:
        raise pdf.RenderError("no quarter was given for the scorecard")
    return pdf.render_scorecard(document.plan, document.period, document.include_children)


def download_name(document: Document) -> str:
    """How the stored file (and the download) is named: sip-approved-by-cabinet.pdf,
    sip-2013-q2-scorecard.pdf."""
    if document.kind == Document.Kind.PLAN:
        what = slugify(document.edition.name)[:60] if document.edition else "current"
        return f"{document.plan.slug}-{what}.pdf"
    children = "-with-plans-beneath" if document.include_children else ""
    return f"{document.plan.slug}-{document.period.slug}-scorecard{children}.pdf"
