"""manage.py verify_history [--checkpoint]: is every history row as the application wrote it?

Prints one line per history table, then each problem found, naming the table and the row
(docs/security.md, "History that shows tampering"). Exits with status 1 if anything is
wrong, so a scheduled run can alert someone. ``--checkpoint`` records what a clean check
found, so that the next check also finds rows deleted since; run it daily
(docs/deployment.md).
"""

from django.core.management.base import BaseCommand, CommandError

from audit.verify import verify_history


class Command(BaseCommand):
    help = "Check every history row against its seal (and the last checkpoint); exit 1 if any is wrong."

    def add_arguments(self, parser):
        parser.add_argument(
            "--checkpoint", action="store_true", help="after a clean check, record it for the next check to compare"
        )

    def handle(self, *args, checkpoint: bool, **options):
        checks = verify_history(record_checkpoint=checkpoint)
        problems = [problem for check in checks for problem in check.problems]
        for check in checks:
            state = f"{len(check.problems)} problem(s)" if check.problems else "all as written"
            self.stdout.write(f"{check.table}: {check.rows:,} rows, {state}")
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"History has been tampered with: {len(problems)} problem(s); the first is {problems[0]}"
            )
        self.stdout.write(self.style.SUCCESS("Every history row is as the application wrote it."))
        if checkpoint:
            self.stdout.write("Checkpoint recorded.")
