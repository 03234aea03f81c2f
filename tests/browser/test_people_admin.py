"""An administrator manages people in a real browser: finds the people and organisation
pages from the header, invites a person (after a mistake the form points out), sees that
person accept the invitation elsewhere, then deactivates them, which signs them out.
Every page on the way is checked with axe."""

import re

import pytest
from playwright.sync_api import expect

from partners.models import User
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser


def _banner(page):
    return page.locator(".govuk-notification-banner")


def _h1(page):
    return page.get_by_role("heading", level=1)


def test_an_admin_invites_a_person_and_deactivates_them(
    live_server, page, new_context, settings, mailoutbox, ada, bob, service, college
):
    settings.SITE_URL = "http://testserver"
    sign_in(page, ada)

    # The header leads to people; the people page to organisations and back.
    follow(page, page.get_by_role("link", name="People and organisations"))
    expect(_h1(page)).to_have_text("People")
    expect(page.get_by_role("link", name="Bob Officer")).to_be_visible()
    follow(page, page.get_by_role("link", name="Organisations", exact=True))
    expect(_h1(page)).to_have_text("Organisations")
    expect(page.get_by_role("link", name="School Improvement")).to_be_visible()
    follow(page, page.get_by_role("link", name="Add an organisation"))
    expect(_h1(page)).to_have_text("Add an organisation")
    follow(page, page.get_by_role("link", name="Cancel"))
    follow(page, page.get_by_role("link", name=service.name))
    expect(_h1(page)).to_have_text(f"Edit {service.name}")
    expect(page.get_by_label("Part of")).to_have_value(str(service.parent_id))
    follow(page, page.get_by_role("link", name="Cancel"))
    follow(page, page.get_by_role("link", name="People", exact=True))

    # Filter the list.
    page.get_by_label("Role").select_option(label="Council officer")
    submit(page, page.get_by_role("button", name="Filter"))
    expect(page.get_by_role("link", name="Bob Officer")).to_be_visible()
    expect(page.get_by_role("link", name="Ada Admin")).to_have_count(0)

    # Invite a person; an address that already has an account is pointed out next to the field.
    follow(page, page.get_by_role("link", name="Invite a person"))
    expect(_h1(page)).to_have_text("Invite a person")
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Email address").fill(bob.email.upper())
    page.get_by_label("Role", exact=True).select_option(label="Council officer")
    page.get_by_label("Organisation (optional)", exact=True).select_option(value=str(service.pk))
    page.get_by_label("Job title").fill("Attendance officer")
    submit(page, page.get_by_role("button", name="Send invitation"))
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Email address: Someone with this email address already has an account."
    )
    expect(page.locator("#id_email-error")).to_contain_text("Someone with this email address already has an account.")
    assert not User.objects.filter(first_name="Nia").exists()

    page.get_by_label("Email address").fill("nia@example.org")
    submit(page, page.get_by_role("button", name="Send invitation"))
    expect(_banner(page)).to_contain_text("Invitation sent to nia@example.org.")

    # Nia accepts the invitation on her own computer.
    link = re.search(r"^http://testserver(/accounts/invitation/\S+/)$", mailoutbox[0].body, re.MULTILINE).group(1)
    her_page = new_context().new_page()
    visit(her_page, link)
    her_page.get_by_label("New password", exact=True).fill(PASSWORD)
    her_page.get_by_label("New password confirmation").fill(PASSWORD)
    submit(her_page, her_page.get_by_role("button", name="Set password and sign in"))
    expect(_h1(her_page)).to_have_text("Plans")
    nia = User.objects.get(username="nia@example.org")
    assert (nia.organisation_id, nia.role, nia.is_active) == (service.pk, "officer", True)
    visit(page, "/people/")

    # The admin deactivates her.
    follow(page, page.get_by_role("link", name="Nia Newcomer"))
    expect(_h1(page)).to_have_text("Edit Nia Newcomer")
    page.get_by_label("Active", exact=True).uncheck()
    submit(page, page.get_by_role("button", name="Save person"))
    expect(_banner(page)).to_contain_text("Nia Newcomer deactivated and signed out everywhere.")
    nia.refresh_from_db()
    assert not nia.is_active

    # Her next page is the sign-in page, and signing in again fails.
    visit(her_page, "/")
    expect(her_page).to_have_url(re.compile(r"/accounts/login/"))
    her_page.get_by_label("Username").fill("nia@example.org")
    her_page.get_by_label("Password").fill(PASSWORD)
    submit(her_page, her_page.get_by_role("button", name="Sign in"))
    expect(her_page).to_have_url(re.compile(r"/accounts/login/"))

    # The admin's own notifications page.
    follow(page, page.get_by_role("link", name="Notifications"))
    expect(_h1(page)).to_have_text("Notifications")


def test_an_officer_is_refused_the_people_pages(page, bob):
    sign_in(page, bob)
    expect(page.get_by_role("link", name="People and organisations")).to_have_count(0)
    visit(page, "/people/", status=403)
    visit(page, "/organisations/new/", status=403)
