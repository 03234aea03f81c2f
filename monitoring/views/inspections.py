"""Inspections, their recommendations, the actions that address them, each quarter's
judgement of progress, and the progress-against-recommendations report (decision 0030).

Who may do what is ``monitoring.inspections``' (its docstring): every view fetches through
``get_inspection_for_user`` or ``get_recommendation_for_user``, so what a person may not
read is 404 and what they may read but not change is 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from monitoring import documents
from monitoring import inspection_report as reports
from monitoring import inspections as service
from monitoring.inspection_forms import (
    ActionLinkForm,
    InspectionForm,
    JudgementForm,
    ProgressForm,
    RecommendationForm,
)
from monitoring.models import Inspection, Recommendation, RecommendationAction, RecommendationProgress
from monitoring.views.documents import _after_request
from planning.access import plans_for
from planning.conflicts import EditConflict, conflict_page


def _saved(request: HttpRequest, form, save, *, fields: list[str], cancel_url: str, done) -> HttpResponse | None:
    """Run ``save`` (one service call). Saved: ``done(row)`` gives the message and where to
    go next. A stale version: the conflict page. Refused: None, with the reasons beside the
    fields, for the form to be shown again."""
    try:
        row = save()
    except EditConflict as conflict:
        return conflict_page(request, stored=conflict.stored, form=form, fields=fields, cancel_url=cancel_url)
    except ValidationError as error:
        add_service_errors(form, error)
        return None
    message, to = done(row)
    messages.success(request, message)
    return redirect(to)


# --- inspections -------------------------------------------------------------------------------


@login_required
@require_safe
def inspection_list(request: HttpRequest) -> HttpResponse:
    inspections = service.inspections_for(request.user).annotate(count=Count("recommendations"))
    return render(
        request,
        "monitoring/inspections/inspection_list.html",
        {"inspections": inspections, "may_record": service.may_record_inspections(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_create(request: HttpRequest) -> HttpResponse:
    if not service.may_record_inspections(request.user):
        raise PermissionDenied
    form = InspectionForm(
        request.POST if request.method == "POST" else None,
        initial={"owner": request.user.pk, "organisation": request.user.organisation_id},
    )
    if request.method == "POST" and form.is_valid():
        response = _saved(
            request,
            form,
            lambda: service.inspection_save(
                inspection=Inspection(), user=request.user, fields=form.inspection_fields()
            ),
            fields=service.INSPECTION_FIELDS,
            cancel_url=reverse("monitoring:inspection-list"),
            done=lambda row: (_("Inspection “%(title)s” recorded.") % {"title": row.title}, row),
        )
        if response is not None:
            return response
    return render(request, "monitoring/inspections/inspection_form.html", {"form": form, "inspection": None})


@login_required
@require_safe
def inspection_detail(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id)
    recommendations = list(
        inspection.recommendations.select_related("lead").prefetch_related(
            Prefetch("progress", RecommendationProgress.objects.select_related("period").order_by("period__starts_on"))
        )
    )
    for recommendation in recommendations:
        judged = list(recommendation.progress.all())
        recommendation.latest = judged[-1] if judged else None
    return render(
        request,
        "monitoring/inspections/inspection_detail.html",
        {
            "inspection": inspection,
            "judgements": list(inspection.judgements.all()),
            "recommendations": recommendations,
            "quarters": service.quarters_since(inspection),
            "can_change": service.can_change_inspection(request.user, inspection),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def inspection_edit(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id, "change")
    initial = {name: getattr(inspection, name) for name in service.INSPECTION_FIELDS}
    initial |= {"organisation": inspection.organisation_id, "owner": inspection.owner_id, "version": inspection.version}
    form = InspectionForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _saved(
            request,
            form,
            lambda: service.inspection_save(
                inspection=inspection,
                user=request.user,
                fields=form.inspection_fields(),
                expected_version=form.cleaned_data["version"] or 0,
            ),
            fields=service.INSPECTION_FIELDS,
            cancel_url=inspection.get_absolute_url(),
            done=lambda row: (_("Inspection “%(title)s” saved.") % {"title": row.title}, row),
        )
        if response is not None:
            return response
    return render(request, "monitoring/inspections/inspection_form.html", {"form": form, "inspection": inspection})


@login_required
@require_http_methods(["GET", "POST"])
def inspection_judgements(request: HttpRequest, inspection_id: int) -> HttpResponse:
    """The inspectorate's judgements on its key questions: listed, added one at a time."""
    inspection = service.get_inspection_for_user(request.user, inspection_id, "change")
    form = JudgementForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            service.judgement_add(inspection=inspection, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Judgement added."))
            return redirect("monitoring:inspection-judgements", inspection_id=inspection.pk)
    return render(
        request,
        "monitoring/inspections/judgements.html",
        {"inspection": inspection, "judgements": list(inspection.judgements.all()), "form": form},
    )


@login_required
@require_POST
def judgement_remove(request: HttpRequest, inspection_id: int, judgement_id: int) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id, "change")
    service.judgement_remove(inspection=inspection, user=request.user, judgement_id=judgement_id)
    messages.success(request, _("Judgement removed."))
    return redirect("monitoring:inspection-judgements", inspection_id=inspection.pk)


