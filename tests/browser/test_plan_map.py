"""The map of plans as a diagram, in a real browser (issue 17): a keyboard user tabs from
the skip link into the diagram, each box takes the focus in tree order with its plan's name,
and Enter opens the plan; the page, its SVG and its table pass axe."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, sign_in, visit
from tests.planning.test_plan_map_drawing import thread  # noqa: F401 - the plans and their links

pytestmark = pytest.mark.browser


def test_a_keyboard_user_reaches_each_plan_in_the_diagram_and_opens_one(page, alice, thread):  # noqa: F811
    sign_in(page, alice)
    visit(page, "/map/")
    diagram = page.get_by_role("group", name="Diagram of 3 plans and the links between them")
    expect(diagram).to_be_visible()
    expect(page.get_by_role("row", name="Schools Plan Council Plan 3")).to_be_visible()
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # the skip link: focus moves to <main>
    names = []
    for _ in range(3):
        page.keyboard.press("Tab")
        names.append(page.evaluate("() => document.activeElement.getAttribute('aria-label')"))
    assert names == [
        "Council Plan, corporate plan, 2 items, linked from 2 plans",
        "Schools Plan, service business plan, 5 items, links to 1 plan",
        "Youth Plan, service business plan, 3 items, links to 1 plan",
    ]
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth Plan")
    assert_accessible(page)
