"""An elected member follows a corporate priority down the thread to a service action, in
a real browser (issue 17): the priority's page links to what contributes to it; that page
gives the combined rating with its rule, the costs counted once and a link to each
contributor, which opens the service action. Every page is checked with axe, the roll-up
in another quarter and without JavaScript too (its rule is a details element)."""

import re

import pytest
from playwright.sync_api import expect

from monitoring import thread_rollup
from tests.browser.conftest import follow, sign_in, visit
from tests.monitoring import conftest as monitoring_fixtures
from tests.monitoring import test_thread_rollup

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported
thread = test_thread_rollup.thread


def test_a_member_follows_a_corporate_priority_down_to_a_service_action(page, thread, mel, periods):
    sign_in(page, mel)
    visit(page, f"/plans/corporate/items/{thread['p'].pk}/")
    follow(page, page.get_by_role("link", name="What contributes to this"))
    expect(page.get_by_role("heading", level=1)).to_have_text("What contributes to Children do well")
    expect(page.get_by_role("heading", name=f"How it is doing: {periods[1].label}")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Combined rating: Red")
    page.get_by_text("How the ratings are combined").click()
    expect(page.get_by_text("red if any contributor is red")).to_be_visible()
    expect(page.get_by_role("row", name=re.compile(r"^Total .*£1,500"))).to_be_visible()
    follow(page, page.get_by_role("link", name=periods[0].label))
    expect(page.locator("main")).to_contain_text("Combined rating: Amber")
    follow(page, page.get_by_role("link", name=re.compile("Train every maths teacher")).first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Train every maths teacher")


def test_a_folded_roll_up_lists_plans_and_opens_one(page, thread, mel, monkeypatch):
    monkeypatch.setattr(thread_rollup, "FOLD_OVER", 2)  # the live server runs in this process
    sign_in(page, mel)
    visit(page, f"/plans/corporate/items/{thread['p'].pk}/contributions/")
    expect(page.get_by_role("link", name="Visit every school")).to_have_count(0)
    follow(page, page.get_by_role("link", name=re.compile(f"^{thread['plan'].title}")))
    expect(page.get_by_role("heading", level=2, name=thread["plan"].title)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("Visit every school"))).to_be_visible()
