"""The thread as sets of items: what is reached from a set of subtrees by following
``contributes to`` links, and what it costs (issue 17, decisions 0021 and 0026).

The closure is the roll-up's (``monitoring.thread_rollup`` builds its ratings on it); it
lives here, with the plans and links it reads, so that a plan's own pages (its summary,
its printed document) can add up the costs of the plans beneath it without reaching up
into ``monitoring``. Only counted plans' items are followed and added: approved plans,
and the plan asked about whatever its status (``counted``).

Reached items are sets of (tree, left number) positions, so an item reached by two routes
(it sits in a plan beneath this one *and* it contributes through a link; or two links
reach it) is one item, and its cost is added once to every total.
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import BooleanField, Expression, Q, QuerySet
from django.utils.translation import gettext_lazy

from planning.formatting import pounds
from planning.models import Link, Plan, PlanItem

MAX_RANGES_IN_SQL = 400  # more subtrees than this are read by their plans and sifted here


class Ranges:
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


class Condition(Expression):
    """A WHERE condition on the query's own table, written out once: ``template`` names
    columns as ``{t}.column`` and holds a ``%s`` per parameter. The ORM makes a lookup per
    value, and for the hundred subtrees and six hundred ids of a corporate priority building
    them cost more than running the query (decision 0021). Only column names and ``%s``
    come from this module; every value is a parameter."""

    conditional = True
    output_field = BooleanField()

    def __init__(self, template: str, params: list) -> None:
        super().__init__()
        self.template, self.params = template, params

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return self.template.replace("{t}", table), self.params


def within(spans: list[tuple[int, int, int]]) -> Condition:
    """Items inside any of the subtrees ``spans``: each a range of the (tree, lft) index."""
    term = "({t}.tree_id = %s AND {t}.lft BETWEEN %s AND %s)"
    return Condition("(" + " OR ".join([term] * len(spans)) + ")", [value for span in spans for value in span])


def counted(prefix: str = "") -> Q:
    """Approved plans (or, with ``prefix`` such as ``"plan__"``, the rows whose plan is one):
    what a roll-up counts."""
    return Q(**{f"{prefix}status": Plan.Status.APPROVED})


# (source item, its tree, lft, rght): a link followed, the subtree it brings in
Followed = tuple[int, int, int, int]


def council_links(plan_id: int) -> list[tuple[int, int, int, int, int, int]]:
    """Every counted contributes-to link of the council and those of the plan ``plan_id``:
    (source, its tree, lft, rght, the target's tree, lft); one query."""
    return list(
        Link.objects.filter(relation=Link.Relation.CONTRIBUTES_TO)
        .filter(counted("source__plan__") | Q(source__plan=plan_id))
        .values_list("source_id", "source__tree_id", "source__lft", "source__rght", "target__tree_id", "target__lft")
    )


def closure(
    seeds: list[tuple[int, int, int]], plan_id: int, *, links: list | None = None
) -> tuple[Ranges, list[Followed]]:
    """The subtrees the thread reaches from the subtrees ``seeds`` (tree, lft, rght), and
    every link followed (once per link), over ``links`` (default: ``council_links``, one
    query). A link is followed when its target falls inside what is reached; its source's
    subtree is added; until a pass adds nothing."""
    if links is None:
        links = council_links(plan_id)
    ranges = Ranges()
    for tree, lft, rght in seeds:
        ranges.add(tree, lft, rght)
    followed: list[Followed] = []
    waiting = links
    while waiting:  # a pass adds the links into what is reached; stop when one adds nothing
        still = []
        for link in waiting:
            source, tree, lft, rght, target_tree, target_lft = link
            if ranges.covers(target_tree, target_lft):
                ranges.add(tree, lft, rght)
                followed.append((source, tree, lft, rght))
            else:
                still.append(link)
        if len(still) == len(waiting):
            break
        waiting = still
    return ranges, followed


def items_within(ranges: Ranges, plan_id: int) -> QuerySet[PlanItem]:
    """The items inside ``ranges`` in counted plans or the plan ``plan_id``; past
    ``MAX_RANGES_IN_SQL`` subtrees, every item of their trees (the caller sifts with
    ``ranges.covers``: see ``needs_sifting``)."""
    spans = ranges.all()
    items = PlanItem.objects.filter(counted("plan__") | Q(plan=plan_id))
    if not spans:
        return items.none()
    if not needs_sifting(ranges):
        return items.filter(within(spans))
    return items.filter(tree_id__in={tree for tree, _, _ in spans})


def needs_sifting(ranges: Ranges) -> bool:
    return sum(len(spans) for spans in ranges.by_tree.values()) > MAX_RANGES_IN_SQL


# --- costs up the plan tree and along the links -----------------------------------------------


@dataclass
class PlanCost:
    """One plan's share of a thread's costs: its costed items, each counted once."""

    plan: Plan
    how: str  # "this plan", "beneath", "linked"
    costed: int = 0
    amount: Decimal = Decimal(0)

    @property
    def shown(self) -> str:
        return pounds(self.amount)

    @property
    def how_label(self) -> str:
        return HOW[self.how]


HOW = {
    "this plan": gettext_lazy("This plan"),
    "beneath": gettext_lazy("Beneath this plan"),
    "linked": gettext_lazy("Contributes through links"),
}


@dataclass
class ThreadCosts:
    """What a plan's thread costs: its own items, the plans beneath it in the plan tree and
    the items contributing to any of them through links, each item counted once."""

    plan: Plan
    plans: list[PlanCost] = field(default_factory=list)  # the plan first, then in plan-tree order
    total: Decimal = Decimal(0)
    own: Decimal = Decimal(0)
    costed: int = 0
    multi_route: int = 0  # costed items reached by more than one route, each counted once
    multi_route_cost: Decimal = Decimal(0)
    hidden: int = 0  # costed items in plans the reader may not read: neither counted nor shown

    @property
    def total_shown(self) -> str:
        return pounds(self.total)

    @property
    def own_shown(self) -> str:
        return pounds(self.own)

    @property
    def multi_route_cost_shown(self) -> str:
        return pounds(self.multi_route_cost)

    @property
    def beyond(self) -> bool:
        """Does anything beyond the plan's own items count?"""
        return any(entry.how != "this plan" for entry in self.plans)


def plan_seeds(plan: Plan) -> list[tuple[int, int, int, int]]:
    """The item trees (tree, lft, rght, plan) of ``plan`` and of every approved plan
    beneath it in the plan tree (one query)."""
    return list(
        PlanItem.objects.filter(
            parent__isnull=True,
            plan__tree_id=plan.tree_id,
            plan__lft__gte=plan.lft,
            plan__rght__lte=plan.rght,
        )
        .filter(Q(plan=plan) | counted("plan__"))
        .values_list("tree_id", "lft", "rght", "plan_id")
    )


def thread_plan_ids(plan: Plan) -> set[int]:
    """Every plan whose items a plan's thread costs count: the plan, the approved plans
    beneath it and those contributing through links (three queries)."""
    seeds = plan_seeds(plan)
    ranges, _ = closure([seed[:3] for seed in seeds], plan.pk)
    return set(
        PlanItem.objects.filter(parent__isnull=True, tree_id__in=list(ranges.by_tree)).values_list("plan_id", flat=True)
    )


def thread_costs(plan: Plan, readable: QuerySet[Plan]) -> ThreadCosts:
    """The costs of ``plan``'s thread as a reader who may read the plans ``readable`` sees
    them (four queries whatever the thread's size)."""
    # budgets reads history through planning.selectors, which reads planning.access, which
    # reads this module: imported when first used
    from planning import budgets

    seeds = plan_seeds(plan)
    beneath = {seed[3] for seed in seeds}
    ranges, followed = closure([seed[:3] for seed in seeds], plan.pk)
    sift = needs_sifting(ranges)
    # what each item costs by the one rule (its budget profile, else its single cost:
    # planning.budgets), read with the items
    rows = [
        (tree, lft, plan_id, budgets.cost_of(single, profiled))
        for tree, lft, plan_id, single, profiled in items_within(ranges, plan.pk)
        .annotate(profiled=budgets.profile_total())
        .filter(Q(cost_amount__gt=0) | Q(profiled__gt=0))
        .values_list("tree_id", "lft", "plan_id", "cost_amount", "profiled")
        if not sift or ranges.covers(tree, lft)
    ]
    plans = {
        p.pk: p
        for p in Plan.objects.filter(Q(pk=plan.pk) | Q(pk__in=readable.values("pk")), pk__in={row[2] for row in rows})
        .select_related("organisation")
        .order_by("tree_id", "lft")
    }
    routes = _Routes([seed[:3] for seed in seeds] + [link[1:] for link in followed])
    costs = ThreadCosts(plan=plan)
    entries: dict[int, PlanCost] = {}
    if plan.pk not in plans:  # the plan itself is always listed, costed or not
        entries[plan.pk] = PlanCost(plan, "this plan")
    for pk, found in plans.items():
        how = "this plan" if pk == plan.pk else "beneath" if pk in beneath else "linked"
        entries[pk] = PlanCost(found, how)
    for tree, lft, plan_id, amount in rows:
        entry = entries.get(plan_id)
        if entry is None:
            costs.hidden += 1
            continue
        entry.costed += 1
        entry.amount += amount
        costs.costed += 1
        costs.total += amount
        if routes.count(tree, lft) > 1:
            costs.multi_route += 1
            costs.multi_route_cost += amount
    order = {"this plan": 0, "beneath": 1, "linked": 2}
    costs.plans = sorted(
        (entry for entry in entries.values() if entry.costed or entry.how == "this plan"),
        key=lambda entry: (order[entry.how], entry.plan.tree_id, entry.plan.lft),
    )
    costs.own = entries[plan.pk].amount
    return costs


class _Routes:
    """How many routes reach a position: each seed subtree and each link followed is one,
    and a position inside several of them is reached by each."""

    def __init__(self, spans: list[tuple[int, int, int]]) -> None:
        self.by_tree: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for tree, lft, rght in spans:
            self.by_tree[tree].append((lft, rght))
        for spans_of_tree in self.by_tree.values():
            spans_of_tree.sort()

    def count(self, tree: int, lft: int) -> int:
        spans = self.by_tree.get(tree, ())
        end = bisect.bisect_right(spans, (lft, float("inf")))
        return sum(1 for start, stop in spans[:end] if start <= lft <= stop)
