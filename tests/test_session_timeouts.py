"""Idle and absolute session timeouts (config/session_timeouts.py).

Time is controlled by writing the session's two stamps directly, so the session row's own
expiry (SESSION_COOKIE_AGE) never interferes. Deactivating someone ends their sessions too;
that is tested with the people admin (tests/partners/test_people.py)."""

import runpy
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from config.session_timeouts import LAST_ACTIVITY_AT, SIGNED_IN_AT
from tests.factories import PASSWORD

MINUTE, HOUR = 60, 60 * 60
IDLE_MESSAGE = "You were signed out after 30 minutes without activity; please sign in again."
ABSOLUTE_MESSAGE = "You were signed out after 8 hours; please sign in again."


def _signed_in(client: Client, user, *, signed_in_ago: float, idle_for: float) -> str:
    """Sign ``user`` in, then wind both clocks back; returns the session key."""
    client.force_login(user)
    session = client.session
    now = timezone.now().timestamp()
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[LAST_ACTIVITY_AT] = now - idle_for
    session.save()
    return session.session_key


def _page() -> str:
    return reverse("planning:plan-list")


def _sign_in_link(location: str) -> tuple[str, list[str] | None]:
    """The sign-in address a redirect points to, and its ``next``."""
    parts = urlsplit(location)
    return parts.path, parse_qs(parts.query).get("next")


def test_signing_in_starts_both_clocks(client, bob):
    before = timezone.now().timestamp()
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert response.status_code == 302
    assert before <= client.session[SIGNED_IN_AT] == client.session[LAST_ACTIVITY_AT] <= timezone.now().timestamp()


def test_signing_in_again_restarts_the_absolute_clock(client, bob):
    """Django keeps a session's data when the same person signs in again."""
    _signed_in(client, bob, signed_in_ago=7 * HOUR + 59 * MINUTE, idle_for=0)
    client.post(reverse("login"), {"username": "bob", "password": PASSWORD})
    assert timezone.now().timestamp() - client.session[SIGNED_IN_AT] < MINUTE


def test_it_keeps_an_active_person_signed_in_and_moves_their_activity_stamp(client, bob):
    _signed_in(client, bob, signed_in_ago=7 * HOUR, idle_for=29 * MINUTE)
    response = client.get(_page())
    assert response.status_code == 200
    assert timezone.now().timestamp() - client.session[LAST_ACTIVITY_AT] < MINUTE


def test_it_does_not_write_the_session_for_a_request_within_a_minute_of_the_last(client, bob):
    _signed_in(client, bob, signed_in_ago=HOUR, idle_for=30)
    stamp = client.session[LAST_ACTIVITY_AT]
    response = client.get(_page())
    assert response.status_code == 200
    assert client.session[LAST_ACTIVITY_AT] == stamp
    assert "sessionid" not in response.cookies  # an unmodified session is not saved


def test_it_signs_out_after_30_minutes_without_activity(client, bob):
    key = _signed_in(client, bob, signed_in_ago=HOUR, idle_for=30 * MINUTE)

    response = client.get(_page() + "?q=reading")

    assert response.status_code == 302
    assert _sign_in_link(response["Location"]) == (reverse("login"), [_page() + "?q=reading"])
    assert not Session.objects.filter(session_key=key).exists()
    assert IDLE_MESSAGE in client.get(response["Location"]).content.decode()
    assert client.get(_page()).status_code == 302  # still signed out


def test_it_signs_out_8_hours_after_signing_in_however_active(client, bob):
    key = _signed_in(client, bob, signed_in_ago=8 * HOUR, idle_for=0)

    response = client.get(_page(), follow=True)

    assert _sign_in_link(response.redirect_chain[0][0]) == (reverse("login"), [_page()])
    assert ABSOLUTE_MESSAGE in response.content.decode()
    assert IDLE_MESSAGE not in response.content.decode()
    assert not Session.objects.filter(session_key=key).exists()


def test_a_form_posted_after_expiry_returns_to_sign_in_without_next(client, bob):
    """The POST's address may not answer a GET, so it is not offered as the way back."""
    _signed_in(client, bob, signed_in_ago=HOUR, idle_for=HOUR)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert _sign_in_link(response["Location"]) == (reverse("login"), None)


@override_settings(SESSION_IDLE_TIMEOUT=10 * MINUTE, SESSION_ABSOLUTE_TIMEOUT=90 * MINUTE)
def test_the_limits_and_the_message_follow_the_settings(client, bob):
    _signed_in(client, bob, signed_in_ago=20 * MINUTE, idle_for=10 * MINUTE)
    response = client.get(_page(), follow=True)
    assert "signed out after 10 minutes without activity" in response.content.decode()

    _signed_in(client, bob, signed_in_ago=90 * MINUTE, idle_for=0)
    response = client.get(_page(), follow=True)
    assert "signed out after 90 minutes; please sign in again" in response.content.decode()


def _without_stamps(client: Client, user, *, last_login_ago: float) -> None:
    """A session as it was before the middleware was deployed."""
    client.force_login(user)
    session = client.session
    for stamp in (SIGNED_IN_AT, LAST_ACTIVITY_AT):
        session.pop(stamp, None)
    session.save()
    type(user).objects.filter(pk=user.pk).update(last_login=timezone.now() - timedelta(seconds=last_login_ago))


def test_a_session_from_before_the_middleware_keeps_going_from_the_last_sign_in(client, bob):
    _without_stamps(client, bob, last_login_ago=10)
    response = client.get(_page())
    assert response.status_code == 200
    assert "sessionid" not in response.cookies  # nothing to store yet: no write

    _without_stamps(client, bob, last_login_ago=2 * HOUR)
    assert client.get(_page()).status_code == 200  # this request counts as activity
    bob.refresh_from_db()
    assert client.session[SIGNED_IN_AT] == pytest.approx(bob.last_login.timestamp())

    _without_stamps(client, bob, last_login_ago=8 * HOUR)
    assert ABSOLUTE_MESSAGE in client.get(_page(), follow=True).content.decode()


def test_anonymous_visitors_are_left_alone(client, db):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert "signed out" not in response.content.decode()
    assert _sign_in_link(client.get(_page())["Location"]) == (reverse("login"), [_page()])
    assert not Session.objects.exists()  # nothing stored for them


def test_signing_out_ends_the_session(client, bob):
    key = _signed_in(client, bob, signed_in_ago=MINUTE, idle_for=0)
    response = client.post(reverse("logout"))
    assert _sign_in_link(response["Location"]) == (reverse("login"), None)
    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.parametrize(
    ("env", "problem"),
    [
        ({"SESSION_IDLE_TIMEOUT": "60"}, "SESSION_IDLE_TIMEOUT must be at least 120 seconds."),
        ({"SESSION_IDLE_TIMEOUT": "half an hour"}, "SESSION_IDLE_TIMEOUT must be a whole number"),
        ({"SESSION_ABSOLUTE_TIMEOUT": "600"}, "SESSION_ABSOLUTE_TIMEOUT must be at least SESSION_IDLE_TIMEOUT."),
    ],
)
def test_a_bad_limit_stops_start_up_naming_the_variable(monkeypatch, env, problem):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings_file = Path(__file__).resolve().parent.parent / "config" / "settings.py"
    with pytest.raises(ImproperlyConfigured, match=problem):
        runpy.run_path(str(settings_file))
