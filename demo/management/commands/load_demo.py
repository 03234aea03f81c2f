"""manage.py load_demo: load the demo council into an empty database and print how to sign in.

After loading, it tells the demo's short history (``demo.planning_story``): two named
editions of the Standards and School Improvement plan with real changes between them,
then a year of quarterly returns and risk reviews (``demo.monitoring_story``), the
college's termly plan and returns (``demo.cadence_story``), milestone returns
(``demo.milestones_story``), budgets and spend (``demo.money_story``), members' questions
(``demo.questions_story``), an Estyn inspection's recommendations judged in each quarter
(``demo.inspection_story``), the partnership's draft (``demo.partnership_story``) and the
plans published to the public
(``demo.publishing_story``), then the cross-cutting themes and indicators in full
(``demo.themes_story``), evidence in the plan (``demo.evidence_story``), and the self-evaluation of the
corporate plan's priorities and its equality impact assessment (``demo.evaluation_story``).
Loading and the stories are one transaction, so a failure leaves the database empty.

Safe to run every time ``make run`` starts: it loads nothing if plans already exist.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from demo import (
    cadence_story,
    evaluation_story,
    evidence_story,
    inspection_story,
    milestones_story,
    money_story,
    monitoring_story,
    partnership_story,
    planning_story,
    publishing_story,
    questions_story,
    themes_story,
    welsh_story,
)
from partners.models import User
from planning.loader import LoadError, load_plans
from planning.models import Plan

DEMO_FILE = Path(settings.BASE_DIR) / "fixtures" / "demo_council.json"
DEMO_PASSWORD = "golden-thread-demo"  # noqa: S105  the demo fixture's only password; never a real account
PERSONAS = ["officer", "owner", "partner", "member", "admin"]


class Command(BaseCommand):
    help = "Load the demo council if the database has no plans, then print the URL and demo sign-ins."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url: str, **options):
        if Plan.objects.exists():
            self.stdout.write("Plans already exist: the demo council was not loaded again.")
        else:
            try:
                # the story's notifications are shown in the app; mailing them (to the console in
                # development) would only bury the sign-ins printed below
                with (
                    override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"),
                    transaction.atomic(),
                ):
                    load_plans(DEMO_FILE)
                    editions = planning_story.tell(owner=User.objects.get(username="owner"))
                    consultation = planning_story.consult()
                    inspection = inspection_story.Story()  # issue 18: told in each quarter before it is locked
                    monitoring = monitoring_story.tell(today=timezone.localdate(), each_quarter=inspection.quarter)
                    termly = cadence_story.tell()
                    milestones_story.tell()
                    money = money_story.tell()
                    asked = questions_story.tell(today=timezone.localdate())
                    partnership = partnership_story.tell()
                    published = publishing_story.tell()
                    themes = themes_story.tell()  # issue 17: cross-cutting themes, indicators in full
                    welsh = welsh_story.tell()  # issue 18: the corporate plan in Welsh as well
                    evidenced = evidence_story.tell()  # issue 18: a needs assessment, success criteria, a merger
                    evaluated = evaluation_story.tell()  # issue 18: self-evaluation, equality impact
            except LoadError as error:
                raise CommandError("\n".join(error.messages)) from None
            self.stdout.write(self.style.SUCCESS(f"Loaded the demo council from {DEMO_FILE.name}."))
            names = " and ".join(f"“{edition.name}”" for edition in editions)
            self.stdout.write(f"{editions[0].plan} has two editions to compare: {names}.")
            self.stdout.write(f"{consultation.plan} is out to consultation until {consultation.closes_on:%-d %B %Y}.")
            self.stdout.write(f"Quarterly monitoring: {monitoring.summary()}")
            self.stdout.write(f"Budgets and spend: {money.summary()}")
            self.stdout.write(
                f"{termly.plan} reports termly: {termly.terms[0].label} accepted, "
                f"{cadence_story.awaiting()} returns for {termly.terms[1].label} waiting for review."
            )
            self.stdout.write(f"Scrutiny: {asked.summary()}")
            self.stdout.write(f"Inspection recommendations: {inspection.summary()}")
            self.stdout.write(
                f"{partnership} is the {partnership.partnership}'s draft: suggestions from its consultation, "
                "two drafting groups writing their parts, one sign-off given."
            )
            self.stdout.write(f"Cross-cutting themes: {themes.summary()}.")
            self.stdout.write(f"Welsh: {welsh.summary()}; switch with “Cymraeg” at the top of any page.")
            self.stdout.write(f"Evidence in the plan: {evidenced.summary()}.")
            self.stdout.write(f"Self-evaluation and equality: {evaluated.summary()}.")
            kept_back = Plan.objects.filter(slug__in=publishing_story.KEPT_BACK).count()
            self.stdout.write(
                f"Published to the public (no sign-in, at {url.rstrip('/')}/public/): "
                + ", ".join(plan.title for plan in published)
                + f"; {kept_back} approved plans kept back, so links into them show without their titles."
            )
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Golden Thread is starting at {url}"))
        self.stdout.write(f"Demo sign-ins (password for all: {DEMO_PASSWORD}):")
        people = {user.username: user for user in User.objects.filter(username__in=PERSONAS)}
        for username in PERSONAS:
            user = people.get(username)
            if user is not None:
                where = f", {user.organisation}" if user.organisation else ""
                self.stdout.write(f"  {username:<8} {user} – {user.get_role_display()}{where}")
        self.stdout.write("")
