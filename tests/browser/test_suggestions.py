"""Suggested changes in real browsers (issue 15): a partner suggests new wording for an
action and a new action under a priority; the owner accepts the first (adjusting it) and
declines the second with a reason; the partner sees both outcomes. Every page is checked
with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from planning import lifecycle
from planning.models import Comment, PlanItem
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser

PRIORITY = "Every child in a good school"
ACTION = "Challenge programme for primary schools"
SUGGESTED = "Challenge and support programme for all schools"
ACCEPTED = "Challenge and support for all schools"
NEW_ACTION = "Attendance officers in every cluster"
REASON = "Attendance is covered by the Fair Access plan."


def _banner(page):
    return page.locator(".govuk-notification-banner")


def test_a_partner_suggests_and_the_owner_accepts_one_and_declines_one(
    live_server, new_context, alice, pat, college, plan
):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title=PRIORITY)
    action = add_item(plan, priority, "action", user=alice, title=ACTION, description="Termly visits.")
    today = timezone.localdate()
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=today,
        closes_on=today + timedelta(days=14),
        note="",
        organisations=[college],
        members=[],
    )
    partner = new_context().new_page()
    owner = new_context().new_page()

    # The partner suggests new wording for the action, from its page.
    sign_in(partner, pat)
    visit(partner, action.get_absolute_url())
    follow(partner, partner.get_by_role("link", name="Suggest new wording"))
    expect(partner.get_by_label("Title you suggest")).to_have_value(ACTION)
    partner.get_by_label("Title you suggest").fill(SUGGESTED)
    partner.get_by_label("Description you suggest").fill("Termly visits to **every** school.")
    partner.get_by_label("Why do you suggest this?").fill("Secondary schools need support too.")
    submit(partner, partner.get_by_role("button", name="Send suggestion"))
    expect(_banner(partner)).to_contain_text("Your suggestion has been added.")
    wording = Comment.objects.get(proposed_title=SUGGESTED)
    thread = partner.locator(f"#comment-{wording.pk}")
    expect(thread).to_contain_text("Suggestion from Pat Partner")
    expect(thread.locator("del", has_text=ACTION)).to_be_visible()
    expect(thread.locator("ins", has_text=SUGGESTED)).to_be_visible()

    # ...and a new action under the priority; a refused first try is explained.
    visit(partner, priority.get_absolute_url())
    follow(partner, partner.get_by_role("link", name="Suggest a new item under this"))
    submit(partner, partner.get_by_role("button", name="Send suggestion"))
    expect(partner.locator(".govuk-error-summary")).to_contain_text("What to add")
    partner.get_by_label("Action", exact=True).check()
    partner.get_by_label("Title you suggest").fill(NEW_ACTION)
    partner.get_by_label("Why do you suggest this?").fill("Attendance is falling.")
    submit(partner, partner.get_by_role("button", name="Send suggestion"))
    new_item = Comment.objects.get(proposed_title=NEW_ACTION)

    # The owner accepts the wording, shortening it, from the comments page.
    sign_in(owner, alice)
    visit(owner, f"/plans/{plan.slug}/comments/")
    expect(owner.locator(".app-facts")).to_contain_text("Suggestions2")
    follow(owner, owner.locator(f"#comment-{wording.pk}").get_by_role("link", name="Accept the suggestion"))
    expect(owner.get_by_role("heading", level=1)).to_have_text("Accept the suggestion from Pat Partner")
    expect(owner.get_by_label("Title", exact=True)).to_have_value(SUGGESTED)
    owner.get_by_label("Title", exact=True).fill(ACCEPTED)
    owner.get_by_label("Note to the person who suggested it").fill("Thank you: shortened a little.")
    submit(owner, owner.get_by_role("button", name="Accept and change the item"))
    expect(_banner(owner)).to_contain_text(f"Suggestion from Pat Partner accepted: “{ACCEPTED}” saved.")
    wording.refresh_from_db()
    change = PlanItem.history.filter(id=action.pk).latest("history_date", "history_id")
    assert (wording.state, wording.change_history_id, wording.accepted_with_changes) == (
        "accepted",
        change.history_id,
        True,
    )
    follow(
        owner, owner.locator(f"#comment-{wording.pk}").get_by_role("link", name="See the change in the item’s history")
    )
    expect(owner.get_by_role("heading", level=1)).to_have_text(f"History of “{ACCEPTED}”")
    expect(owner.locator("main")).to_contain_text("Suggestion from Pat Partner (Northmoor College) accepted")

    # ...and declines the new action, after being asked for a reason.
    visit(owner, f"/plans/{plan.slug}/comments/")
    follow(owner, owner.locator(f"#comment-{new_item.pk}").get_by_role("link", name="Decline the suggestion"))
    submit(owner, owner.get_by_role("button", name="Decline the suggestion"))
    expect(owner.locator(".govuk-error-summary")).to_contain_text("Reason for declining")
    owner.get_by_label("Reason for declining").fill(REASON)
    submit(owner, owner.get_by_role("button", name="Decline the suggestion"))
    expect(_banner(owner)).to_contain_text("Suggestion from Pat Partner declined.")
    new_item.refresh_from_db()
    assert new_item.state == "declined" and not PlanItem.objects.filter(title=NEW_ACTION).exists()

    # The partner sees both outcomes, in the comments and in their notifications.
    visit(partner, f"/plans/{plan.slug}/comments/")
    expect(partner.locator(f"#comment-{wording.pk}")).to_contain_text("Accepted with changes")
    expect(partner.locator(f"#comment-{wording.pk}")).to_contain_text("Thank you: shortened a little.")
    expect(partner.locator(f"#comment-{new_item.pk}")).to_contain_text("Declined")
    expect(partner.locator(f"#comment-{new_item.pk}")).to_contain_text(REASON)
    expect(partner.get_by_role("link", name="Accept the suggestion from Pat Partner")).to_have_count(0)
    visit(partner, "/notifications/")
    expect(partner.locator("main")).to_contain_text(f"Your suggestion on {plan.title} was accepted with changes")
    expect(partner.locator("main")).to_contain_text(f"Your suggestion on {plan.title} was declined")

    # The consultation summary counts them beside the comments.
    visit(owner, f"/plans/{plan.slug}/consultation/summary/")
    expect(owner.get_by_role("table", name="Invited organisations and members")).to_contain_text("Northmoor College")
    expect(owner.locator(".app-facts--suggestions")).to_contain_text("Suggested changes2")
