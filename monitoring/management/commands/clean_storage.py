"""Daily or weekly from cron: delete superseded live PDFs and workbook uploads never applied
(monitoring/housekeeping.py says what is kept). Safe to run as often as you like."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from monitoring.housekeeping import DEFAULT_AGE, storage_clean


class Command(BaseCommand):
    help = "Delete superseded live PDFs and unapplied workbook uploads older than --days (default 30)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=DEFAULT_AGE.days, help="Only what is older than this.")

    def handle(self, *args, days, **options):
        if days < 1:
            raise CommandError("--days must be 1 or more: the newest PDFs may still be being downloaded.")
        cleared = storage_clean(older_than=timedelta(days=days))
        self.stdout.write(
            f"Deleted {cleared.documents} superseded PDFs ({cleared.files} files) and "
            f"{cleared.uploads} workbook uploads never applied, older than {days} days."
        )
        if cleared.plan_imports:
            self.stdout.write(f"Deleted {cleared.plan_imports} plan files uploaded but never imported.")
