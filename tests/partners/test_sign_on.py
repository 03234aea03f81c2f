"""Single sign-on through a real OpenID Connect provider started for these tests
(tests/oidc_provider.py): people are matched by verified email; someone new comes in only
through a waiting invitation or a domain an administrator mapped; every token the provider
issues is checked (audience, expiry, state); and whatever goes wrong, the person sees a
page saying what to do, never a traceback."""

import logging
import threading

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse

from partners import services
from partners.models import Invitation, User
from tests.concurrency import at_once
from tests.factories import PASSWORD
from tests.oidc_provider import (
    CLIENT_ID,
    PROVIDER_NAME,
    expired_tokens_provider,
    local_path,
    running_provider,
    use_provider,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    with running_provider() as started:
        yield started


@pytest.fixture
def sso(settings, provider):
    use_provider(settings, provider)
    return provider


def _start(client, next_url: str = ""):
    response = client.get(reverse("sign-on-start"), {"next": next_url})
    assert response.status_code == 302, response.content[:300]
    return response["Location"]


def _sign_on(client, provider, sub: str, next_url: str = ""):
    """The whole round trip: the app sends the browser to the provider, the person gives
    their subject there, the provider sends the browser back to the app's callback."""
    callback = provider.authorise(_start(client, next_url), sub)
    return client.get(local_path(callback))


def _signed_in_as(client) -> User | None:
    pk = client.session.get(SESSION_KEY)
    return User.objects.get(pk=pk) if pk else None


def _refused(response, status: int, message: str) -> None:
    assert response.status_code == status
    page = response.content.decode()
    assert "You have not been signed in" in page
    assert message in page, page
    assert "Traceback" not in page


# --- who comes in --------------------------------------------------------------------------


def test_a_person_with_an_account_signs_in_by_their_verified_email(client, sso, bob):
    sso.set_person("bob-at-provider", email="BOB@example.org", email_verified=True)
    response = _sign_on(client, sso, "bob-at-provider")
    assert response.status_code == 302
    assert response["Location"] == reverse("monitoring:start")
    assert _signed_in_as(client) == bob
    assert client.get(reverse("planning:plan-list")).status_code == 200


def test_someone_new_at_a_mapped_domain_joins_its_organisation(client, sso, ada, service):
    services.domain_add(organisation=service, domain="northmoor.gov.uk", role="officer", user=ada)
    sso.set_person("nia", email="nia@northmoor.gov.uk", email_verified=True, given_name="Nia", family_name="Newcomer")
    response = _sign_on(client, sso, "nia")
    assert response.status_code == 302
    nia = User.objects.get(email="nia@northmoor.gov.uk")
    assert (nia.username, nia.first_name, nia.last_name, nia.organisation, nia.role, nia.is_active) == (
        "nia@northmoor.gov.uk",
        "Nia",
        "Newcomer",
        service,
        "officer",
        True,
    )
    assert not nia.has_usable_password()
    assert _signed_in_as(client) == nia
    row = nia.history.get()
    assert (row.history_type, row.history_change_reason) == ("+", "Joined through single sign-on (northmoor.gov.uk)")


def test_an_unmapped_domain_is_refused_and_no_one_is_created(client, sso):
    sso.set_person("stranger", email="stranger@elsewhere.example", email_verified=True)
    before = User.objects.count()
    response = _sign_on(client, sso, "stranger")
    _refused(
        response, 403, "people from elsewhere.example are not added automatically. Ask an administrator to invite you."
    )
    assert User.objects.count() == before
    assert _signed_in_as(client) is None


def test_a_waiting_invitation_lets_an_unmapped_address_in_and_is_used(client, sso, ada, college):
    invitation = services.invitation_send(
        by=ada, email="zoe@elsewhere.example", organisation=college, role="partner", first_name="Zoe"
    )
    sso.set_person("zoe", email="zoe@elsewhere.example", email_verified=True, family_name="Zed")
    response = _sign_on(client, sso, "zoe")
    assert response.status_code == 302
    zoe = User.objects.get(email="zoe@elsewhere.example")
    assert (zoe.first_name, zoe.last_name, zoe.organisation, zoe.role) == ("Zoe", "Zed", college, "partner")
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.user == zoe
    assert _signed_in_as(client) == zoe


@pytest.mark.parametrize("verified", [False, "true", None])
def test_an_email_that_is_not_verified_is_refused(client, sso, bob, verified):
    claims = {"email": "bob@example.org"}
    if verified is not None:
        claims["email_verified"] = verified
    sso.set_person(f"unverified-{verified}", **claims)
    response = _sign_on(client, sso, f"unverified-{verified}")
    _refused(response, 403, "no verified email address")
    assert _signed_in_as(client) is None


def test_an_inactive_person_is_refused(client, sso, ada, bob):
    bob.is_active = False
    services.person_save(person=bob, user=ada)
    sso.set_person("bob-inactive", email="bob@example.org", email_verified=True)
    _refused(_sign_on(client, sso, "bob-inactive"), 403, "Your account has been deactivated.")
    assert _signed_in_as(client) is None


def test_a_mapped_domain_never_brings_in_someone_for_an_inactive_organisation(client, sso, ada, service):
    services.domain_add(organisation=service, domain="closed.example", role="officer", user=ada)
    service.is_active = False
    services.organisation_save(organisation=service, user=ada)
    sso.set_person("late", email="late@closed.example", email_verified=True)
    _refused(_sign_on(client, sso, "late"), 403, "Ask an administrator to invite you.")
    assert not User.objects.filter(email="late@closed.example").exists()


# --- what the provider says is checked -----------------------------------------------------


def test_a_token_for_another_audience_is_refused(client, sso, bob, caplog):
    sso.set_person("wrong-aud", email="bob@example.org", email_verified=True, aud="another-app")
    with caplog.at_level(logging.WARNING, logger="partners.sign_on"):
        response = _sign_on(client, sso, "wrong-aud")
    _refused(response, 400, "could not be checked")
    assert _signed_in_as(client) is None
    assert "the ID token was refused" in caplog.text


def test_a_token_for_another_audience_naming_this_app_as_its_party_is_refused(client, sso, bob):
    """authlib on its own accepts this one (it compares ``azp`` with the client and leaves
    ``aud`` alone): the app asks for the audience itself."""
    sso.set_person("wrong-aud-azp", email="bob@example.org", email_verified=True, aud="another-app", azp=CLIENT_ID)
    _refused(_sign_on(client, sso, "wrong-aud-azp"), 400, "could not be checked")
    assert _signed_in_as(client) is None


def test_an_expired_token_is_refused(client, settings, bob):
    with expired_tokens_provider() as provider:
        use_provider(settings, provider)
        provider.set_person("bob-expired", email="bob@example.org", email_verified=True)
        response = _sign_on(client, provider, "bob-expired")
    _refused(response, 400, "had expired")
    assert _signed_in_as(client) is None


def test_a_replayed_callback_is_refused(client, sso, bob):
    sso.set_person("bob-replay", email="bob@example.org", email_verified=True)
    callback = local_path(sso.authorise(_start(client), "bob-replay"))
    assert client.get(callback).status_code == 302  # the first use signs in

    _refused(client.get(callback), 400, "already been used or has timed out")  # same browser, again
    elsewhere = Client()
    _refused(elsewhere.get(callback), 400, "already been used or has timed out")  # another browser
    assert _signed_in_as(elsewhere) is None


def test_a_callback_with_a_forged_state_is_refused(client, sso, bob):
    sso.set_person("bob-forged", email="bob@example.org", email_verified=True)
    callback = local_path(sso.authorise(_start(client), "bob-forged"))
    forged = callback.replace("state=", "state=x")
    _refused(client.get(forged), 400, "already been used or has timed out")
    assert _signed_in_as(client) is None


def test_cancelling_at_the_provider_says_so(client, sso):
    import requests

    response = requests.post(_start(client), data={"action": "deny"}, allow_redirects=False, timeout=5)
    _refused(client.get(local_path(response.headers["Location"])), 400, "Signing in was cancelled.")


def test_a_provider_that_cannot_be_reached_gets_a_friendly_page_and_a_log_line(client, settings, caplog):
    settings.OIDC_DISCOVERY_URL = "http://127.0.0.1:9/.well-known/openid-configuration"  # nothing listens on 9
    settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET = CLIENT_ID, "secret"
    with caplog.at_level(logging.ERROR, logger="partners.sign_on"):
        response = client.get(reverse("sign-on-start"))
    _refused(response, 502, "cannot be reached just now")
    assert "discovery document could not be read" in caplog.text


def test_a_provider_that_goes_down_before_the_callback_gets_a_friendly_page(client, settings, bob, caplog):
    with running_provider() as provider:
        use_provider(settings, provider)
        provider.set_person("bob-down", email="bob@example.org", email_verified=True)
        callback = local_path(provider.authorise(_start(client), "bob-down"))
    with caplog.at_level(logging.ERROR, logger="partners.sign_on"):
        response = client.get(callback)  # the token endpoint no longer answers
    _refused(response, 502, "cannot be reached just now")
    assert "could not be reached" in caplog.text
    assert _signed_in_as(client) is None


def test_a_safe_next_page_is_returned_to_and_another_site_is_not(client, sso, bob):
    sso.set_person("bob-next", email="bob@example.org", email_verified=True)
    response = _sign_on(client, sso, "bob-next", next_url=reverse("planning:plan-map"))
    assert response["Location"] == reverse("planning:plan-map")
    other = Client()
    response = _sign_on(other, sso, "bob-next", next_url="https://evil.example/")
    assert response["Location"] == reverse("monitoring:start")


def test_without_settings_single_sign_on_is_off(client, settings):
    settings.OIDC_DISCOVERY_URL = ""
    assert "Sign in with" not in client.get(reverse("login")).content.decode()
    assert client.get(reverse("sign-on-start")).status_code == 404
    assert client.get(reverse("sign-on-callback")).status_code == 404


def test_the_sign_in_page_offers_the_provider_by_name(client, sso, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        page = client.get(reverse("login")).content.decode()
    assert f"Sign in with {PROVIDER_NAME}" in page


# --- password sign-in switched off; deactivation ---------------------------------------------


def test_password_sign_in_switched_off_refuses_the_right_password_and_points_to_the_button(
    client, sso, ada, bob, service
):
    service.password_sign_in = False
    services.organisation_save(organisation=service, user=ada)

    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})

    assert response.status_code == 200
    page = response.content.decode()
    assert f"People of School Improvement sign in with {PROVIDER_NAME}" in page
    assert 'href="#sign-on"' in page
    assert _signed_in_as(client) is None
    assert AccessAttempt.objects.get(username="bob").failures_since_start == 1  # counted like any refusal

    # a wrong password says only that it is wrong: nobody learns the account exists
    page = client.post(reverse("login"), {"username": "bob", "password": "wrong"}).content.decode()
    assert "Enter a correct username and password" in page and "People of School Improvement" not in page

    # single sign-on still lets bob in; other organisations keep their passwords
    sso.set_person("bob-sso-only", email="bob@example.org", email_verified=True)
    assert _sign_on(client, sso, "bob-sso-only").status_code == 302
    assert _signed_in_as(client) == bob
    assert Client().post(reverse("login"), {"username": "ada", "password": PASSWORD}).status_code == 302


