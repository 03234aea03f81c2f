"""The two plain reads every signed-in request makes (issue 14): the person
(``config.auth_backend.PeopleBackend``) and the session (``config.sessions``). Each must
give exactly what Django's own ``ModelBackend`` and database sessions give, including the
refusals, because they stand in for them on every page."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from config.auth_backend import PeopleBackend
from config.sessions import SessionStore
from partners.models import User
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _fields(user: User) -> dict:
    return {field.attname: getattr(user, field.attname) for field in User._meta.concrete_fields}


def test_the_person_read_is_the_person_the_orm_reads(bob):
    bob.last_login = timezone.now()
    bob.save()
    read = PeopleBackend().get_user(bob.pk)
    assert _fields(read) == _fields(User.objects.get(pk=bob.pk)) == _fields(ModelBackend().get_user(bob.pk))
    assert read._state.adding is False and read._state.db == "default"


@pytest.mark.parametrize("user_id", [None, "", "x", 10**30, -1])
def test_an_id_that_names_no_one_reads_no_one(user_id):
    assert PeopleBackend().get_user(user_id) is None


def test_a_person_made_inactive_is_signed_out_as_by_django(client, bob):
    client.force_login(bob)
    bob.is_active = False
    bob.save()
    assert PeopleBackend().get_user(bob.pk) is None
    response = client.get(reverse("planning:plan-list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_people_signed_in_through_model_backend_before_it_came_stay_signed_in(client, bob):
    assert settings.AUTHENTICATION_BACKENDS.index("config.auth_backend.PeopleBackend") < (
        settings.AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend")
    )
    client.force_login(bob, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("planning:plan-list")).status_code == 200


def test_signing_in_names_the_plain_read_as_the_backend(client, bob):
    client.force_login(bob)
    session = SessionStore(client.session.session_key)
    assert session["_auth_user_backend"] == "config.auth_backend.PeopleBackend"


def test_a_session_reads_back_what_was_saved_and_an_expired_one_starts_afresh():
    store = SessionStore()
    store["question"] = "Which plan?"
    store.save()
    key = store.session_key
    assert SessionStore(key).load() == {"question": "Which plan?"}
    row = Session.objects.get(session_key=key)
    row.expire_date = timezone.now() - timedelta(seconds=1)
    row.save()
    expired = SessionStore(key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("no-such-key").load() == {}


def test_a_failed_sign_in_checks_the_password_once_and_is_counted_once(client, bob, monkeypatch):
    # ModelBackend stays listed after PeopleBackend (sessions from before): it must not hash
    # a refused password a second time
    checked, failures = [], []
    check = User.check_password
    monkeypatch.setattr(User, "check_password", lambda user, raw: checked.append(raw) or check(user, raw))
    user_login_failed.connect(lambda **signal: failures.append(signal), dispatch_uid="count-failures", weak=False)
    try:
        response = client.post(reverse("login"), {"username": bob.username, "password": "not the password"})
    finally:
        user_login_failed.disconnect(dispatch_uid="count-failures")
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert checked == ["not the password"] and len(failures) == 1
    assert client.post(reverse("login"), {"username": bob.username, "password": PASSWORD}).status_code == 302
