"""The mail server failing: through Django's real SMTP backend (the connection refused, or
dropped mid-message), partway through a batch, after the change that queued the email
has committed, and with two senders at once (PostgreSQL). Each notification stays
pending with the error until it is sent, and is sent exactly once.

``test_notifications.py`` covers the basic round trip (a backend that refuses
everything, then a run that sends each once)."""

import smtplib
import threading
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.core.management import call_command
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from partners.models import Notification, User
from partners.services import notifications_send, notify
from tests.factories import UserFactory

SMTP = "django.core.mail.backends.smtp.EmailBackend"
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


def _send() -> str:
    out = StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue().strip()


def _queue(recipient: User, *subjects: str) -> list[Notification]:
    return [Notification.objects.create(recipient=recipient, subject=s, body=f"About {s}.") for s in subjects]


class GoesDownAfter(LocmemBackend):
    """Delivers ``delivered`` messages, then the server goes away."""

    delivered = 0
    limit = 3

    def send_messages(self, messages):
        if GoesDownAfter.delivered >= GoesDownAfter.limit:
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        GoesDownAfter.delivered += len(messages)
        return super().send_messages(messages)


class SlowBackend(LocmemBackend):
    """Takes a while over each message, so two senders overlap."""

    def send_messages(self, messages):
        threading.Event().wait(0.05)
        return super().send_messages(messages)


class HeldBackend(LocmemBackend):
    """Holds each message until the test lets it go."""

    sending = threading.Event()
    release = threading.Event()

    def send_messages(self, messages):
        HeldBackend.sending.set()
        HeldBackend.release.wait(10)
        return super().send_messages(messages)


def _refused(*args, **kwargs):
    raise ConnectionRefusedError(111, "Connection refused")


def _drops_mid_message(*args, **kwargs):
    server = mock.MagicMock()
    server.sendmail.side_effect = smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
    return server


@pytest.mark.parametrize(
    ("smtp", "error"),
    [
        (_refused, "ConnectionRefusedError: [Errno 111] Connection refused"),
        (_drops_mid_message, "SMTPServerDisconnected: Connection unexpectedly closed"),
    ],
    ids=["connection-refused", "dropped-mid-message"],
)
def test_an_smtp_failure_keeps_each_notification_pending_with_the_error_until_it_is_sent_once(
    bob, carol, settings, mailoutbox, smtp, error
):
    _queue(bob, "For Bob")
    _queue(carol, "For Carol")
    settings.EMAIL_BACKEND = SMTP
    with mock.patch("django.core.mail.backends.smtp.smtplib.SMTP", side_effect=smtp):
        assert _send() == "sent 0, failed 2"
        assert _send() == "sent 0, failed 2"  # still down on the next run

    rows = Notification.objects.order_by("pk")
    assert [(n.sent_at, n.attempts, n.last_error) for n in rows] == [(None, 2, error), (None, 2, error)]

    settings.EMAIL_BACKEND = LOCMEM  # the server is back
    assert _send() == "sent 2, failed 0"
    assert _send() == "sent 0, failed 0"
    assert sorted(m.subject for m in mailoutbox) == ["For Bob", "For Carol"]
    assert all(n.sent_at and n.last_error == "" for n in Notification.objects.all())


def test_a_failure_partway_through_a_batch_does_not_resend_what_was_already_sent(bob, settings, mailoutbox):
    subjects = [f"Notice {n}" for n in range(1, 6)]
    _queue(bob, *subjects)
    settings.EMAIL_BACKEND = f"{__name__}.GoesDownAfter"
    GoesDownAfter.delivered = 0

    assert _send() == "sent 3, failed 2"
    assert [m.subject for m in mailoutbox] == subjects[:3]
    pending = Notification.objects.filter(sent_at__isnull=True).order_by("pk")
    assert [n.subject for n in pending] == subjects[3:]
    assert {n.last_error for n in pending} == {"SMTPServerDisconnected: Connection unexpectedly closed"}

    settings.EMAIL_BACKEND = LOCMEM
    assert _send() == "sent 2, failed 0"
    assert [m.subject for m in mailoutbox] == subjects  # each once, in order
    assert [n.attempts for n in Notification.objects.order_by("pk")] == [1, 1, 1, 2, 2]


def test_a_mail_failure_after_the_change_commits_fails_nobody_and_loses_nothing(
    bob, carol, settings, mailoutbox, django_capture_on_commit_callbacks
):
    """``notify`` emails once the caller's transaction commits; the server being down
    then, or the send itself failing, leaves the rows pending and the caller's change
    stands."""
    settings.EMAIL_BACKEND = SMTP
    with (
        mock.patch("django.core.mail.backends.smtp.smtplib.SMTP", side_effect=_refused),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify(recipients=[bob], subject="Consultation opened", body="Have your say.")
    with (
        mock.patch("partners.services.notifications_send", side_effect=OperationalError("server closed")),
        django_capture_on_commit_callbacks(execute=True),
        transaction.atomic(),
    ):
        notify(recipients=[carol], subject="Your comment was answered", body="See the reply.")

    rows = Notification.objects.order_by("pk")
    assert [(n.recipient, n.sent_at, n.attempts) for n in rows] == [(bob, None, 1), (carol, None, 0)]
    settings.EMAIL_BACKEND = LOCMEM
    assert _send() == "sent 2, failed 0"
    assert sorted(m.subject for m in mailoutbox) == ["Consultation opened", "Your comment was answered"]


# --- PostgreSQL: two senders at once ----------------------------------------------------------

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL")


def _in_thread(target, results: list, start: threading.Barrier | None = None):
    def run():
        try:
            if start:
                start.wait(5)
            results.append(target())
        except Exception as error:  # noqa: BLE001  (reported by the test)
            results.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_once_send_each_notification_once(settings, mailoutbox):
    people = [UserFactory(username=f"person{n}") for n in range(4)]
    for person in people:
        _queue(person, *(f"{person.username}: notice {n}" for n in range(3)))
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    start, results = threading.Barrier(2), []

    threads = [_in_thread(notifications_send, results, start) for _ in range(2)]
    for thread in threads:
        thread.join(30)

    assert all(isinstance(result, tuple) for result in results), results
    assert sum(sent for sent, _ in results) == 12 and sum(failed for _, failed in results) == 0
    assert min(sent for sent, _ in results) > 0  # both senders really worked at once
    subjects = [m.subject for m in mail.outbox]
    assert len(subjects) == 12 and len(set(subjects)) == 12
    assert set(Notification.objects.values_list("attempts", flat=True)) == {1}
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_email_being_sent_does_not_hold_up_its_recipient_signing_in(bob, settings):
    """The send holds a lock on the notification for as long as the mail server takes;
    the recipient's own row (which signing in updates) is not locked with it."""
    _queue(bob, "For Bob")
    settings.EMAIL_BACKEND = f"{__name__}.HeldBackend"
    HeldBackend.sending.clear()
    HeldBackend.release.clear()
    results = []
    sender = _in_thread(notifications_send, results)
    try:
        assert HeldBackend.sending.wait(10)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL lock_timeout = '2s'")
            User.objects.filter(pk=bob.pk).update(last_login=timezone.now())
    finally:
        HeldBackend.release.set()
        sender.join(10)
    assert results == [(1, 0)]
