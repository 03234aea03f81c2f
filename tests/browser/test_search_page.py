"""Searching from the header: the form in every signed-in page's header leads to the
results page, and both pass axe."""

import pytest

from tests.browser.conftest import assert_accessible, follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


def test_searching_from_the_header_lands_on_accessible_results(page, alice, plan):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    add_item(plan, priority, "action", user=alice, title="Train governors", description="With the diocese")
    sign_in(page, alice)
    header = page.locator("header")
    header.get_by_role("searchbox", name="Search plans").fill("governors")
    submit(page, header.get_by_role("button", name="Search"))
    assert page.get_by_role("heading", level=1, name="Search plans").is_visible()
    assert page.get_by_role("heading", level=2).first.inner_text() == "1 result for “governors”"
    assert page.locator("#search-q").input_value() == "governors"

    page.locator("#search-q").fill("nothing-matches-this")
    submit(page, page.locator("main").get_by_role("button", name="Search"))
    assert page.get_by_text("No results for “nothing-matches-this”").is_visible()

    visit(page, "/search/?q=1.1")
    follow(page, page.get_by_role("link", name="Train governors"))
    assert page.get_by_role("heading", level=1, name="Train governors").is_visible()
    assert_accessible(page)
