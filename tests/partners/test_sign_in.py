"""Signing in lands each person where their work starts: members on the scorecards,
everyone else on the plans. Opening the site's own address (``/``) before signing in
counts as no particular page, so it lands by role too; any other page is returned to."""

import pytest
from django.urls import reverse

from tests.factories import PASSWORD


def sign_in_from(client, address: str, username: str):
    """Open ``address`` signed out, follow the redirect to the sign-in form, sign in there."""
    response = client.get(address)
    assert response.status_code == 302
    sign_in_url = response["Location"]
    assert sign_in_url.startswith(reverse("login"))
    return client.post(sign_in_url, {"username": username, "password": PASSWORD, "next": address}, follow=True)


def test_a_member_who_opens_the_site_address_lands_on_the_scorecards(client, mel):
    response = sign_in_from(client, "/", "mel")
    assert response.redirect_chain[-1][0] == reverse("monitoring:members-home")
    assert response.status_code == 200


def test_an_officer_who_opens_the_site_address_lands_on_the_plans(client, bob):
    response = sign_in_from(client, "/", "bob")
    assert response.redirect_chain[-1][0] == reverse("planning:plan-list")


def test_a_member_sent_to_sign_in_from_another_page_returns_to_that_page(client, mel):
    response = sign_in_from(client, reverse("planning:plan-map"), "mel")
    assert response.redirect_chain[-1][0] == reverse("planning:plan-map")


@pytest.mark.parametrize("unsafe", ["https://evil.example/", "//evil.example/"])
def test_an_address_on_another_site_is_not_followed(client, mel, unsafe):
    response = client.post(reverse("login"), {"username": "mel", "password": PASSWORD, "next": unsafe}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:members-home")


def test_the_sign_in_form_does_not_carry_the_site_address_as_its_destination(client):
    page = client.get(reverse("login"), {"next": "/"}).content.decode()
    assert 'name="next" value=""' in page
    page = client.get(reverse("login"), {"next": "/map/"}).content.decode()
    assert 'name="next" value="/map/"' in page
