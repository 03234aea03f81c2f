"""A milestone reported late in a real browser (issue 17, decision 0024).

The lead officer opens his milestone's Q1 return from "My returns", says it is late
without a new date (the problem is shown next to the field), then gives the date and the
reason and submits; the owner accepts it from the plan's quarter page, which moves the
milestone's date in the plan; a member reads it on the scorecard, with the new date and
the reason. Every page is checked with axe.
"""

from datetime import date

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from monitoring.models import ProgressReturn
from planning.models import PlanItem
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods

MILESTONE = "Trainers appointed"
Q1 = "Q1 2013/14"
REASON = "The first round of interviews found nobody suitable."


def test_a_lead_reports_a_milestone_late_the_owner_accepts_and_members_read_it(
    live_server, new_context, alice, bob, mel, monitored, periods
):
    q1 = periods[0]
    milestone = add_item(
        monitored,
        monitored.action,
        "milestone",
        title=MILESTONE,
        lead_officer=bob,
        start_date=date(2013, 4, 1),
        due_date=date(2013, 6, 30),
    )
    officer = new_context().new_page()
    sign_in(officer, bob)
    follow(officer, officer.get_by_role("link", name="My returns", exact=True))
    row = officer.locator("table#overdue tr", has_text=Q1).filter(has_text=MILESTONE)
    follow(officer, row.get_by_role("link", name=MILESTONE, exact=True))
    follow(officer, officer.get_by_role("link", name="Fill in this return"))
    expect(officer.get_by_role("group", name="Milestone status")).to_be_visible()
    expect(officer.get_by_label("RAG rating")).to_have_count(0)  # a milestone's rating is derived

    officer.get_by_label("Late", exact=True).check()
    submit(officer, officer.get_by_role("button", name="Submit to the plan owner"))
    expect(officer.locator("#id_revised_due_date-error")).to_contain_text("Give the new date for a late milestone.")
    expect(officer.locator(".govuk-error-summary")).to_contain_text("Say why the milestone is late.")
    assert not ProgressReturn.objects.exists()

    officer.get_by_label("Revised due date").fill("2013-09-30")
    officer.get_by_label("Reason for the new date").fill(REASON)
    submit(officer, officer.get_by_role("button", name="Submit to the plan owner"))
    expect(officer.locator(".govuk-summary-list")).to_contain_text("Late")
    expect(officer.locator(".govuk-summary-list")).to_contain_text(REASON)

    owner = new_context().new_page()
    sign_in(owner, alice)
    visit(owner, reverse("monitoring:plan-period", args=[monitored.slug, q1.slug]))
    follow(owner, owner.get_by_role("link", name=f"Review {MILESTONE}"))
    owner.get_by_label("Accept the return").check()
    submit(owner, owner.get_by_role("button", name="Save decision"))
    expect(owner.locator(".govuk-notification-banner")).to_contain_text("Return accepted")
    milestone.refresh_from_db()
    assert milestone.due_date == date(2013, 9, 30)
    ret = ProgressReturn.objects.get(item=milestone, period=q1)
    assert (ret.state, ret.milestone_state, ret.rag) == ("accepted", "late", "amber")
    assert milestone.status != PlanItem.Status.COMPLETE

    member = new_context().new_page()
    sign_in(member, mel)
    visit(member, reverse("monitoring:scorecard", args=[monitored.slug, q1.slug]))
    section = member.locator("section", has=member.get_by_role("heading", name="Milestones due"))
    expect(section).to_contain_text(MILESTONE)
    expect(section).to_contain_text(f"New date 30 Sep 2013: {REASON}")
