"""manage.py load_plans FILE [--replace]: load plans for admins, all or nothing."""

from django.core.management.base import BaseCommand, CommandError

from planning.loader import LoadError, load_plans


class Command(BaseCommand):
    help = (
        "Load organisations, people, indicators and plans from a fixture file. Everything is checked "
        "first; on any problem nothing is written and each problem is printed as 'file: object N: field: message'."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Overwrite records that already exist (same slug, username or code). A replaced plan's items "
            "are deleted, with history, and loaded afresh.",
        )

    def handle(self, *args, file: str, replace: bool, **options):
        try:
            result = load_plans(file, replace=replace)
        except LoadError as error:
            for message in error.messages:
                self.stderr.write(message)
            raise CommandError(f"Nothing was loaded: {len(error.messages)} problem(s) in {file}.") from None
        for label, count in {**result.created}.items():
            self.stdout.write(f"created {count} {label}")
        for label, count in result.replaced.items():
            self.stdout.write(f"replaced {count} {label}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {file}."))
