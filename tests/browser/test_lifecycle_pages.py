"""A plan's life in a real browser: the owner opens a consultation through the form; the
invited partner finds the plan, the consultation and the college's work on their
organisation's home page; the owner approves the plan and finds the approved edition.
Every page is checked with axe."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from partners.models import Notification
from planning.models import Plan
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


def test_owner_consults_the_partner_finds_it_at_home_and_the_owner_approves(
    live_server, page, alice, pat, mel, college, plan
):
    priority = add_item(plan, vision_of(plan), "priority", user=alice, title="Raise standards")
    add_item(plan, priority, "action", user=alice, title="Governor training", lead_organisation=college)
    closes_on = timezone.localdate() + timedelta(days=28)

    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/")
    follow(page, page.get_by_role("link", name="Status and approval"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Status and approval")
    follow(page, page.get_by_role("link", name="Open a consultation"))

    # A mistake first: nobody invited. The form says so and nothing changes.
    page.get_by_label("Closes on").fill(closes_on.isoformat())
    submit(page, page.get_by_role("button", name="Open the consultation"))
    expect(page.get_by_role("alert")).to_contain_text(
        "Invite at least one organisation or member, or open it to the public."
    )
    expect(page.get_by_role("alert")).not_to_contain_text("Opens on")  # today's date survived the round trip
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT

    page.get_by_label("Covering note").fill("Comments on **the priorities**, please.")
    page.get_by_label("Northmoor College").check()
    page.get_by_label("Mel Member").check()
    submit(page, page.get_by_role("button", name="Open the consultation"))
    main = page.locator("main")
    expect(main).to_contain_text(f"Consultation open until {closes_on:%-d %B %Y}")
    expect(main.locator(".govuk-summary-list").first).to_contain_text("In consultation")
    expect(main).to_contain_text("Northmoor College")
    expect(main).to_contain_text("Mel Member")
    assert {n.recipient for n in Notification.objects.all()} == {pat, mel}

    # The partner finds the invitation and the college's work on their organisation's home.
    submit(page, page.get_by_role("button", name="Sign out"))
    sign_in(page, pat)
    follow(page, page.get_by_role("link", name="My organisation"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Northmoor College")
    expect(page.get_by_role("link", name=f"Comment on {plan.title}")).to_be_visible()
    expect(main).to_contain_text(f"{closes_on:%-d %B %Y}")
    follow(page, page.get_by_role("link", name="Governor training"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Governor training")

    # The owner approves the plan and finds the approved edition.
    submit(page, page.get_by_role("button", name="Sign out"))
    sign_in(page, alice)
    visit(page, f"/plans/{plan.slug}/status/")
    approve = page.get_by_role("region", name="Approve the plan")
    approve.get_by_label("Approving body").fill("Cabinet")
    approve.get_by_label("Date approved").fill("2013-03-18")
    submit(page, approve.get_by_role("button", name="Approve plan"))
    expect(main).to_contain_text("Approved by Cabinet, 18 March 2013")
    expect(main.locator(".govuk-summary-list").first).to_contain_text("18 March 2013")
    follow(page, page.get_by_role("link", name="School Improvement Business Plan 2013-14").first)
    follow(page, page.get_by_role("link", name="Editions and past views"))
    expect(page.get_by_role("link", name="Approved by Cabinet, 18 March 2013", exact=True)).to_be_visible()


def test_an_officer_is_told_what_is_missing_and_refused_what_is_not_theirs(live_server, page, bob, plan):
    sign_in(page, bob)
    visit(page, f"/plans/{plan.slug}/status/")
    status = page.get_by_role("region", name="Change the status")
    submit(page, status.get_by_role("button", name="Archive"))
    expect(page.get_by_role("alert")).to_contain_text("Reason: This field is required.")
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT
    status.get_by_label("Reason").fill("Replaced by the county plan")
    submit(page, status.get_by_role("button", name="Archive"))
    expect(page.locator("main")).to_contain_text("The plan is now archived.")
    expect(page.get_by_role("region", name="Change the status")).to_have_count(0)
    visit(page, f"/plans/{plan.slug}/consultation/new/", status=403)
