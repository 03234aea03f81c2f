"""The alignment report, for one plan and for every plan the reader may see, and the
near-duplicate actions and targets found across the same plans."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from planning import alignment, duplicates
from planning.access import get_plan_for_user, plans_for


@login_required
@require_safe
def plan_alignment(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    opened = request.GET.get("group", "")
    report = alignment.plan_alignment(plan, compare_with=plans_for(request.user), opened=opened)
    return render(request, "planning/alignment.html", {"plan": plan, "report": report})


@login_required
@require_safe
def council_alignment(request: HttpRequest) -> HttpResponse:
    report = alignment.council_alignment(plans_for(request.user), opened=request.GET.get("group", ""))
    return render(request, "planning/alignment.html", {"plan": None, "report": report})


@login_required
@require_safe
def plan_duplicates(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    found = duplicates.for_plan(plan, duplicates.readable(plans_for(request.user)))
    retired, merged = duplicates.retirements([plan])
    context = {"plan": plan, "found": found, "plans_retired": retired, "items_merged": merged}
    return render(request, "planning/duplicates.html", context)


@login_required
@require_safe
def council_duplicates(request: HttpRequest) -> HttpResponse:
    plans = duplicates.readable(plans_for(request.user))
    found = duplicates.for_council(plans)
    retired, merged = duplicates.retirements(plans.values())
    context = {"plan": None, "found": found, "plans_retired": retired, "items_merged": merged}
    return render(request, "planning/duplicates.html", context)
