"""Overviews for readers who want the shape before the detail: a plan's one-page
summary, and the map of all plans with the links between them."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet

from planning import budgets
from planning.models import Link, Plan, PlanItem
from planning.selectors import OutlineRow, count_by, item_count_by_plan, plan_forest

HEADLINE_TARGETS = 12


@dataclass
class PrioritySummary:
    row: OutlineRow
    counts: Counter
    cost: Decimal


@dataclass
class PlanSummary:
    vision: OutlineRow | None
    priorities: list[PrioritySummary]
    targets: list[OutlineRow]
    more_targets: int
    counts: Counter
    cost: Decimal
    links_out: int
    links_in: int


def plan_summary(rows: list[OutlineRow], profiles: budgets.Profiles | None = None) -> PlanSummary:
    """Summarise an outline (from ``plan_outline``) without further queries: each top-level
    priority with what sits beneath it, the headline targets and the totals. Costs by the one
    rule (``planning.budgets``): an action's budget profile from ``profiles``, else its
    single cost."""
    profiles = profiles or {}
    vision = rows[0] if rows else None
    priorities: list[PrioritySummary] = []
    current: PrioritySummary | None = None
    counts: Counter = Counter()
    cost = Decimal("0")
    targets = []
    for row in rows[1:]:
        item = row.item
        if row.depth == 1:
            current = PrioritySummary(row=row, counts=Counter(), cost=Decimal("0"))
            priorities.append(current)
        counts[item.kind] += 1
        amount = budgets.item_cost(item, profiles)
        cost += amount
        if current is not None and row is not current.row:
            current.counts[item.kind] += 1
            current.cost += amount
        if item.kind == PlanItem.Kind.TARGET:
            targets.append(row)
    headline = [row for row in targets if row.item.indicator_id] or targets
    return PlanSummary(
        vision=vision,
        priorities=priorities,
        targets=headline[:HEADLINE_TARGETS],
        more_targets=max(0, len(targets) - HEADLINE_TARGETS),
        counts=counts,
        cost=cost,
        links_out=sum(len(row.links_out) for row in rows),
        links_in=sum(len(row.links_in) for row in rows),
    )


@dataclass
class MapEntry:
    plan: Plan
    depth: int
    items: int
    links_to: list[tuple[Plan, int]] = field(default_factory=list)
    links_from: list[tuple[Plan, int]] = field(default_factory=list)


def plan_map(plans: QuerySet[Plan]) -> list[MapEntry]:
    """Every visible plan in tree order with its size and the count of links to and from
    each other visible plan (three queries)."""
    forest = plan_forest(plans)
    by_id = {plan.pk: plan for plan, _ in forest}
    sizes = item_count_by_plan(list(by_id))
    pairs = count_by(
        Link.objects.filter(source__plan_id__in=by_id, target__plan_id__in=by_id), "source__plan_id", "target__plan_id"
    )
    links_to: dict[int, list[tuple[Plan, int]]] = defaultdict(list)
    links_from: dict[int, list[tuple[Plan, int]]] = defaultdict(list)
    for (source, target), n in pairs.items():
        if source != target:
            links_to[source].append((by_id[target], n))
            links_from[target].append((by_id[source], n))
    return [
        MapEntry(
            plan=plan,
            depth=depth,
            items=sizes.get(plan.pk, 0),
            links_to=sorted(links_to[plan.pk], key=lambda pair: pair[0].title),
            links_from=sorted(links_from[plan.pk], key=lambda pair: pair[0].title),
        )
        for plan, depth in forest
    ]
