"""An action's money: its budget profile, the one rule for what an item costs, and its
spend against the profile to date (decision 0023).

* **What an item costs** (``cost_lines``): its budget profile where it has one (amounts per
  financial year, revenue or capital, by funding source), else its single cost. Every
  costs table (the plan document's, the scorecard's) reads an item's cost through it, so
  they cannot disagree.
* **Profile to date**: a year's budget spread evenly over its quarters, so at the end of
  quarter ``q`` the profile to date is the year's amount × ``q`` / 4 (a termly plan's over
  its three terms, a monthly plan's over twelve months: decision 0028).
* **Variance**: spend to date less the profile to date (over is positive), and as a
  percentage of the profile to date; flagged when it is further from it than the plan's
  threshold (the council's default where the plan sets none). With no profile to date
  there is no percentage, and any spend is flagged.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db.models import OuterRef, Q, Subquery, Sum

from planning.models import BudgetLine, Plan
from planning.snapshots import newest_rows

ZERO = Decimal(0)
QUARTERS = 4


@dataclass(frozen=True)
class CostLine:
    """One amount of an item's cost: a budget line, or its single cost (``year`` None)."""

    cost_type: str  # "revenue", "capital", or "" where the single cost does not say
    funding_source: str
    amount: Decimal
    year: int | None = None


Profiles = dict[int, list[CostLine]]

_COLUMNS = ("item_id", "year", "cost_type", "funding_source", "amount")


def _profiles(rows: Iterable[tuple]) -> Profiles:
    found: Profiles = defaultdict(list)
    for item_id, year, cost_type, source, amount in sorted(rows, key=lambda row: row[:4]):
        found[item_id].append(CostLine(cost_type, source, amount, year))
    return dict(found)


def profiles_for(plans: Iterable[Plan]) -> Profiles:
    """Each item's budget lines in ``plans`` (item id → lines by year, type, source): one query."""
    return _profiles(BudgetLine.objects.filter(item__plan__in=list(plans)).values_list(*_COLUMNS))


def profiles_at(item_ids: Iterable[int], when: datetime) -> Profiles:
    """The budget lines the items had at ``when``, rebuilt from history (an edition's costs)."""
    ids = list(item_ids)
    (rows,) = newest_rows(BudgetLine.history.model, [(when, Q(item_id__in=ids))], _COLUMNS)
    return _profiles(rows)


def cost_lines(item, profiles: Profiles) -> list[CostLine]:
    """What ``item`` costs, as lines: its budget profile where it has one, else its single
    cost (``cost_amount``, ``cost_type``, ``funding_source``), else nothing. The one rule
    every costs table uses (decision 0023)."""
    profile = profiles.get(item.pk)
    if profile:
        return profile
    if item.cost_amount:
        return [CostLine(item.cost_type or "", item.funding_source or "", item.cost_amount)]
    return []


def item_cost(item, profiles: Profiles) -> Decimal:
    return sum((line.amount for line in cost_lines(item, profiles)), ZERO)


def profile_total(outer: str = "pk") -> Subquery:
    """An item's budget profile total as a column of a query of items (None where it has no
    profile): the thread's costs read the rule in the query of their items, no query more."""
    lines = BudgetLine.objects.filter(item=OuterRef(outer)).order_by().values("item")
    return Subquery(lines.annotate(total=Sum("amount")).values("total")[:1])


def cost_of(single: Decimal | None, profiled: Decimal | None) -> Decimal:
    """``cost_lines``' rule for a row read with ``profile_total``: the profile's total where
    the item has one, else its single cost."""
    if profiled is not None:
        return profiled
    return single or ZERO


# --- spend against the profile -----------------------------------------------------------


def threshold(plan: Plan) -> Decimal:
    """The plan's variance threshold in percent, or the council's default."""
    if plan.variance_threshold is not None:
        return plan.variance_threshold
    return Decimal(settings.BUDGET_VARIANCE_THRESHOLD)


@dataclass(frozen=True)
class Variance:
    budget: Decimal  # the year's budget: every line of the profile for the year
    to_date: Decimal  # the profile to the end of the quarter
    spend: Decimal | None  # spend to date, as the return gave it (None: not given)
    amount: Decimal | None  # spend less the profile to date (over is positive)
    percent: Decimal | None  # of the profile to date, to one place (None: no spend or no profile to date)
    flagged: bool


def variance(
    profile: list[CostLine],
    year: int,
    quarter: int,
    spend: Decimal | None,
    limit: Decimal,
    periods: int = QUARTERS,
) -> Variance:
    """Spend to date against the year's profile at the end of period ``quarter`` of the
    ``periods`` in its year (quarters 1-4; a termly plan's terms 1-3, a monthly plan's months
    1-12: decision 0028), flagged when further from it than ``limit`` percent, or when
    there is spend and no profile."""
    budget = sum((line.amount for line in profile if line.year == year), ZERO)
    to_date = (budget * quarter / periods).quantize(Decimal("0.01"))
    if spend is None:
        return Variance(budget, to_date, None, None, None, False)
    amount = spend - to_date
    if not to_date:
        return Variance(budget, to_date, spend, amount, None, spend > 0)
    percent = (amount * 100 / to_date).quantize(Decimal("0.1"))
    return Variance(budget, to_date, spend, amount, percent, abs(amount * 100 / to_date) > limit)
