"""Budgets and spend in real browsers (decision 0023): the lead officer adds a line to his
action's budget profile on the action's page, first with an amount the form refuses; fills
his quarter's return with spend to date and submits it; and the member reads the scorecard,
where the action's variance is flagged beside its rating. Every page is checked with axe."""

from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from monitoring.models import ProgressReturn
from planning.models import BudgetLine
from tests.browser.conftest import field, follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods

ACTION = "Train every maths teacher"


def test_an_officer_profiles_an_action_reports_spend_and_the_scorecard_flags_it(
    live_server, new_context, bob, mel, monitored, periods
):
    action, q2 = monitored.action, periods[1]
    officer = new_context().new_page()
    member = new_context().new_page()

    # --- The officer adds the year's budget on the action's page. -------------------------------
    sign_in(officer, bob)
    visit(officer, action.get_absolute_url())
    expect(officer.get_by_role("heading", name="Budget profile")).to_be_visible()
    follow(officer, officer.get_by_role("link", name="Add a budget line"))
    officer.get_by_label("Financial year").select_option(label="2013/14")
    officer.get_by_label("Revenue", exact=True).check()
    officer.get_by_label("Funding source").fill("Dedicated Schools Grant")
    officer.get_by_label("Amount (£)").fill("-40000")
    officer.get_by_label("Reason for the change").fill("Budget set by Cabinet")
    submit(officer, officer.get_by_role("button", name="Add budget line"))
    expect(officer.locator("#id_amount-error")).to_contain_text("greater than or equal to 0")
    assert not BudgetLine.objects.exists()
    officer.get_by_label("Amount (£)").fill("40000")
    submit(officer, officer.get_by_role("button", name="Add budget line"))
    profile = officer.get_by_role("table").filter(has_text="Dedicated Schools Grant")
    expect(profile).to_contain_text("2013/14")
    expect(profile).to_contain_text("£40,000")
    line = BudgetLine.objects.get()
    assert (line.amount, line.history.get().history_user, line.history.get().history_change_reason) == (
        Decimal(40000),
        bob,
        "Budget set by Cabinet",
    )

    # --- He fills Q2's return with spend to date: £26,000 against £20,000 profiled. -------------
    visit(officer, reverse("monitoring:return-edit", args=[monitored.slug, action.pk, q2.slug]))
    officer.get_by_label("RAG rating").select_option(label="Green")
    field(officer, "Narrative").fill("Every maths teacher is booked; the autumn course cost more.")
    officer.get_by_label("Spend to date (£)").fill("26000")
    submit(officer, officer.get_by_role("button", name="Submit to the plan owner"))
    expect(officer.get_by_text("£26,000")).to_be_visible()
    ret = ProgressReturn.objects.get(item=action, period=q2)
    assert (ret.state, ret.spend_to_date) == (ProgressReturn.State.SUBMITTED, Decimal(26000))

    # --- The member reads the scorecard: the variance is flagged beside the rating. -------------
    sign_in(member, mel)
    visit(member, reverse("monitoring:scorecard", args=[monitored.slug, q2.slug]))
    spend = member.locator("section", has=member.locator("#spend-heading"))
    row = spend.locator("tr", has_text=ACTION)
    expect(row).to_contain_text("Green")
    expect(row).to_contain_text("£40,000")
    expect(row).to_contain_text("£20,000")
    expect(row).to_contain_text("+£6,000")
    expect(row).to_contain_text("+30.0%")
    expect(row).to_contain_text("Past threshold")
