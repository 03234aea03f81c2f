"""Reads for quarterly monitoring: what is due from whom, and how a plan's quarter stands.

Each function reads with a fixed number of queries whatever the number of items, so
the pages built on them keep their query counts (pinned in tests).
"""

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy

from monitoring import milestones, trajectory
from monitoring.access import REPORTED_KINDS, RETURN_KINDS, can_fill, shown_return
from monitoring.models import ProgressReturn, ReminderSent, ReportingPeriod
from partners.models import User
from planning import selectors as planning_selectors
from planning.models import Plan, PlanItem, PlanQuerySet

State = ProgressReturn.State

RAG_TAGS = {
    "red": "govuk-tag--red",
    "amber": "govuk-tag--orange",
    "green": "govuk-tag--green",
    "complete": "govuk-tag--blue",
    "not_started": "govuk-tag--grey",
}
STATE_TAGS = {
    State.DRAFT: "govuk-tag--grey",
    State.SUBMITTED: "govuk-tag--light-blue",
    State.RETURNED: "govuk-tag--pink",
    State.ACCEPTED: "govuk-tag--green",
}


def open_periods(today: date) -> list[ReportingPeriod]:
    """Quarters that have started and are not locked: the ones returns are made for."""
    return list(ReportingPeriod.objects.filter(locked_at__isnull=True, starts_on__lte=today))


def returns_by_key(
    items: Sequence[PlanItem], periods: Sequence[ReportingPeriod]
) -> dict[tuple[int, int], ProgressReturn]:
    """(item id, period id) → return, in one query."""
    if not items or not periods:
        return {}
    rows = ProgressReturn.objects.filter(item__in=[i.pk for i in items], period__in=[p.pk for p in periods])
    return {(r.item_id, r.period_id): r for r in rows}


@dataclass
class Due:
    """One return someone owes (or has made) for one item in one quarter."""

    item: "PlanItem | LedItem"
    period: ReportingPeriod
    progress_return: "ProgressReturn | LedReturn | None"
    today: date

    @property
    def state(self) -> str:
        return self.progress_return.state if self.progress_return else ""

    @property
    def bucket(self) -> str:
        """returned, overdue, due, awaiting (review) or done."""
        if self.state == State.RETURNED:
            return "returned"
        if self.state == State.ACCEPTED:
            return "done"
        if self.state == State.SUBMITTED:
            return "awaiting"
        return "overdue" if self.period.due_on < self.today else "due"

    @property
    def is_late(self) -> bool:
        ret = self.progress_return
        if ret is None or ret.submitted_at is None:
            return self.period.due_on < self.today
        return ret.submitted_at.date() > self.period.due_on


BUCKETS = [
    ("returned", gettext_lazy("Returned to you for changes")),
    ("overdue", gettext_lazy("Overdue")),
    ("due", gettext_lazy("Due")),
    ("awaiting", gettext_lazy("Submitted, awaiting review")),
    ("done", gettext_lazy("Accepted")),
]


def items_led_by(user: User) -> QuerySet[PlanItem]:
    """Actions, targets and milestones of approved plans that ``user`` leads, in person
    or as one of the lead organisation's people (milestones owe a return only in the
    quarters ``milestones.expects`` says)."""
    leads = Q(lead_officer=user)
    if user.organisation_id:
        leads |= Q(lead_organisation_id=user.organisation_id)
    return (
        PlanItem.objects.filter(kind__in=RETURN_KINDS, plan__status=Plan.Status.APPROVED)
        .filter(leads)
        .select_related("plan")
        .order_by("plan__title", "tree_id", "lft")
    )


def _done_milestones(led: QuerySet[PlanItem]) -> dict[int, milestones.QuarterKey]:
    return milestones.done_in(led.filter(kind=milestones.MILESTONE).values("pk"))


def dues_for(user: User, today: date, periods: list[ReportingPeriod] | None = None) -> list[Due]:
    """Every return ``user`` owes or has made in the open quarters (four queries)."""
    periods = open_periods(today) if periods is None else periods
    led = items_led_by(user)
    items = list(led)
    return _dues(items, periods, returns_by_key(items, periods), today, _done_milestones(led))


class LedPlan(NamedTuple):
    """The plan of an item on "My returns": what its rows link to and name."""

    pk: int
    slug: str
    title: str
    start_year: int
    end_year: int
    cadence: str
    title_cy: str = ""  # shown to a Welsh reader where written (decision 0033)


class LedItem(NamedTuple):
    """An item on "My returns": one tuple per row, not a model instance (a lead
    organisation can lead over a thousand items; instances cost most of the page)."""

    pk: int
    plan_id: int
    title: str
    plan: LedPlan
    kind: str
    due_date: date | None
    title_cy: str = ""


class LedReturn(NamedTuple):
    """A return as "My returns" reads it: its state, and what the page says about it."""

    state: str
    submitted_at: datetime | None
    review_note: str

    @property
    def is_editable(self) -> bool:
        return self.state in ProgressReturn.EDITABLE_STATES


