"""Self-evaluation of a priority and the equality impact assessment of a plan (issue 18,
decision 0032). Each view parses, fetches through ``planning.access``, calls one service in
``planning.evaluation``, responds. A priority's judgements are read on its own page
(``authoring.item_detail``); this records a new one."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors
from planning import evaluation
from planning.access import can_change, get_item_for_user, get_plan_for_user
from planning.conflicts import EditConflict, conflict_page
from planning.evaluation_forms import EqualityAssessmentForm, SelfEvaluationForm
from planning.models import PlanItem
from planning.views.timetravel import _moment


@login_required
@require_http_methods(["GET", "POST"])
def item_self_evaluation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "change")
    if item.kind != PlanItem.Kind.PRIORITY:
        raise Http404(_("Only a priority is self-evaluated."))
    plan, levels = item.plan, evaluation.levels_in_use()
    form = SelfEvaluationForm(request.POST or None, levels=levels, initial={"year": plan.start_year})
    if request.method == "POST" and form.is_valid():
        try:
            evaluation.self_evaluation_record(item_id=item.pk, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Self-evaluation recorded."))
            return redirect(item.get_absolute_url() + "#self-evaluation")
    return render(
        request,
        "planning/self_evaluation_form.html",
        {"form": form, "plan": plan, "item": item, "framework": evaluation.framework_in_use(), "levels": levels},
    )


@login_required
@require_safe
def plan_equality(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's screening as it stands, or as it stood at an edition or date (``?at=``)."""
    plan = get_plan_for_user(request.user, slug)
    moment = _moment(request, plan, "at") if request.GET.get("at") or request.GET.get("edition") else None
    found = evaluation.assessment_at(plan, moment.when) if moment else evaluation.screening(plan)
    return render(
        request,
        "planning/equality.html",
        {
            "plan": plan,
            "screening": found,
            "moment": moment,
            "required": evaluation.required(plan),
            "can_change": moment is None and can_change(request.user, plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_equality_edit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    found = evaluation.screening(plan)
    done = reverse("planning:plan-equality", args=[plan.slug])
    form = EqualityAssessmentForm(request.POST or None, initial=_initial(found))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            evaluation.equality_assessment_save(
                plan=plan,
                user=request.user,
                impacts=form.impacts(),
                conclusion=data["conclusion"],
                screened_on=data["screened_on"],
                expected_version=data["version"] if found.assessment else None,
                reason=data["reason"],
            )
        except EditConflict as conflict:
            return conflict_page(
                request, stored=conflict.stored, form=form, fields=["conclusion", "screened_on"], cancel_url=done
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Equality impact assessment saved."))
            return redirect(done)
    return render(
        request,
        "planning/equality_form.html",
        {"plan": plan, "form": form, "screening": found, "required": evaluation.required(plan)},
    )


def _initial(found: evaluation.Screening) -> dict:
    assessment = found.assessment
    if assessment is None:
        return {"screened_on": timezone.localdate()}
    initial = {"conclusion": assessment.conclusion, "version": assessment.version}
    initial["screened_on"] = assessment.screened_on or timezone.localdate()
    for line in found.lines:
        initial[f"impact_{line.key}"], initial[f"mitigation_{line.key}"] = line.impact, line.mitigation
    return initial
