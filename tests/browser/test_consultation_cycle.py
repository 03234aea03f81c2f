"""A consultation from start to finish in real browsers: the owner opens it, a partner
comments on an action, the officer responds and changes the action in reply, and the
owner approves the plan, which then has its edition. Every page is checked with axe."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from planning import lifecycle
from planning.models import Comment, Plan, PlanItem
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser

ACTION = "Challenge programme for primary schools"
RENAMED = "Challenge and support programme for all schools"
COMMENT = "Secondary schools need **support** as well as challenge."
RESPONSE = "Agreed: the programme now covers every school."


def _banner(page):
    return page.locator(".govuk-notification-banner")


def test_owner_consults_partner_comments_officer_changes_the_action_in_reply_owner_approves(
    live_server, new_context, alice, pat, college, plan
):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Every child in a good school")
    action = add_item(plan, priority, "action", user=alice, title=ACTION)
    today = timezone.localdate()
    owner = new_context().new_page()
    partner = new_context().new_page()

    # The owner opens a consultation from the plan's status page, inviting the college.
    sign_in(owner, alice)
    visit(owner, plan.get_absolute_url())
    follow(owner, owner.get_by_role("link", name="Status and approval"))
    follow(owner, owner.get_by_role("link", name="Open a consultation"))
    owner.get_by_label("Opens on").fill(today.isoformat())
    owner.get_by_label("Closes on").fill((today + timedelta(days=30)).isoformat())
    owner.get_by_label("Covering note").fill("Tell us whether the actions reach every school.")
    owner.get_by_label("Northmoor College").check()
    submit(owner, owner.get_by_role("button", name="Open the consultation"))
    expect(_banner(owner)).to_contain_text("Consultation open until")
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.CONSULTATION

    # The partner, now able to read the draft, comments on the action.
    sign_in(partner, pat)
    follow(partner, partner.get_by_role("link", name=plan.title))
    follow(partner, partner.get_by_role("link", name=ACTION, exact=True))
    follow(partner, partner.get_by_role("link", name="Comment on this"))
    expect(partner.get_by_role("heading", level=1)).to_have_text(f"Comment on “{ACTION}”")
    partner.get_by_label("Your comment").fill(COMMENT)
    submit(partner, partner.get_by_role("button", name="Add comment"))
    expect(_banner(partner)).to_contain_text("Your comment has been added.")
    comment = Comment.objects.get()
    thread = partner.locator(f"#comment-{comment.pk}")
    expect(thread.locator("strong", has_text="support")).to_be_visible()  # Markdown, rendered and sanitised
    expect(thread).to_contain_text("Northmoor College")

    # The owner sees the comment waiting, and responds.
    visit(owner, plan.get_absolute_url())
    follow(owner, owner.get_by_role("link", name=re.compile(r"^Comments \(\d+ unanswered\)$")))
    expect(owner.locator(".app-facts")).to_contain_text("Unanswered1")
    follow(owner, owner.get_by_role("link", name="Respond to the comment from Pat Partner"))
    owner.get_by_label("Response").fill(RESPONSE)
    owner.get_by_label("Accepted").check()
    submit(owner, owner.get_by_role("button", name="Save response"))
    expect(_banner(owner)).to_contain_text("Response saved: the comment is marked accepted.")

    # ...then changes the action in reply: the comment links to the change.
    follow(owner, owner.get_by_role("link", name="Respond to the comment from Pat Partner"))
    follow(owner, owner.get_by_role("link", name="Change the item in reply"))
    expect(owner.locator(".govuk-inset-text")).to_contain_text("in reply to the comment from Pat Partner")
    owner.get_by_label("Title", exact=True).fill(RENAMED)
    submit(owner, owner.get_by_role("button", name="Save", exact=True))
    expect(_banner(owner)).to_contain_text(f"“{RENAMED}” saved. The comment from Pat Partner is accepted")
    comment.refresh_from_db()
    change = PlanItem.history.filter(id=action.pk).latest("history_date", "history_id")
    assert (comment.state, comment.response, comment.change_history_id) == ("accepted", RESPONSE, change.history_id)
    follow(owner, owner.locator(f"#comment-{comment.pk}").get_by_role("link", name="See the change made in reply"))
    expect(owner.get_by_role("heading", level=1)).to_have_text(f"History of “{RENAMED}”")

    # The partner reads the response.
    visit(partner, f"/plans/{plan.slug}/comments/")
    expect(partner.locator(f"#comment-{comment.pk}")).to_contain_text(RESPONSE)
    expect(partner.locator(f"#comment-{comment.pk}")).to_contain_text("Accepted")

    # The consultation summary: who was invited, who responded, the outcome.
    visit(owner, f"/plans/{plan.slug}/consultation/summary/")
    expect(owner.get_by_role("table", name="Invited organisations and members")).to_contain_text("Northmoor College")
    expect(owner.get_by_role("table", name="People")).to_contain_text("Pat Partner")

    # The owner approves the plan; the edition appears on the editions page.
    visit(owner, f"/plans/{plan.slug}/status/")
    owner.get_by_label("Approving body").fill("Cabinet")
    owner.get_by_label("Date approved").fill(today.isoformat())
    submit(owner, owner.get_by_role("button", name="Approve plan"))
    expect(_banner(owner)).to_contain_text("Plan approved.")
    visit(owner, f"/plans/{plan.slug}/editions/")
    edition = f"Approved by Cabinet, {today:%-d %B %Y}"
    expect(owner.get_by_role("table", name="Named editions")).to_contain_text(edition)
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.APPROVED


def test_comment_pages_pass_axe_with_errors_filters_replies_and_a_conflict(
    live_server, page, alice, pat, college, plan
):
    action = add_item(plan, add_item(plan, vision_of(plan), "priority", user=alice), "action", user=alice, title=ACTION)
    today = timezone.localdate()
    lifecycle.plan_consultation_open(
        plan=plan, user=alice, opens_on=today, closes_on=today, note="", organisations=[college], members=[]
    )
    on_item = lifecycle.comment_add(plan=plan, user=pat, body=COMMENT, item=action)
    on_plan = lifecycle.comment_add(plan=plan, user=pat, body="The plan as a whole reads well.")
    lifecycle.comment_add(plan=plan, user=alice, body="Thank you.", parent=on_plan)
    base = f"/plans/{plan.slug}"
    sign_in(page, alice)

    visit(page, f"{base}/comments/?state=open&organisation={college.pk}")
    expect(page.get_by_role("status")).to_contain_text("Showing 2 of 2 comments.")
    visit(page, f"{base}/comments/?parent={on_plan.pk}")
    expect(page.get_by_role("heading", name="Reply to Pat Partner")).to_be_visible()
    submit(page, page.get_by_role("button", name="Add reply"))  # empty: refused next to the field
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your comment")

    visit(page, f"{base}/items/{action.pk}/comments/new/?parent={on_item.pk}")
    submit(page, page.get_by_role("button", name="Add reply"))
    expect(page.locator(".govuk-error-summary")).to_be_visible()

    # Two officers respond to the same comment: the second sees both versions (409).
    visit(page, f"{base}/comments/{on_item.pk}/respond/")
    lifecycle.comment_respond(
        comment_id=on_item.pk, user=alice, response="Someone else's", state="answered", expected_version=1
    )
    page.get_by_label("Response").fill("Mine")
    page.get_by_label("Declined").check()
    submit(page, page.get_by_role("button", name="Save response"), status=409)
    expect(page.get_by_role("heading", level=1)).to_have_text("Someone else changed this while you were editing")
    visit(page, f"{base}/consultation/summary/")
