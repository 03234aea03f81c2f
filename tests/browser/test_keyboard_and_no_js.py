"""The plan pages work without JavaScript and from the keyboard alone."""

import pytest
from playwright.sync_api import expect

from planning import services
from tests.browser.conftest import follow, outline, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser

EXISTING = "Every child in a good school"
NEW = "Every pupil in school, every day"


def test_without_javascript_an_officer_adds_a_priority_and_moves_it_up(live_server, new_context, alice, plan):
    vision = vision_of(plan)
    add_item(plan, vision, "priority", user=alice, title=EXISTING)
    # A no-JS context: assert_accessible replays each page it lands on into a
    # JavaScript-enabled companion page to run axe (see conftest.new_context).
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/")
    expect(page.locator("body")).not_to_have_class("js-enabled")  # the app's own script never ran

    follow(page, page.get_by_role("link", name=f"Add priority under {vision.title}", exact=True))
    page.get_by_label("Title", exact=True).fill(NEW)
    submit(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"Priority “{NEW}” added.")
    assert outline(page)[1:] == [("Priority", "1", EXISTING), ("Priority", "2", NEW)]

    submit(page, page.get_by_role("button", name=f"Move up {NEW}", exact=True))
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"“{NEW}” moved up.")
    assert outline(page)[1:] == [("Priority", "1", NEW), ("Priority", "2", EXISTING)]


def test_keyboard_user_skips_to_main_content_and_moves_an_item_with_enter(live_server, page, alice, plan):
    vision = vision_of(plan)
    add_item(plan, vision, "priority", user=alice, title=EXISTING)
    add_item(plan, vision, "priority", user=alice, title=NEW)
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/")

    # The first Tab lands on the skip link, which becomes visible.
    page.keyboard.press("Tab")
    skip_link = page.get_by_role("link", name="Skip to main content")
    expect(skip_link).to_be_focused()
    expect(skip_link).to_be_in_viewport()

    # Enter follows it: focus moves to <main>, and the next Tab stays inside it.
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")
    expect(page.get_by_role("link", name="Draft", exact=True)).to_be_focused()  # the status tag, first in <main>

    # The "Move up" control is a real button: Enter on it sends the form.
    submit(page, page.get_by_role("button", name=f"Move up {NEW}", exact=True), key="Enter")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(f"“{NEW}” moved up.")
    assert outline(page)[1:] == [("Priority", "1", NEW), ("Priority", "2", EXISTING)]


@pytest.mark.parametrize("javascript", [True, False])
def test_moments_are_compared_by_edition_name_and_by_date_with_or_without_javascript(
    live_server, new_context, alice, plan, javascript
):
    add_item(plan, vision_of(plan), "priority", user=alice, title=EXISTING)
    services.edition_create(plan=plan, name="Draft for consultation", user=alice)
    add_item(plan, vision_of(plan), "priority", user=alice, title=NEW)
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/compare/")
    page.get_by_role("group", name="From").get_by_label("Draft for consultation").check()
    page.get_by_role("group", name="To").get_by_label("Now").check()
    submit(page, page.get_by_role("button", name="Compare"))
    expect(page.get_by_role("heading", level=2, name="Draft for consultation → Now")).to_be_visible()
    expect(page.locator("table.app-compare-table")).to_contain_text(NEW)

    page.get_by_role("group", name="From").get_by_label("On a date").check()
    date = page.get_by_label("Date to compare from")
    expect(date).to_be_visible()
    date.fill("2013-03-18")
    submit(page, page.get_by_role("button", name="Compare"))
    expect(page.get_by_role("heading", level=2)).to_contain_text("As at 18 March 2013")
