"""Reminders: the daily command sends each scheduled reminder once; the owner's chase
reaches everyone outstanding; both go through the outbox."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from monitoring import services
from monitoring.models import ReminderSent
from partners.models import Notification
from tests.factories import make_return


def _run(day: date) -> str:
    out = StringIO()
    call_command("send_return_reminders", date=day.isoformat(), stdout=out)
    return out.getvalue()


def test_nothing_is_sent_long_before_the_due_date(monitored, q1):
    assert "Reminded 0 people" in _run(q1.due_on - timedelta(days=20))
    assert not Notification.objects.exists()


def test_before_the_due_date_each_lead_is_reminded_once(monitored, q1, bob, pat):
    day = q1.due_on - timedelta(days=3)
    assert "Reminded 2 people about 2 outstanding returns" in _run(day)
    assert "Reminded 0 people" in _run(day)  # cron ran twice
    assert "Reminded 0 people" in _run(day + timedelta(days=1))  # and the next day
    subjects = sorted(Notification.objects.values_list("recipient__username", "subject"))
    assert subjects == [
        ("bob", "Reminder: 1 return(s) for Q1 2013/14 due 15 July 2013"),
        ("pat", "Reminder: 1 return(s) for Q1 2013/14 due 15 July 2013"),
    ]


def test_after_the_due_date_the_overdue_reminder_goes_once_and_not_for_submitted_returns(monitored, q1, bob, pat):
    make_return(monitored.action, q1, bob, submit=True)
    day = q1.due_on + timedelta(days=2)
    assert "Reminded 1 people about 1 outstanding returns" in _run(day)
    assert "Reminded 0 people" in _run(day + timedelta(days=5))
    [note] = Notification.objects.all()
    assert note.recipient == pat and note.subject.startswith("Overdue")
    assert "Pupils reaching level 4 in maths" in note.body


def test_a_locked_quarter_sends_nothing(monitored, q1, ada):
    services.period_lock(period_id=q1.pk, user=ada)
    assert "Reminded 0 people" in _run(q1.due_on + timedelta(days=2))


def test_a_new_lead_organisation_person_is_reminded_too(monitored, q1, college):
    from tests.factories import UserFactory

    day = q1.due_on - timedelta(days=1)
    _run(day)
    UserFactory(username="newcomer", organisation=college, role="partner")
    assert "Reminded 1 people" in _run(day)
    assert Notification.objects.filter(recipient__username="newcomer").count() == 1


def test_the_owners_chase_reminds_everyone_outstanding_each_time(monitored, q1, alice):
    assert services.reminders_send(period=q1, plan=monitored, user=alice) == 2
    assert services.reminders_send(period=q1, plan=monitored, user=alice) == 2
    assert ReminderSent.objects.filter(kind="chase", sent_by=alice).count() == 4
    assert Notification.objects.count() == 4


def test_a_bad_date_is_a_clear_error(db):
    with pytest.raises(CommandError, match="not a date"):
        call_command("send_return_reminders", date="tomorrow")
