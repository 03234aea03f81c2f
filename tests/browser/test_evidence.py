"""An officer gives an action its success criteria and links a priority to a finding of the
needs assessment, and sees the alignment report's flags go (issue 18); every page is checked
by axe."""

import pytest

from planning import evidence
from tests.browser.conftest import field, follow, sign_in, submit, visit
from tests.factories import add_item, make_plan, vision_of

pytestmark = pytest.mark.browser


def test_an_officer_adds_evidence_and_the_report_flags_change(page, alice, bob, carol, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child reads well")
    action = add_item(plan, priority, "action", user=alice, title="Run a reading recovery scheme in primary schools")
    other = make_plan(owner=carol, title="Fair Access Plan", slug="fair-access")
    twin_priority = add_item(other, vision_of(other), "priority", user=carol, title="Reading")
    add_item(other, twin_priority, "action", user=carol, title="Run a reading recovery scheme in the primary schools")
    sign_in(page, bob)

    visit(page, f"/plans/{plan.slug}/alignment/")
    assert page.locator("#priorities-without-evidence + p + table").get_by_role("link", name=priority.title).count()
    assert page.get_by_text("1 action with no success criteria").is_visible()
    follow(page, page.get_by_role("link", name="Near-duplicates of this plan's actions and targets in other plans"))
    assert page.locator("table").first.get_by_role("link", name=action.title).count()

    # the needs assessment: a source, then a finding from it
    visit(page, f"/plans/{plan.slug}/needs-assessment/")
    follow(page, page.get_by_role("link", name="Add a document or data"))
    field(page, "Title").fill("Key stage 2 results 2012")
    page.get_by_label("Data", exact=True).check()
    submit(page, page.get_by_role("button", name="Save"))
    follow(page, page.get_by_role("link", name="Add a finding"))
    page.get_by_label("Finding").fill("One child in five leaves primary school behind in reading.")
    page.get_by_label("Source").select_option(label="Key stage 2 results 2012")
    submit(page, page.get_by_role("button", name="Save"))
    assert page.get_by_role("heading", name="Finding 1").is_visible()

    # the priority rests on it
    visit(page, priority.get_absolute_url())
    follow(page, page.get_by_role("link", name="Choose the findings this priority rests on"))
    page.get_by_label("1. One child in five leaves primary school behind in reading.").check()
    submit(page, page.get_by_role("button", name="Save"))
    assert page.get_by_role("link", name="Finding 1").is_visible()

    # the action's success criteria, an outcome
    visit(page, f"/plans/{plan.slug}/items/{action.pk}/edit/")
    page.get_by_label("Success criteria").fill("**Nine in ten** pupils read at their age by July 2015")
    page.get_by_label("Outcome", exact=True).check()
    submit(page, page.get_by_role("button", name="Save"))
    visit(page, action.get_absolute_url())
    assert page.get_by_text("Nine in ten").is_visible()

    visit(page, f"/plans/{plan.slug}/alignment/")
    assert page.locator("#priorities-without-evidence ~ p", has_text="None found.").count()
    assert page.locator("#actions-without-criteria ~ p", has_text="None found.").count()
    assert evidence.priority_findings(priority)[0].number == 1


def test_the_owner_records_a_merger_and_it_leaves_the_duplicates(page, alice, carol, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child reads well")
    action = add_item(plan, priority, "action", user=alice, title="Run a reading recovery scheme in primary schools")
    other = make_plan(owner=carol, title="Fair Access Plan", slug="fair-access")
    twin_priority = add_item(other, vision_of(other), "priority", user=carol, title="Reading")
    add_item(other, twin_priority, "action", user=carol, title="Run a reading recovery scheme in the primary schools")
    sign_in(page, alice)
    # the report links to the near-duplicates, which list the pair
    visit(page, f"/plans/{plan.slug}/alignment/")
    follow(page, page.get_by_role("link", name="Near-duplicates of this plan's actions and targets in other plans"))
    assert page.get_by_role("link", name="Run a reading recovery scheme in the primary schools").is_visible()
    visit(page, action.get_absolute_url())
    follow(page, page.get_by_role("link", name="Record a merger into another item"))
    page.get_by_label("Run a reading recovery scheme in the primary schools", exact=False).check()
    page.get_by_label("Reason for the merger").fill("One scheme for the county")
    submit(page, page.get_by_role("button", name="Record the merger"))
    assert page.get_by_text("Merged into").first.is_visible()
    visit(page, "/alignment/")
    assert page.get_by_text("1 action or target merged into another").is_visible()
    follow(page, page.get_by_role("link", name="Near-duplicate actions and targets across plans").last)
    assert page.locator("#main-content", has_text="None found.").count()
