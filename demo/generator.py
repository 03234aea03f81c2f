"""A large, deterministic council for measuring the app at size (``manage.py generate_council``).

From one seed it builds the whole of a council's planning and monitoring: the organisation
tree (council, directorates, services) and partner bodies (schools, a college, health,
police, voluntary groups); people in every role; a tree of plans (one corporate plan,
directorate plans, service business plans, each with its parent plan), every plan approved
with its edition; tens of thousands of items (vision, priorities, actions with leads, dates
and costs, targets with measures, milestones), a few plans of about 2,000 items; links from
actions to the priorities of their parent plan; quarters of reporting with a progress return
for the actions and targets in states that fit the time (old quarters accepted and locked,
with their stored scorecards; the latest a mix of drafts, submissions, acceptances, returns
sent back and missing ones); risk registers with quarterly reviews.

Why here: it writes to all three domain apps, and ``demo`` sits on top of them with the
rest of the made-up data (design.md §6); the command beside it only parses arguments and
prints. ``benchmarks/`` is not an installed app, and the command is useful beyond
benchmarks (trying pages at size by hand).

Determinism: everything comes from ``random.Random(seed)``, drawn in a fixed order, and
from fixed dates: the same seed gives the same titles, values, people, structure,
timestamps and history dates on any database (``digest`` prints a fingerprint to compare).
Two columns are outside it: ``ProgressReturn.created_at`` and ``updated_at`` are set by
Django (``auto_now``) to the moment the row was written, and primary keys are whatever the
database hands out; the digest leaves both out.

How, and why in bulk: going through the services item by item costs about 14 ms an item
(``benchmarks``: 2,382 items in 28 s), so 20,000 items and 100,000 returns would take most
of an hour. Instead:

- organisations, people, indicators and plans (a few hundred rows) are saved one by one
  through the ORM, so mptt places them in their trees and simple-history's signal writes
  their history rows, stamped by ``change_context`` with a fixed moment and this run's reason;
- plan items are built in memory, their mptt columns computed here (depth-first by
  ``position``, one ``tree_id`` per plan, exactly what ``partial_rebuild`` would write), then
  inserted level by level with ``bulk_create`` (parents first, so children get their
  ``parent_id``); supporters, shares, links, editions, quarters, returns, risks and reviews
  are ``bulk_create``'d too;
- every bulk-written row gets its history row from ``bulk_history_create`` with its own
  ``history_date``, ``history_user`` and ``history_change_reason`` (design.md §3 rule 1).

Each generated row has exactly one history row ("+"), holding the row as generated and
stamped with the moment of its latest state (a plan: when it was approved; a return: when
it was submitted, reviewed or saved as a draft; a locked quarter: when it was locked).
Plans are therefore approved by setting their state, approval and edition directly rather
than through ``planning.lifecycle.plan_approve``: the service stamps the real clock and
writes a second history row, and the generated council keeps fixed dates (a plan approved
"today" would have had its returns accepted years before it was approved). A locked
quarter's scorecards are stored as ``monitoring.services.period_lock`` stores them.

Everything runs in one transaction: a failure leaves the database as it was.
"""

import hashlib
import math
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from config.history import change_context, fit_reason, tracked_models
from monitoring import services as monitoring_services
from monitoring import trajectory
from monitoring.models import ProgressReturn, ReportingPeriod, Risk, RiskReview, quarter_dates
from partners.models import Organisation, User
from planning.models import Edition, Indicator, ItemSupporter, Link, Plan, PlanItem, PlanShare

DEFAULT_PASSWORD = "golden-thread-demo"  # noqa: S105  generated test data only, as the demo council's
FIRST_YEAR = 2013  # the plans run 2013/14 to 2015/16, the quarters from April 2013
LAST_YEAR = 2015
MAX_QUARTERS = 12
BATCH = 1000  # rows per INSERT on PostgreSQL (SQLite's own limit of 999 variables makes it smaller)

Kind = PlanItem.Kind
State = ProgressReturn.State
Rag = ProgressReturn.Rag


class GeneratorError(Exception):
    """The council cannot be generated as asked (bad sizes, or a database not empty)."""


def _moment(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour, minute))


SETUP = _moment(date(2013, 1, 7))  # organisations, people and indicators
DRAFTED = date(2013, 2, 4)  # plan items, shares, supporters and links (one minute later per plan)
APPROVED_ON = date(2013, 3, 18)  # plans approved (by Cabinet; the corporate plan by Full Council)
QUARTERS_SET_UP = _moment(date(2013, 3, 25))


# --- vocabulary ---------------------------------------------------------------------------------

FIRST_NAMES = [
    "Aisha", "Alan", "Alice", "Amir", "Angela", "Ben", "Bethany", "Carl", "Chloe", "Claire", "Daniel", "Deborah",
    "Dev", "Eleanor", "Emma", "Farah", "Fiona", "Gareth", "Grace", "Hannah", "Harjit", "Helen", "Ian", "Imran",
    "Jack", "James", "Janet", "Jo", "Karen", "Kwame", "Laura", "Leon", "Lucy", "Mark", "Martin", "Megan", "Mohammed",
    "Nadia", "Neil", "Nicola", "Oliver", "Owen", "Paul", "Priya", "Rachel", "Rebecca", "Rhys", "Richard", "Ruth",
    "Sam", "Sarah", "Simon", "Sophie", "Stephen", "Tariq", "Tom", "Vikram", "Wendy", "Yusuf", "Zoe",
]  # fmt: skip
LAST_NAMES = [
    "Adams", "Ahmed", "Ali", "Allen", "Bailey", "Baker", "Bell", "Bennett", "Brown", "Campbell", "Carter", "Chapman",
    "Clarke", "Collins", "Cook", "Cooper", "Davies", "Edwards", "Ellis", "Evans", "Fisher", "Fletcher", "Foster",
    "Graham", "Green", "Hall", "Harris", "Hill", "Hughes", "Hussain", "Jackson", "James", "Jenkins", "Johnson",
    "Jones", "Kaur", "Kelly", "Khan", "King", "Lee", "Lewis", "Marshall", "Martin", "Mason", "Mitchell", "Moore",
    "Morgan", "Morris", "Murphy", "Newman", "Owen", "Palmer", "Parker", "Patel", "Phillips", "Price", "Roberts",
    "Robinson", "Rogers", "Scott", "Shah", "Singh", "Smith", "Stevens", "Taylor", "Thomas", "Thompson", "Turner",
    "Walker", "Ward", "Watson", "White", "Williams", "Wilson", "Wood", "Wright", "Young",
]  # fmt: skip

COUNCIL = ("Greyford County Council", "greyford")


@dataclass(frozen=True)
class Measure:
    """A kind of target a theme sets: its wording, unit, direction and typical values."""

    title: str
    unit: str
    direction: str
    baseline: tuple[float, float]  # range of baselines
    change: tuple[float, float]  # range of the improvement aimed for, in the unit
    indicator: str = ""  # a shared indicator's code, so targets in several plans can be compared


@dataclass(frozen=True)
class Theme:
    directorate: str
    services: list[str]
    priorities: list[str]
    objects: list[str]
    measures: list[Measure]
    risks: list[str]


P, C, N, M, D = "percentage", "count", "number", "pounds", "days"
UP, DOWN = "higher", "lower"

