"""A long plan's page opens at its top items; each part opens from its link, with or
without JavaScript (planning/outline_cache.py, static/app/plan-outline.js)."""

import pytest
from playwright.sync_api import expect

from planning import outline_cache
from tests.browser.conftest import assert_accessible, follow, outline, sign_in, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


@pytest.fixture
def long_plan(monkeypatch, plan, alice):
    monkeypatch.setattr(outline_cache, "CLOSED_OVER", 4)  # the live server runs in this process
    vision = vision_of(plan)
    parts = []
    for name in ("Reading", "Attendance"):
        priority = add_item(plan, vision, "priority", user=alice, title=f"{name} first")
        actions = [add_item(plan, priority, "action", user=alice, title=f"{name} action {n}") for n in (1, 2)]
        parts.append((priority, actions))
    return parts


@pytest.mark.parametrize("javascript", [True, False])
def test_a_part_of_a_long_plan_opens_from_its_link(live_server, new_context, alice, plan, long_plan, javascript):
    (reading, _), _ = long_plan
    page = new_context(java_script_enabled=javascript).new_page()
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/")
    assert [title for _, _, title in outline(page)][1:] == ["Reading first", "Attendance first"]
    link = page.get_by_role("link", name="Show the 2 items under 1 Reading first", exact=True)
    if javascript:
        link.click()  # fetched into place: no new page
        expect(page.get_by_role("link", name="Reading action 2", exact=True)).to_be_visible()
        assert_accessible(page)
    else:
        follow(page, link)
    assert [(ref, title) for _, ref, title in outline(page)][1:] == [
        ("1", "Reading first"), ("1.1", "Reading action 1"), ("1.2", "Reading action 2"), ("2", "Attendance first"),
    ]  # fmt: skip
    assert f"open={reading.pk}" in page.url
    expect(page.get_by_role("link", name="Show the 2 items under 2 Attendance first", exact=True)).to_be_visible()


def test_with_javascript_an_address_naming_a_closed_item_opens_its_part(live_server, page, alice, plan, long_plan):
    _, (_, attendance_actions) = long_plan
    sign_in(page, alice)
    page.goto(f"/plans/{plan.slug}/#item-{attendance_actions[1].pk}")  # as after an edit
    expect(page.get_by_role("link", name="Attendance action 2", exact=True)).to_be_visible()
    assert f"open={attendance_actions[1].pk}" in page.url
    assert_accessible(page)
