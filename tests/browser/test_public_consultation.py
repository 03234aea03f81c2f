"""A member of the public responds to a draft in public consultation, confirms by the
emailed link, an officer moderates it in the app, and it is published; after approval and
publication of the plan it is in "you said, we did". Every page checked by axe."""

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from planning import lifecycle
from planning.models import PlanItem
from public.models import PublicResponse
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.browser


def _h1(page):
    return page.get_by_role("heading", level=1)


def test_a_member_of_the_public_responds_and_is_published(
    live_server, page, new_context, settings, mailoutbox, alice, bob, plan
):
    cache.clear()
    settings.SITE_URL = live_server.url
    add_item(plan, vision_of(plan), PlanItem.Kind.PRIORITY, user=alice, title="Cleaner streets")
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=timezone.localdate(),
        closes_on=timezone.localdate() + timedelta(days=14),
        note="Tell us what matters to you.",
        organisations=[],
        members=[],
        is_public=True,
    )

    # Rita finds the consultation and responds to the priority
    rita = new_context().new_page()
    visit(rita, "/public/consultations/")
    follow(rita, rita.get_by_role("link", name=plan.title))
    expect(_h1(rita)).to_have_text(plan.title)
    follow(rita, rita.get_by_role("link", name="Respond to this priority: Cleaner streets"))
    rita.get_by_label("Your name").fill("Rita Resident")
    rita.get_by_label("Email address").fill("rita@example")
    rita.get_by_label("Your response").fill("More bins on the high street, please.")
    rita.get_by_label("You may publish my name with this response").check()
    submit(rita, rita.get_by_role("button", name="Send response"), status=400)
    expect(rita.locator("#id_email-error")).to_contain_text("Enter an email address in the right format")
    rita.get_by_label("Email address").fill("rita@example.org")
    submit(rita, rita.get_by_role("button", name="Send response"))
    expect(_h1(rita)).to_have_text("Check your email")
    assert [message.to for message in mailoutbox] == [["rita@example.org"]]

    link = re.search(rf"{re.escape(live_server.url)}(/public/consultations/confirm/\S+/)", mailoutbox[0].body).group(1)
    visit(rita, link)
    submit(rita, rita.get_by_role("button", name="Confirm my response"))
    expect(_h1(rita)).to_contain_text("Response confirmed")
    assert PublicResponse.objects.get().state == PublicResponse.State.WAITING

    # Bob, an officer of the owning service, moderates it in the app
    sign_in(page, bob)
    visit(page, f"/plans/{plan.slug}/consultation/public-responses/")
    expect(page.get_by_text("More bins on the high street, please.")).to_be_visible()
    page.get_by_label("Approve: show it on the public pages").check()
    submit(page, page.get_by_role("button", name="Save decision"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Response from Rita Resident approved")

    # now it is shown to anyone
    visit(rita, f"/public/plans/{plan.slug}/consultation/")
    expect(rita.get_by_text("More bins on the high street, please.")).to_be_visible()
    expect(rita.get_by_text("Rita Resident", exact=False).first).to_be_visible()

    # Bob responds as to any comment; after approval and publication, "you said, we did"
    visit(page, f"/plans/{plan.slug}/comments/")
    follow(page, page.get_by_role("link", name="Respond to the comment from Rita Resident (member of the public)"))
    page.get_by_label("Response").fill("We will add bins in the spring.")
    page.get_by_label("Accepted").check()
    submit(page, page.get_by_role("button", name=re.compile("Save")))
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    lifecycle.plan_publish(plan=plan, user=alice)
    visit(rita, f"/public/plans/{plan.slug}/you-said-we-did/")
    expect(rita.get_by_text("We will add bins in the spring.")).to_be_visible()
    assert "rita@example.org" not in rita.content()
