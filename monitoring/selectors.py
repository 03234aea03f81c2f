"""Reads for quarterly monitoring: what is due from whom, and how a plan's quarter stands.

Each function reads with a fixed number of queries whatever the number of items, so
the pages built on them keep their query counts (pinned in tests).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet

from monitoring import trajectory
from monitoring.access import REPORTED_KINDS, can_fill, shown_return
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

    item: PlanItem
    period: ReportingPeriod
    progress_return: ProgressReturn | None
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
    ("returned", "Returned to you for changes"),
    ("overdue", "Overdue"),
    ("due", "Due"),
    ("awaiting", "Submitted, awaiting review"),
    ("done", "Accepted"),
]


def items_led_by(user: User) -> QuerySet[PlanItem]:
    """Actions and targets of approved plans that ``user`` leads, in person or as one
    of the lead organisation's people."""
    leads = Q(lead_officer=user)
    if user.organisation_id:
        leads |= Q(lead_organisation_id=user.organisation_id)
    return PlanItem.objects.monitored().filter(leads).select_related("plan").order_by("plan__title", "tree_id", "lft")


def dues_for(user: User, today: date, periods: list[ReportingPeriod] | None = None) -> list[Due]:
    """Every return ``user`` owes or has made in the open quarters (three queries)."""
    periods = open_periods(today) if periods is None else periods
    items = list(items_led_by(user))
    found = returns_by_key(items, periods)
    return [
        Due(item, period, found.get((item.pk, period.pk)), today)
        for period in periods
        for item in items
        if period.covers_plan(item.plan)
    ]


def grouped(dues: list[Due]) -> list[tuple[str, str, list[Due]]]:
    by_bucket: dict[str, list[Due]] = {key: [] for key, _ in BUCKETS}
    for due in dues:
        by_bucket[due.bucket].append(due)
    return [(key, label, by_bucket[key]) for key, label in BUCKETS]


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
    """Every action and target of ``plan`` with its return (as ``reader`` may read it) and
    reminders for ``period`` (four queries)."""
    items = list(PlanItem.objects.filter(plan=plan).select_related("lead_officer", "lead_organisation").in_tree_order())
    refs = planning_selectors.references(items)
    reported = [item for item in items if item.kind in REPORTED_KINDS]
    found = {
        r.item_id: r
        for r in ProgressReturn.objects.filter(item__plan=plan, period=period).select_related("author", "reviewed_by")
    }
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
            row.derived = trajectory.derived_status(item, ret.actual_value if ret else None, period.ends_on)
        quarter.rows.append(row)
    return quarter


def plan_periods(plan: Plan) -> list[tuple[ReportingPeriod, Counter]]:
    """The quarters covering ``plan`` with its returns counted by state (two queries)."""
    periods = list(ReportingPeriod.objects.filter(start_year__gte=plan.start_year, start_year__lte=plan.end_year))
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
    periods = list(ReportingPeriod.objects.filter(start_year__gte=plan.start_year, start_year__lte=plan.end_year))
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
        if (due.progress_return is None or due.progress_return.is_editable) and can_fill(user, due.item)
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
    years: dict[int, list[tuple[ReportingPeriod, dict[str, int]]]] = {}
    for period in periods:
        years.setdefault(period.start_year, []).append((period, counts[period.pk]))
    return sorted(years.items(), reverse=True)


def members_home_rows(readable: PlanQuerySet) -> list[dict]:
    """Each approved plan of ``readable`` in tree order with the quarters it has returns in
    (newest first) and the latest of them: what members land on; three queries."""
    plans = list(readable.approved().in_tree_order())
    periods = list(ReportingPeriod.objects.order_by("-start_year", "-quarter"))
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
