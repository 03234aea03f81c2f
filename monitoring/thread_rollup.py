"""What contributes to an item, across every plan, and how it is doing (issue 17).

An item's contributors are everything beneath it in its plan, every item whose
``contributes to`` link points at it or at any contributor, and everything beneath those,
followed as far as the links go (decision 0021). Counted are approved plans' items (and
the item's own plan's, whatever its status): a draft's items are not yet a commitment, a
superseded plan's would count twice beside its successor's.

Read in a fixed number of queries whatever the thread's size (``tests/monitoring/
test_thread_rollup.py`` pins them): every ``contributes to`` link of the council once
(a few thousand rows of five numbers), the closure worked out in Python over the links'
tree numbers, then the contributors' rows, their plans' shapes (for references) and the
quarter's returns. Each contributor is one row however many routes reach it, so its cost
is counted once in every total; how many were reached by more than one route is said.
"""

import bisect
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q
from django.http import Http404
from django.urls import reverse

from monitoring import scorecards
from monitoring.access import REPORTED_KINDS
from monitoring.models import ProgressReturn, ReportingPeriod
from monitoring.rollup_rules import Rule, council_rule
from partners.models import User
from planning.access import plans_for
from planning.formatting import pounds
from planning.models import Link, Plan, PlanItem
from planning.selectors import plan_references

RECEIVED = ProgressReturn.RECEIVED
MAX_RANGES_IN_SQL = 400  # more subtrees than this are read by their plans and sifted here


@dataclass
class Contributor:
    pk: int
    plan: Plan
    reference: str
    label: str
    title: str
    lead: str
    kind: str
    rag: str
    rag_label: str
    routes: int  # how many routes reach it: below the item, and each link in the thread
    cost: Decimal | None
    url: str


@dataclass
class PlanCosts:
    plan: Plan
    amount: Decimal
    items: int

    @property
    def shown(self) -> str:
        return pounds(self.amount)


@dataclass
class Rollup:
    item: PlanItem
    plan: Plan
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]  # the quarters with a return from a contributor, newest first
    rule: Rule
    combined: str
    counts: list[dict]  # scorecards.rag_counts of the reported contributors
    reported: int
    by_plan: list[tuple[Plan, list[Contributor]]]
    targets: list[dict]
    costs: list[PlanCosts]
    total_cost: Decimal
    multi_route: int  # contributors reached by more than one route (each counted once)
    multi_route_cost: Decimal
    hidden: int  # contributors in plans the reader may not read: not counted, not shown
    reference: str  # the item's own
    contributors: int = field(default=0)

    @property
    def combined_label(self) -> str:
        return scorecards.RAG_LABELS.get(self.combined, "No rating")

    @property
    def total_cost_shown(self) -> str:
        return pounds(self.total_cost)

    @property
    def multi_route_cost_shown(self) -> str:
        return pounds(self.multi_route_cost)


class _Ranges:
    """Subtrees as (tree, lft, rght), kept merged per tree: is a node inside one of them?"""

    def __init__(self) -> None:
        self.by_tree: dict[int, list[tuple[int, int]]] = defaultdict(list)

    def covers(self, tree: int, lft: int) -> bool:
        spans = self.by_tree.get(tree)
        if not spans:
            return False
        at = bisect.bisect_right(spans, (lft, float("inf"))) - 1
        return at >= 0 and spans[at][0] <= lft <= spans[at][1]

    def add(self, tree: int, lft: int, rght: int) -> None:
        spans = self.by_tree[tree]
        if self.covers(tree, lft):
            return
        kept = [span for span in spans if not (lft <= span[0] and span[1] <= rght)]  # now inside the new one
        bisect.insort(kept, (lft, rght))
        self.by_tree[tree] = kept

    def all(self) -> list[tuple[int, int, int]]:
        return [(tree, lft, rght) for tree, spans in self.by_tree.items() for lft, rght in spans]


def counted_plans() -> Q:
    return Q(status=Plan.Status.APPROVED)


def contributions(item: PlanItem, reader: User, period_slug: str | None = None) -> Rollup:
    """The roll-up of ``item`` for the quarter ``period_slug`` (default: the newest quarter
    any contributor has a return in) as ``reader`` may see it."""
    plan = item.plan
    links = list(
        Link.objects.filter(relation=Link.Relation.CONTRIBUTES_TO)
        .filter(counted_plans_of("source") | Q(source__plan=plan))
        .values_list("source_id", "source__tree_id", "source__lft", "source__rght", "target__tree_id", "target__lft")
    )
    ranges = _Ranges()
    ranges.add(item.tree_id, item.lft, item.rght)
    followed: list[int] = []  # the source of every link followed (once per link)
    waiting = links
    while waiting:
        still = []
        for link in waiting:
            source, tree, lft, rght, target_tree, target_lft = link
            if ranges.covers(target_tree, target_lft):
                ranges.add(tree, lft, rght)
                followed.append(source)
            else:
                still.append(link)
        if len(still) == len(waiting):
            break
        waiting = still
    rows = _rows(ranges, plan)
    # the plans of those rows the reader may read, with their organisations (one query); the
    # item's own plan is read already (its page asked planning.access)
    readable = plans_for(reader).filter(counted_plans()).values("pk")
    plans = {
        p.pk: p
        for p in Plan.objects.filter(
            Q(pk=plan.pk) | Q(pk__in=readable), pk__in={row.plan_id for row in rows}
        ).select_related("organisation")
    }
    shown = [row for row in rows if row.plan_id in plans and row.pk != item.pk]
    hidden = sum(1 for row in rows if row.plan_id not in plans)
    routes = _routes(rows, item.pk, Counter(followed))
    return _rollup(item, plan, reader, shown, plans, routes, hidden, period_slug)