def test_password_sign_in_switched_off_without_single_sign_on_set_up_says_to_ask(client, settings, ada, bob, service):
    settings.OIDC_DISCOVERY_URL = ""
    service.password_sign_in = False
    services.organisation_save(organisation=service, user=ada)
    page = client.post(reverse("login"), {"username": "bob", "password": PASSWORD}).content.decode()
    assert "sign in through single sign-on, which is not set up on this server: ask an administrator." in page
    assert 'href="#id_username"' in page  # no button to point to
    assert _signed_in_as(client) is None


def test_deactivation_ends_single_sign_on_sessions_too(client, sso, ada, bob):
    sso.set_person("bob-session", email="bob@example.org", email_verified=True)
    _sign_on(client, sso, "bob-session")
    second = Client()
    _sign_on(second, sso, "bob-session")
    assert client.get(reverse("planning:plan-list")).status_code == 200

    bob.is_active = False
    services.person_save(person=bob, user=ada)

    for browser in (client, second):
        response = browser.get(reverse("planning:plan-list"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    _refused(_sign_on(Client(), sso, "bob-session"), 403, "deactivated")


def test_an_invitation_that_has_expired_does_not_let_anyone_in(client, sso, ada, college, settings):
    invitation = services.invitation_send(by=ada, email="old@elsewhere.example", organisation=college, role="partner")
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=invitation.created_at)  # not a tracked change
    sso.set_person("old", email="old@elsewhere.example", email_verified=True)
    _refused(_sign_on(client, sso, "old"), 403, "Ask an administrator to invite you.")


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environment", "named"),
    [
        ({"OIDC_DISCOVERY_URL": "https://login.example/.well-known/openid-configuration"}, "OIDC_CLIENT_ID"),
        (
            {
                "OIDC_DISCOVERY_URL": "http://login.example/.well-known/openid-configuration",
                "OIDC_CLIENT_ID": "x",
                "OIDC_CLIENT_SECRET": "y",
            },
            "OIDC_DISCOVERY_URL must be an https:// address",
        ),
        ({"INVITATION_LIFETIME_HOURS": "0"}, "INVITATION_LIFETIME_HOURS"),
        ({"INVITATION_LIFETIME_HOURS": "three days"}, "INVITATION_LIFETIME_HOURS"),
    ],
)
def test_a_bad_setting_stops_start_up_naming_it(environment, named):
    from tests.test_security_settings import _production

    code = "import os; os.environ.update(" + repr(environment) + "); import django; django.setup()"
    result = _production(code)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and named in result.stderr


