"""The golden thread in a real browser: an officer links a service action to a corporate
priority with the live picker, follows the thread both ways, names editions, reads the
plan as it stood and compares two moments. Every page is checked with axe."""

import pytest
from playwright.sync_api import expect

from planning import services
from tests.browser.conftest import assert_accessible, follow, sign_in, submit, visit
from tests.factories import add_item, make_plan, vision_of

pytestmark = pytest.mark.browser


def test_officer_links_follows_the_thread_and_travels_in_time(live_server, page, alice, council, plan):
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan 2013-17", slug="council-plan")
    goal = add_item(corporate, vision_of(corporate), "priority", user=alice, title="Every child in a good school")
    local = add_item(plan, vision_of(plan), "priority", user=alice, title="Raise standards")
    action = add_item(plan, local, "action", user=alice, title="Challenge programme")
    services.edition_create(plan=plan, name="Draft for consultation", user=alice)

    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/items/{action.pk}/")
    follow(page, page.get_by_role("link", name="Link to another item"))

    # The picker updates as you type (JavaScript), no button press needed.
    page.get_by_label("Find the item").fill("good school")
    result = page.get_by_role("link", name="1 Every child in a good school")
    expect(result).to_be_visible()
    assert_accessible(page)
    follow(page, result)
    page.get_by_label("Relation").select_option(label="contributes to")
    page.get_by_label("Note (optional)").fill("Targets schools below good")
    submit(page, page.get_by_role("button", name="Add link"))

    # Out from the action, and back from the corporate priority.
    expect(page.locator("main")).to_contain_text("Contributes to Every child in a good school")
    follow(page, page.get_by_role("link", name="Every child in a good school"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Every child in a good school")
    expect(page.locator("main")).to_contain_text("Is contributed to by Challenge programme")
    expect(page.get_by_role("heading", level=4, name=plan.title)).to_be_visible()

    # Change the plan, name the approved edition, read the draft as it stood, compare.
    services.item_update(
        item_id=action.pk, user=alice, change=services.ItemChange({"title": "Northmoor Challenge"}), expected_version=1
    )
    visit(page, f"/plans/{plan.slug}/editions/")
    page.get_by_label("Name of the edition").fill("Approved by Cabinet, 18 March 2013")
    submit(page, page.get_by_role("button", name="Name edition"))
    follow(page, page.get_by_role("link", name="Draft for consultation", exact=True))
    expect(page.get_by_role("region", name="Past view")).to_contain_text("Draft for consultation")
    expect(page.locator("ol.app-tree")).to_contain_text("Challenge programme")
    expect(page.locator("ol.app-tree")).not_to_contain_text("Northmoor Challenge")
    follow(page, page.get_by_role("link", name="compare it with now"))
    expect(page.locator("table.app-compare-table")).to_contain_text("Northmoor Challenge")
    assert goal.pk  # the corporate priority was never changed by any of this
