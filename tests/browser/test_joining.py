"""Joining and signing in, in a real browser: an administrator invites someone, who opens
the emailed link and sets a password; someone who forgot their password resets it from the
emailed link; someone signs in through a real OpenID Connect provider. Every page of the
app on the way is checked with axe (the provider's own page is the provider's, not ours,
and is only filled in)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from partners import services
from partners.models import Invitation, User
from tests.browser.conftest import assert_accessible, follow, sign_in, submit, visit
from tests.factories import PASSWORD
from tests.oidc_provider import PROVIDER_NAME, running_provider, use_provider

pytestmark = pytest.mark.browser

NEW_PASSWORD = "a-long-and-unusual-passphrase"


def _h1(page):
    return page.get_by_role("heading", level=1)


def _new_password(page, password: str, button: str, confirmation: str | None = None) -> None:
    """Fill Django's two new-password fields and send the form (checked by axe)."""
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(confirmation or password)
    submit(page, page.get_by_role("button", name=button))


def _link_in(body: str, base: str) -> str:
    url = re.search(rf"^({re.escape(base)}/accounts/\S+/)$", body, re.MULTILINE).group(1)
    return url.removeprefix(base)


def test_an_admin_invites_someone_who_sets_a_password_and_is_signed_in(
    live_server, page, new_context, settings, mailoutbox, ada, service
):
    settings.SITE_URL = live_server.url
    sign_in(page, ada)
    follow(page, page.get_by_role("link", name="People and organisations"))
    follow(page, page.get_by_role("link", name="Invite a person"))
    expect(_h1(page)).to_have_text("Invite a person")
    expect(page.locator('input[type="password"]')).to_have_count(0)

    # a mistake is pointed out beside the field
    page.get_by_label("First name").fill("Nia")
    page.get_by_label("Last name").fill("Newcomer")
    page.get_by_label("Email address").fill("nia@example")
    page.get_by_label("Role", exact=True).select_option(label="Council officer")
    page.get_by_label("Organisation (optional)", exact=True).select_option(value=str(service.pk))
    submit(page, page.get_by_role("button", name="Send invitation"))
    expect(page.locator("#id_email-error")).to_contain_text("Enter a valid email address.")
    assert not Invitation.objects.exists()

    page.get_by_label("Email address").fill("nia@example.org")
    submit(page, page.get_by_role("button", name="Send invitation"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Invitation sent to nia@example.org.")
    assert [message.to for message in mailoutbox] == [["nia@example.org"]]
    link = _link_in(mailoutbox[0].body, live_server.url)

    # Nia, on her own computer, opens the link from her email
    hers = new_context().new_page()
    visit(hers, link)
    expect(_h1(hers)).to_have_text("Welcome to Golden Thread")
    _new_password(hers, "password", "Set password and sign in")
    expect(hers.locator("#id_new_password2-error")).to_contain_text("This password is too common.")

    _new_password(hers, NEW_PASSWORD, "Set password and sign in")
    expect(_h1(hers)).to_have_text("Plans")
    expect(hers.locator(".govuk-notification-banner")).to_contain_text("Welcome, Nia Newcomer.")
    nia = User.objects.get(email="nia@example.org")
    assert (nia.organisation_id, nia.role) == (service.pk, "officer")

    # the link has done its work
    visit(hers, link, status=410)
    expect(_h1(hers)).to_have_text("This invitation has been used")


def test_a_forgotten_password_is_reset_from_the_emailed_link(live_server, page, settings, mailoutbox, bob):
    settings.SITE_URL = live_server.url
    visit(page, "/accounts/login/")
    follow(page, page.get_by_role("link", name="Forgotten your password?"))
    expect(_h1(page)).to_have_text("Reset your password")
    page.get_by_label("Email").fill("bob@example.org")
    submit(page, page.get_by_role("button", name="Send the link"))
    expect(_h1(page)).to_have_text("Check your email")
    link = _link_in(mailoutbox[0].body, live_server.url)

    visit(page, link)  # Django moves the token into the session and lands on the form
    expect(_h1(page)).to_have_text("Choose a new password")
    _new_password(page, NEW_PASSWORD, "Save the new password", confirmation="not the same")
    expect(page.locator(".govuk-error-summary")).to_contain_text("didn’t match")
    _new_password(page, NEW_PASSWORD, "Save the new password")
    expect(_h1(page)).to_have_text("Your password has been changed")

    follow(page, page.get_by_role("link", name="Sign in with your new password"))
    page.get_by_label("Username").fill("bob")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    submit(page, page.get_by_role("button", name="Sign in"))
    expect(_h1(page)).to_have_text("Plans")
    bob.refresh_from_db()
    assert not bob.check_password(PASSWORD)


def test_someone_signs_in_through_the_openid_connect_provider(live_server, page, settings, ada, service):
    settings.SITE_URL = live_server.url
    services.domain_add(organisation=service, domain="northmoor.gov.uk", role="officer", user=ada)
    with running_provider() as provider:
        use_provider(settings, provider)
        provider.set_person(
            "omar", email="omar@northmoor.gov.uk", email_verified=True, given_name="Omar", family_name="Officer"
        )
        visit(page, "/accounts/login/")
        button = page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}")
        with page.expect_navigation():
            button.click()
        # the provider's own page: it asks who you are
        assert page.url.startswith(provider.url)
        page.locator('input[name="sub"]').fill("omar")
        with page.expect_navigation(url=re.compile(re.escape(live_server.url))) as navigation:
            page.get_by_role("button", name="Authorize").click()
        assert navigation.value is not None and navigation.value.status == 200
        assert_accessible(page)
    expect(_h1(page)).to_have_text("Plans")
    expect(page.locator(".app-header__user")).to_contain_text("Omar Officer")
    omar = User.objects.get(email="omar@northmoor.gov.uk")
    assert (omar.organisation_id, omar.role, omar.has_usable_password()) == (service.pk, "officer", False)
    # someone signed in through single sign-on has no password to change
    expect(page.get_by_role("link", name="Your password")).to_have_count(0)


def test_the_other_joining_pages_pass_axe(live_server, page, new_context, settings, mailoutbox, ada, bob, college):
    """The pages the journeys above do not reach, each checked by axe."""
    settings.SITE_URL = live_server.url
    mapping = services.domain_add(organisation=college, domain="college.example", role="partner", user=ada)
    sign_in(page, ada)
    visit(page, f"/organisations/{college.pk}/edit/")
    follow(page, page.get_by_role("link", name="Email domains for single sign-on"))
    expect(page.get_by_role("cell", name=mapping.domain, exact=True)).to_be_visible()
    page.get_by_label("Email domain").fill("not a domain")
    submit(page, page.get_by_role("button", name="Add domain"))
    expect(page.locator("#id_domain-error")).to_contain_text("Enter a domain such as")
    submit(page, page.get_by_role("button", name=f"Remove {mapping.domain}"))
    expect(page.locator(".govuk-notification-banner")).to_contain_text("college.example removed")

    # an expired invitation, and asking for a new link
    services.invitation_send(by=ada, email="late@college.example", organisation=college, role="partner")
    link = _link_in(mailoutbox[-1].body, live_server.url)
    Invitation.objects.update(expires_at=Invitation.objects.get().created_at)
    Invitation.objects.update(sent_at=Invitation.objects.get().created_at - timedelta(hours=1))
    stranger = new_context().new_page()
    visit(stranger, link, status=410)
    expect(_h1(stranger)).to_have_text("This invitation has expired")
    submit(stranger, stranger.get_by_role("button", name="Send me a new link"))
    expect(_h1(stranger)).to_have_text("A new link is on its way")

    # a reset link that does not work; changing one's password
    visit(stranger, "/accounts/reset/MQ/not-a-token/")
    expect(_h1(stranger)).to_have_text("This link does not work")
    bobs = new_context().new_page()
    sign_in(bobs, bob)
    follow(bobs, bobs.get_by_role("link", name="Your password"))
    bobs.get_by_label("Old password").fill("wrong")
    _new_password(bobs, NEW_PASSWORD, "Change password")
    expect(bobs.locator("#id_old_password-error")).to_be_visible()
    bobs.get_by_label("Old password").fill(PASSWORD)
    _new_password(bobs, NEW_PASSWORD, "Change password")
    expect(_h1(bobs)).to_have_text("Your password has been changed")

    # single sign-on set up, password sign-in switched off: the refusal and a failed sign-on
    with running_provider() as provider:
        use_provider(settings, provider)
        bob.organisation.password_sign_in = False
        services.organisation_save(organisation=bob.organisation, user=ada)
        other = new_context().new_page()
        visit(other, "/accounts/login/")
        other.get_by_label("Username").fill("bob")
        other.get_by_label("Password").fill(NEW_PASSWORD)
        submit(other, other.get_by_role("button", name="Sign in", exact=True))
        expect(other.locator(".govuk-error-summary")).to_contain_text(f"sign in with {PROVIDER_NAME}")
        with other.expect_navigation():
            other.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
        other.locator('input[name="sub"]').fill("nobody-known")  # the provider's claims: no verified email
        with other.expect_navigation(url=re.compile(re.escape(live_server.url))):
            other.get_by_role("button", name="Authorize").click()
        assert_accessible(other)
        expect(_h1(other)).to_have_text("You have not been signed in")


def test_the_single_sign_on_button_works_under_the_apps_content_security_policy(live_server, browser, settings, bob):
    """The other browser tests bypass the CSP (to inject axe); a real browser enforces it,
    ``form-action 'self'`` included, which Chromium applies to a form's redirects as well.
    The pages here are the ones the test above checks with axe."""
    settings.SITE_URL = live_server.url
    with running_provider() as provider:
        use_provider(settings, provider)
        provider.set_person("bob-csp", email="bob@example.org", email_verified=True)
        context = browser.new_context(base_url=live_server.url)  # the CSP enforced, as in any browser
        context.set_default_timeout(10_000)
        try:
            page = context.new_page()
            page.goto("/accounts/login/")
            with page.expect_navigation(url=re.compile(re.escape(provider.url))):
                page.get_by_role("button", name=f"Sign in with {PROVIDER_NAME}").click()
            page.locator('input[name="sub"]').fill("bob-csp")
            with page.expect_navigation(url=re.compile(re.escape(live_server.url))):
                page.get_by_role("button", name="Authorize").click()
            expect(_h1(page)).to_have_text("Plans")
        finally:
            context.close()
