"""Scorecards and the members' home: what elected members read, read-only."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config.html import ID
from monitoring import questions, scorecard_folds, scorecard_risks, scorecard_thread, scorecards, selectors
from monitoring.access import can_ask, get_monitored_plan, get_period
from monitoring.scorecard_html import AskUrl
from partners.models import User
from planning.access import plans_for


@login_required
@require_safe
def start(request: HttpRequest) -> HttpResponse:
    """Where signing in lands: members on their home, everyone else on the plans."""
    if request.user.role == User.Role.MEMBER:
        return redirect("monitoring:members-home")
    return redirect("planning:plan-list")


@login_required
@require_safe
def scorecard(request: HttpRequest, slug: str, period: str) -> HttpResponse:
    plan = get_monitored_plan(request.user, slug)
    the_period = get_period(period)
    if not the_period.covers_plan(plan):
        raise Http404(_("The plan does not run in this quarter"))
    include_children = request.GET.get("children") == "1"
    card = scorecards.scorecard_data(plan, the_period, include_children=include_children)
    year = [p for p in scorecards.periods_so_far(the_period) if p.pk != the_period.pk]
    folds = {name: scorecard_folds.fold(card, name, request.GET.get(name, "")) for name in scorecard_folds.TABLES}
    return render(
        request,
        "monitoring/scorecard.html",
        {
            "plan": plan,
            "period": the_period,
            "card": card,
            "chart": scorecards.chart(card["trend"]),
            "has_children": plan.get_descendants().approved().exists(),
            "other_periods": year,
            "folds": folds,
            "query": "?children=1&" if include_children else "?",
            # members' questions: live, beside the (perhaps stored) scorecard (decision 0022)
            "questions": questions.for_scorecard(scorecards.plans_in_scope(plan, include_children), the_period),
            "ask": AskUrl("monitoring:question-ask", plan.slug, the_period.slug, ID) if can_ask(request.user) else None,
            "thread": scorecard_thread.for_reader(card, plans_for(request.user)),
            "risks": scorecard_risks.view(card.get("risks"), plan.slug),
        },
    )


@login_required
@require_safe
def members_home(request: HttpRequest) -> HttpResponse:
    """Approved plans and their scorecards, newest quarter first: any scorecard is one
    click from here."""
    rows = selectors.members_home_rows(plans_for(request.user))
    return render(request, "monitoring/members_home.html", {"rows": rows})
