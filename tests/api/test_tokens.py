"""The API tokens page: make a token (shown once), list them, revoke one; bad input beside
its field; each person's tokens their own; history of every change."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from partners.models import token_hash
from tests.api.conftest import bearer

LIST = reverse("api:token-list")


def _made(response) -> str:
    """The token on the page that made it."""
    page = response.content.decode()
    start = page.index('id="new-token"')
    value = page[start:].split('value="', 1)[1]
    return value.split('"', 1)[0]


def test_a_person_makes_a_token_sees_it_once_and_it_is_stored_hashed(client, alice):
    client.force_login(alice)
    expires = timezone.localdate() + timedelta(days=30)
    response = client.post(LIST, {"name": "Dashboard", "expires_on": expires.isoformat()})
    assert response.status_code == 200
    secret = _made(response)
    assert secret.startswith("gt_") and len(secret) > 40
    token = ApiToken.objects.get(person=alice)
    assert token.name == "Dashboard" and token.token_hash == token_hash(secret)
    assert secret not in str(ApiToken.objects.values_list().get())
    assert timezone.localtime(token.expires_at).date() == expires
    assert token.history.get().history_user_id == alice.pk
    again = client.get(LIST)
    assert secret not in again.content.decode() and "Dashboard" in again.content.decode()
    assert "no-store" in again["Cache-Control"]
    assert client.get(reverse("api:plan-list"), headers=bearer(secret)).status_code == 200


def test_the_default_expiry_is_ninety_days(client, alice):
    client.force_login(alice)
    page = client.get(LIST).content.decode()
    assert (timezone.localdate() + timedelta(days=90)).isoformat() in page


def test_bad_input_is_named_beside_its_field(client, alice):
    client.force_login(alice)
    cases = {
        "name": (
            {"name": "", "expires_on": (timezone.localdate() + timedelta(days=5)).isoformat()},
            "This field is required",
        ),
        "expires_on": (
            {"name": "Too long", "expires_on": (timezone.localdate() + timedelta(days=400)).isoformat()},
            "at most a year",
        ),
    }
    for field, (data, message) in cases.items():
        response = client.post(LIST, data)
        assert response.status_code == 400
        page = response.content.decode()
        assert f'id="id_{field}-error"' in page and message in page, field
    past = client.post(LIST, {"name": "Past", "expires_on": timezone.localdate().isoformat()})
    assert "must be in the future" in past.content.decode()
    nonsense = client.post(LIST, {"name": "Nonsense", "expires_on": "soon"})
    assert "real date" in nonsense.content.decode()
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_at_once_and_keeps_its_row(client, alice):
    client.force_login(alice)
    expires = (timezone.localdate() + timedelta(days=30)).isoformat()
    secret = _made(client.post(LIST, {"name": "Script", "expires_on": expires}))
    token = ApiToken.objects.get(person=alice)
    response = client.post(reverse("api:token-revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert [row.history_change_reason for row in token.history.order_by("history_id")] == [
        "API token made",
        "API token revoked",
    ]
    assert client.get(reverse("api:plan-list"), headers=bearer(secret)).status_code == 401
    assert "Revoked" in client.get(LIST).content.decode()


def test_a_person_cannot_revoke_anothers_token_nor_see_it(client, alice, bob):
    client.force_login(alice)
    client.post(LIST, {"name": "Alice's", "expires_on": (timezone.localdate() + timedelta(days=3)).isoformat()})
    token = ApiToken.objects.get(person=alice)
    client.force_login(bob)
    assert "Alice&#x27;s" not in client.get(LIST).content.decode()
    assert client.post(reverse("api:token-revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_pages_need_signing_in_and_revoking_a_post(client, alice):
    assert client.get(LIST).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("api:token-revoke", args=[1])).status_code == 405