THEMES = [
    Theme(
        "Children, Young People and Education",
        ["School Improvement", "Early Years and Childcare", "Special Educational Needs", "Children's Social Work",
         "Youth Service", "Skills and Employability", "Education Planning and Access", "Fostering and Adoption"],
        ["Every child in a good or outstanding school", "Close the gap for disadvantaged pupils",
         "A good start in the early years", "Children safe from harm", "Young people in learning or work at 16-19",
         "Support for children with special educational needs", "Enough school places, close to home",
         "Families supported early", "Stable homes for children in care"],
        ["school improvement plans for schools below the floor standard", "the early help assessment",
         "the 14-19 vocational offer", "free early education for two-year-olds", "the school place planning model",
         "the virtual school for children in care", "the SEND local offer", "multi-agency safeguarding hub",
         "the careers guidance service", "foster carer recruitment", "the pupil premium review programme",
         "school-to-school support networks", "the holiday activities programme", "the attendance strategy"],
        [Measure("% of pupils achieving 5 GCSEs A*-C including English and maths", P, UP, (52, 60), (4, 10), "gcse-5ac"),
         Measure("% of schools judged good or outstanding", P, UP, (62, 72), (6, 15), "schools-good"),
         Measure("% of 16-18 year olds not in education, employment or training", P, DOWN, (5, 8), (1, 3), "neet"),
         Measure("Number of children subject to a child protection plan", C, DOWN, (380, 520), (20, 60)),
         Measure("% of two-year-olds taking up free early education", P, UP, (45, 60), (10, 20), "early-ed-2"),
         Measure("Average days from entering care to moving in with an adoptive family", D, DOWN, (600, 700), (60, 150)),
         Measure("% of education, health and care plans issued within 20 weeks", P, UP, (40, 60), (15, 30)),
         Measure("Number of permanent exclusions", C, DOWN, (40, 70), (5, 15))],
        ["Not enough school places in the growing towns", "Rising demand for children's social care",
         "Recruitment of experienced social workers", "Schools leave local authority support",
         "High-needs funding overspends"],
    ),
    Theme(
        "Adult Social Care and Health",
        ["Older People's Services", "Learning Disability Services", "Mental Health Services",
         "Commissioning and Quality", "Public Health", "Safeguarding Adults", "Carers and Community Support"],
        ["People live independently for longer", "Good quality care, whoever provides it",
         "Carers supported to keep caring", "Adults safe from abuse and neglect", "Healthier lives, fewer inequalities",
         "Joined-up care with the NHS", "Good mental health for all"],
        ["reablement after a hospital stay", "the carers' assessment", "the home care framework",
         "personal budgets and direct payments", "the falls prevention service", "the stop smoking service",
         "the community equipment service", "supported living for people with a learning disability",
         "the integrated discharge team", "the dementia friendly communities programme",
         "the care home quality monitoring", "the health checks programme", "the drug and alcohol recovery service"],
        [Measure("% of older people at home 91 days after discharge to reablement", P, UP, (78, 84), (3, 7), "reablement"),
         Measure("Delayed transfers of care per 100,000 adults", N, DOWN, (9, 14), (2, 5), "dtoc"),
         Measure("% of people using social care who receive direct payments", P, UP, (18, 26), (4, 10)),
         Measure("Permanent admissions to care homes per 100,000 older people", N, DOWN, (650, 780), (40, 100)),
         Measure("% of adults who smoke", P, DOWN, (18, 22), (1, 3), "smoking"),
         Measure("Number of NHS health checks delivered", C, UP, (9000, 12000), (1500, 4000)),
         Measure("% of safeguarding enquiries where the person's outcomes were met", P, UP, (70, 82), (5, 12))],
        ["Care market fragility", "The NHS discharges people faster than care can be arranged",
         "Budget pressures from rising demand", "Recruitment and retention of care workers",
         "Data sharing with health partners"],
    ),
    Theme(
        "Growth, Environment and Transport",
        ["Highways and Transportation", "Waste Management", "Planning and Environment", "Economic Development",
         "Country Parks and Rights of Way", "Flood Risk Management", "Trading Standards"],
        ["A growing economy with good jobs", "Roads and pavements in good repair", "Less waste, more recycling",
         "A low-carbon county", "Safe and reliable travel", "Protect the countryside and heritage",
         "Communities resilient to flooding"],
        ["the highways asset management plan", "the street lighting LED conversion", "the household waste centres",
         "the food waste collection trial", "the business growth fund", "the broadband roll-out",
         "the local transport plan", "the flood defence schemes", "the rural bus network",
         "the apprenticeship levy transfer scheme", "the cycle network extension", "the pothole repair blitz",
         "the scam awareness campaign"],
        [Measure("% of household waste recycled or composted", P, UP, (38, 46), (4, 10), "recycling"),
         Measure("% of principal roads where maintenance should be considered", P, DOWN, (5, 9), (1, 3)),
         Measure("Number of businesses supported to grow", C, UP, (150, 300), (50, 200), "business-support"),
         Measure("Average days to repair a reported pothole", D, DOWN, (12, 25), (3, 10)),
         Measure("Tonnes of CO2 from council operations", N, DOWN, (42000, 52000), (3000, 8000)),
         Measure("Number of apprenticeships started", C, UP, (900, 1400), (100, 400), "apprenticeships"),
         Measure("£ external funding secured for infrastructure", M, UP, (4000000, 9000000), (1000000, 4000000))],
        ["Severe winter weather", "Landfill tax rises", "Delays in major scheme funding decisions",
         "Contractor failure", "Flooding of homes and roads"],
    ),
    Theme(
        "Communities and Housing",
        ["Housing Options", "Community Safety", "Libraries and Archives", "Arts and Culture", "Registration Services",
         "Sport and Leisure", "Homelessness Prevention"],
        ["A home for everyone who needs one", "Safer neighbourhoods", "Strong and active communities",
         "Libraries at the heart of communities", "More people active every day", "Less homelessness"],
        ["the homelessness prevention fund", "the anti-social behaviour case review", "the library self-service",
         "the community hubs programme", "the domestic abuse support service", "the empty homes scheme",
         "the volunteer centre network", "the summer reading challenge", "the active lives programme",
         "the housing register review", "the community safety partnership plan", "the digital inclusion sessions"],
        [Measure("Number of households in temporary accommodation", C, DOWN, (180, 320), (20, 80), "temp-accom"),
         Measure("Number of homelessness cases prevented", C, UP, (600, 900), (100, 300)),
         Measure("Number of library visits", C, UP, (2200000, 2800000), (100000, 300000)),
         Measure("% of adults active for 150 minutes a week", P, UP, (52, 58), (3, 6), "active-adults"),
         Measure("Number of repeat victims of domestic abuse", C, DOWN, (400, 600), (30, 90)),
         Measure("Number of empty homes brought back into use", C, UP, (80, 150), (20, 80))],
        ["Welfare reform increases homelessness", "Reduced police presence in rural areas",
         "Volunteers withdraw from community libraries", "Shortage of affordable housing",
         "Loss of grant for domestic abuse services"],
    ),
    Theme(
        "Strategic and Corporate Services",
        ["Human Resources", "Policy and Performance", "Legal and Democratic Services", "Communications and Engagement",
         "ICT", "Customer Services"],
        ["A modern, productive workforce", "Services designed around customers", "Decisions based on evidence",
         "Open and accountable government", "Technology that works for staff and residents"],
        ["the digital customer portal", "the workforce development plan", "the performance management framework",
         "the cloud migration", "the residents' survey", "the member development programme",
         "the information governance framework", "the agile working programme", "the complaints process",
         "the apprenticeship programme for staff", "the equalities objectives"],
        [Measure("% of customer contacts resolved at first point", P, UP, (68, 76), (5, 12)),
         Measure("Average working days lost to sickness per employee", D, DOWN, (8, 10), (1, 2), "sickness"),
         Measure("% of transactions completed online", P, UP, (30, 42), (10, 25), "online"),
         Measure("% of freedom of information requests answered within 20 working days", P, UP, (82, 90), (4, 9)),
         Measure("% of residents satisfied with the council", P, UP, (55, 64), (3, 8), "satisfaction")],
        ["Cyber attack", "Loss of key staff", "Legal challenge to a major decision", "ICT systems fail",
         "Low response to consultations"],
    ),
    Theme(
        "Finance and Resources",
        ["Finance", "Property and Estates", "Procurement", "Revenues and Benefits", "Internal Audit", "Pensions"],
        ["A balanced budget over the medium term", "Assets that earn their keep", "Value for money in every contract",
         "Benefits paid quickly and accurately", "Strong financial control"],
        ["the medium-term financial plan", "the office rationalisation programme", "the category management approach",
         "the council tax reduction scheme", "the debt recovery review", "the capital programme gateway",
         "the energy efficiency retrofit of council buildings", "the counter-fraud plan",
         "the pension fund investment strategy", "the e-invoicing roll-out"],
        [Measure("£ savings delivered against the medium-term plan", M, UP, (0, 0), (8000000, 20000000), "savings"),
         Measure("Average days to process a new housing benefit claim", D, DOWN, (22, 30), (4, 10), "hb-days"),
         Measure("% of council tax collected in year", P, UP, (96, 97.5), (0.5, 1.5), "ctax"),
         Measure("% of invoices paid within 30 days", P, UP, (84, 92), (3, 8)),
         Measure("£ income from the commercial estate", M, UP, (2000000, 3500000), (300000, 900000))],
        ["Government grant falls faster than planned", "Savings plans not delivered", "Interest rates rise",
         "Business rates appeals", "Pension fund deficit grows"],
    ),
]  # fmt: skip

