"""An elected member reads the corporate scorecard's thread view and follows a priority
down to a service action, in a real browser (issue 17, decision 0026): the scorecard lists
each corporate priority with its contributors' ratings, combined rating and cost; its link
opens what contributes to the priority in the scorecard's quarter, and that page opens the
service action. The scorecard's risks section draws the heat map. Every page is checked
with axe."""

import re

import pytest
from playwright.sync_api import expect

from monitoring import risks as register
from tests.browser.conftest import follow, sign_in, visit
from tests.monitoring import conftest as monitoring_fixtures
from tests.monitoring import test_thread_scorecard

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported
thread = test_thread_scorecard.thread


def test_a_member_follows_a_corporate_priority_from_the_scorecard_to_a_service_action(
    page, thread, mel, periods, director
):
    register.risk_create(
        plan=thread["corporate"], user=director, fields={"title": "Funding falls", "likelihood": 4, "impact": 4}
    )
    sign_in(page, mel)
    visit(page, f"/plans/corporate/scorecards/{periods[1].slug}/")
    section = page.locator("section", has=page.locator("#thread-heading"))
    expect(section.get_by_role("row", name=re.compile(r"Children do well.*Red.*£1,500"))).to_be_visible()
    expect(page.locator("#risks-high ~ table").first).to_contain_text("Funding falls")
    expect(page.locator("svg.app-heat-map")).to_be_visible()
    follow(page, section.get_by_role("link", name=re.compile("Children do well")))
    expect(page.get_by_role("heading", level=1)).to_have_text("What contributes to Children do well")
    expect(page.locator("main")).to_contain_text("Combined rating: Red")
    follow(page, page.get_by_role("link", name=re.compile("Train every maths teacher")).first)
    expect(page.get_by_role("heading", level=1)).to_have_text("Train every maths teacher")


def test_the_corporate_summary_adds_up_the_thread_accessibly(page, thread, mel):
    sign_in(page, mel)
    visit(page, "/plans/corporate/summary/")
    expect(page.get_by_role("row", name=re.compile(r"^Total, each item counted once .*£1,500"))).to_be_visible()
    page.get_by_text("How these costs are added up").click()
    expect(page.get_by_text("Each item is counted once, however many routes reach it")).to_be_visible()
