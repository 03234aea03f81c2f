"""A college lead's termly return in a real browser (issue 17's "done means"): the
college's plan reports termly; its lead finds the autumn term on "My returns", fills the
action's return with spend to date and submits it, then reports the action's milestone
late — first without a new date (the problem is shown next to the field), then with the
date and the reason. Every page is checked with axe."""

from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from monitoring import services as monitoring
from monitoring.models import ProgressReturn
from planning import services as planning
from planning.models import Plan
from tests.browser.conftest import field, follow, sign_in, submit
from tests.factories import add_item, make_plan, vision_of

pytestmark = pytest.mark.browser

ACTION = "Mentor every learner at risk of leaving"
MILESTONE = "Mentors trained"
AUTUMN = "Autumn term 2013/14"
REASON = "The training provider moved the course to January."


@pytest.fixture
def college_plan(alice, college, pat):
    plan = make_plan(
        owner=alice, organisation=college, title="College Quality Plan", slug="college", cadence=Plan.Cadence.TERMLY
    )
    priority = add_item(plan, vision_of(plan), "priority", title="Learners stay")
    plan.action = add_item(
        plan,
        priority,
        "action",
        title=ACTION,
        lead_officer=pat,
        start_date=date(2013, 9, 1),
        due_date=date(2014, 7, 31),
    )
    plan.milestone = add_item(
        plan, plan.action, "milestone", title=MILESTONE, lead_officer=pat, start_date=date(2013, 9, 1),
        due_date=date(2013, 11, 30),
    )  # fmt: skip
    planning.budget_line_add(
        item_id=plan.action.pk, user=alice, year=2013, cost_type="revenue", funding_source="16-19 funding", amount=9000
    )
    plan.status = Plan.Status.APPROVED
    plan.save()
    return plan


def test_a_college_lead_fills_a_termly_return_with_spend_and_a_late_milestone(page, pat, college_plan):
    terms = monitoring.financial_year_create(start_year=2013, user=None, cadence=Plan.Cadence.TERMLY)
    monitoring.financial_year_create(start_year=2013, user=None)  # the council's quarters: not the college's
    sign_in(page, pat)
    follow(page, page.get_by_role("link", name="My returns", exact=True))
    expect(page.locator("main")).not_to_contain_text("Q1 2013/14")
    row = page.locator("tr", has_text=AUTUMN).filter(has_text=ACTION)
    follow(page, row.get_by_role("link", name=ACTION, exact=True).first)
    follow(page, page.get_by_role("link", name="Fill in this return"))
    expect(page.get_by_text("What happened this term.")).to_be_visible()
    page.get_by_label("RAG rating").select_option("green")
    field(page, "Narrative").fill("Every learner at risk has a mentor.")
    page.get_by_label("Spend to date (£)").fill("3100")
    submit(page, page.get_by_role("button", name="Submit to the plan owner"))
    saved = ProgressReturn.objects.get(item=college_plan.action, period=terms[0])
    assert (saved.state, saved.spend_to_date) == ("submitted", Decimal("3100.00"))

    follow(page, page.get_by_role("link", name="My returns", exact=True))
    row = page.locator("tr", has_text=AUTUMN).filter(has_text=MILESTONE)
    follow(page, row.get_by_role("link", name=MILESTONE, exact=True).first)
    follow(page, page.get_by_role("link", name="Fill in this return"))
    page.get_by_label("Late", exact=True).check()
    submit(page, page.get_by_role("button", name="Submit to the plan owner"))
    expect(page.locator("#id_revised_due_date-error")).to_contain_text("Give the new date for a late milestone.")
    assert not ProgressReturn.objects.filter(item=college_plan.milestone).exists()
    page.get_by_label("Revised due date").fill("2014-01-31")
    page.get_by_label("Reason for the new date").fill(REASON)
    submit(page, page.get_by_role("button", name="Submit to the plan owner"))
    expect(page.locator(".govuk-summary-list")).to_contain_text(REASON)
    late = ProgressReturn.objects.get(item=college_plan.milestone, period=terms[0])
    assert (late.state, late.milestone_state, late.revised_due_date) == ("submitted", "late", date(2014, 1, 31))