CORPORATE_PRIORITIES = [
    "A strong economy with good jobs for local people",
    "Children and young people get the best start in life",
    "People live healthy, independent lives",
    "Safe, strong and resilient communities",
    "A clean, green and well-connected county",
    "An efficient council that listens and delivers",
]
VERBS = ["Deliver", "Review", "Expand", "Introduce", "Commission", "Develop", "Launch", "Strengthen", "Pilot",
         "Roll out", "Redesign", "Agree", "Procure", "Evaluate", "Extend", "Embed"]  # fmt: skip
QUALIFIERS = ["", "", "", " with partners", " across the county", " in the three priority areas", " by March 2015",
              " for the most vulnerable residents", " within existing budgets", " in the rural districts"]  # fmt: skip
MILESTONES = ["Business case approved", "Contract awarded", "Consultation closes", "Pilot evaluated", "Go-live",
              "Report to Cabinet", "Staff trained", "Phase one complete", "Phase two complete", "Partners sign up",
              "Specification agreed", "Review of first six months", "Funding confirmed", "Launch event held"]  # fmt: skip
DESCRIPTIONS = [
    "This matters because residents told us it did in the **budget consultation**.",
    "We will work with partners to agree a shared approach, then report progress every quarter.",
    "Builds on last year's work; the evaluation is on the council's website.",
    "Led by the service with support from the directorate's performance team.",
    "Funded from existing budgets; any extra cost goes to Cabinet first.",
    "What success looks like:\n\n- fewer people need crisis support\n- partners share data routinely\n- residents "
    "can see progress online",
]
FUNDING = ["Core budget", "Dedicated Schools Grant", "Public Health Grant", "Capital programme", "Better Care Fund",
           "Section 106 contributions", "European Regional Development Fund", "Government grant", "Reserves"]  # fmt: skip
NARRATIVES = {
    Rag.GREEN: ["On track: this quarter's milestones were met and the work is within budget.",
                "Good progress this quarter; partners are fully involved and nothing needs escalating.",
                "Delivered as planned this quarter. Early feedback from residents is positive."],
    Rag.AMBER: ["Some slippage: one milestone moved by a few weeks while partners signed it off.",
                "Slower than planned because of vacancies in the team; cover starts next month.",
                "Mostly on track, but take-up is lower than hoped; we are contacting everyone not yet signed up."],
    Rag.RED: ["Behind plan: the key milestone was missed and the work will not finish on time without more capacity.",
              "Significant delay: the procurement had to be re-run after no compliant bids.",
              "Off track: funding for the next phase is not confirmed, so the work has paused."],
    Rag.COMPLETE: ["Complete: everything this action set out to do has been done.",
                   "Completed as planned; what remains is part of normal business."],
}  # fmt: skip
NEXT_STEPS = ["Keep to the plan; report progress to the board next quarter.",
              "Agree the remaining milestones with partners by the end of next month.",
              "Review take-up and adjust the offer.", "Confirm next year's budget with Finance."]  # fmt: skip
SOFT_OUTCOMES = ["Partners now bring their own data to the steering group.",
                 "Residents told us the new letters were clearer.",
                 "Staff from different organisations now solve problems together between meetings."]  # fmt: skip
RETURN_REASON = "Say what was done this quarter and what comes next, not only that it is on track."
PARTNERS = [
    # (kind, names): schools first, as many as the size asks for
    ("school", ["Ashfield Primary School", "Brook Lane Primary School", "Castle Hill Academy", "Dene Park School",
                "Elmwood Junior School", "Fairfield High School", "Greyford Grammar School", "Harbour View Academy",
                "Ivy Bank Primary School", "Kingsmead School", "Larkrise Infant School", "Meadowside Academy",
                "Northgate High School", "Oakfield Special School", "Priory Church of England School",
                "Queensway Primary School"]),
    ("college", ["Greyford College", "Eastbrook Sixth Form College"]),
    ("health", ["Greyford Clinical Commissioning Group", "Greyford Hospitals NHS Trust",
                "Greyford Community Health NHS Trust"]),
    ("police", ["Greyford Constabulary"]),
    ("voluntary", ["Greyford Council for Voluntary Service", "Age Concern Greyford", "Greyford Citizens Advice",
                   "Home-Start Greyford", "Greyford Carers' Centre", "Youth Action Greyford"]),
    ("connexions", ["Connexions Greyford"]),
    ("lsc", ["Learning and Skills Council, Greyford area"]),
]  # fmt: skip


# --- the shape of the council ---------------------------------------------------------------------


@dataclass
class Sizes:
    seed: int = 1
    plans: int = 40
    items: int = 20_000
    quarters: int = 8
    people: int = 300

    def check(self) -> None:
        if self.plans < 3:
            raise GeneratorError("--plans must be at least 3 (a corporate, a directorate and a service plan).")
        if self.items < 12 * self.plans:
            raise GeneratorError(f"--items must be at least 12 per plan ({12 * self.plans} for {self.plans} plans).")
        if not 1 <= self.quarters <= MAX_QUARTERS:
            raise GeneratorError(f"--quarters must be between 1 and {MAX_QUARTERS} (the plans run three years).")
        if self.people < self.plans + 8:
            raise GeneratorError(f"--people must be at least {self.plans + 8} for {self.plans} plans.")


@dataclass
class Node:
    """One plan item before it is written: its kind, its place and its content."""

    kind: str
    children: list["Node"] = field(default_factory=list)
    obj: PlanItem | None = None
    supporting: list[Organisation] = field(default_factory=list)


@dataclass
class PlanSpec:
    index: int
    level: str  # corporate, directorate or service
    theme: Theme
    title: str
    slug: str
    organisation: Organisation
    owner: User
    parent: "PlanSpec | None"
    size: int
    pool: list[User] = field(default_factory=list)  # who leads its items
    plan: Plan | None = None
    root: Node | None = None


@dataclass
class Result:
    counts: dict[str, tuple[int, int]]  # model label -> (rows, history rows)
    timings: list[tuple[str, float]]
    digest: str
    largest_plan: tuple[str, int]
    cpu: float  # seconds of this process's CPU time, to read the wall time against on a busy machine

    @property
    def seconds(self) -> float:
        return sum(seconds for _, seconds in self.timings)


class _Clock:
    def __init__(self):
        self.timings: list[tuple[str, float]] = []
        self._start = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.timings.append((name, now - self._start))
        self._start = now


def generate(
    sizes: Sizes, *, password: str = DEFAULT_PASSWORD, progress: Callable[[str], None] | None = None
) -> Result:
    """Build the council described by ``sizes`` in the (empty) database, in one transaction."""
    sizes.check()
    if Plan.objects.exists() or Organisation.objects.exists() or ReportingPeriod.objects.exists():
        raise GeneratorError("The database already has organisations, plans or quarters: generate into an empty one.")
    clock = _Clock()
    cpu = time.process_time()
    with transaction.atomic():
        builder = _Builder(sizes, password, progress or (lambda message: None), clock)
        builder.build()
    digest_value = digest()
    clock.lap("digest")
    largest = max(builder.specs, key=lambda spec: spec.size)
    return Result(
        counts=table_counts(),
        timings=clock.timings,
        digest=digest_value,
        largest_plan=(largest.slug, largest.size),
        cpu=time.process_time() - cpu,
    )


