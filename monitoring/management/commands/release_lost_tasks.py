"""Every few minutes from cron (optional: each PDF render does the same first): mark failed
the PDFs still not produced ``PDF_RENDER_TIMEOUT`` after they were asked for, and the task
rows a killed worker left running (monitoring/tasks.py). Safe to run as often as you like."""

from django.core.management.base import BaseCommand

from monitoring.tasks import release_lost, timeout_minutes


class Command(BaseCommand):
    help = "Mark failed the PDFs and task rows still waiting or running after PDF_RENDER_TIMEOUT."

    def handle(self, *args, **options):
        documents, tasks = release_lost()
        self.stdout.write(
            f"Marked failed {documents} PDFs and {tasks} task rows still not done after {timeout_minutes()} minutes."
        )
