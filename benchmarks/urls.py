"""The app's URLs plus the baseline view the benchmarks compare against."""

from django.shortcuts import render
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns
from planning.models import PlanItem


def baseline(request):
    """A plain Django view: 500 rows from one query into a simple template."""
    rows = PlanItem.objects.order_by("pk").values("pk", "title", "kind", "due_date", "cost_amount")[:500]
    return render(request, "benchmarks/baseline.html", {"rows": rows})


urlpatterns = [path("baseline/", baseline), *app_urlpatterns]
