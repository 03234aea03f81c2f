"""Invitations: an administrator (or a plan's owner, through the same service) invites an
address; the email's link works once, until it expires, to set a password that Django's
validators accept; only a hash of the link's secret is stored; an expired link offers a
fresh one, sent only to the invited address and not too often."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from partners import services
from partners.models import Invitation, User, token_hash
from tests.concurrency import at_once

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-long-and-unusual-passphrase"


@pytest.fixture
def invite(ada, service, django_capture_on_commit_callbacks, mailoutbox):
    """Send an invitation through the service; returns (invitation, the link's path)."""

    def send(email: str = "nia@example.org", **fields):
        options = {"organisation": service, "role": "officer", "first_name": "Nia", "last_name": "Newcomer"} | fields
        with django_capture_on_commit_callbacks(execute=True):
            invitation = services.invitation_send(by=ada, email=email, **options)
        return invitation, _link(mailoutbox[-1].body)

    return send


def _link(body: str) -> str:
    url = re.search(r"^(http://\S+/accounts/invitation/\S+/)$", body, re.MULTILINE).group(1)
    assert url.startswith("http://testserver-site/")  # SITE_URL, never the request's host
    return url.removeprefix("http://testserver-site")


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "http://testserver-site"


def _token(path: str) -> str:
    return path.rstrip("/").rsplit("/", 1)[1]


def _accept(client, path: str, password: str = NEW_PASSWORD, confirm: str | None = None):
    return client.post(path, {"new_password1": password, "new_password2": confirm or password})


def _expire(invitation: Invitation) -> None:
    # moves the clock for one row; expires_at is not a field anyone edits
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1), sent_at=timezone.now() - timedelta(hours=80)
    )


# --- sending -----------------------------------------------------------------------------


def test_the_email_carries_an_absolute_link_and_only_its_hash_is_stored(invite, mailoutbox):
    invitation, path = invite()
    token = _token(path)
    assert len(token) >= 40
    message = mailoutbox[0]
    assert message.to == ["nia@example.org"]
    assert "Ada Admin has invited you to Golden Thread" in message.body
    assert "School Improvement" in message.body and "for 72 hours" in message.body
    invitation.refresh_from_db()
    assert invitation.token_hash == token_hash(token) != token
    with connection.cursor() as cursor:  # the secret is in no table, history included
        for table in ("partners_invitation", "partners_historicalinvitation"):
            cursor.execute(f"SELECT * FROM {table}")  # noqa: S608
            assert all(token not in str(value) for row in cursor.fetchall() for value in row)
    assert "token_hash" not in {field.name for field in Invitation.history.model._meta.fields}


def test_the_lifetime_is_a_setting(invite, settings):
    settings.INVITATION_LIFETIME_HOURS = 24
    invitation, _ = invite()
    assert timedelta(hours=23, minutes=59) < invitation.expires_at - invitation.sent_at <= timedelta(hours=24)


def test_inviting_the_same_address_again_replaces_the_link(invite, client):
    first, old_path = invite(job_title="Clerk")
    second, new_path = invite(email="NIA@Example.org", job_title="Attendance officer")
    assert first.pk == second.pk and Invitation.objects.count() == 1
    assert second.job_title == "Attendance officer"
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 200
    assert [row.history_change_reason for row in second.history.order_by("history_id")] == [
        "Invitation sent",
        "Invitation sent again",
    ]


def test_an_address_with_an_account_is_refused_naming_the_field(ada, bob, service, mailoutbox):
    with pytest.raises(ValidationError) as refused:
        services.invitation_send(by=ada, email="Bob@Example.org", organisation=service, role="officer")
    assert refused.value.message_dict["email"] == ["Someone with this email address already has an account."]
    bob.is_active = False
    services.person_save(person=bob, user=ada)
    with pytest.raises(ValidationError, match="deactivated"):
        services.invitation_send(by=ada, email="bob@example.org", organisation=service, role="officer")
    assert not Invitation.objects.exists() and mailoutbox == []


def test_the_service_checks_the_role_against_the_organisation_and_needs_no_administrator(college, service):
    """What a plan's owner's view calls for partners of a partnership: nothing about plans
    or about who invites is checked here; the role must fit the organisation."""
    with pytest.raises(ValidationError) as refused:
        services.invitation_send(by=None, email="pat2@college.example", organisation=college, role="officer")
    assert "organisation" in refused.value.message_dict
    invitation = services.invitation_send(by=None, email="pat2@college.example", organisation=college, role="partner")
    assert (invitation.invited_by, invitation.role, invitation.organisation) == (None, "partner", college)


