"""Which milestones make a return in a quarter (docs/decisions/0024).

Actions and targets report every quarter their plan runs. A milestone reports in a
quarter when it is due by the quarter's end (its due date, as revised by an accepted
late return) and was not reported done in an earlier quarter: done is final, and a
milestone not yet due is not asked about (a council does not want 500 "not due yet"
rows). A milestone may still be reported early, and then shows in the quarter it was
reported in. Milestones without a due date are never asked for.
"""

from collections.abc import Container, Iterable
from datetime import date

from django.db.models import Q, QuerySet

from monitoring.access import REPORTED_KINDS, RETURN_KINDS
from monitoring.models import ProgressReturn, ReportingPeriod
from planning.models import Plan, PlanItem

MILESTONE = PlanItem.Kind.MILESTONE
__all__ = ["RETURN_KINDS", "expected_in", "expects", "done_in", "done_before", "reported_items"]
DONE = ProgressReturn.Milestone.DONE

QuarterKey = date  # a period's first day: orders the periods of every cadence (decision 0028)


def key(period: ReportingPeriod) -> QuarterKey:
    return period.starts_on


def _before(period: ReportingPeriod) -> Q:
    """Returns of the periods before ``period``."""
    return Q(period__starts_on__lt=period.starts_on)


def done_returns() -> QuerySet[ProgressReturn]:
    """Received returns that say a milestone was done."""
    return ProgressReturn.objects.filter(milestone_state=DONE, state__in=ProgressReturn.RECEIVED)


def done_before(period: ReportingPeriod) -> QuerySet[ProgressReturn]:
    """Received returns of the quarters before ``period`` saying a milestone was done."""
    return done_returns().filter(_before(period))


def expected_in(period: ReportingPeriod) -> Q:
    """The items (of approved plans covering ``period``: the caller's filter) that make a
    return in ``period``: as a condition on ``PlanItem`` for one query."""
    milestone = Q(kind=MILESTONE) & ~Q(pk__in=done_before(period).values("item_id"))
    due = Q(due_date__lte=period.ends_on) | Q(pk__in=ProgressReturn.objects.filter(period=period).values("item_id"))
    return Q(kind__in=REPORTED_KINDS) | (milestone & due)


def reported_items(period: ReportingPeriod) -> QuerySet[PlanItem]:
    """Every item of an approved plan reporting in ``period`` (its cadence, within its
    years) that makes a return in it."""
    year = period.start_year
    return PlanItem.objects.filter(
        plan__status=Plan.Status.APPROVED,
        plan__cadence=period.cadence,
        plan__start_year__lte=year,
        plan__end_year__gte=year,
    ).filter(expected_in(period))


def done_in(items: QuerySet) -> dict[int, QuarterKey]:
    """Milestone id → the first quarter it was reported done in, for the items of
    ``items`` (a query of item ids, so that this is always one query)."""
    found: dict[int, QuarterKey] = {}
    rows = (
        done_returns()
        .filter(item_id__in=items)
        .order_by("period__starts_on")
        .values_list("item_id", "period__starts_on")
    )
    for item_id, starts_on in rows:
        found.setdefault(item_id, starts_on)
    return found


def expects(
    kind: str, due_date: date | None, period: ReportingPeriod, *, done: QuarterKey | None, has_return: bool
) -> bool:
    """``expected_in`` for one item read already: does it make a return in ``period``?
    ``done`` is the quarter it was first reported done in (``done_in``), if any."""
    if kind != MILESTONE:
        return True
    if done is not None and done < key(period):
        return False
    return has_return or (due_date is not None and due_date <= period.ends_on)


def reported_of(
    items: Iterable[PlanItem], period: ReportingPeriod, *, returned: Container[int], plan: Plan
) -> list[PlanItem]:
    """The items of ``plan`` (read already, in order) that make a return in ``period``:
    its actions and targets, and its milestones ``expects`` asks for. ``returned`` holds
    the ids of the items with a return in ``period``. One query: the milestones done."""
    done = done_in(PlanItem.objects.filter(plan=plan, kind=MILESTONE).values("pk"))
    return [
        item
        for item in items
        if item.kind in RETURN_KINDS
        and expects(item.kind, item.due_date, period, done=done.get(item.pk), has_return=item.pk in returned)
    ]