class _Builder:
    def __init__(self, sizes: Sizes, password: str, progress: Callable[[str], None], clock: _Clock):
        self.sizes = sizes
        self.rng = random.Random(sizes.seed)  # noqa: S311  reproducible test data, not secrets
        self.reason = f"generate_council --seed {sizes.seed}"
        # one hash for everyone (hashing 300 passwords would take minutes), from a fixed salt so
        # that the data is the same every time; 24 characters, or Django re-hashes it at first
        # sign-in (its salt entropy check), which would add a history row to the person
        salt = hashlib.sha256(f"generate_council {sizes.seed}".encode()).hexdigest()[:24]
        self.password_hash = make_password(password, salt=salt)
        self.progress = progress
        self.clock = clock
        self.periods: list[ReportingPeriod] = []

    def build(self) -> None:
        self._organisations()
        self._people()
        self._indicators()
        self.clock.lap("organisations, people, indicators")
        self._plans()
        self.clock.lap("plans")
        self._items()
        self.clock.lap("plan items")
        self._links_and_shares()
        self.clock.lap("links, supporters, shares, editions")
        self._quarters()
        self._returns()
        self.clock.lap("quarters and returns")
        self._risks()
        self.clock.lap("risks")
        self._lock()
        self.clock.lap("locked quarters' scorecards")

    # --- who ------------------------------------------------------------------------------------

    def _organisations(self) -> None:
        rng, sizes = self.rng, self.sizes
        directorates = max(1, min(len(THEMES), round((sizes.plans - 1) / 6.5)))
        services = sizes.plans - 1 - directorates
        with change_context(reason=self.reason, when=SETUP):
            self.council = _save(Organisation(name=COUNCIL[0], slug=COUNCIL[1], kind=Organisation.Kind.COUNCIL))
            self.directorates: list[tuple[Organisation, Theme]] = []
            for theme in THEMES[:directorates]:
                org = _save(Organisation(name=theme.directorate, slug=slugify(theme.directorate)[:90],
                                         kind=Organisation.Kind.DIRECTORATE, parent=self.council))  # fmt: skip
                self.directorates.append((org, theme))
            self.services: list[tuple[Organisation, Theme, Organisation]] = []
            used: Counter = Counter()
            for n in range(services):
                directorate, theme = self.directorates[n % directorates]
                name = theme.services[used[theme.directorate] % len(theme.services)]
                round_ = used[theme.directorate] // len(theme.services)
                used[theme.directorate] += 1
                if round_:  # more services than the theme names: the county is split into areas
                    name = f"{name} ({['North', 'South', 'East', 'West'][(round_ - 1) % 4]} {(round_ - 1) // 4 + 1})"
                org = _save(Organisation(name=name, slug=slugify(name)[:90], kind=Organisation.Kind.SERVICE,
                                         parent=directorate))  # fmt: skip
                self.services.append((org, theme, directorate))
            self.partner_orgs: list[Organisation] = []
            schools = max(1, min(len(PARTNERS[0][1]), sizes.people // 20))
            for kind, names in PARTNERS:
                count = schools if kind == "school" else (1 if sizes.people < 100 else len(names))
                for name in names[:count]:
                    self.partner_orgs.append(_save(Organisation(name=name, slug=slugify(name)[:90], kind=kind)))
        rng.shuffle(self.partner_orgs)  # which bodies lead what: spread, not alphabetical

    def _people(self) -> None:
        rng, sizes = self.rng, self.sizes
        admins = 2
        members = max(1, round(sizes.people * 0.1))
        partners = max(len(self.partner_orgs) // 2, round(sizes.people * 0.15))
        officers = sizes.people - admins - members - partners
        needed = 1 + len(self.directorates) + len(self.services)
        if officers < needed + 2:
            raise GeneratorError(f"--people {sizes.people} leaves {officers} officers; {needed + 2} are needed.")
        taken: Counter = Counter()

        def person(role: str, organisation: Organisation, job_title: str, **extra) -> User:
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            username = f"{first}.{last}".lower()
            taken[username] += 1
            if taken[username] > 1:  # a second Sarah Patel is sarah.patel2
                username = f"{username}{taken[username]}"
            domain = "greyford.gov.example" if organisation.is_council else f"{organisation.slug}.example"
            return _save(User(username=username, first_name=first, last_name=last, email=f"{username}@{domain}",
                              role=role, organisation=organisation, job_title=job_title, password=self.password_hash,
                              date_joined=SETUP, **extra))  # fmt: skip

        self.officers_of: dict[int, list[User]] = defaultdict(list)
        self.partners_of: dict[int, list[User]] = defaultdict(list)
        with change_context(reason=self.reason, when=SETUP):
            self.admins = [
                person(User.Role.ADMIN, self.council, "Systems administrator", is_staff=True) for _ in range(admins)
            ]
            self.chief = person(User.Role.OFFICER, self.council, "Chief Executive")
            self.officers_of[self.council.pk].append(self.chief)
            self.directors = {}
            for org, theme in self.directorates:
                self.directors[org.pk] = person(User.Role.OFFICER, org, f"Director of {theme.directorate}")
                self.officers_of[org.pk].append(self.directors[org.pk])
            self.heads = {}
            for org, _, _ in self.services:
                self.heads[org.pk] = person(User.Role.OFFICER, org, f"Head of {org.name}")
                self.officers_of[org.pk].append(self.heads[org.pk])
            units = [self.council, *(org for org, _ in self.directorates), *(org for org, _, _ in self.services)]
            weights = [1] + [2] * len(self.directorates) + [4] * len(self.services)
            for _ in range(officers - needed):
                org = rng.choices(units, weights)[0]
                title = "Policy officer" if org.kind != Organisation.Kind.SERVICE else f"{org.name} officer"
                self.officers_of[org.pk].append(person(User.Role.OFFICER, org, title))
            for n in range(partners):
                org = self.partner_orgs[n % len(self.partner_orgs)]
                self.partners_of[org.pk].append(person(User.Role.PARTNER, org, "Partnership lead"))
            self.members = [person(User.Role.MEMBER, self.council, "County councillor") for _ in range(members)]

    def _indicators(self) -> None:
        self.indicators: dict[str, Indicator] = {}
        with change_context(reason=self.reason, when=SETUP):
            for theme in THEMES:
                for measure in theme.measures:
                    if measure.indicator and measure.indicator not in self.indicators:
                        indicator = Indicator(code=measure.indicator, name=measure.title,
                                              definition=f"As reported to government: {measure.title.lower()}.")  # fmt: skip
                        indicator.full_clean()
                        indicator.save()
                        self.indicators[measure.indicator] = indicator

    # --- the plans ----------------------------------------------------------------------------

    def _plans(self) -> None:
        period = "2013-16"
        corporate = PlanSpec(0, "corporate", THEMES[4], f"Greyford Together: Corporate Plan {period}",
                             "corporate-plan-2013-16", self.council, self.chief, None, 0)  # fmt: skip
        corporate.pool = [self.chief, *self.directors.values(), *self.officers_of[self.council.pk]]
        specs = [corporate]
        by_directorate = {}
        for org, theme in self.directorates:
            spec = PlanSpec(len(specs), "directorate", theme, f"{theme.directorate} Strategy {period}",
                            f"{org.slug[:60]}-strategy-2013-16", org, self.directors[org.pk], corporate, 0)  # fmt: skip
            spec.pool = [*self.officers_of[org.pk]] + [self.heads[s.pk] for s, _, d in self.services if d.pk == org.pk]
            by_directorate[org.pk] = spec
            specs.append(spec)
        for org, theme, directorate in self.services:
            spec = PlanSpec(len(specs), "service", theme, f"{org.name} Business Plan {period}",
                            f"{org.slug[:60]}-business-plan-2013-16", org, self.heads[org.pk],
                            by_directorate[directorate.pk], 0)  # fmt: skip
            spec.pool = list(self.officers_of[org.pk])
            specs.append(spec)
        self._sizes(specs)
        self.specs = specs
        for spec in specs:
            approved = _moment(APPROVED_ON, 18, spec.index % 60)
            body = "Full Council" if spec.level == "corporate" else "Cabinet"
            summary = (
                f"How {spec.organisation.name} will deliver its part of the corporate plan from 2013 to 2016: "
                f"{len(spec.theme.priorities)} priorities, agreed with partners and approved by {body}."
            )
            plan = Plan(
                title=spec.title,
                slug=spec.slug,
                kind={"corporate": "corporate", "directorate": "strategic", "service": "service"}[spec.level],
                organisation=spec.organisation,
                owner=spec.owner,
                parent=spec.parent.plan if spec.parent else None,
                start_year=FIRST_YEAR,
                end_year=LAST_YEAR,
                status=Plan.Status.APPROVED,
                summary=summary,
                approved_by=body,
                approved_on=APPROVED_ON,
            )
            if spec.level == "service" and spec.index % 8 == 3:
                plan.label_priority = "Objective"
            plan.full_clean()
            with change_context(reason=f"{self.reason}: approved by {body}", user=spec.owner, when=approved):
                plan.save()
            spec.plan = plan

    def _sizes(self, specs: list[PlanSpec]) -> None:
        """Items per plan: a few big service plans of about 2,000 items, the rest shared by
        weight (a directorate plan about three service plans, the corporate plan one and a half)."""
        rng, total = self.rng, self.sizes.items
        services = [spec for spec in specs if spec.level == "service"]
        big = rng.sample(services, min(len(services), max(1, round(len(specs) / 13))))
        big_size = min(2000, total * 3 // (10 * len(big)))
        for spec in big:
            spec.size = big_size
        rest = [spec for spec in specs if all(spec is not other for other in big)]
        weights = [{"corporate": 1.5, "directorate": 3.0}.get(s.level, 1.0) * rng.uniform(0.7, 1.3) for s in rest]
        left = total - big_size * len(big)
        shares = [left * w / sum(weights) for w in weights]
        for spec, share in zip(rest, shares, strict=True):
            spec.size = max(12, math.floor(share))
        # hand out what rounding left, largest remainders first, so the total is exact
        shortfall = total - sum(spec.size for spec in specs)
        order = sorted(range(len(rest)), key=lambda i: (shares[i] - math.floor(shares[i]), -i), reverse=True)
        for n in range(abs(shortfall)):
            spec = rest[order[n % len(order)]]
            spec.size += 1 if shortfall > 0 else -1

    # --- the items ----------------------------------------------------------------------------

    def _items(self) -> None:
        for spec in self.specs:
            spec.root = self._shape(spec)
            self._content(spec)
        tree_id = (PlanItem.objects.order_by("-tree_id").values_list("tree_id", flat=True).first() or 0) + 1
        levels: dict[int, list[Node]] = defaultdict(list)
        for spec in self.specs:
            _number(spec.root, tree_id, levels)
            tree_id += 1
        for depth in sorted(levels):
            nodes = levels[depth]
            for node in nodes:
                if node.obj.parent is not None:
                    node.obj.parent_id = node.obj.parent.pk
            PlanItem.objects.bulk_create([node.obj for node in nodes], batch_size=BATCH)
        self.items = []
        for spec in self.specs:
            for node in _walk(spec.root):
                node.obj._history_date, node.obj._history_user = _drafted(spec), spec.owner
                self.items.append(node)
        _history(PlanItem, [node.obj for node in self.items], self.reason)
        self.progress(f"{len(self.items)} plan items written")

    def _shape(self, spec: PlanSpec) -> Node:
        """A tree of exactly ``spec.size`` nodes: vision > priorities (some with sub-priorities)
        > actions (a few with sub-actions) > targets and milestones."""
        rng = self.rng
        budget = spec.size - 1
        count = max(2, min(20, round(math.sqrt(budget / 5)), budget // 5))
        if spec.level == "corporate":
            count = min(count, len(CORPORATE_PRIORITIES))
        root = Node(Kind.VISION)
        priorities = [Node(Kind.PRIORITY) for _ in range(count)]
        root.children = priorities
        left = budget - count
        weights = [rng.uniform(0.7, 1.3) for _ in priorities]
        quotas = [math.floor(left * w / sum(weights)) for w in weights]
        quotas[0] += left - sum(quotas)
        for priority, quota in zip(priorities, quotas, strict=True):
            if quota >= 40 and rng.random() < 0.25:  # two sub-priorities share the priority's actions
                subs = [Node(Kind.PRIORITY), Node(Kind.PRIORITY)]
                priority.children = subs
                half = (quota - 2) // 2
                self._fill(subs[0], half)
                self._fill(subs[1], quota - 2 - half)
            else:
                self._fill(priority, quota)
        return root

    def _fill(self, parent: Node, quota: int) -> None:
        """Actions with their targets and milestones under ``parent``, ``quota`` nodes in all."""
        rng = self.rng
        while quota > 0:
            action = Node(Kind.ACTION)
            parent.children.append(action)
            quota -= 1
            wanted = [Kind.TARGET] * rng.choice([1, 2, 2, 3, 3, 4]) + [Kind.MILESTONE] * rng.choice([0, 1, 1, 2, 3])
            if rng.random() < 0.08:
                wanted.append(Kind.ACTION)  # a sub-action
            for kind in wanted:
                if quota <= 0:
                    break
                child = Node(kind)
                action.children.append(child)
                quota -= 1
                if kind == Kind.ACTION and quota > 0:
                    child.children.append(Node(Kind.TARGET))
                    quota -= 1
                elif kind == Kind.TARGET and quota > 0 and rng.random() < 0.1:
                    child.children.append(Node(Kind.MILESTONE))
                    quota -= 1
            # targets before milestones in reading order, as officers write them
            action.children.sort(key=lambda node: [Kind.TARGET, Kind.ACTION, Kind.MILESTONE].index(node.kind))

    def _content(self, spec: PlanSpec) -> None:
        """Titles, leads, dates, costs and measures for every node of ``spec``'s tree."""
        rng = self.rng
        theme = spec.theme
        vision = spec.root
        vision.obj = PlanItem(plan=spec.plan, kind=Kind.VISION, position=1, status=PlanItem.Status.IN_PROGRESS,
                              title=f"A county where everyone can thrive: {spec.organisation.name}'s contribution",
                              description=rng.choice(DESCRIPTIONS))  # fmt: skip
        priorities = CORPORATE_PRIORITIES if spec.level == "corporate" else theme.priorities
        titles = rng.sample(priorities, min(len(priorities), len(vision.children)))
        for n, priority in enumerate(vision.children):
            title = titles[n] if n < len(titles) else f"{rng.choice(priorities)} ({n + 1})"
            self._priority(spec, priority, vision, n + 1, title)

    def _priority(self, spec: PlanSpec, node: Node, parent: Node, position: int, title: str) -> None:
        rng = self.rng
        node.obj = PlanItem(plan=spec.plan, parent=parent.obj, kind=Kind.PRIORITY, position=position, title=title,
                            status=PlanItem.Status.IN_PROGRESS, lead_officer=rng.choice([spec.owner, *spec.pool[:3]]),
                            description=rng.choice(DESCRIPTIONS) if rng.random() < 0.7 else "")  # fmt: skip
        for n, child in enumerate(node.children, start=1):
            if child.kind == Kind.PRIORITY:
                self._priority(spec, child, node, n, f"{title}: {['first steps', 'lasting change'][(n - 1) % 2]}")
            else:
                self._action(spec, child, node, n)

    def _action(self, spec: PlanSpec, node: Node, parent: Node, position: int) -> None:
        rng = self.rng
        title = f"{rng.choice(VERBS)} {rng.choice(spec.theme.objects)}{rng.choice(QUALIFIERS)}"
        if parent.kind == Kind.ACTION:
            title = (
                f"{rng.choice(['Prepare', 'Consult on', 'Test', 'Cost'])} the next stage: {parent.obj.title.lower()}"
            )
        start = _month(rng, date(2013, 4, 1), 28)
        due = min(_add_months(start, rng.choice([3, 6, 6, 9, 12, 12, 18, 24])) - timedelta(days=1), date(2016, 3, 31))
        if parent.kind == Kind.ACTION:  # a sub-action sits within its parent's dates
            start, due = parent.obj.start_date, parent.obj.due_date
        lead_officer, lead_organisation = self._lead(spec, parent)
        item = PlanItem(plan=spec.plan, parent=parent.obj, kind=Kind.ACTION, position=position, title=title[:300],
                        lead_officer=lead_officer, lead_organisation=lead_organisation, start_date=start,
                        due_date=due, description=rng.choice(DESCRIPTIONS) if rng.random() < 0.5 else "")  # fmt: skip
        if rng.random() < 0.6:
            item.cost_amount = Decimal(rng.choice([5, 10, 25, 40, 75, 120, 250, 500, 900, 2500]) * 1000)
            item.cost_type = PlanItem.CostType.CAPITAL if rng.random() < 0.3 else PlanItem.CostType.REVENUE
            item.funding_source = rng.choice(FUNDING) if rng.random() < 0.7 else ""
        node.obj = item
        if rng.random() < 0.2:
            choices = [org for org in self.partner_orgs if org != lead_organisation]
            node.supporting = rng.sample(choices, min(len(choices), rng.choice([1, 1, 2])))
        milestones = 0
        for n, child in enumerate(node.children, start=1):
            if child.kind == Kind.TARGET:
                self._target(spec, child, node, n)
            elif child.kind == Kind.ACTION:
                self._action(spec, child, node, n)
            else:
                milestones += 1
                self._milestone(spec, child, node, n, milestones)
        item.status = _status(start, due, self._as_of())

    def _lead(self, spec: PlanSpec, parent: Node) -> tuple[User | None, Organisation | None]:
        """About one action in seven is led by a partner body (its partnership lead, or
        nobody named); the rest by an officer of the owning unit."""
        rng = self.rng
        if parent.kind == Kind.ACTION:
            return parent.obj.lead_officer, parent.obj.lead_organisation
        if rng.random() < 0.14:
            org = rng.choice(self.partner_orgs)
            people = self.partners_of.get(org.pk, [])
            return (rng.choice(people) if people and rng.random() < 0.8 else None), org
        return rng.choice(spec.pool or [spec.owner]), spec.organisation

    def _target(self, spec: PlanSpec, node: Node, action: Node, position: int) -> None:
        rng = self.rng
        measure = rng.choice(spec.theme.measures)
        baseline = _round(measure.unit, rng.uniform(*measure.baseline))
        change = _round(measure.unit, rng.uniform(*measure.change))
        target = baseline + change if measure.direction == UP else max(Decimal(0), baseline - change)
        if measure.unit == P:
            target = min(target, Decimal(100))
        tolerance = _round(measure.unit, max(float(abs(target - baseline)) * 0.25, 1.0 if measure.unit != P else 0.5))
        target_date = date(2016, 3, 31) if rng.random() < 0.6 else date(2015, 3, 31)
        node.obj = PlanItem(
            plan=spec.plan,
            parent=action.obj,
            kind=Kind.TARGET,
            position=position,
            title=measure.title,
            lead_officer=action.obj.lead_officer,
            lead_organisation=action.obj.lead_organisation,
            start_date=date(2013, 4, 1),
            due_date=target_date,
            indicator=self.indicators.get(measure.indicator) if rng.random() < 0.6 else None,
            unit=measure.unit,
            baseline_value=baseline,
            baseline_date=date(2013, 3, 31),
            target_value=target,
            target_date=target_date,
            direction=measure.direction,
            target_type=PlanItem.TargetType.FLOOR if rng.random() < 0.3 else PlanItem.TargetType.ASPIRATIONAL,
            amber_tolerance=tolerance,
            status=_status(date(2013, 4, 1), target_date, self._as_of()),
        )
        for child in node.children:
            self._milestone(spec, child, node, 1, 1)

    def _milestone(self, spec: PlanSpec, node: Node, parent: Node, position: int, nth: int) -> None:
        rng = self.rng
        start, due = parent.obj.start_date, parent.obj.due_date
        span = max(1, (due - start).days)
        day = start + timedelta(days=min(span, round(span * rng.uniform(0.2, 1.0))))
        item = PlanItem(plan=spec.plan, parent=parent.obj, kind=Kind.MILESTONE, position=position,
                        title=rng.choice(MILESTONES), lead_officer=parent.obj.lead_officer, due_date=day,
                        status=_status(day, day, self._as_of()))  # fmt: skip
        if rng.random() < 0.1:
            item.cost_amount = Decimal(rng.choice([2, 5, 10, 20]) * 1000)
            item.cost_type = PlanItem.CostType.REVENUE
        node.obj = item

    def _as_of(self) -> date:
        """The day the story ends: a few days after the last quarter's returns were due."""
        start_year = FIRST_YEAR + (self.sizes.quarters - 1) // 4
        _, ends = quarter_dates(start_year, (self.sizes.quarters - 1) % 4 + 1)
        return ends + timedelta(days=20)

    # --- links, supporters, shares, editions ----------------------------------------------------

    def _links_and_shares(self) -> None:
        rng = self.rng
        priorities_of: dict[int, list[PlanItem]] = defaultdict(list)
        for node in self.items:
            if node.kind == Kind.PRIORITY:
                priorities_of[node.obj.plan_id].append(node.obj)
        links, seen = [], set()
        for spec in self.specs:
            if spec.parent is None:
                continue
            targets = priorities_of[spec.parent.plan.pk]
            corporate = priorities_of[self.specs[0].plan.pk]
            for node in _walk(spec.root):
                if node.kind != Kind.ACTION or node.obj.parent.kind != Kind.PRIORITY or rng.random() >= 0.6:
                    continue
                choices = [rng.choice(targets)]
                if spec.level == "service" and rng.random() < 0.1:
                    choices.append(rng.choice(corporate))
                for target in choices:
                    if (node.obj.pk, target.pk) in seen:
                        continue
                    seen.add((node.obj.pk, target.pk))
                    note = "" if rng.random() < 0.7 else f"Part of our contribution to “{target.title}”."
                    link = Link(source=node.obj, target=target, relation=Link.Relation.CONTRIBUTES_TO, note=note)
                    link._history_date = _drafted(spec)
                    link._history_user = spec.owner
                    links.append(link)
        _bulk(Link, links, self.reason)
        supporters, shares = [], []
        for spec in self.specs:
            orgs = set()
            for node in _walk(spec.root):
                for org in node.supporting:
                    row = ItemSupporter(item=node.obj, organisation=org)
                    row._history_date, row._history_user = _drafted(spec), spec.owner
                    supporters.append(row)
                    orgs.add(org.pk)
                if node.obj.lead_organisation_id and not node.obj.lead_organisation.is_council:
                    orgs.add(node.obj.lead_organisation_id)
            if spec.level == "corporate":
                orgs |= {org.pk for org in self.partner_orgs}
            for org_id in sorted(orgs):
                share = PlanShare(plan=spec.plan, organisation_id=org_id)
                share._history_date, share._history_user = _drafted(spec), spec.owner
                shares.append(share)
        _bulk(ItemSupporter, supporters, self.reason)
        _bulk(PlanShare, shares, self.reason)
        editions = []
        for spec in self.specs:
            body = spec.plan.approved_by
            edition = Edition(plan=spec.plan, name=f"Approved by {body}, {APPROVED_ON:%-d %B %Y}",
                              moment=_moment(APPROVED_ON, 18, spec.index % 60), created_by=spec.owner)  # fmt: skip
            edition._history_date, edition._history_user = edition.moment, spec.owner
            editions.append(edition)
        _bulk(Edition, editions, self.reason)
        self.progress(f"{len(links)} links, {len(supporters)} supporters, {len(shares)} shares")

    # --- monitoring -----------------------------------------------------------------------------

    def _quarters(self) -> None:
        """The quarters from April 2013; all but the last two locked, a month after they were due."""
        admin = self.admins[0]
        periods = []
        for n in range(self.sizes.quarters):
            start_year, quarter = FIRST_YEAR + n // 4, n % 4 + 1
            starts, ends = quarter_dates(start_year, quarter)
            period = ReportingPeriod(start_year=start_year, quarter=quarter, starts_on=starts, ends_on=ends,
                                     due_on=ends + timedelta(days=15))  # fmt: skip
            if n < self.sizes.quarters - 2:
                period.locked_at = _moment(period.due_on + timedelta(days=30), 17)
                period.locked_by = admin
            period._history_date = period.locked_at or QUARTERS_SET_UP
            period._history_user = admin
            periods.append(period)
        self.periods = _bulk(ReportingPeriod, periods, self.reason)

    def _returns(self) -> None:
        """A return for each action and target in each quarter, in a state that fits its time."""
        rng = self.rng
        reported = [
            (spec, node.obj)
            for spec in self.specs
            for node in _walk(spec.root)
            if node.kind in (Kind.ACTION, Kind.TARGET)
        ]
        last = len(self.periods) - 1
        for number, period in enumerate(self.periods):
            rows = []
            for spec, item in reported:
                fate = self._fate(number == last)
                if fate == "missing":
                    continue
                author = self._author(spec, item)
                ret = ProgressReturn(item=item, period=period, author=author)
                self._fill_return(ret, item, period)
                submitted = _moment(period.ends_on + timedelta(days=rng.randint(3, 16)), rng.randint(8, 17),
                                    rng.randint(0, 59))  # fmt: skip
                reviewed = submitted + timedelta(days=rng.randint(1, 9), hours=rng.randint(0, 6))
                ret._history_user = author
                if fate == "draft":
                    ret.state = State.DRAFT
                    ret.next_steps = ret.soft_outcomes = ret.evidence_url = ""
                    ret._history_date = submitted
                    ret._change_reason = "Draft saved"
                else:
                    ret.submitted_at, ret.submitted_by = submitted, author
                    ret.state = State.SUBMITTED
                    ret._history_date = submitted
                    ret._change_reason = "Submitted"
                if fate in {"accepted", "returned"}:
                    ret.reviewed_at, ret.reviewed_by = reviewed, spec.owner
                    ret._history_date, ret._history_user = reviewed, spec.owner
                    if fate == "accepted" or author == spec.owner:  # nobody sends back their own return
                        ret.state, ret._change_reason = State.ACCEPTED, "Accepted"
                    else:
                        ret.state, ret.review_note = State.RETURNED, RETURN_REASON
                        ret._change_reason = f"Returned for changes: {RETURN_REASON}"
                ret._change_reason = fit_reason(f"{ret._change_reason} ({self.reason})")
                rows.append(ret)
            _bulk(ProgressReturn, rows, self.reason)
            self.progress(f"{period.label}: {len(rows)} returns")

    def _fate(self, latest: bool) -> str:
        roll = self.rng.random()
        if not latest:
            return "accepted" if roll < 0.985 else "missing"
        for fate, upto in (("missing", 0.30), ("draft", 0.45), ("submitted", 0.70), ("accepted", 0.95)):
            if roll < upto:
                return fate
        return "returned"

    def _author(self, spec: PlanSpec, item: PlanItem) -> User:
        """The lead officer, else the lead organisation's first partnership lead, else the plan's owner."""
        if item.lead_officer is not None:
            return item.lead_officer
        people = self.partners_of.get(item.lead_organisation_id, [])
        return people[0] if people else spec.owner

    def _fill_return(self, ret: ProgressReturn, item: PlanItem, period: ReportingPeriod) -> None:
        rng = self.rng
        if item.kind == Kind.TARGET:
            expected = trajectory.expected_at(item, period.ends_on)
            tolerance = item.amber_tolerance or Decimal(1)
            better = 1 if item.direction == PlanItem.Direction.HIGHER else -1
            wanted = rng.choices(["green", "amber", "red"], [55, 30, 15])[0]
            offset = {
                "green": tolerance * Decimal(str(round(rng.uniform(0, 0.8), 2))),
                "amber": -tolerance * Decimal(str(round(rng.uniform(0.1, 0.9), 2))),
                "red": -tolerance * Decimal(str(round(rng.uniform(1.2, 3.0), 2))),
            }[wanted]
            value = _fit(item, expected + better * offset)
            derived = trajectory.derived_status(item, value, period.ends_on)
            given = derived
            if rng.random() < 0.08:
                given = {"red": Rag.AMBER, "amber": Rag.GREEN}.get(derived, derived)
            ret.rag, ret.actual_value = given, value
            ret.narrative = f"{_show(item, value)} at the end of the quarter, against {_show(item, expected)} expected."
        else:
            if item.start_date and item.start_date > period.ends_on:
                ret.rag, ret.narrative = (
                    Rag.NOT_STARTED,
                    f"Not started: the work begins on {item.start_date:%-d %B %Y}.",
                )
            elif item.due_date and item.due_date <= period.ends_on:
                ret.rag, ret.narrative = Rag.COMPLETE, rng.choice(NARRATIVES[Rag.COMPLETE])
            else:
                ret.rag = rng.choices([Rag.GREEN, Rag.AMBER, Rag.RED], [60, 28, 12])[0]
                ret.narrative = rng.choice(NARRATIVES[ret.rag])
                ret.next_steps = rng.choice(NEXT_STEPS)
        if rng.random() < 0.15:
            ret.soft_outcomes = rng.choice(SOFT_OUTCOMES)
        if rng.random() < 0.1:
            ret.evidence_url = f"https://www.greyford.gov.example/performance/{period.slug}/{item.plan.slug[:40]}"

    def _risks(self) -> None:
        rng = self.rng
        risks, reviews = [], []
        reviewed = self.periods[:-1]  # the latest quarter's reviews are still to do
        for spec in self.specs:
            priorities = [node.obj for node in spec.root.children]
            for n in range(max(2, min(12, spec.size // 150))):
                likelihood, impact = rng.randint(2, 5), rng.randint(2, 5)
                title = spec.theme.risks[n % len(spec.theme.risks)]
                if n >= len(spec.theme.risks):
                    title += f" ({n // len(spec.theme.risks) + 1})"
                risk = Risk(plan=spec.plan, item=rng.choice(priorities) if rng.random() < 0.5 else None, title=title,
                            cause="Demand and funding outside the council's control.",
                            consequence="Priorities in this plan are delivered late or not at all.",
                            owner=rng.choice([spec.owner, *spec.pool[:4]]), mitigations="Monthly review by the "
                            "management team; early warning to Cabinet.", target_likelihood=max(1, likelihood - 2),
                            target_impact=max(1, impact - 1))  # fmt: skip
                closes = len(reviewed) if rng.random() < 0.9 else rng.randint(1, max(1, len(reviewed)))
                moment = _drafted(spec)
                for period in reviewed[:closes]:
                    likelihood = min(5, max(1, likelihood + rng.choice([-1, 0, 0, 0, 1])))
                    impact = min(5, max(1, impact + rng.choice([-1, 0, 0, 1])))
                    moment = _moment(period.ends_on + timedelta(days=10), 11)
                    review = RiskReview(risk=risk, period=period, likelihood=likelihood, impact=impact,
                                        note="Reviewed by the management team.", reviewed_by=spec.owner,
                                        reviewed_at=moment)  # fmt: skip
                    review._history_date, review._history_user = moment, spec.owner
                    reviews.append(review)
                risk.likelihood, risk.impact = likelihood, impact
                if closes < len(reviewed):
                    risk.status = Risk.Status.CLOSED
                risk._history_date, risk._history_user = moment, spec.owner
                risks.append(risk)
        _bulk(Risk, risks, self.reason)
        for review in reviews:
            review.risk_id = review.risk.pk
        _bulk(RiskReview, reviews, self.reason)

    def _lock(self) -> None:
        """Store each locked quarter's scorecards, as locking a quarter does."""
        for period in self.periods:
            if period.is_locked:
                monitoring_services._freeze_scorecards(period)
                self.progress(f"{period.label}: scorecards stored")


# --- helpers -----------------------------------------------------------------------------------------


def _save(obj):
    obj.full_clean()
    obj.save()
    return obj


def _bulk(model, rows: list, reason: str) -> list:
    """``bulk_create`` the rows, then one history row each (``bulk_history_create``),
    stamped from the row's own ``_history_date``, ``_history_user`` and ``_change_reason``."""
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    _history(model, created, reason)
    return created


def _history(model, rows: list, reason: str) -> None:
    model.history.bulk_history_create(rows, batch_size=BATCH, default_change_reason=reason)


def _drafted(spec: PlanSpec) -> datetime:
    return _moment(DRAFTED, 9, spec.index % 60)


def _number(node: Node, tree_id: int, levels: dict[int, list[Node]], left: int = 1, level: int = 0) -> int:
    """mptt's columns for ``node`` and its subtree, depth-first in position order; returns the next free left."""
    obj = node.obj
    obj.tree_id, obj.lft, obj.level = tree_id, left, level
    levels[level].append(node)
    following = left + 1
    for child in node.children:
        following = _number(child, tree_id, levels, following, level + 1)
    obj.rght = following
    return following + 1


def _walk(node: Node) -> Iterable[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _month(rng: random.Random, first: date, months: int) -> date:
    return _add_months(first, rng.randrange(months))


def _add_months(day: date, months: int) -> date:
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def _status(start: date | None, due: date | None, as_of: date) -> str:
    if due and due < as_of:
        return PlanItem.Status.COMPLETE
    if start and start > as_of:
        return PlanItem.Status.NOT_STARTED
    return PlanItem.Status.IN_PROGRESS


def _round(unit: str, value: float) -> Decimal:
    if unit == P:
        return Decimal(str(round(value, 1)))
    if unit in (M,):
        return Decimal(round(value / 1000) * 1000)
    if unit == D:
        return Decimal(str(round(value, 1))) if value < 20 else Decimal(round(value))
    return Decimal(max(0, round(value)))


def _fit(item: PlanItem, value: Decimal) -> Decimal:
    value = max(value, Decimal(0))
    if item.unit == P:
        value = min(value, Decimal(100))
    if item.unit in (C, M):
        value = value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _show(item: PlanItem, value: Decimal | None) -> str:
    if value is None:
        return "no figure"
    if item.unit == P:
        return f"{value:.1f}%"
    if item.unit == M:
        return f"£{value:,.0f}"
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


# --- what was written -------------------------------------------------------------------------------


def table_counts() -> dict[str, tuple[int, int]]:
    """model label -> (rows, history rows), for every tracked model, plus the untracked scorecard snapshots."""
    counts = {model._meta.label: (model.objects.count(), model.history.count()) for model in tracked_models()}
    snapshots = apps.get_model("monitoring", "ScorecardSnapshot")
    counts[snapshots._meta.label] = (snapshots.objects.count(), 0)
    return counts


def digest() -> str:
    """A fingerprint of the generated content, the same for the same seed on any database:
    organisations, people, plans, items (by plan and position path, never by primary key),
    links, returns, risks and the history rows' dates, authors and reasons."""
    sha = hashlib.sha256()

    def put(*values) -> None:
        sha.update(("\x1f".join(_text(v) for v in values) + "\n").encode())

    orgs = dict(Organisation.objects.values_list("pk", "slug"))
    users = dict(User.objects.values_list("pk", "username"))
    # sorted in Python: the databases' collations order text differently
    for row in _sorted((*r[:3], orgs.get(r[3]), r[4]) for r in Organisation.objects.values_list(
            "slug", "name", "kind", "parent_id", "level")):  # fmt: skip
        put("org", *row)
    for row in _sorted((*r[:5], orgs.get(r[5]), *r[6:]) for r in User.objects.values_list(
            "username", "first_name", "last_name", "email", "role", "organisation_id", "job_title", "is_staff",
            "date_joined")):  # fmt: skip
        put("user", *row)
    plans = dict(Plan.objects.values_list("pk", "slug"))
    for row in _sorted((*r[:3], orgs[r[3]], users[r[4]], plans.get(r[5]), *r[6:]) for r in Plan.objects.values_list(
            "slug", "title", "kind", "organisation_id", "owner_id", "parent_id", "status", "approved_by",
            "approved_on", "summary", "label_priority", "level")):  # fmt: skip
        put("plan", *row)
    keys: dict[int, str] = {}
    columns = ["id", "parent_id", "plan_id", "position", "kind", "title", "description", "status", "lead_officer_id",
               "lead_organisation_id", "start_date", "due_date", "cost_amount", "cost_type", "funding_source",
               "indicator_id", "unit", "baseline_value", "baseline_date", "target_value", "target_date", "direction",
               "target_type", "amber_tolerance", "level"]  # fmt: skip
    indicators = dict(Indicator.objects.values_list("pk", "code"))
    for row in PlanItem.objects.in_tree_order().values_list(*columns):
        pk, parent, plan, position = row[:4]
        keys[pk] = f"{keys[parent]}.{position}" if parent else f"{plans[plan]}:"
        put("item", keys[pk], *row[4:8], users.get(row[8]), orgs.get(row[9]), *row[10:15], indicators.get(row[15]),
            *row[16:])  # fmt: skip
    for row in _sorted(
        (keys[s], keys[t], relation, note) for s, t, relation, note in
        Link.objects.values_list("source_id", "target_id", "relation", "note")
    ):  # fmt: skip
        put("link", *row)
    for row in _sorted((keys[i], orgs[o]) for i, o in ItemSupporter.objects.values_list("item_id", "organisation_id")):
        put("supporter", *row)
    for row in _sorted((plans[p], orgs[o]) for p, o in PlanShare.objects.values_list("plan_id", "organisation_id")):
        put("share", *row)
    periods = {pk: f"{year}-q{quarter}" for pk, year, quarter in ReportingPeriod.objects.values_list(
        "pk", "start_year", "quarter")}  # fmt: skip
    for row in ReportingPeriod.objects.order_by("start_year", "quarter").values_list(
        "start_year", "quarter", "starts_on", "ends_on", "due_on", "locked_at", "locked_by_id"
    ):
        put("period", *row[:6], users.get(row[6]))
    returns = ProgressReturn.objects.values_list(
        "item_id", "period_id", "state", "rag", "actual_value", "narrative", "soft_outcomes", "evidence_url",
        "next_steps", "author_id", "submitted_at", "submitted_by_id", "reviewed_at", "reviewed_by_id", "review_note",
        "version",
    )  # fmt: skip
    for row in _sorted(
        (keys[r[0]], periods[r[1]], *r[2:9], users.get(r[9]), r[10], users.get(r[11]), r[12], users.get(r[13]), *r[14:])
        for r in returns
    ):
        put("return", *row)
    for row in _sorted(
        (plans[r[0]], keys.get(r[1]), *r[2:]) for r in Risk.objects.values_list(
            "plan_id", "item_id", "title", "likelihood", "impact", "target_likelihood", "target_impact", "status")
    ):  # fmt: skip
        put("risk", *row)
    put("reviews", RiskReview.objects.count())
    for model in tracked_models():
        rows = model.history.values_list("history_date", "history_user_id", "history_change_reason", "history_type")
        summary = Counter((_text(when), users.get(user), reason, kind) for when, user, reason, kind in rows)
        put("history", model._meta.label, sorted(summary.items()))
    return sha.hexdigest()


def _sorted(rows: Iterable[tuple]) -> list[tuple[str, ...]]:
    return sorted(tuple(_text(value) for value in row) for row in rows)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return str(value)
