"""manage.py send_notifications: email whatever is still pending (safe to run from cron)."""

from django.core.management.base import BaseCommand

from partners.services import notifications_send


class Command(BaseCommand):
    help = "Email pending notifications; failures stay pending for the next run."

    def handle(self, *args, **options):
        sent, failed = notifications_send()
        self.stdout.write(f"sent {sent}, failed {failed}")
