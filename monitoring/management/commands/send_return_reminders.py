"""Daily from cron: remind leads of returns outstanding, before and after the due date.

Safe to run as often as you like: each reminder (per person, item, quarter and kind)
is sent once, however many times the command runs.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from monitoring.services import scheduled_reminders_send


class Command(BaseCommand):
    help = "Send the scheduled return reminders (7 days before the due date, and once overdue). Run daily."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this date (YYYY-MM-DD); for catching up or testing.")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2014-04-10.") from None
        sent = scheduled_reminders_send(today=today)
        self.stdout.write(f"Reminded {sent['people']} people about {sent['items']} outstanding returns.")
