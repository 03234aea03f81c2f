"""Overview pages: a plan on one page, and the map of all plans."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from planning import budgets, map_drawing, overview, selectors, thread
from planning.access import get_plan_for_user, plans_for


@login_required
@require_safe
def plan_summary(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    summary = overview.plan_summary(selectors.plan_outline(plan), budgets.profiles_for([plan]))
    costs = thread.thread_costs(plan, plans_for(request.user))
    return render(request, "planning/plan_summary.html", {"plan": plan, "summary": summary, "thread_costs": costs})


@login_required
@require_safe
def plan_map(request: HttpRequest) -> HttpResponse:
    entries = overview.plan_map(plans_for(request.user))
    return render(request, "planning/plan_map.html", {"entries": entries, "drawing": map_drawing.draw(entries)})