def counted_plans_of(path: str) -> Q:
    """``counted_plans`` for the plan of the item at ``path`` ("item": the item itself)."""
    lookup = "plan__status" if path == "item" else f"{path}__plan__status"
    return Q(**{lookup: Plan.Status.APPROVED})


def _rows(ranges: _Ranges, plan: Plan) -> list[tuple]:
    """Every item inside the ranges, in counted plans or ``plan``, in reading order."""
    spans = ranges.all()
    items = PlanItem.objects.filter(counted_plans_of("item") | Q(plan=plan))
    if len(spans) <= MAX_RANGES_IN_SQL:
        within = Q()
        for tree, lft, rght in spans:
            within |= Q(tree_id=tree, lft__gte=lft, rght__lte=rght)
        found = items.filter(within)
        sift = None
    else:
        found = items.filter(tree_id__in={tree for tree, _, _ in spans})
        sift = ranges
    rows = []
    for tree, lft, *values in found.order_by("plan__tree_id", "plan__lft", "tree_id", "lft").values_list(
        "tree_id", "lft", *scorecards.ITEM_COLUMNS
    ):
        if sift is None or sift.covers(tree, lft):
            rows.append(scorecards.Item(*values))
    return rows


def _routes(rows: list, root: int, followed: Counter) -> dict[int, int]:
    """How many routes reach each row: the item itself starts one, each link followed from a
    row starts one more, and a row is reached by every route that reaches its parent."""
    at: dict[int, int] = {}
    for row in rows:  # reading order: a parent before its children
        own = followed[row.pk] + (1 if row.pk == root else 0)
        at[row.pk] = own + at.get(row.parent_id, 0)
    return at


def _periods(plan_ids: set[int]) -> list[ReportingPeriod]:
    """The quarters in which any item of ``plan_ids`` has a return received, newest first."""
    received = ProgressReturn.objects.filter(item__plan__in=plan_ids, state__in=RECEIVED).values("period_id")
    return list(ReportingPeriod.objects.filter(pk__in=received).order_by("-start_year", "-quarter"))


def _rollup(item, plan, reader, shown, plans, routes, hidden, period_slug) -> Rollup:
    periods = _periods(set(plans)) if shown else []
    if period_slug:
        period = next((p for p in periods if p.slug == period_slug), None)
        if period is None:
            raise Http404("No contributor has a return in that quarter")
    else:
        period = periods[0] if periods else None
    ids = {row.pk for row in shown}
    returns = {}
    if period is not None:
        returns = {
            item_id: scorecards.Ret(state, rag, actual, "")
            for item_id, state, rag, actual in ProgressReturn.objects.filter(
                item__plan__in=set(plans), period=period
            ).values_list("item_id", "state", "rag", "actual_value")
            if item_id in ids
        }
    refs = plan_references(plans)  # the item's own plan is among them
    leads, measures = scorecards.Leads(), scorecards.Measures()
    rule = council_rule()
    counter: Counter = Counter()
    by_plan: dict[int, list[Contributor]] = defaultdict(list)
    targets, costs = [], {}
    multi, multi_cost, total = 0, Decimal(0), Decimal(0)
    for row in shown:
        owner = plans[row.plan_id]
        ret = returns.get(row.pk)
        rag = ret.rag if ret and ret.state in RECEIVED else ""
        reported = row.kind in REPORTED_KINDS
        contributor = Contributor(
            pk=row.pk,
            plan=owner,
            reference=refs.get(row.pk, ""),
            label=owner.label_for(row.kind),
            title=row.title,
            lead=leads[row.officer_first, row.officer_last, row.officer_username, row.organisation_name],
            kind=row.kind,
            rag=rag,
            rag_label=scorecards.RAG_LABELS.get(rag, "No return") if reported else "",
            routes=routes.get(row.pk, 1),
            cost=row.cost_amount,
            url=reverse("planning:item-detail", args=[owner.slug, row.pk]),
        )
        by_plan[owner.pk].append(contributor)
        if reported:
            counter[rag or "none"] += 1
        if row.cost_amount:
            entry = costs.setdefault(owner.pk, PlanCosts(owner, Decimal(0), 0))
            entry.amount += row.cost_amount
            entry.items += 1
            total += row.cost_amount
        if contributor.routes > 1:
            multi += 1
            multi_cost += row.cost_amount or 0
        if row.is_target and period is not None:
            cells = {
                "id": row.pk, "plan": owner.title, "reference": contributor.reference, "label": contributor.label,
                "title": row.title, "url": contributor.url, "lead": contributor.lead, "rag": rag,
                "rag_label": contributor.rag_label,
            }  # fmt: skip
            targets.append(scorecards.target_row(row, cells, period, ret, measures))
    return Rollup(
        item=item,
        plan=plan,
        period=period,
        periods=periods,
        rule=rule,
        combined=rule.combine(counter),
        counts=scorecards.rag_counts(counter),
        reported=sum(counter.values()),
        by_plan=[(plans[pk], rows) for pk, rows in by_plan.items()],
        targets=targets,
        costs=list(costs.values()),
        total_cost=total,
        multi_route=multi,
        multi_route_cost=multi_cost,
        hidden=hidden,
        reference=refs.get(item.pk, ""),
        contributors=len(shown),
    )
