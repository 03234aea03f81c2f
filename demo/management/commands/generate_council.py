"""manage.py generate_council --seed 1: a large council, the same for the same seed.

Builds organisations, people, a tree of approved plans with their items and links, quarters
of progress returns and risk registers (``demo.generator``) into an empty database,
in one transaction, then prints what it wrote (rows and history rows per model), how long
each step took and a digest of the content: two runs with the same seed and sizes print the
same digest, on SQLite or PostgreSQL.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from demo.generator import DEFAULT_PASSWORD, GeneratorError, Sizes, generate


class Command(BaseCommand):
    help = "Generate a large council (plans, items, returns, risks) from a seed into an empty database."

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument("--seed", type=int, default=defaults.seed, help="Same seed, same council (default 1).")
        parser.add_argument("--plans", type=int, default=defaults.plans, help="Plans in the tree (default 40).")
        parser.add_argument("--items", type=int, default=defaults.items, help="Plan items in all (default 20000).")
        parser.add_argument("--quarters", type=int, default=defaults.quarters, help="Quarters from April 2013 (8).")
        parser.add_argument("--people", type=int, default=defaults.people, help="People in every role (default 300).")
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Everyone's password (default: the demo council's)."
        )

    def handle(self, *args, seed, plans, items, quarters, people, password, verbosity, **options):
        sizes = Sizes(seed=seed, plans=plans, items=items, quarters=quarters, people=people)
        progress = (lambda message: self.stdout.write(f"  {message}")) if verbosity > 1 else None
        try:
            result = generate(sizes, password=password, progress=progress)
        except GeneratorError as error:
            raise CommandError(str(error)) from None
        if verbosity == 0:
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Generated the council for seed {seed} on {connection.vendor} in {result.seconds:.1f} s "
                f"(this process's CPU: {result.cpu:.1f} s) ({plans} plans, {items} items, {quarters} quarters, "
                f"{people} people)."
            )
        )
        self.stdout.write(f"{'model':<34} {'rows':>9} {'history':>9}")
        for label, (rows, history) in result.counts.items():
            if rows or history:
                self.stdout.write(f"{label:<34} {rows:>9} {history:>9}")
        self.stdout.write("time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings))
        slug, size = result.largest_plan
        self.stdout.write(f"largest plan: {slug} ({size} items)")
        self.stdout.write(f"digest: {result.digest}")