def test_nothing_is_sent_when_the_invitation_is_rolled_back(
    ada, service, mailoutbox, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.invitation_send(by=ada, email="x@example.org", organisation=service, role="officer")
        raise RuntimeError
    assert mailoutbox == [] and not Invitation.objects.exists()


# --- accepting -----------------------------------------------------------------------------


def test_accepting_sets_the_password_signs_in_and_uses_the_invitation(
    invite, client, service, ada, django_assert_max_num_queries
):
    invitation, path = invite(job_title="Attendance officer")
    with django_assert_max_num_queries(2):  # the invitation with its organisation; the session is not read
        page = client.get(path)
    assert page.status_code == 200
    assert "Your username is <strong>nia@example.org</strong>" in page.content.decode()

    response = _accept(client, path)

    assert response.status_code == 302 and response["Location"] == reverse("monitoring:start")
    nia = User.objects.get(email="nia@example.org")
    assert (nia.username, nia.first_name, nia.organisation, nia.role, nia.job_title, nia.is_active) == (
        "nia@example.org",
        "Nia",
        service,
        "officer",
        "Attendance officer",
        True,
    )
    assert nia.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(nia.pk)
    invitation.refresh_from_db()
    assert invitation.used_at is not None and invitation.user == nia
    row = nia.history.get()
    assert (row.history_type, row.history_change_reason) == ("+", "Joined by invitation")
    assert not hasattr(row, "password")
    assert Client().post(reverse("login"), {"username": "nia@example.org", "password": NEW_PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("password", "confirm", "field", "message"),
    [
        ("password", None, "new_password2", "This password is too common."),
        ("nianewcomer1", None, "new_password2", "The password is too similar to the"),
        (NEW_PASSWORD, "something-else", "new_password2", "The two password fields didn’t match."),
        ("", None, "new_password1", "This field is required."),
    ],
)
def test_a_refused_password_is_shown_beside_the_field_and_nothing_changes(
    invite, client, password, confirm, field, message
):
    invitation, path = invite()
    response = _accept(client, path, password, confirm)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors), errors
    page = response.content.decode()
    assert "There is a problem" in page and f'id="id_{field}-error"' in page
    assert not User.objects.filter(email="nia@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None
    assert SESSION_KEY not in client.session


def test_a_used_link_says_so_and_a_second_submission_creates_no_one(invite, client):
    _, path = invite()
    assert _accept(client, path).status_code == 302

    again = _accept(Client(), path)
    assert again.status_code == 410
    page = again.content.decode()
    assert "This invitation has been used" in page and "reset your password" in page
    assert User.objects.filter(email="nia@example.org").count() == 1
    with pytest.raises(services.InvitationUnusable) as unusable:
        services.invitation_accept(token=_token(path), password=NEW_PASSWORD)
    assert unusable.value.state == "used"


def test_an_unknown_or_mangled_link_is_404(client):
    assert client.get(reverse("invitation-accept", args=["not-a-token"])).status_code == 404
    assert client.get(reverse("invitation-accept", args=["x" * 500])).status_code == 404
    assert client.post(reverse("invitation-resend", args=["not-a-token"])).status_code == 404


def test_an_organisation_that_signs_in_through_single_sign_on_takes_no_password(invite, client, ada, service):
    service.password_sign_in = False
    services.organisation_save(organisation=service, user=ada)
    invitation, path = invite()
    page = client.get(path).content.decode()
    assert 'type="password"' not in page
    assert "signs in through single sign-on" in page
    _accept(client, path)
    assert not User.objects.filter(email="nia@example.org").exists()
    with pytest.raises(ValidationError):
        services.invitation_accept(token=_token(path), password=NEW_PASSWORD)


# --- expired links ------------------------------------------------------------------------------


def test_an_expired_link_says_so_and_sends_a_fresh_one_to_the_invited_address_only(
    invite, client, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, old_path = invite()
    _expire(invitation)

    page = client.get(old_path)
    assert page.status_code == 410
    assert "This invitation has expired" in page.content.decode()
    assert _accept(client, old_path).status_code == 410
    assert not User.objects.filter(email="nia@example.org").exists()

    # whatever else is posted, the link goes to the invited address
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("invitation-resend", args=[_token(old_path)]), {"email": "thief@evil.example"})
    assert response.status_code == 200
    assert "We have emailed a new link to the address the invitation was sent to" in response.content.decode()
    assert "nia@example.org" not in response.content.decode()
    assert [message.to for message in mailoutbox] == [["nia@example.org"], ["nia@example.org"]]
    new_path = _link(mailoutbox[-1].body)
    assert new_path != old_path
    assert client.get(old_path).status_code == 404  # the old link no longer names it
    assert _accept(client, new_path).status_code == 302
    assert [row.history_change_reason for row in invitation.history.order_by("history_id")] == [
        "Invitation sent",
        "Invitation sent again at the invitee's request",
        "Joined by invitation",
    ]


def test_fresh_links_are_rate_limited(invite, client, mailoutbox, django_capture_on_commit_callbacks):
    invitation, path = invite()
    _expire(invitation)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(reverse("invitation-resend", args=[_token(path)])).status_code == 200
    new_path = _link(mailoutbox[-1].body)
    _expire_keeping_sent_at(invitation)

    response = client.post(reverse("invitation-resend", args=[_token(new_path)]))

    assert response.status_code == 429
    assert "A new link was sent a few minutes ago" in response.content.decode()
    assert len(mailoutbox) == 2
    Invitation.objects.filter(pk=invitation.pk).update(times_sent=services.RESEND_LIMIT)
    _expire(invitation)
    response = client.post(reverse("invitation-resend", args=[_token(new_path)]))
    assert response.status_code == 429 and "ask the person who invited you" in response.content.decode()
    assert len(mailoutbox) == 2


def _expire_keeping_sent_at(invitation: Invitation) -> None:
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))


