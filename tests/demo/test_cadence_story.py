"""The demo's termly plan (issue 17, decision 0028): Northmoor College's plan reports in the
terms of 2013/14; its autumn term is accepted, its spring term waits for review, the partner
has the summer term to fill; and the council plan's "Help the Northmoor economy grow" reads
the college's autumn term beside Q3 in its thread view."""

import pytest
from django.urls import reverse

from demo import cadence_story
from monitoring import selectors, thread_rollup
from monitoring.models import ProgressReturn, ReportingPeriod
from partners.models import User
from planning.models import Plan, PlanItem

State = ProgressReturn.State


@pytest.fixture
def college(demo_output, db) -> Plan:
    return Plan.objects.get(slug=cadence_story.SLUG)


def test_the_college_plan_reports_termly_in_three_terms(college, demo_output):
    assert college.cadence == Plan.Cadence.TERMLY and college.status == Plan.Status.APPROVED
    terms = [period for period, _ in selectors.plan_periods(college)]
    assert [t.label for t in terms] == ["Autumn term 2013/14", "Spring term 2013/14", "Summer term 2013/14"]
    states = {
        period.slug: sorted(
            ProgressReturn.objects.filter(item__plan=college, period=period).values_list("state", flat=True)
        )
        for period in terms
    }
    assert states == {"2013-t1": ["accepted"] * 3, "2013-t2": ["submitted"] * 3, "2013-t3": []}
    assert f"{college} reports termly: Autumn term 2013/14 accepted, 3 returns for Spring term" in demo_output


def test_the_partner_fills_the_summer_term_in_the_browser_form(college, client):
    partner = User.objects.get(username="partner")
    action = college.items.get(title=cadence_story.RETENTION)
    client.force_login(partner)
    summer = ReportingPeriod.objects.get(cadence=Plan.Cadence.TERMLY, start_year=2013, quarter=3)
    edit = reverse("monitoring:return-edit", args=[college.slug, action.pk, summer.slug])
    page = client.get(edit).content.decode()
    assert "What happened this term." in page
    refused = client.post(edit, {"rag": "green", "narrative": "", "action": "submit", "version": "0"})
    assert "Say what happened this term before you submit." in refused.content.decode()
    assert not ProgressReturn.objects.filter(item=action, period=summer).exists()


def test_the_corporate_priority_reads_the_autumn_term_beside_q3(college):
    priority = PlanItem.objects.get(plan__slug="council-plan-2013-17", title=cadence_story.CORPORATE_PRIORITY)
    member = User.objects.get(username="member")
    rollup = thread_rollup.contributions(priority, member, period_slug="2013-q3")
    assert [p.label for p in rollup.also] == ["Autumn term 2013/14"]
    college_rows = [c for owner, contributors in rollup.opened if owner == college for c in contributors]
    assert {c.title: c.rag for c in college_rows}[cadence_story.RETENTION] == "amber"
