"""Resetting a forgotten password and changing one's own: Django's views and tokens, the
app's pages and forms. The reset never tells whether an address has an account, and the
rules for a new password are everyone's (Django's validators)."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from partners import services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://plans.example"


def _can_sign_in(username: str, password: str) -> bool:
    return Client().post(reverse("login"), {"username": username, "password": password}).status_code == 302


def _reset_link(body: str) -> str:
    url = re.search(r"^(http://plans\.example/accounts/reset/\S+/)$", body, re.MULTILINE).group(1)
    return url.removeprefix("http://plans.example")


def test_the_sign_in_page_links_to_the_reset(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(0):
        page = client.get(reverse("login")).content.decode()
    assert f'href="{reverse("password_reset")}"' in page


def test_the_reset_says_the_same_whether_or_not_the_address_has_an_account(client, bob, mailoutbox):
    known = client.post(reverse("password_reset"), {"email": "bob@example.org"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "nobody@example.org"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain == [(reverse("password_reset_done"), 302)]
    assert known.content == unknown.content
    assert "If the address you entered belongs to an account" in known.content.decode()
    assert [message.to for message in mailoutbox] == [["bob@example.org"]]
    assert "bob" in mailoutbox[0].body and mailoutbox[0].subject == "Reset your Golden Thread password"


def test_a_reset_link_sets_a_new_password_once(client, bob, mailoutbox):
    client.post(reverse("password_reset"), {"email": "bob@example.org"})
    link = _reset_link(mailoutbox[0].body)

    form_page = client.get(link, follow=True)  # Django moves the token into the session first
    assert "Choose a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]

    weak = client.post(set_url, {"new_password1": "password", "new_password2": "password"})
    assert weak.status_code == 200
    assert weak.context["form"].errors["new_password2"] == ["This password is too common."]
    assert 'id="id_new_password2-error"' in weak.content.decode() and "There is a problem" in weak.content.decode()
    bob.refresh_from_db()
    assert bob.check_password(PASSWORD)  # (signing in would end the link: Django's tokens include last_login)

    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}, follow=True)
    assert done.redirect_chain[-1][0] == reverse("password_reset_complete")
    assert _can_sign_in("bob", NEW_PASSWORD) and not _can_sign_in("bob", PASSWORD)
    bob.refresh_from_db()
    assert bob.history.first().history_change_reason == "Password reset by email"

    again = Client().get(link, follow=True)
    assert "This link does not work" in again.content.decode()


def test_no_reset_is_sent_to_people_who_sign_in_through_single_sign_on_only(client, ada, bob, service, mailoutbox):
    service.password_sign_in = False
    services.organisation_save(organisation=service, user=ada)
    response = client.post(reverse("password_reset"), {"email": "bob@example.org"})
    assert response.status_code == 302 and mailoutbox == []


def test_a_bad_address_is_shown_beside_the_field(client):
    response = client.post(reverse("password_reset"), {"email": "not an address"})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == ["Enter a valid email address."]
    assert 'id="id_email-error"' in response.content.decode()


def test_changing_a_password_needs_the_current_one(client, bob):
    client.force_login(bob)
    url = reverse("password_change")
    assert "Change your password" in client.get(url).content.decode()

    wrong = client.post(url, {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors["old_password"][0].startswith("Your old password was entered incorrectly")
    assert 'id="id_old_password-error"' in wrong.content.decode()
    assert _can_sign_in("bob", PASSWORD)

    weak = client.post(url, {"old_password": PASSWORD, "new_password1": "bob", "new_password2": "bob"})
    assert "This password is too short." in " ".join(weak.context["form"].errors["new_password2"])

    done = client.post(url, {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_change_done")
    assert client.get(reverse("planning:plan-list")).status_code == 200  # still signed in here
    assert _can_sign_in("bob", NEW_PASSWORD)
    bob.refresh_from_db()
    latest = bob.history.first()
    assert (latest.history_change_reason, latest.history_user) == ("Password changed", bob)


def test_changing_a_password_needs_signing_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
