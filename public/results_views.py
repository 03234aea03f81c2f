"""A published plan's results for anyone, without signing in (issue 16): its scorecards for
locked quarters as reported to members, the PDFs of its editions and of those quarters,
and its accepted returns as CSV and JSON.

The pages are ``public_page``s (cacheable, conditional, cookie-free). The PDFs are not:
they are produced by the worker (``monitoring.tasks``) and kept by key, so a reader either
gets the file at once or a page saying it is being prepared (never stored by a cache),
whose "Check now" link is the same address and brings the file once it is ready. Asking
queues the PDF once, however many readers ask (``monitoring.documents``: one row per key).
"""

import json

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.spreadsheets import csv_response
from config.storage import open_stored
from monitoring import documents, scorecard_folds, scorecards
from monitoring.models import Document
from monitoring.tasks import download_name
from public import results
from public.access import get_public_plan
from public.caching import public_page

REFRESH_SECONDS = 3
DOWNLOADS = {"csv", "json"}


@require_safe
@public_page
def scorecard_list(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's results: its reported quarters, its editions' PDFs and its open data."""
    plan = get_public_plan(slug)
    return render(
        request,
        "public/results/scorecards.html",
        {"plan": plan, "quarters": results.locked_quarters(plan), "editions": list(plan.editions.all())},
    )


@require_safe
@public_page
def scorecard(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """A locked quarter's scorecard exactly as it was reported to members."""
    plan = get_public_plan(slug)
    quarter = results.locked_quarter(plan, period)
    card = results.public_scorecard(plan, quarter)
    folds = {name: scorecard_folds.fold(card, name, request.GET.get(name, "")) for name in scorecard_folds.TABLES}
    others = [other for other in results.locked_quarters(plan) if other.pk != quarter.pk]
    return render(
        request,
        "public/results/scorecard.html",
        {
            "plan": plan,
            "period": quarter,
            "card": card,
            "chart": scorecards.chart(card["trend"]),
            "folds": folds,
            "query": "?",
            "other_periods": others,
        },
    )


@require_safe
def scorecard_pdf(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """The scorecard pack of a locked quarter: the same document members get (it shows the
    stored scorecard, nothing else)."""
    plan = get_public_plan(slug)
    quarter = results.locked_quarter(plan, period)
    document = documents.request_scorecard_pdf(None, plan, quarter, include_children=False)
    return _pdf(request, plan, document, _("%(quarter)s scorecard pack") % {"quarter": quarter.label})


@require_safe
def edition_pdf(request: HttpRequest, slug: str, edition_id: int) -> HttpResponse:
    """The plan document as at one of the plan's editions, with every unpublished plan
    left unnamed."""
    plan = get_public_plan(slug)
    edition = results.public_edition(plan, edition_id)
    document = documents.request_public_plan_pdf(plan, edition)
    return _pdf(request, plan, document, _("Plan document: %(edition)s") % {"edition": edition.name})


def _pdf(request: HttpRequest, plan, document: Document, what: str) -> HttpResponse:
    """The file when it is ready; otherwise the page that says it is being prepared."""
    if document.status == Document.Status.READY and document.file:
        try:
            file = open_stored(document.file)
        except FileNotFoundError:
            file = None  # gone since it was asked for: the next request queues it again
        if file is not None:
            response = FileResponse(
                file, as_attachment=True, filename=download_name(document), content_type="application/pdf"
            )
            if not request.user.is_authenticated:
                patch_cache_control(response, public=True, max_age=settings.PUBLIC_MAX_AGE)
            return response
    if request.GET.get("format") == "json":  # for the page's script, which checks while the reader waits
        response = JsonResponse({"status": document.status, "label": document.get_status_display()})
    else:
        response = render(
            request,
            "public/results/preparing.html",
            {"plan": plan, "what": what, "document": document, "refresh": REFRESH_SECONDS},
        )
    response["Cache-Control"] = "no-store"
    return response


@require_safe
@public_page
def results_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """Every accepted return of the plan in a locked quarter, as CSV or JSON."""
    if fmt not in DOWNLOADS:
        raise Http404(_("No such format"))
    plan = get_public_plan(slug)
    rows = results.accepted_results(plan)
    filename = f"{plan.slug}-results.{fmt}"
    if fmt == "csv":
        headings = [label for _, label in results.RESULT_FIELDS]
        return csv_response(filename, [headings, *([row[key] for key, _ in results.RESULT_FIELDS] for row in rows)])
    body = {
        "plan": {"title": plan.title, "slug": plan.slug, "organisation": plan.organisation.name},
        "results": [{key: results.json_value(value) for key, value in row.items()} for row in rows],
    }
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, indent=1, default=str), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
