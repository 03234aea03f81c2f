"""Two officers edit the same item at once: the second to save is told, nothing is
overwritten, and both versions are shown side by side."""

import pytest
from playwright.sync_api import expect

from planning.models import PlanItem
from tests.browser.conftest import sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser

ORIGINAL = "Every child in a good school"
ALICES = "Every child in a good or outstanding school"
BOBS = "Every child in a school rated good"


def test_the_second_officer_to_save_gets_a_409_with_both_versions_and_nothing_is_lost(
    live_server, new_context, alice, bob, plan
):
    item = add_item(plan, vision_of(plan), "priority", user=alice, title=ORIGINAL)
    edit_url = f"/plans/{plan.slug}/items/{item.pk}/edit/"
    alices_page = new_context().new_page()
    bobs_page = new_context().new_page()
    sign_in(alices_page, alice)
    sign_in(bobs_page, bob)

    # Both open the edit form of the same version of the item.
    visit(alices_page, edit_url)
    visit(bobs_page, edit_url)
    expect(alices_page.get_by_label("Title", exact=True)).to_have_value(ORIGINAL)
    expect(bobs_page.get_by_label("Title", exact=True)).to_have_value(ORIGINAL)

    # Alice saves first.
    alices_page.get_by_label("Title", exact=True).fill(ALICES)
    submit(alices_page, alices_page.get_by_role("button", name="Save", exact=True))
    expect(alices_page.locator(".govuk-notification-banner")).to_contain_text(f"“{ALICES}” saved.")

    # Bob saves his change to the version he opened: 409, his text shown, not saved.
    bobs_page.get_by_label("Title", exact=True).fill(BOBS)
    with bobs_page.expect_response(lambda r: r.request.method == "POST" and r.url.endswith(edit_url)) as posted:
        submit(bobs_page, bobs_page.get_by_role("button", name="Save", exact=True), status=409)
    assert posted.value.status == 409
    expect(bobs_page.get_by_role("heading", level=1)).to_have_text("Someone else changed this while you were editing")
    table = bobs_page.get_by_role("table", name="Saved version and your unsaved version")
    expect(table.get_by_role("columnheader")).to_have_text(["Field", "Saved now", "Your unsaved text"])
    title_row = table.get_by_role("row").filter(has=bobs_page.get_by_role("rowheader", name="Title", exact=True))
    expect(title_row.get_by_role("cell")).to_have_text([ALICES, BOBS])
    expect(bobs_page.get_by_role("link", name="Back to the saved version")).to_have_attribute(
        "href", f"/plans/{plan.slug}/items/{item.pk}/"
    )

    # The database holds Alice's title, saved once.
    item.refresh_from_db()
    assert item.title == ALICES
    assert item.version == 2
    assert not PlanItem.objects.filter(title=BOBS).exists()
