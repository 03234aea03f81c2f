"""The app's URLs plus the baseline view the benchmarks compare against."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from monitoring.models import ProgressReturn
from planning.models import PlanItem


def baseline(request):
    """A plain Django view: 500 rows from one query into a simple template."""
    rows = PlanItem.objects.order_by("pk").values("pk", "title", "kind", "due_date", "cost_amount")[:500]
    return render(request, "benchmarks/baseline.html", {"rows": rows})


def baseline_scorecard(request, slug, period):
    """A plain Django view of the scorecard's rows: each action and target of the plan
    with its rating and narrative for the quarter, one query, a plain table."""
    year, quarter = period.split("-q")
    rows = (
        ProgressReturn.objects.filter(item__plan__slug=slug, period__start_year=year, period__quarter=quarter)
        .order_by("item__tree_id", "item__lft")
        .values("item_id", "item__title", "item__kind", "rag", "narrative", "actual_value")
    )
    return render(request, "benchmarks/baseline_scorecard.html", {"rows": rows})


urlpatterns = [
    path("baseline/", baseline),
    path("baseline-scorecard/<slug:slug>/<str:period>/", baseline_scorecard),
    *app_urlpatterns,
]
