"""A plan's status page and the steps of its life: consultation, approval, back to draft,
supersede, archive, and revision into next year's draft.

The status page shows every reader where the plan stands; each step is offered only to
those allowed to take it and only when ``TRANSITIONS`` allows it. The POST endpoints
re-render the status page with the errors next to the fields when input is bad.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from planning import co_writing, evaluation, lifecycle
from planning.access import can, get_plan_for_user, plans_for
from planning.formatting import long_date
from planning.forms import ApproveForm, ConsultationForm, PublishForm, ReviseForm, StatusForm
from planning.models import ConsultationInvite, ConsultationMember, Plan

Status = Plan.Status

# the GOV.UK tag colour for each status
STATUS_TAGS = {
    Status.DRAFT: "govuk-tag--grey",
    Status.CONSULTATION: "govuk-tag--yellow",
    Status.APPROVED: "govuk-tag--green",
    Status.SUPERSEDED: "govuk-tag--orange",
    Status.ARCHIVED: "govuk-tag--grey",
}


def _equality(plan: Plan) -> evaluation.Screening | None:
    """The plan's equality impact screening where its council requires one before approval."""
    return evaluation.screening(plan) if evaluation.required(plan) else None


def _forms(plan: Plan, equality: evaluation.Screening | None) -> dict:
    """Unbound forms for every step; each has its own ids so that one page can hold them all."""
    return {
        "approve_form": ApproveForm(initial={"approved_on": timezone.localdate()}, equality=equality),
        "status_form": StatusForm(),
        "publish_form": PublishForm(),
        "revise_form": ReviseForm(
            initial={
                "title": plan.title,
                "slug": f"{plan.slug}-{plan.start_year + 1}",
                "start_year": plan.start_year + 1,
                "end_year": plan.end_year + 1,
            },
        ),
    }


def _status_page(request: HttpRequest, plan: Plan, *, error_form=None, **bound_forms) -> HttpResponse:
    user = request.user
    may_approve, may_change = can(user, "approve", plan), can(user, "change", plan)
    next_statuses = lifecycle.TRANSITIONS[plan.status]
    may_approve_now = may_approve and Status.APPROVED in next_statuses
    equality = _equality(plan) if may_approve_now else None
    forms = {**_forms(plan, equality), **bound_forms}
    readable = plans_for(user).select_related(None).only("pk", "title", "slug")
    consultations = plan.consultations.prefetch_related(
        Prefetch("invites", ConsultationInvite.objects.select_related("organisation").order_by("organisation__name")),
        Prefetch("member_invites", ConsultationMember.objects.select_related("member").order_by("member__last_name")),
    )
    today, consulting = timezone.localdate(), plan.status == Status.CONSULTATION  # approval ends a consultation
    return render(
        request,
        "planning/plan_status.html",
        {
            "plan": plan,
            "status_tag": STATUS_TAGS[plan.status],
            "revises": readable.filter(pk=plan.revision_of_id).first() if plan.revision_of_id else None,
            "revised_by": list(readable.filter(revision_of=plan).order_by("start_year", "title")),
            "consultations": [
                (c, consulting and c.is_open_on(today), consulting and c.opens_on > today) for c in consultations
            ],
            "unanswered": lifecycle.unanswered_count(plan),
            "waiting_for": co_writing.missing_sign_offs(plan) if may_approve and plan.partnership_id else [],
            "may_consult": may_approve and Status.CONSULTATION in next_statuses,
            "may_approve": may_approve_now,
            "equality": equality,
            "may_revise": may_approve,
            "may_publish": can(user, "publish", plan) and plan.status in Plan.PUBLISHED_STATUSES,
            "status_choices": [(value, label) for value, label in StatusForm.CHOICES if value in next_statuses]
            if may_change
            else [],
            "error_form": error_form,
            **forms,
        },
    )


@login_required
@require_safe
def plan_status(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    return _status_page(request, plan)


def _status_action(
    request: HttpRequest, slug: str, *, action: str, form_class, form_name: str, apply, form_kwargs=None
) -> HttpResponse:
    """One status-page form: check, call the service, report success, or show the page
    again with the errors next to the fields. ``apply(plan, cleaned_data)`` returns the
    (message, redirect target) on success."""
    plan = get_plan_for_user(request.user, slug, action)
    form = form_class(request.POST, **(form_kwargs(plan) if form_kwargs else {}))
    if form.is_valid():
        try:
            message, target = apply(plan, form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, message)
            return redirect(target)
    return _status_page(request, plan, error_form=form, **{form_name: form})


@login_required
@require_POST
def plan_approve(request: HttpRequest, slug: str) -> HttpResponse:
    def apply(plan, data):
        data = {name: value for name, value in data.items() if name != "equality_impact"}  # the form's own check
        edition = lifecycle.plan_approve(plan=plan, user=request.user, **data)
        return _("Plan approved. The edition “%(edition)s” records it as approved.") % {
            "edition": edition.name
        }, _status_url(plan)

    return _status_action(
        request,
        slug,
        action="approve",
        form_class=ApproveForm,
        form_name="approve_form",
        apply=apply,
        form_kwargs=lambda plan: {"equality": _equality(plan)},
    )


@login_required
@require_POST
def plan_status_set(request: HttpRequest, slug: str) -> HttpResponse:
    def apply(plan, data):
        plan = lifecycle.plan_status_set(plan=plan, user=request.user, **data)
        return _("The plan is now %(status)s.") % {"status": plan.get_status_display().lower()}, _status_url(plan)

    return _status_action(request, slug, action="change", form_class=StatusForm, form_name="status_form", apply=apply)


@login_required
@require_POST
def plan_revise(request: HttpRequest, slug: str) -> HttpResponse:
    def apply(plan, data):
        new = lifecycle.plan_revise(plan=plan, user=request.user, **data)
        return _("“%(new)s” is a new draft, revised from “%(plan)s”.") % {
            "new": new.title,
            "plan": plan.title,
        }, new.get_absolute_url()

    return _status_action(request, slug, action="approve", form_class=ReviseForm, form_name="revise_form", apply=apply)


@login_required
@require_POST
def plan_publish(request: HttpRequest, slug: str) -> HttpResponse:
    def apply(plan, data):
        lifecycle.plan_publish(plan=plan, user=request.user, **data)
        return _("The plan is published: anyone can read it without signing in."), _status_url(plan)

    return _status_action(
        request, slug, action="publish", form_class=PublishForm, form_name="publish_form", apply=apply
    )


@login_required
@require_POST
def plan_withdraw(request: HttpRequest, slug: str) -> HttpResponse:
    def apply(plan, data):
        lifecycle.plan_withdraw(plan=plan, user=request.user, **data)
        return _("The plan is no longer published."), _status_url(plan)

    return _status_action(
        request, slug, action="publish", form_class=PublishForm, form_name="publish_form", apply=apply
    )


def _status_url(plan: Plan) -> str:
    return reverse("planning:plan-status", args=[plan.slug])


@login_required
@require_http_methods(["GET", "POST"])
def consultation_open(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "approve")
    allowed = Status.CONSULTATION in lifecycle.TRANSITIONS[plan.status]
    form = ConsultationForm(request.POST or None, initial={"opens_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            consultation = lifecycle.plan_consultation_open(plan=plan, user=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Consultation open until %(date)s. The people invited have been told and can now read the draft.")
                % {"date": long_date(consultation.closes_on)},
            )
            return redirect("planning:plan-status", slug=plan.slug)
    return render(request, "planning/consultation_form.html", {"plan": plan, "form": form, "allowed": allowed})
