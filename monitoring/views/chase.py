"""A plan's quarters: returns received, missing and returned, the review queue, and
the one-action chase of everyone outstanding."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from monitoring import selectors, services
from monitoring.access import can_review, get_monitored_plan, get_period
from planning.access import can


@login_required
@require_safe
def plan_monitoring(request: HttpRequest, slug: str) -> HttpResponse:
    """Every quarter the plan runs through, with its returns counted by state."""
    plan = get_monitored_plan(request.user, slug)
    quarters = selectors.plan_periods(plan)
    return render(
        request,
        "monitoring/plan_monitoring.html",
        {"plan": plan, "quarters": quarters, "reported": selectors.reported_count(plan)},
    )


@login_required
@require_safe
def plan_period(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = get_monitored_plan(request.user, slug)
    the_period = get_period(period)
    if not the_period.covers_plan(plan):
        raise Http404(_("The plan does not run in this quarter"))
    quarter = selectors.plan_quarter(plan, the_period, reader=request.user)
    return render(
        request,
        "monitoring/plan_period.html",
        {
            "plan": plan,
            "period": the_period,
            "quarter": quarter,
            "counts": quarter.counts,
            "may_chase": can(request.user, "change", plan) and not the_period.is_locked,
            "may_review": can_review(request.user, plan),
            "rag_tags": selectors.RAG_TAGS,
            "state_tags": selectors.STATE_TAGS,
        },
    )


@login_required
@require_POST
def reminders_send(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    """Remind everyone with a return outstanding on this plan, now."""
    plan = get_monitored_plan(request.user, slug, "change")
    the_period = get_period(period)
    if not the_period.covers_plan(plan):
        raise Http404(_("The plan does not run in this quarter"))
    try:
        people = services.reminders_send(period=the_period, plan=plan, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if people:
            messages.success(
                request,
                ngettext("Reminders sent to %(count)s person.", "Reminders sent to %(count)s people.", people)
                % {"count": people},
            )
        else:
            messages.info(request, _("Nothing is outstanding: no reminders were needed."))
    return redirect("monitoring:plan-period", slug, the_period.slug)
