"""What contributes to an item across every plan, and how it is doing (issue 17)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from monitoring import thread_rollup
from monitoring.access import get_item_for_rollup


@login_required
@require_safe
def item_contributions(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_rollup(request.user, slug, pk)
    rollup = thread_rollup.contributions(
        item, request.user, request.GET.get("period") or None, open_plan=request.GET.get("plan") or None
    )
    return render(
        request,
        "monitoring/contributions.html",
        {
            "plan": item.plan,
            "item": item,
            "rollup": rollup,
            "reference": rollup.reference,
            "label": item.plan.label_for(item.kind),
        },
    )
