"""Cross-cutting themes in a real browser (issue 17, decision 0025): an administrator
defines "Narrowing the gap" (a missing name is refused beside the field first), an officer
of the owning service tags an action of an approved plan with it, and an elected member
reads the theme's page, its combined rating and costs, and follows it to the action. Every
page is checked with axe; the indicators' pages too."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import field, follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
reported = monitoring_fixtures.reported


def test_an_admin_defines_a_theme_an_officer_tags_an_action_a_member_reads_it(page, reported, ada, bob, mel):
    action = reported.action
    sign_in(page, ada)
    visit(page, "/themes/")
    follow(page, page.get_by_role("link", name="Define a theme"))
    submit(page, page.get_by_role("button", name="Save theme"))  # nothing typed
    expect(page.locator("#id_name-error")).to_contain_text("This field is required")
    page.get_by_label("Name").fill("Narrowing the gap")
    field(page, "Description").fill("Pupils on **free school meals** do as well as their peers.")
    submit(page, page.get_by_role("button", name="Save theme"))
    expect(page.get_by_role("link", name="Narrowing the gap", exact=True)).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, bob)
    visit(page, f"/plans/{reported.slug}/items/{action.pk}/")
    follow(page, page.get_by_role("link", name="Tag with themes"))
    page.get_by_label("Narrowing the gap").check()
    page.get_by_label("Reason for the change").fill("Reported to Cabinet with the gap")
    submit(page, page.get_by_role("button", name="Save themes"))
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)
    expect(page.get_by_role("link", name="Narrowing the gap", exact=True)).to_be_visible()

    page.context.clear_cookies()
    sign_in(page, mel)
    visit(page, "/themes/")
    follow(page, page.get_by_role("link", name="Narrowing the gap", exact=True))
    expect(page.get_by_role("heading", level=1)).to_have_text("Narrowing the gap")
    expect(page.locator("main")).to_contain_text("Combined rating: Red")  # the action was red in Q2
    expect(page.get_by_role("link", name="Edit the theme")).to_have_count(0)
    follow(page, page.get_by_role("link", name=re.compile(re.escape(action.title))).first)
    expect(page.get_by_role("heading", level=1)).to_have_text(action.title)


def test_the_indicator_pages_pass_axe(page, bob, mel):
    sign_in(page, bob)
    visit(page, "/indicators/")
    follow(page, page.get_by_role("link", name="Define an indicator"))
    page.get_by_label("Code").fill("not a code")
    submit(page, page.get_by_role("button", name="Save indicator"))
    expect(page.locator("#id_code-error")).to_be_visible()
    page.get_by_label("Code").fill("ks2-gap")
    page.get_by_label("Name").fill("Free school meals gap at Key Stage 2")
    page.get_by_label("Unit").select_option("number")
    page.get_by_label("Direction").select_option("lower")
    page.get_by_label("Who supplies the figure").fill("Department for Education")
    submit(page, page.get_by_role("button", name="Save indicator"))
    expect(page.get_by_role("heading", name="Free school meals gap at Key Stage 2")).to_be_visible()
    follow(page, page.get_by_role("link", name=re.compile("^Edit")))
    page.context.clear_cookies()
    sign_in(page, mel)
    visit(page, "/indicators/")
    expect(page.get_by_role("link", name="Define an indicator")).to_have_count(0)
    visit(page, "/indicators/new/", status=403)
