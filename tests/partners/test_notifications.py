"""Notifications: each person reads their own in the app, newest first, unread ones
marked, and marks them read; ``send_notifications`` emails pending rows exactly once,
keeps them pending with the error when mail fails, and sends them on the next run."""

from datetime import timedelta
from io import StringIO

from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from partners.models import Notification

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


class BrokenMailBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


def _notification(recipient, subject, *, minutes_ago=0, url="", read=False):
    row = Notification.objects.create(recipient=recipient, subject=subject, body=f"About {subject}.", url=url)
    created = timezone.now() - timedelta(minutes=minutes_ago)
    Notification.objects.filter(pk=row.pk).update(created_at=created, read_at=created if read else None)
    return row


def _send() -> str:
    out = StringIO()
    call_command("send_notifications", stdout=out)
    return out.getvalue().strip()


# --- in the app ---------------------------------------------------------------------------


def test_a_person_sees_their_own_notifications_newest_first_with_unread_marked(client, bob, carol, plan):
    _notification(bob, "Consultation opened", minutes_ago=30, url=plan.get_absolute_url(), read=True)
    _notification(bob, "Your comment was answered", minutes_ago=5, url="/plans/sip/")
    _notification(bob, "Elsewhere", minutes_ago=1, url="https://evil.example/")
    _notification(carol, "Carol's own business")
    client.force_login(bob)

    response = client.get(reverse("partners:notification-list"))

    assert response.status_code == 200
    assert [n.subject for n in response.context["page"]] == [
        "Elsewhere",
        "Your comment was answered",
        "Consultation opened",
    ]
    assert response.context["unread"] == 2
    page = response.content.decode()
    assert "You have 2 unread notifications." in page
    assert page.count(">Unread</strong>") == 2
    assert f'href="{plan.get_absolute_url()}"' in page
    assert 'href="https://evil.example/"' not in page  # only the app's own paths become links
    assert "Elsewhere" in page
    assert "Carol" not in page.split("<main")[1]


def test_marking_all_read_marks_only_ones_own(client, bob, carol):
    mine = [_notification(bob, "One"), _notification(bob, "Two")]
    theirs = _notification(carol, "Theirs")
    client.force_login(bob)

    response = client.post(reverse("partners:notification-read-all"), follow=True)

    assert "2 notifications marked as read." in response.content.decode()
    assert "You have no unread notifications." in response.content.decode()
    assert all(Notification.objects.get(pk=n.pk).read_at for n in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_the_header_links_to_notifications_and_admins_see_people(client, bob, ada):
    client.force_login(bob)
    page = client.get(reverse("planning:plan-list")).content.decode()
    assert f'href="{reverse("partners:notification-list")}">Notifications</a>' in page
    assert "People and organisations" not in page

    client.force_login(ada)
    page = client.get(reverse("planning:plan-list")).content.decode()
    assert f'href="{reverse("partners:person-list")}">People and organisations</a>' in page


def test_the_notifications_page_costs_the_same_queries_for_many(client, bob, django_assert_max_num_queries):
    for n in range(40):
        _notification(bob, f"Notice {n}")
    client.force_login(bob)
    with django_assert_max_num_queries(5):  # session, user, page count, page rows, unread count
        assert client.get(reverse("partners:notification-list")).status_code == 200


# --- by email: manage.py send_notifications ------------------------------------------------


def test_pending_notifications_are_sent_once(bob, carol, mailoutbox):
    _notification(bob, "For Bob")
    _notification(carol, "For Carol")
    already = _notification(carol, "Sent yesterday")
    Notification.objects.filter(pk=already.pk).update(sent_at=timezone.now())

    assert _send() == "sent 2, failed 0"
    assert sorted((m.subject, m.to[0]) for m in mailoutbox) == [
        ("For Bob", "bob@example.org"),
        ("For Carol", "carol@example.org"),
    ]
    assert not Notification.objects.filter(sent_at__isnull=True).exists()

    assert _send() == "sent 0, failed 0"
    assert len(mailoutbox) == 2


def test_a_failing_mail_server_leaves_them_pending_and_the_next_run_sends_each_once(
    bob, carol, plan, mailoutbox, settings
):
    _notification(bob, "For Bob", url=plan.get_absolute_url())
    _notification(carol, "For Carol")
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailBackend"

    assert _send() == "sent 0, failed 2"

    pending = Notification.objects.filter(sent_at__isnull=True).order_by("pk")
    assert [(n.attempts, n.last_error) for n in pending] == [
        (1, "ConnectionRefusedError: mail server unreachable"),
        (1, "ConnectionRefusedError: mail server unreachable"),
    ]
    assert mailoutbox == []

    settings.EMAIL_BACKEND = LOCMEM  # the mail server is back
    assert _send() == "sent 2, failed 0"
    assert _send() == "sent 0, failed 0"

    assert len(mailoutbox) == 2
    assert sorted(m.subject for m in mailoutbox) == ["For Bob", "For Carol"]
    bob_mail = next(m for m in mailoutbox if m.subject == "For Bob")
    assert bob_mail.body.endswith(plan.get_absolute_url())
    assert [(n.attempts, n.last_error) for n in Notification.objects.order_by("pk")] == [(2, ""), (2, "")]