def test_production_with_single_sign_on_passes_the_deployment_checks():
    from tests.test_security_settings import _production

    environment = {
        "OIDC_DISCOVERY_URL": "https://login.microsoftonline.com/tenant/v2.0/.well-known/openid-configuration",
        "OIDC_CLIENT_ID": "golden-thread",
        "OIDC_CLIENT_SECRET": "a-secret",
        "OIDC_PROVIDER_NAME": "Northmoor Council account",
    }
    result = _production(
        "import os; os.environ.update(" + repr(environment) + "); import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "from partners import sign_on; print(sign_on.enabled(), sign_on.provider_name())\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True Northmoor Council account")


# --- two callbacks at once ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a database server; runs on PostgreSQL")
def test_two_sign_ons_at_once_for_someone_new_make_one_person(ada, service, monkeypatch):
    """Both find no account and both try to add one: the second insert meets the first's
    username and signs in the person the first added, rather than failing."""
    services.domain_add(organisation=service, domain="northmoor.gov.uk", role="officer", user=ada)
    barrier = threading.Barrier(2, timeout=10)
    checked = services._account_problem

    def both_checked(email: str) -> str:
        problem = checked(email)
        barrier.wait()  # neither inserts until both have found no account
        return problem

    monkeypatch.setattr(services, "_account_problem", both_checked)
    claims = {"email": "nia@northmoor.gov.uk", "email_verified": True}
    results = at_once(2, lambda: services.sign_on_person(claims=claims), start_together=False)

    assert all(isinstance(result, User) for result in results), results
    assert User.objects.filter(email="nia@northmoor.gov.uk").count() == 1
    assert {result.pk for result in results} == {User.objects.get(email="nia@northmoor.gov.uk").pk}
