"""Issue 17 in the demo council (decision 0026): Bold Steps' summary shows what its thread
really costs, and the corporate scorecard reads the thread. The demo is loaded once for
this module."""

from decimal import Decimal

import pytest
from django.urls import reverse

from partners.models import User
from planning import thread
from planning.access import plans_for
from planning.models import Plan, PlanItem

BOLD_STEPS = "bold-steps-for-education-2013-16"


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def test_bold_steps_summary_shows_the_real_total_of_the_plans_beneath(demo, client):
    plan = Plan.objects.get(slug=BOLD_STEPS)
    own = sum(PlanItem.objects.filter(plan=plan).exclude(cost_amount=None).values_list("cost_amount", flat=True), 0)
    member = User.objects.get(username="member")
    costs = thread.thread_costs(plan, plans_for(member))
    beneath = sum(
        PlanItem.objects.filter(plan__in=plan.get_descendants().approved())
        .exclude(cost_amount=None)
        .values_list("cost_amount", flat=True),
        Decimal(0),
    )
    assert beneath > 0 and costs.total >= own + beneath
    assert {entry.how for entry in costs.plans} >= {"this plan", "beneath"}
    assert costs.multi_route > 0  # service actions sit beneath Bold Steps and link to its priorities
    client.force_login(member)
    page = client.get(reverse("planning:plan-summary", args=[BOLD_STEPS])).content.decode()
    assert costs.total_shown in page and costs.total_shown != "£0"
    assert "counted once" in page


def test_the_council_plan_scorecard_reads_the_thread_and_its_risks(demo, client, django_assert_num_queries):
    from monitoring.models import ReportingPeriod, ScorecardSnapshot
    from tests.monitoring.test_thread_scorecard import CORPORATE_SCORECARD_QUERIES

    plan = Plan.objects.get(kind=Plan.Kind.CORPORATE, slug="council-plan-2013-17")
    q2, q3 = (ReportingPeriod.objects.get(cadence="quarterly", start_year=2013, quarter=n) for n in (2, 3))
    stored = ScorecardSnapshot.objects.get(plan=plan, period=q2, include_children=False).data
    assert stored["schema"] == 2 and stored["thread"]["priorities"] and "risks" in stored
    member = User.objects.get(username="member")
    client.force_login(member)
    url = reverse("monitoring:scorecard", args=[plan.slug, q3.slug])
    client.get(url)
    # as on the tests' small and larger councils, and one query for the college's terms (decision 0028)
    with django_assert_num_queries(CORPORATE_SCORECARD_QUERIES + 1):
        page = client.get(url).content.decode()
    assert "What contributes to each" in page and 'id="risks-heading"' in page
    section = page[page.index('id="thread-heading"') : page.index("</section>", page.index('id="thread-heading"'))]
    assert section.count("/contributions/") >= 3 and "£" in section
