"""The security settings a council's deployment relies on, checked as they take effect:
headers on responses, production settings, and sign-in throttling (docs/security.md)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from tests.factories import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def _production(code: str) -> subprocess.CompletedProcess:
    """Run ``code`` with the production settings, in a process of its own (settings are
    read once per process)."""
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}  # set by browser tests
    env = {
        **inherited,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "test-" + "k" * 60,
        "HISTORY_SEAL_KEY": "seal-" + "h" * 60,
        "ALLOWED_HOSTS": "plans.example.org",
        "DATABASE_URL": "postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    return subprocess.run(  # noqa: S603 - a fixed interpreter and code, no shell
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_production_settings_pass_the_deployment_checks_and_secure_the_cookies():
    result = _production(
        "import django; django.setup()\n"
        "from django.conf import settings as s\n"
        "from django.core.management import call_command\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT,"
        " s.SECURE_HSTS_SECONDS >= 31536000, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.DEBUG)\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-7:] == ["True", "True", "True", "True", "True", "True", "False"]


def test_production_refuses_to_start_without_a_secret_key():
    result = _production("import os; os.environ.pop('SECRET_KEY'); import django; django.setup()")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    "weak_key",
    [
        "x9!Qz",  # five characters, as in the attack pass
        "k" * 49,  # one short of Django's 50
        "abcd" * 20,  # long, but 4 distinct characters
        "django-insecure-" + "k3y-0f-a-d3v3l0p3r-s-laptop-pr0ject-template-xyz",  # startproject's development key
    ],
)
def test_production_refuses_to_start_with_a_weak_secret_key(weak_key):
    result = _production(f"import os; os.environ['SECRET_KEY'] = {weak_key!r}; import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert weak_key not in result.stderr  # the message never repeats the secret


def test_production_starts_with_a_key_as_strong_as_the_deploy_check_asks():
    result = _production("import os; os.environ['SECRET_KEY'] = 'a1b2c' * 10; import django; django.setup()")
    assert result.returncode == 0, result.stderr


def test_every_page_carries_the_content_security_policy_and_framing_headers(client, alice, plan):
    client.force_login(alice)
    response = client.get(plan.get_absolute_url())
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_is_enforced_and_remembered_when_configured(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    plain = client.get(reverse("login"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    secure = client.get(reverse("login"), secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert client.get(reverse("health")).status_code == 200  # load balancers probe over plain HTTP


@pytest.mark.django_db
def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password(client, bob, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": bob.username, "password": "wrong"})
    locked = client.post(reverse("login"), {"username": bob.username, "password": PASSWORD})
    assert locked.status_code in {403, 429}
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_a_right_password_before_the_limit_signs_in(client, bob, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client.post(reverse("login"), {"username": bob.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": bob.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(bob.pk)


# --- lockout: per person and address, never per person or per address (issue 12, item 6) ---

HOME, ELSEWHERE, PROXY = "203.0.113.5", "198.51.100.7", "10.0.0.2"


def _sign_in(client, username: str, password: str, **address):
    return client.post(reverse("login"), {"username": username, "password": password}, **address)


def _fail_ten_times(client, username: str, **address) -> None:
    for attempt in range(1, 11):
        status = _sign_in(client, username, "wrong", **address).status_code
        assert status == (429 if attempt == 10 else 200)  # the tenth failure locks at once


def _signed_in_as(client, user, **address) -> bool:
    response = _sign_in(client, user.username, PASSWORD, **address)
    signed_in = response.status_code == 302 and client.session.get("_auth_user_id") == str(user.pk)
    client.logout()
    return signed_in


@pytest.mark.django_db
def test_ten_failures_lock_that_account_from_that_address(client, bob):
    _fail_ten_times(client, "bob", REMOTE_ADDR=HOME)
    assert _sign_in(client, "bob", PASSWORD, REMOTE_ADDR=HOME).status_code == 429
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_ten_failures_do_not_lock_that_account_from_another_address(client, bob):
    _fail_ten_times(client, "bob", REMOTE_ADDR=HOME)
    assert _signed_in_as(client, bob, REMOTE_ADDR=ELSEWHERE)


@pytest.mark.django_db
def test_ten_failures_do_not_lock_another_account_from_that_address(client, bob, alice):
    _fail_ten_times(client, "bob", REMOTE_ADDR=HOME)
    assert _signed_in_as(client, alice, REMOTE_ADDR=HOME)


@pytest.mark.django_db
def test_behind_the_configured_proxy_the_forwarded_clients_address_is_the_one_locked(client, bob, settings):
    """Everyone arrives from the proxy's address: without this, ten failures by one person
    would lock that account for the whole council."""
    settings.TRUSTED_PROXY_COUNT = 1
    _fail_ten_times(client, "bob", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME)
    assert _sign_in(client, "bob", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME).status_code == 429
    assert _signed_in_as(client, bob, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=ELSEWHERE)


@pytest.mark.django_db
def test_a_forwarded_address_is_ignored_unless_a_proxy_is_trusted(client, bob, settings):
    """Otherwise an attacker would choose a new address for each guess."""
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        _sign_in(client, "bob", "wrong", REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")
    assert _sign_in(client, "bob", PASSWORD, REMOTE_ADDR=HOME, HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_addresses_the_client_put_in_the_header_itself_are_ignored(client, bob, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(10):  # the proxy appends the address it saw; the client's own entries come first
        _sign_in(client, "bob", "wrong", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, {HOME}")
    assert _sign_in(client, "bob", PASSWORD, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=HOME).status_code == 429


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "client_address"),
    [
        (0, HOME, None, HOME),
        (0, HOME, ELSEWHERE, HOME),  # no proxy trusted: the header is anyone's to write
        (1, PROXY, HOME, HOME),
        (1, PROXY, f"{ELSEWHERE}, {HOME}", HOME),  # the client wrote ELSEWHERE; the proxy added HOME
        (2, PROXY, f"{ELSEWHERE}, {HOME}, 10.0.0.1", HOME),  # two proxies: the second added the first's address
        (1, PROXY, None, PROXY),  # not through the proxy (a health check): its own address
        (2, PROXY, HOME, PROXY),  # fewer entries than proxies: not through them all
        (1, PROXY, "not-an-address", PROXY),
        (1, PROXY, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_the_client_address_is_taken_from_the_trusted_proxies_only(
    settings, trusted, remote, forwarded, client_address
):
    from config.client_ip import client_ip

    settings.TRUSTED_PROXY_COUNT = trusted
    headers = {"REMOTE_ADDR": remote} | ({"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {})
    assert client_ip(RequestFactory().get("/", **headers)) == client_address


def test_production_refuses_a_negative_proxy_count():
    result = _production("import os; os.environ['TRUSTED_PROXY_COUNT'] = '-1'; import django; django.setup()")
    assert result.returncode != 0 and "TRUSTED_PROXY_COUNT" in result.stderr


def test_production_refuses_to_start_without_a_history_seal_key():
    result = _production("import os; os.environ.pop('HISTORY_SEAL_KEY'); import django; django.setup()")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "HISTORY_SEAL_KEY" in result.stderr


def test_production_refuses_a_weak_history_seal_key():
    result = _production("import os; os.environ['HISTORY_SEAL_KEY'] = 'short'; import django; django.setup()")
    assert result.returncode != 0 and "HISTORY_SEAL_KEY is too weak" in result.stderr