def test_a_link_that_still_works_is_not_sent_again(invite, client, mailoutbox):
    _, path = invite()
    response = client.post(reverse("invitation-resend", args=[_token(path)]))
    assert response.status_code == 302 and response["Location"] == path
    assert len(mailoutbox) == 1


def test_a_signed_in_person_opening_someone_elses_link_signs_in_as_the_new_person(invite, client, bob):
    client.force_login(bob)
    _, path = invite()
    assert _accept(client, path).status_code == 302
    assert client.session[SESSION_KEY] == str(User.objects.get(email="nia@example.org").pk)


def test_the_invited_person_keeps_the_password_rules_of_everyone(invite):
    invitation, path = invite()
    with pytest.raises(ValidationError) as refused:
        services.invitation_accept(token=_token(path), password="12345678")
    assert "new_password1" in refused.value.message_dict
    assert not User.objects.filter(email="nia@example.org").exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a database server; runs on PostgreSQL")
def test_two_submissions_at_once_make_one_person(ada, service, mailoutbox, settings):
    """The form sent twice at the same moment: the invitation's row lock makes the second
    wait for the first, then find the invitation used. (Hashing the password inside the
    transaction takes long enough that, without the lock, both would find it open.)"""
    services.invitation_send(by=ada, email="nia@example.org", organisation=service, role="officer")
    token = _token(_link(mailoutbox[-1].body))
    results = at_once(2, lambda: services.invitation_accept(token=token, password=NEW_PASSWORD))

    people = [result for result in results if isinstance(result, User)]
    refusals = [result for result in results if isinstance(result, services.InvitationUnusable)]
    assert len(people) == 1 and [refusal.state for refusal in refusals] == ["used"], results
    assert User.objects.filter(email="nia@example.org").count() == 1


def test_with_single_sign_on_set_up_the_invitation_offers_its_button(invite, client, settings, ada, service):
    settings.OIDC_DISCOVERY_URL = "https://login.example/.well-known/openid-configuration"
    settings.OIDC_PROVIDER_NAME = "Northmoor account"
    _, path = invite()
    page = client.get(path).content.decode()
    assert 'type="password"' in page and "Sign in with Northmoor account" in page  # either way
    service.password_sign_in = False
    services.organisation_save(organisation=service, user=ada)
    page = client.get(path).content.decode()
    assert 'type="password"' not in page
    assert "School Improvement signs in with Northmoor account" in page
    assert f'href="{reverse("sign-on-start")}"' in page