# --- recommendations ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_create(request: HttpRequest, inspection_id: int) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id, "change")
    following = (inspection.recommendations.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    form = RecommendationForm(request.POST if request.method == "POST" else None, initial={"number": following})
    if request.method == "POST" and form.is_valid():
        response = _saved(
            request,
            form,
            lambda: service.recommendation_save(
                recommendation=Recommendation(inspection=inspection),
                user=request.user,
                fields=form.recommendation_fields(),
            ),
            fields=service.RECOMMENDATION_FIELDS,
            cancel_url=inspection.get_absolute_url(),
            done=lambda row: (_("%(recommendation)s added.") % {"recommendation": row}, row),
        )
        if response is not None:
            return response
    return render(
        request,
        "monitoring/inspections/recommendation_form.html",
        {"form": form, "inspection": inspection, "recommendation": None},
    )


@login_required
@require_safe
def recommendation_detail(request: HttpRequest, inspection_id: int, recommendation_id: int) -> HttpResponse:
    recommendation = service.get_recommendation_for_user(request.user, inspection_id, recommendation_id)
    inspection = recommendation.inspection
    links = list(
        recommendation.action_links.select_related(
            "item__plan", "item__lead_officer", "item__lead_organisation"
        ).order_by("item__plan__title", "item__tree_id", "item__lft")
    )
    hidden = service.hidden_from(request.user, {link.item.plan_id for link in links})
    judged = {
        row.period_id: row
        for row in recommendation.progress.select_related("period", "recorded_by").order_by("period__starts_on")
    }
    quarters = service.quarters_since(inspection)
    may_record = service.can_record_progress(request.user, recommendation)
    earlier = (
        RecommendationProgress.history.filter(recommendation_id=recommendation.pk)
        .select_related("period", "history_user")
        .order_by("-history_date", "-history_id")
    )
    return render(
        request,
        "monitoring/inspections/recommendation_detail.html",
        {
            "inspection": inspection,
            "recommendation": recommendation,
            "links": [link for link in links if link.item.plan_id not in hidden],
            "hidden": sum(1 for link in links if link.item.plan_id in hidden),
            "rows": [{"period": quarter, "progress": judged.get(quarter.pk)} for quarter in quarters],
            "history": list(earlier),
            "can_change": service.can_change_inspection(request.user, inspection),
            "may_record": may_record,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_edit(request: HttpRequest, inspection_id: int, recommendation_id: int) -> HttpResponse:
    recommendation = service.get_recommendation_for_user(request.user, inspection_id, recommendation_id, "change")
    initial = {name: getattr(recommendation, name) for name in service.RECOMMENDATION_FIELDS}
    initial |= {"lead": recommendation.lead_id, "version": recommendation.version}
    form = RecommendationForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        response = _saved(
            request,
            form,
            lambda: service.recommendation_save(
                recommendation=recommendation,
                user=request.user,
                fields=form.recommendation_fields(),
                expected_version=form.cleaned_data["version"] or 0,
            ),
            fields=service.RECOMMENDATION_FIELDS,
            cancel_url=recommendation.get_absolute_url(),
            done=lambda row: (_("%(recommendation)s saved.") % {"recommendation": row}, row),
        )
        if response is not None:
            return response
    return render(
        request,
        "monitoring/inspections/recommendation_form.html",
        {"form": form, "inspection": recommendation.inspection, "recommendation": recommendation},
    )


@login_required
@require_http_methods(["GET", "POST"])
def recommendation_actions(request: HttpRequest, inspection_id: int, recommendation_id: int) -> HttpResponse:
    """Link an action of any plan to the recommendation: choose the plan (``?plan=<slug>``),
    then one of its actions."""
    recommendation = service.get_recommendation_for_user(request.user, inspection_id, recommendation_id, "progress")
    readable = plans_for(request.user).select_related(None).order_by("title")
    slug = request.GET.get("plan") or request.POST.get("plan") or ""
    plan = readable.filter(slug=slug).first() if slug else None
    if slug and plan is None:
        raise Http404(_("No such plan"))
    form = None
    if plan is not None:
        linked = recommendation.action_links.values("item_id")
        form = ActionLinkForm(
            request.POST if request.method == "POST" else None,
            actions=list(service.linkable_actions(plan).exclude(pk__in=linked).only("pk", "title", "title_cy")),
        )
        if request.method == "POST" and form.is_valid():
            try:
                service.recommendation_action_add(
                    recommendation=recommendation, user=request.user, item_id=form.cleaned_data["item"]
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Action linked to %(recommendation)s.") % {"recommendation": recommendation}
                )
                return redirect(recommendation)
    elif request.method == "POST":
        return redirect(
            "monitoring:recommendation-actions", inspection_id=inspection_id, recommendation_id=recommendation_id
        )
    return render(
        request,
        "monitoring/inspections/recommendation_actions.html",
        {
            "inspection": recommendation.inspection,
            "recommendation": recommendation,
            "plans": list(readable.only("pk", "title", "title_cy", "slug")),
            "plan": plan,
            "form": form,
        },
    )


@login_required
@require_POST
def recommendation_action_remove(
    request: HttpRequest, inspection_id: int, recommendation_id: int, link_id: int
) -> HttpResponse:
    recommendation = service.get_recommendation_for_user(request.user, inspection_id, recommendation_id, "progress")
    link = RecommendationAction.objects.filter(pk=link_id, recommendation=recommendation).select_related("item").first()
    if link is None or link.item.plan_id in service.hidden_from(request.user, {link.item.plan_id}):
        raise Http404(_("No such linked action"))
    service.recommendation_action_remove(recommendation=recommendation, user=request.user, link_id=link.pk)
    messages.success(request, _("Action unlinked from %(recommendation)s.") % {"recommendation": recommendation})
    return redirect(recommendation)


# --- progress each quarter ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def progress_record(request: HttpRequest, inspection_id: int, recommendation_id: int, period: str) -> HttpResponse:
    recommendation = service.get_recommendation_for_user(request.user, inspection_id, recommendation_id, "progress")
    quarter = service.get_quarter(period)
    stored = recommendation.progress.filter(period=quarter).first()
    initial = {"version": stored.version if stored else 0}
    if stored is not None:
        initial |= {name: getattr(stored, name) for name in service.PROGRESS_FIELDS}
    form = ProgressForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and not quarter.is_locked and form.is_valid():
        response = _saved(
            request,
            form,
            lambda: service.progress_record(
                recommendation=recommendation,
                period=quarter,
                user=request.user,
                fields=form.progress_fields(),
                expected_version=form.cleaned_data["version"] or 0,
                reason=form.cleaned_data["reason"],
            ),
            fields=service.PROGRESS_FIELDS,
            cancel_url=recommendation.get_absolute_url(),
            done=lambda row: (
                _("Progress against %(recommendation)s recorded for %(period)s.")
                % {"recommendation": recommendation, "period": quarter.label},
                recommendation,
            ),
        )
        if response is not None:
            return response
    return render(
        request,
        "monitoring/inspections/progress_form.html",
        {
            "inspection": recommendation.inspection,
            "recommendation": recommendation,
            "period": quarter,
            "stored": stored,
            "form": form,
        },
    )


# --- the report --------------------------------------------------------------------------------


@login_required
@require_safe
def inspection_report(request: HttpRequest, inspection_id: int, period: str) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id)
    quarter = service.get_quarter(period)
    data = reports.build(inspection, quarter)
    data = reports.view(data, service.hidden_from(request.user, reports.plan_ids(data)))
    return render(
        request,
        "monitoring/inspections/report.html",
        {
            "inspection": inspection,
            "period": quarter,
            "report": data,
            "quarters": service.quarters_since(inspection),
        },
    )


@login_required
@require_safe
def inspection_report_pdf(request: HttpRequest, inspection_id: int, period: str) -> HttpResponse:
    inspection = service.get_inspection_for_user(request.user, inspection_id)
    quarter = service.get_quarter(period)
    return _after_request(documents.request_inspection_pdf(request.user, inspection, quarter))
