"""The risk register of a plan: the risks with their heat map, one risk with its score
history, and the forms to add, change and review a risk.

Who: everyone who may read the plan reads its risks; everyone who may change the plan
adds, changes and reviews them, whatever the plan's status (risks are written while a
plan is drafted as well as while it is delivered).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors, parse_id
from monitoring import risks as register
from monitoring.forms import RiskEditForm, RiskForm, RiskReviewForm
from monitoring.models import ReportingPeriod, Risk, RiskReview
from planning import selectors
from planning.access import can, get_plan_for_user
from planning.conflicts import EditConflict, conflict_page
from planning.models import Plan

STATUS_FILTERS = {"open": Risk.Status.OPEN, "closed": Risk.Status.CLOSED, "all": None}
STATUS_CHOICES = [
    ("open", gettext_lazy("Open risks")),
    ("closed", gettext_lazy("Closed risks")),
    ("all", gettext_lazy("All risks")),
]


# --- helpers ---------------------------------------------------------------------------------


def _risk(plan: Plan, risk_id: int) -> Risk:
    risk = Risk.objects.select_related("owner__organisation", "item").filter(pk=risk_id, plan=plan).first()
    if risk is None:
        raise Http404(_("No such risk in this plan"))
    return risk


def _score_from_query(request: HttpRequest, name: str) -> int | None:
    score = parse_id(request.GET.get(name))
    return score if score in register.SCORES else None


def _item_refs(plan: Plan) -> dict[int, str]:
    return selectors.plan_references([plan.pk])


def _cell_url(status: str, cell: register.Cell) -> str:
    return f"?status={status}&likelihood={cell.likelihood}&impact={cell.impact}#risks"


def _drawing(grid: register.HeatMap, status: str, chosen: register.Cell | None) -> dict:
    return register.drawing(grid, lambda cell: _cell_url(status, cell), chosen)


def _for_register(plan: Plan, risks: list[Risk]) -> list[Risk]:
    """Give each risk its band, its latest review (from the prefetched reviews) and how
    its item is referred to ("Action 1.2")."""
    refs = _item_refs(plan) if any(risk.item_id for risk in risks) else {}
    for risk in risks:
        risk.item_heading = (
            f"{plan.label_for(risk.item.kind)} {refs.get(risk.item_id, '')}".strip() if risk.item else ""
        )
        reviews = list(risk.reviews.all())
        risk.last_review = reviews[-1] if reviews else None
        risk.band = register.band_for(risk.score)
    return risks


# --- views -----------------------------------------------------------------------------------


@login_required
@require_safe
def risk_register(request: HttpRequest, slug: str) -> HttpResponse:
    """The plan's risks, highest score first, beside a heat map of them (open ones by
    default); ``?likelihood=&impact=`` narrows the list to one cell of the map."""
    plan = get_plan_for_user(request.user, slug)
    status = request.GET.get("status", "open")
    if status not in STATUS_FILTERS:
        status = "open"
    likelihood, impact = _score_from_query(request, "likelihood"), _score_from_query(request, "impact")
    cell = (likelihood, impact) if likelihood and impact else None
    risks = _for_register(
        plan,
        list(
            register.plan_risks(plan, STATUS_FILTERS[status]).prefetch_related(
                Prefetch("reviews", RiskReview.objects.select_related("period"))
            )
        ),
    )
    grid = register.heat_map(risks)
    shown = [risk for risk in risks if cell is None or (risk.likelihood, risk.impact) == cell]
    chosen = grid.cell(*cell) if cell else None
    for row in grid.rows:
        for each in row:
            each.url = _cell_url(status, each)
    return render(
        request,
        "monitoring/risk_register.html",
        {
            "plan": plan,
            "risks": shown,
            "grid": grid,
            "drawing": _drawing(grid, status, chosen),
            "bands": grid.band_counts(),
            "status": status,
            "status_choices": STATUS_CHOICES,
            "status_label": dict(STATUS_CHOICES)[status],
            "cell": chosen,
            "can_change": can(request.user, "change", plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_create(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    initial = {}
    if (item_id := parse_id(request.GET.get("item"))) is not None:
        initial["item"] = item_id
    form = RiskForm(request.POST if request.method == "POST" else None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            risk = register.risk_create(plan=plan, user=request.user, fields=form.risk_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk “%(risk)s” added.") % {"risk": risk.title})
            return redirect("monitoring:risk-detail", slug=plan.slug, risk_id=risk.pk)
    return render(request, "monitoring/risk_form.html", {"plan": plan, "form": form, "risk": None})


@login_required
@require_safe
def risk_detail(request: HttpRequest, slug: str, risk_id: int) -> HttpResponse:
    """One risk: what it is, its scores now and by quarter, and every change to it."""
    plan = get_plan_for_user(request.user, slug)
    risk = _risk(plan, risk_id)
    reviews = list(risk.reviews.select_related("period", "reviewed_by"))
    return render(
        request,
        "monitoring/risk_detail.html",
        {
            "plan": plan,
            "risk": risk,
            "band": register.band_for(risk.score),
            "target_band": register.band_for(risk.target_score) if risk.target_score else None,
            "reviews": [(review, register.band_for(review.score)) for review in reviews],
            "entries": register.risk_history(risk),
            "reference": _item_refs(plan).get(risk.item_id, "") if risk.item_id else "",
            "item_label": plan.label_for(risk.item.kind) if risk.item_id else "",
            "likelihood_label": register.LIKELIHOOD_LABELS[risk.likelihood],
            "impact_label": register.IMPACT_LABELS[risk.impact],
            "target_likelihood_label": register.LIKELIHOOD_LABELS.get(risk.target_likelihood, ""),
            "target_impact_label": register.IMPACT_LABELS.get(risk.target_impact, ""),
            "can_change": can(request.user, "change", plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def risk_edit(request: HttpRequest, slug: str, risk_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    risk = _risk(plan, risk_id)
    initial = {name: getattr(risk, name) for name in register.RISK_FIELDS} | {"version": risk.version}
    form = RiskEditForm(request.POST if request.method == "POST" else None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            risk = register.risk_update(
                risk_id=risk.pk,
                user=request.user,
                fields=form.risk_fields(),
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as conflict:
            return _conflict(request, plan, conflict.stored, form)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Risk “%(risk)s” saved.") % {"risk": risk.title})
            return redirect("monitoring:risk-detail", slug=plan.slug, risk_id=risk.pk)
    return render(request, "monitoring/risk_form.html", {"plan": plan, "form": form, "risk": risk})


def _conflict(request: HttpRequest, plan: Plan, stored: Risk, form: RiskEditForm) -> HttpResponse:
    """The 409 page: what is saved now beside what the editor typed."""
    return conflict_page(
        request,
        stored=_risk(plan, stored.pk),
        form=form,
        fields=register.RISK_FIELDS,
        cancel_url=reverse("monitoring:risk-edit", args=[plan.slug, stored.pk]),
        empty={"item": _("The plan as a whole")},
    )


def _initial_period(periods: list[ReportingPeriod]) -> ReportingPeriod | None:
    """The quarter under way, or the latest one begun, or the first on offer."""
    today = timezone.localdate()
    begun = [period for period in periods if period.starts_on <= today]
    return begun[-1] if begun else (periods[0] if periods else None)


@login_required
@require_http_methods(["GET", "POST"])
def risk_review(request: HttpRequest, slug: str, risk_id: int) -> HttpResponse:
    """Review a risk's scores for one quarter that is not locked."""
    plan = get_plan_for_user(request.user, slug, "change")
    risk = _risk(plan, risk_id)
    periods = list(register.open_periods(plan))
    initial = {"likelihood": risk.likelihood, "impact": risk.impact, "period": _initial_period(periods)}
    form = RiskReviewForm(request.POST if request.method == "POST" else None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = register.risk_review(
                risk_id=risk.pk,
                period=data["period"],
                user=request.user,
                likelihood=data["likelihood"],
                impact=data["impact"],
                note=data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            band = register.band_for(review.score)
            messages.success(
                request,
                _(
                    "Review for %(period)s saved: likelihood %(likelihood)s, impact %(impact)s, score %(score)s (%(band)s)."
                )
                % {
                    "period": review.period.label,
                    "likelihood": review.likelihood,
                    "impact": review.impact,
                    "score": review.score,
                    "band": str(band.label).lower(),
                },
            )
            return redirect("monitoring:risk-detail", slug=plan.slug, risk_id=risk.pk)
    return render(
        request,
        "monitoring/risk_review.html",
        {
            "plan": plan,
            "risk": risk,
            "band": register.band_for(risk.score),
            "form": form,
            "has_periods": bool(periods),
            "reviews": list(risk.reviews.select_related("period")),
        },
    )