def my_dues(user: User, today: date, periods: list[ReportingPeriod]) -> list[Due]:
    """What ``dues_for`` gives, read as tuples for the "My returns" page (three queries):
    the items and plans ``user`` leads, their returns in ``periods``, and the quarters
    their milestones were done in. The page only
    lists them; the forms that write returns read the full rows (``dues_for``)."""
    if not periods:
        return []
    led = items_led_by(user)
    plans: dict[int, LedPlan] = {}
    items = []
    for pk, plan_id, title, kind, due_date, title_cy, *plan in led.values_list(
        "pk",
        "plan_id",
        "title",
        "kind",
        "due_date",
        "title_cy",
        "plan__slug",
        "plan__title",
        "plan__start_year",
        "plan__end_year",
        "plan__cadence",
        "plan__title_cy",
    ):
        owner = plans.get(plan_id) or plans.setdefault(plan_id, LedPlan(plan_id, *plan))
        items.append(LedItem(pk, plan_id, title, owner, kind, due_date, title_cy))
    found = {
        (item_id, period_id): LedReturn(state, submitted_at, note)
        for item_id, period_id, state, submitted_at, note in ProgressReturn.objects.filter(
            item__in=led.values("pk"), period__in=periods
        ).values_list("item_id", "period_id", "state", "submitted_at", "review_note")
    }
    return _dues(items, periods, found, today, _done_milestones(led))


def _dues(
    items: Sequence[PlanItem | LedItem],
    periods: list[ReportingPeriod],
    found: Mapping[tuple[int, int], ProgressReturn | LedReturn],
    today: date,
    done: Mapping[int, milestones.QuarterKey],
) -> list[Due]:
    return [
        Due(item, period, found.get((item.pk, period.pk)), today)
        for period in periods
        for item in items
        if period.covers_plan(item.plan)
        and milestones.expects(
            item.kind, item.due_date, period, done=done.get(item.pk), has_return=(item.pk, period.pk) in found
        )
    ]


def fillable_periods(user: User, dues: list[Due]) -> list[ReportingPeriod]:
    """The quarters with a return ``user`` may still write among their own ``dues``
    (items they lead, so ``can_fill`` comes down to who they are)."""
    if not user.is_active or user.role == User.Role.MEMBER:
        return []
    periods: dict[int, ReportingPeriod] = {}
    for due in dues:
        if due.progress_return is None or due.progress_return.is_editable:
            periods.setdefault(due.period.pk, due.period)
    return sorted(periods.values(), key=lambda p: (p.starts_on, p.cadence))


# buckets a reader has nothing left to do in: listed in full only when asked for, once
# longer than FOLDED_OVER rows (the busiest lead organisation has 1,600 accepted returns)
FOLDABLE = ("awaiting", "done")
FOLDED_OVER = 20


@dataclass
class Bucket:
    """One table of "My returns": its rows, or when folded its rows counted by plan and quarter."""

    key: str
    label: str
    dues: list[Due]
    folded: bool = False

    @property
    def by_plan_and_quarter(self) -> list[tuple[LedPlan | Plan, ReportingPeriod, int]]:
        counts = Counter((due.item.plan, due.period) for due in self.dues)
        return [(plan, period, n) for (plan, period), n in counts.items()]


def buckets(dues: list[Due], opened: str = "") -> list[Bucket]:
    """The page's tables in order; long tables of returns that need nothing more from the
    reader are folded unless ``opened`` names them."""
    return [
        Bucket(key, label, rows, folded=key in FOLDABLE and key != opened and len(rows) > FOLDED_OVER)
        for key, label, rows in grouped(dues)
    ]


def grouped(dues: list[Due]) -> list[tuple[str, str, list[Due]]]:
    by_bucket: dict[str, list[Due]] = {key: [] for key, _ in BUCKETS}
    for due in dues:
        by_bucket[due.bucket].append(due)
    return [(key, str(label), by_bucket[key]) for key, label in BUCKETS]


@dataclass
class Row:
    """One action or target of a plan in one quarter, for the plan owner's page."""

    item: PlanItem
    reference: str
    label: str
    progress_return: ProgressReturn | None
    reminders: int = 0
    derived: str | None = None
    expected: object = None

    @property
    def state(self) -> str:
        return self.progress_return.state if self.progress_return else ""

    @property
    def differs(self) -> bool:
        return self.progress_return is not None and trajectory.disagrees(self.progress_return.rag, self.derived)


@dataclass
class PlanQuarter:
    plan: Plan
    period: ReportingPeriod
    rows: list[Row] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        counts = Counter(row.state or "missing" for row in self.rows)
        counts["received"] = counts[State.SUBMITTED] + counts[State.ACCEPTED]
        counts["outstanding"] = len(self.rows) - counts["received"]
        return counts


