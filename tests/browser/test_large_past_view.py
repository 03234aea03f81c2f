"""A large plan's past view in a real browser without JavaScript: it opens at the plan's
priorities, a priority's items are one link away and close again, and every item is one
more; each page passes axe."""

import pytest
from playwright.sync_api import expect

from planning import services
from planning.views import timetravel
from tests.browser.conftest import follow, sign_in, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


def test_a_large_past_view_opens_at_its_priorities_without_javascript(
    live_server, new_context, alice, plan, monkeypatch
):
    monkeypatch.setattr(timetravel, "PRIORITIES_FIRST_ABOVE", 3)  # the live server runs in this process
    schools = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    add_item(plan, vision_of(plan), "priority", user=alice, title="Healthy lives")
    action = add_item(plan, schools, "action", user=alice, title="Challenge programme")
    add_item(plan, action, "target", user=alice, title="Eighty-five per cent good or better")
    edition = services.edition_create(plan=plan, name="Draft for consultation", user=alice)
    page = new_context(java_script_enabled=False).new_page()
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/as-of/?edition={edition.pk}")
    tree = page.locator("ol.app-tree")
    expect(tree).to_contain_text("Every child in a good school")
    expect(tree).not_to_contain_text("Challenge programme")
    follow(page, page.get_by_role("link", name="Show the 2 items under Priority 1: Every child in a good school"))
    expect(tree).to_contain_text("Challenge programme")
    expect(tree).to_contain_text("Eighty-five per cent good or better")
    follow(page, page.get_by_role("link", name="Hide the 2 items under Priority 1: Every child in a good school"))
    expect(tree).not_to_contain_text("Challenge programme")
    follow(page, page.get_by_role("link", name="show every item"))
    expect(tree).to_contain_text("Eighty-five per cent good or better")
    expect(page.get_by_role("link", name="Show the priorities first")).to_be_visible()
