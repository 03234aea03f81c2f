"""The long reports folded (every table counted by plan, quarter or priority, its rows one
link away), as a large council's pages show them, in a real browser without JavaScript
and checked by axe-core. Folding is forced at the fixtures' small size by setting each
page's threshold to nothing."""

import datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from monitoring import scorecard_folds
from monitoring import selectors as monitoring_selectors
from planning import alignment
from tests.browser.conftest import PASSWORD, follow, sign_in, submit, visit
from tests.factories import IndicatorFactory, add_item, make_plan, make_return, vision_of
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods


@pytest.fixture
def everything_folds(monkeypatch):
    monkeypatch.setattr(scorecard_folds, "FOLDED_OVER", 0)
    monkeypatch.setattr(monitoring_selectors, "FOLDED_OVER", 0)
    monkeypatch.setattr(alignment, "FOLDED_OVER", 0)


def test_the_folded_scorecard_and_my_returns_pass_axe_and_open_without_javascript(
    new_context, everything_folds, monitored, periods, bob, mel
):
    q1 = periods[0]
    make_return(monitored.action, q1, bob, submit=True)
    member = new_context(java_script_enabled=False).new_page()
    visit(member, "/accounts/login/")  # a member lands on the members' home, not sign_in's plan list
    member.get_by_label("Username").fill(mel.username)
    member.get_by_label("Password").fill(PASSWORD)
    submit(member, member.get_by_role("button", name="Sign in"))
    visit(member, reverse("monitoring:scorecard", args=[monitored.slug, q1.slug]))
    targets = member.get_by_role("table", name="targets by priority")
    expect(targets).to_be_visible()
    follow(member, targets.get_by_role("link", name="1 Raise attainment"))
    # exact: a member's row also has "Ask a question about … Pupils reaching level 4 in maths"
    expect(member.get_by_role("link", name="1.1.1 Pupils reaching level 4 in maths", exact=True)).to_be_visible()
    follow(member, member.get_by_role("link", name="List all 1 targets"))
    follow(member, member.get_by_role("link", name="Count them by priority"))
    expect(member.get_by_role("table", name="returns not received, by priority")).to_be_visible()

    lead = new_context(java_script_enabled=False).new_page()
    sign_in(lead, bob)
    visit(lead, reverse("monitoring:my-returns"))
    expect(lead.get_by_role("table", name="Submitted, awaiting review (1)")).to_contain_text(monitored.title)
    follow(lead, lead.get_by_role("link", name="List all 1 returns"))
    expect(lead.locator("table#awaiting").get_by_role("link", name="Train every maths teacher")).to_be_visible()


def test_the_folded_alignment_report_passes_axe_and_lists_a_group_without_javascript(
    new_context, everything_folds, alice, council
):
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan")
    service_plan = make_plan(owner=alice, parent=corporate, title="School Improvement Plan", slug="sip")
    indicator = IndicatorFactory(name="Schools judged good or outstanding")
    for plan, value in ((corporate, 85), (service_plan, 80)):
        action = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action")
        add_item(plan, action, "target", title=f"{value}% good", indicator=indicator, target_value=value,
                 target_date=datetime.date(2015, 3, 31))  # fmt: skip
    officer = new_context(java_script_enabled=False).new_page()
    sign_in(officer, alice)
    visit(officer, reverse("planning:plan-alignment", args=[service_plan.slug]))
    group = officer.get_by_role("table", name="2 targets in 2 plans disagree")
    expect(group).to_contain_text("Differs")
    follow(officer, officer.get_by_role("link", name="List the 2 targets"))
    expect(officer.get_by_role("link", name="80% good").first).to_be_visible()  # (also among the near-duplicates)