def plan_quarter(plan: Plan, period: ReportingPeriod, *, reader: User) -> PlanQuarter:
    """Every action and target of ``plan``, and every milestone due by the quarter's end
    and not done before it (``milestones.expects``), with its return (as ``reader`` may
    read it) and reminders for ``period`` (five queries)."""
    items = list(PlanItem.objects.filter(plan=plan).select_related("lead_officer", "lead_organisation").in_tree_order())
    refs = planning_selectors.references(items)
    found = {
        r.item_id: r
        for r in ProgressReturn.objects.filter(item__plan=plan, period=period).select_related("author", "reviewed_by")
    }
    reported = milestones.reported_of(items, period, returned=found, plan=plan)
    reminders = dict(
        ReminderSent.objects.filter(item__plan=plan, period=period)
        .values("item_id")
        .annotate(n=Count("pk"))
        .values_list("item_id", "n")
    )
    quarter = PlanQuarter(plan, period)
    for item in reported:
        item.plan = plan
        ret = shown_return(reader, item, found.get(item.pk))
        row = Row(item, refs[item.pk], plan.label_for(item.kind), ret, reminders.get(item.pk, 0))
        if item.is_target:
            row.expected = trajectory.expected_at(item, period.ends_on)
            row.derived = trajectory.derived_status(
                item, ret.actual_value if ret else None, period.ends_on, row.expected
            )
        quarter.rows.append(row)
    return quarter


def plan_periods(plan: Plan) -> list[tuple[ReportingPeriod, Counter]]:
    """The quarters covering ``plan`` with its returns counted by state (two queries)."""
    periods = list(
        ReportingPeriod.objects.filter(
            cadence=plan.cadence, start_year__gte=plan.start_year, start_year__lte=plan.end_year
        )
    )
    counted: dict[int, Counter] = {p.pk: Counter() for p in periods}
    rows = (
        ProgressReturn.objects.filter(item__plan=plan, period__in=periods)
        .values("period_id", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        counted[row["period_id"]][row["state"]] = row["n"]
    return [(period, counted[period.pk]) for period in periods]


def item_series(item: PlanItem, *, reader: User) -> list[trajectory.Point]:
    """Every quarter covering the item's plan, with its return as ``reader`` may read it
    and, for a target, the trajectory and derived status (two queries)."""
    plan = item.plan
    periods = list(
        ReportingPeriod.objects.filter(
            cadence=plan.cadence, start_year__gte=plan.start_year, start_year__lte=plan.end_year
        )
    )
    found = {
        r.period_id: shown_return(reader, item, r)
        for r in ProgressReturn.objects.filter(item=item).select_related("author")
    }
    return trajectory.series(item, periods, found)


def fillable(user: User, dues: list[Due]) -> list[Due]:
    """The dues ``user`` may still write: not submitted, not accepted."""
    return [
        due
        for due in dues
        if (due.progress_return is None or due.progress_return.is_editable)
        and isinstance(due.item, PlanItem)  # dues_for's rows; "My returns" uses fillable_periods
        and can_fill(user, due.item)
    ]


def reported_count(plan: Plan) -> int:
    """How many actions and targets of ``plan`` make a return each quarter."""
    return PlanItem.objects.filter(plan=plan, kind__in=REPORTED_KINDS).count()


def quarters_by_year() -> list[tuple[int, list[tuple[ReportingPeriod, dict[str, int]]]]]:
    """Every quarter with its count of returns by state (and ``received``: submitted or
    accepted), grouped by financial year, newest year first; two queries."""
    periods = list(ReportingPeriod.objects.select_related("locked_by"))
    counts: dict[int, dict[str, int]] = {p.pk: {} for p in periods}
    for row in ProgressReturn.objects.values("period_id", "state").annotate(n=Count("pk")):
        counts[row["period_id"]][row["state"]] = row["n"]
    for found in counts.values():
        found["received"] = found.get("submitted", 0) + found.get("accepted", 0)
    years: dict[tuple[int, str], list[tuple[ReportingPeriod, dict[str, int]]]] = {}
    for period in periods:
        years.setdefault((period.start_year, period.cadence), []).append((period, counts[period.pk]))
    order = {cadence: n for n, cadence in enumerate(Plan.Cadence.values)}
    return [
        (year, found) for (year, _), found in sorted(years.items(), key=lambda pair: (-pair[0][0], order[pair[0][1]]))
    ]


def members_home_rows(readable: PlanQuerySet) -> list[dict]:
    """Each approved plan of ``readable`` in tree order with the quarters it has returns in
    (newest first) and the latest of them: what members land on; three queries."""
    plans = list(readable.approved().in_tree_order())
    periods = list(ReportingPeriod.objects.order_by("-starts_on", "cadence"))
    reported = {
        (row["item__plan_id"], row["period_id"])
        for row in ProgressReturn.objects.filter(item__plan__in=plans)
        .values("item__plan_id", "period_id")
        .annotate(n=Count("pk"))
    }
    rows = []
    for plan in plans:
        quarters = [p for p in periods if p.covers_plan(plan) and (plan.pk, p.pk) in reported]
        rows.append({"plan": plan, "quarters": quarters, "latest": quarters[0] if quarters else None})
    return rows
