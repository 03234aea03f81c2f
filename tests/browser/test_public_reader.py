"""An anonymous reader in a real browser (issue 16): the list of published plans, a plan,
an item, the thread to another published plan, an edition, and back; every page checked by
axe. Nothing of the plan that is not published shows, and the page prints without the
site's navigation."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, follow, visit
from tests.public.test_plan_pages import HIDDEN_ITEM, HIDDEN_TITLE, OFFICER, Council

pytestmark = pytest.mark.browser


def test_an_anonymous_reader_follows_the_thread_and_reads_an_edition(live_server, page, alice, bob, council, college):
    world = Council(alice, bob, council, college)
    visit(page, "/public/")
    expect(page.locator("main")).not_to_contain_text(HIDDEN_TITLE)
    follow(page, page.get_by_role("link", name="Service Plan"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Service Plan")
    expect(page.locator("main")).to_contain_text("An item in a plan that is not published")
    expect(page.locator("main")).not_to_contain_text(OFFICER)

    follow(page, page.get_by_role("link", name="Train governors"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Train governors")
    expect(page.locator("main")).to_contain_text("Is contributed to by an item in a plan that is not published")
    expect(page.locator("main")).not_to_contain_text(HIDDEN_ITEM)

    # along the thread to the corporate plan's priority, and back from it
    follow(page, page.locator("main").get_by_role("link", name="A thriving county"))
    expect(page.get_by_role("heading", level=1)).to_have_text("A thriving county")
    follow(page, page.locator("main").get_by_role("link", name="Train governors"))
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("A thriving county")
    assert_accessible(page)

    # the plan's editions, one read as the plan stood
    follow(page, page.get_by_role("link", name="Council Plan"))
    follow(page, page.get_by_role("link", name="Editions", exact=True))
    edition = world.corporate.editions.get()
    follow(page, page.get_by_role("link", name=edition.name))
    expect(page.locator("main")).to_contain_text("You are reading an edition")
    expect(page.locator("main")).to_contain_text("A thriving county")
    follow(page, page.get_by_role("link", name="Read the plan as it is now"))
    expect(page.locator("main")).to_contain_text("2 plans that are not published")

    # on paper: the plan, not the header, breadcrumbs and links around it
    page.emulate_media(media="print")
    expect(page.locator(".govuk-header")).to_be_hidden()
    expect(page.locator(".govuk-breadcrumbs")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("ol.app-tree")).to_be_visible()
    page.emulate_media(media="screen")
    assert not page.context.cookies(), "an anonymous reader was given a cookie"
