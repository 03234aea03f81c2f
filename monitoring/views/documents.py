"""PDFs: asked for, produced in the background, then served from storage.

Asking (``plan-pdf``, ``scorecard-pdf``) is a GET: it names a rendering of data the
reader may already see, and asking twice gives the same document. The reader goes on to
the document's page, which says how it is getting on and refreshes itself until the PDF
is ready (no JavaScript needed), then offers it for download; if it has not come in
``PDF_RENDER_TIMEOUT`` (its worker was killed), the page says it took too long and offers
to try again. Who may see a document is worked out again on every request from its plan,
as for the plan's own pages.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.forms import parse_id
from config.storage import open_stored
from monitoring import documents
from monitoring.access import get_monitored_plan, get_period
from monitoring.inspections import get_inspection_for_user
from monitoring.models import Document
from monitoring.tasks import download_name, is_lost, timeout_minutes
from partners.models import User
from planning.access import get_plan_for_user

REFRESH_SECONDS = 3


@login_required
@require_safe
def plan_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan document: the plan now, or as at ``?edition=<id>``."""
    plan = get_plan_for_user(request.user, slug)
    edition = None
    if raw := request.GET.get("edition"):
        edition = plan.editions.filter(pk=pk).first() if (pk := parse_id(raw)) is not None else None
        if edition is None:
            raise Http404(_("No such edition"))
    return _after_request(documents.request_plan_pdf(request.user, plan, edition))


@login_required
@require_safe
def scorecard_pdf(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The quarterly scorecard pack; ``?children=1`` rolls up the plans beneath."""
    plan = get_monitored_plan(request.user, slug)
    the_period = get_period(period)
    if not the_period.covers_plan(plan):
        raise Http404(_("The plan does not run in this quarter"))
    include_children = request.GET.get("children") == "1"
    return _after_request(documents.request_scorecard_pdf(request.user, plan, the_period, include_children))


def _after_request(document: Document) -> HttpResponse:
    if document.status == Document.Status.READY:
        return redirect("monitoring:document-download", document_id=document.pk)
    return redirect("monitoring:document-status", document_id=document.pk)


def _readable_document(user: User, document_id: int) -> Document:
    """The document, if ``user`` may read what it shows (404 otherwise): a plan document
    with the plan, a scorecard pack with the plan's scorecards."""
    document = get_object_or_404(
        Document.objects.select_related("plan", "edition", "period", "requested_by", "inspection"), pk=document_id
    )
    if document.kind == Document.Kind.INSPECTION:
        get_inspection_for_user(user, document.inspection_id)
    elif document.kind == Document.Kind.SCORECARD:
        get_monitored_plan(user, document.plan.slug)
    else:
        get_plan_for_user(user, document.plan.slug)
    return document


@login_required
@require_safe
def document_status(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_document(request.user, document_id)
    timed_out = is_lost(document)  # its worker was killed, or its task is gone: offer to try again
    waiting = document.status in {Document.Status.QUEUED, Document.Status.RUNNING} and not timed_out
    if request.GET.get("format") == "json":
        # for the page's script, which checks while the reader waits (no timed refresh:
        # WCAG 2.2.1 — the page never reloads itself)
        state = ("failed", _("Took too long")) if timed_out else (document.status, document.get_status_display())
        response = JsonResponse(dict(zip(("status", "label"), state, strict=True)))
        response["Cache-Control"] = "no-store"
        return response
    response = render(
        request,
        "monitoring/document_status.html",
        {
            "document": document,
            "plan": document.plan,
            "title": document.subject_title,
            "waiting": waiting,
            "timed_out": timed_out,
            "timeout_minutes": timeout_minutes(),
            "refresh": REFRESH_SECONDS,
            "ahead": documents.queued_ahead(document),
            "waited": int((timezone.now() - document.requested_at).total_seconds()),
            "again_url": _again_url(document),
            "back_url": _back_url(document),
        },
    )
    if waiting:
        response["Cache-Control"] = "no-store"
    return response


@login_required
@require_safe
def document_download(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _readable_document(request.user, document_id)
    if document.status != Document.Status.READY or not document.file:
        return redirect("monitoring:document-status", document_id=document.pk)
    try:
        file = open_stored(document.file)
    except FileNotFoundError:
        return redirect(_again_url(document))  # gone from storage: asking again produces it anew
    return FileResponse(file, as_attachment=True, filename=download_name(document), content_type="application/pdf")


def _again_url(document: Document) -> str:
    """Where asking for the same PDF again goes (a failed one is then queued again)."""
    if document.kind == Document.Kind.INSPECTION:
        return reverse("monitoring:inspection-report-pdf", args=[document.inspection_id, document.period.slug])
    if document.kind == Document.Kind.PLAN:
        url = reverse("monitoring:plan-pdf", args=[document.plan.slug])
        return f"{url}?edition={document.edition_id}" if document.edition_id else url
    url = reverse("monitoring:scorecard-pdf", args=[document.plan.slug, document.period.slug])
    return f"{url}?children=1" if document.include_children else url


def _back_url(document: Document) -> str:
    if document.kind == Document.Kind.INSPECTION:
        return reverse("monitoring:inspection-report", args=[document.inspection_id, document.period.slug])
    if document.kind == Document.Kind.PLAN:
        if document.edition_id:
            return reverse("planning:plan-editions", args=[document.plan.slug])
        return document.plan.get_absolute_url()
    url = reverse("monitoring:scorecard", args=[document.plan.slug, document.period.slug])
    return f"{url}?children=1" if document.include_children else url
