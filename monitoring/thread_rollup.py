"""What contributes to an item, across every plan, and how it is doing (issue 17).

An item's contributors are everything beneath it in its plan, every item whose
``contributes to`` link points at it or at any contributor, and everything beneath those,
followed as far as the links go (decision 0021). Counted are approved plans' items (and
the item's own plan's, whatever its status): a draft's items are not yet a commitment, a
superseded plan's would count twice beside its successor's.

A corporate priority can gather hundreds of contributors from twenty plans: beyond
``FOLD_OVER`` the page lists each plan in a summary row (its contributors counted by
rating, its targets, its cost), and the contributors of one plan, opened from its row, item
by item; a smaller roll-up lists them all.

Read in a fixed number of queries whatever the thread's size (``tests/monitoring/
test_thread_rollup.py`` pins them): every ``contributes to`` link of the council once
(a few thousand rows of five numbers), the closure worked out in Python over the links'
tree numbers, then the contributors' rows, their plans' shapes (for references) and the
quarter's returns. Each contributor is one row however many routes reach it, so its cost
is counted once in every total; how many were reached by more than one route is said.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from monitoring import scorecards
from monitoring.access import REPORTED_KINDS
from monitoring.models import ProgressReturn, ReportingPeriod
from monitoring.rollup_rules import Rule, council_rule
from partners.models import User
from planning import budgets
from planning.access import plans_for
from planning.formatting import pounds
from planning.models import Plan, PlanItem
from planning.selectors import plan_references
from planning.thread import Condition, Ranges, closure, counted, items_within, needs_sifting

RECEIVED = ProgressReturn.RECEIVED
FOLD_OVER = 100  # contributors: a larger roll-up lists each plan's in a summary row, opened on demand
IDS_IN_SQL = 1000  # returns are found by their items' ids up to this many, by their plans beyond


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
    title_cy: str = ""  # shown to a Welsh reader where written (decision 0033)


@dataclass
class PlanSummary:
    """One plan's share of the roll-up: its contributors counted by rating, its cost."""

    plan: Plan
    contributors: int = 0
    counts: Counter = field(default_factory=Counter)
    targets: int = 0
    costed: int = 0
    amount: Decimal = Decimal(0)
    opened: bool = False

    @property
    def rag_counts(self) -> list[int]:
        return [self.counts[rag] for rag in scorecards.RAG_ORDER] + [self.counts["none"]]

    @property
    def shown(self) -> str:
        return pounds(self.amount)


@dataclass
class Rollup:
    item: PlanItem | None  # None: a theme's roll-up (its tagged items are the roots)
    plan: Plan | None
    period: ReportingPeriod | None
    periods: list[ReportingPeriod]  # the quarters with a return from a contributor, newest first
    rule: Rule
    combined: str
    counts: list[dict]  # scorecards.rag_counts of the reported contributors
    reported: int
    contributors: int
    summaries: list[PlanSummary]  # every plan with contributors, in the thread's order
    folded: bool  # more than FOLD_OVER contributors: only the plans opened are listed item by item
    opened: list[tuple[Plan, list[Contributor]]]  # the plans listed item by item
    targets: list[dict]  # the targets of the plans listed, with their derived status
    total_cost: Decimal
    multi_route: int  # contributors reached by more than one route (each counted once)
    multi_route_cost: Decimal
    hidden: int  # contributors in plans the reader may not read: not counted, not shown
    # contributors of another cadence are read in their own newest period ended by ``period``'s end
    also: list[ReportingPeriod] = field(default_factory=list)
    tagged: set[int] = field(default_factory=set)  # a theme's roll-up: the items tagged with it
    reference: str = ""  # the item's own

    @property
    def combined_label(self) -> str:
        return str(scorecards.RAG_LABELS.get(self.combined, gettext_lazy("No rating")))

    @property
    def total_cost_shown(self) -> str:
        return pounds(self.total_cost)

    @property
    def multi_route_cost_shown(self) -> str:
        return pounds(self.multi_route_cost)

    @property
    def costed(self) -> list[PlanSummary]:
        return [summary for summary in self.summaries if summary.costed]


def _item_in(ids: set[int]) -> Condition:
    return Condition("{t}.item_id IN (" + ", ".join(["%s"] * len(ids)) + ")", sorted(ids))


@dataclass(frozen=True)
class _Start:
    """Where a roll-up starts: the subtrees of ``roots`` (pk, tree, lft, rght). ``plan``'s
    items count whatever its status (an item's own plan); ``item`` is the item rolled up,
    not a contributor of itself (None for a theme: its tagged items are contributors)."""

    roots: list[tuple[int, int, int, int]]
    plan: Plan | None = None
    item: PlanItem | None = None


def contributions(item: PlanItem, reader: User, period_slug: str | None = None, open_plan: str | None = None) -> Rollup:
    """The roll-up of ``item`` for the period ``period_slug`` (default: the newest period of the
    item's plan's cadence any contributor has a return in) as ``reader`` may see it; in a
    folded roll-up, the contributors of the plan ``open_plan`` (a slug) listed one by one."""
    start = _Start(roots=[(item.pk, item.tree_id, item.lft, item.rght)], plan=item.plan, item=item)
    return _rollup(start, reader, period_slug, open_plan)


def theme_contributions(theme, reader: User, period_slug: str | None = None, open_plan: str | None = None) -> Rollup:
    """The roll-up of a cross-cutting theme (issue 17, decision 0025): what contributes to
    it is every item of an approved plan tagged with it, and whatever contributes to those,
    exactly as for one item (one query more: the tagged items)."""
    tagged = PlanItem.objects.filter(counted("plan__"), theme_tags__theme=theme).order_by("tree_id", "lft")
    return _rollup(
        _Start(roots=list(tagged.values_list("pk", "tree_id", "lft", "rght"))), reader, period_slug, open_plan
    )


def _rollup(start: _Start, reader: User, period_slug: str | None, open_plan: str | None) -> Rollup:
    item, plan = start.item, start.plan
    ranges, followed = _closure(start)
    rows = _rows(ranges, plan) if start.roots else []
    # the plans of those rows the reader may read, with their organisations (one query); the
    # item's own plan is read already (its page asked planning.access)
    readable = plans_for(reader).filter(counted()).values("pk")
    own = Q(pk=plan.pk) if plan is not None else Q(pk__in=[])
    plans = {
        p.pk: p
        for p in Plan.objects.filter(own | Q(pk__in=readable), pk__in={row.plan_id for row in rows}).select_related(
            "organisation"
        )
    }
    shown = [row for row in rows if row.plan_id in plans and (item is None or row.pk != item.pk)]
    hidden = sum(1 for row in rows if row.plan_id not in plans)
    routes = _routes(rows, {pk for pk, *_ in start.roots}, Counter(followed))
    periods = _periods(shown) if shown else []
    if period_slug:
        period = next((p for p in periods if p.slug == period_slug), None)
        if period is None:
            raise Http404(_("No contributor has a return in that quarter"))
    else:  # the newest of the item's own plan's periods (a theme's: the council's quarters); else any
        cadence = plan.cadence if plan is not None else Plan.Cadence.QUARTERLY
        period = next((p for p in periods if p.cadence == cadence), periods[0] if periods else None)
    folded = len(shown) > FOLD_OVER
    opened_ids = {pk for pk, p in plans.items() if not folded or p.slug == open_plan}
    if folded and open_plan and not opened_ids:
        raise Http404(_("No plan of that name contributes to this item"))
    returns, also = _returns(shown, period, plans)
    summaries, counter = _summaries(shown, plans, returns, opened_ids)
    multi = [row for row in shown if routes.get(row.pk, 1) > 1]
    opened, targets, reference = _listed(item, shown, plans, opened_ids, returns, routes, period)
    rule = council_rule()
    return Rollup(
        item=item,
        plan=plan,
        reference=reference,
        period=period,
        periods=periods,
        rule=rule,
        combined=rule.combine(counter),
        counts=scorecards.rag_counts(counter),
        reported=sum(counter.values()),
        contributors=len(shown),
        summaries=summaries,
        folded=folded,
        opened=opened,
        targets=targets,
        total_cost=sum((row.cost_amount or Decimal(0) for row in shown), Decimal(0)),
        multi_route=len(multi),
        multi_route_cost=sum((row.cost_amount or Decimal(0) for row in multi), Decimal(0)),
        hidden=hidden,
        also=also,
        tagged={pk for pk, *_ in start.roots} if item is None else set(),
    )


def _closure(start: _Start) -> tuple[Ranges, list[int]]:
    """The subtrees the thread reaches from ``start``'s roots, and the source of every link
    followed (once per link; ``planning.thread.closure``, one query; none when there is
    nothing to start from). A theme has no plan of its own: only counted plans' links."""
    if not start.roots:
        return Ranges(), []
    seeds = [(tree, lft, rght) for _, tree, lft, rght in start.roots]
    ranges, followed = closure(seeds, start.plan.pk if start.plan is not None else 0)
    return ranges, [link[0] for link in followed]


def _rows(ranges: Ranges, plan: Plan | None) -> list[scorecards.Item]:
    """Every item inside the ranges, in counted plans or ``plan``, in reading order, as the
    scorecard reads items (titles, leads, measures: a few hundred rows; one query)."""
    sift = needs_sifting(ranges)
    rows = []
    for tree, lft, profiled, *values in (
        items_within(ranges, plan.pk if plan is not None else 0)
        .annotate(profiled=budgets.profile_total())
        .order_by("plan__tree_id", "plan__lft", "tree_id", "lft")
        .values_list("tree_id", "lft", "profiled", *scorecards.ITEM_COLUMNS)
    ):
        if not sift or ranges.covers(tree, lft):
            row = scorecards.Item(*values)
            # its cost by the one rule: its budget profile, else its single cost (decision 0023)
            rows.append(row._replace(cost_amount=budgets.cost_of(row.cost_amount, profiled) or None))
    return rows


def _routes(rows: list[scorecards.Item], roots: set[int], followed: Counter) -> dict[int, int]:
    """How many routes reach each row: the item itself (or each item tagged with a theme)
    starts one, each link followed from a row starts one more, and a row is reached by every
    route that reaches its parent."""
    at: dict[int, int] = {}
    for row in rows:  # reading order: a parent before its children
        own = followed[row.pk] + (1 if row.pk in roots else 0)
        at[row.pk] = own + at.get(row.parent_id, 0)
    return at


def _of_contributors(returns: QuerySet, shown: list[scorecards.Item]) -> QuerySet:
    """``returns`` of the contributors: by their ids up to ``IDS_IN_SQL`` of them, by their
    plans beyond (the caller sifts by id where it matters)."""
    if len(shown) <= IDS_IN_SQL:
        return returns.filter(_item_in({row.pk for row in shown}))
    return returns.filter(item__plan__in={row.plan_id for row in shown})


def _periods(shown: list[scorecards.Item]) -> list[ReportingPeriod]:
    """The quarters in which a contributor has a return received, newest first (one query:
    an EXISTS per quarter, which stops at the first return it finds). Past ``IDS_IN_SQL``
    contributors, any return of their plans counts: a corporate priority's hundreds of ids
    would cost more to send than the answer is worth."""
    received = _of_contributors(ProgressReturn.objects.filter(period=OuterRef("pk"), state__in=RECEIVED), shown)
    return list(
        ReportingPeriod.objects.annotate(received=Exists(received))
        .filter(received=True)
        .order_by("-ends_on", "cadence")
    )


def _returns(
    shown: list[scorecards.Item], period: ReportingPeriod | None, plans: dict[int, Plan]
) -> tuple[dict[int, scorecards.Ret], list[ReportingPeriod]]:
    """The received returns of the contributors for ``period`` (one query, none without
    one), and the periods of other cadences they were read in.

    A priority fed by plans of different cadences (decision 0028): each contributor is read
    in the newest period of its own plan's cadence that ended by the end of ``period`` — a
    college's autumn term beside the council's third quarter, both ending in December. That
    costs one more query, only when a contributor's plan has another cadence."""
    if period is None or not shown:
        return {}, []
    ids = {row.pk for row in shown}
    cadence_of = {row.pk: plans[row.plan_id].cadence for row in shown}
    chosen = {period.cadence: period}
    others = set(cadence_of.values()) - {period.cadence}
    if others:
        for other in ReportingPeriod.objects.filter(cadence__in=others, ends_on__lte=period.ends_on).order_by(
            "-ends_on"
        ):
            chosen.setdefault(other.cadence, other)
    wanted = {cadence: p.pk for cadence, p in chosen.items()}
    found = _of_contributors(ProgressReturn.objects.filter(period__in=list(wanted.values()), state__in=RECEIVED), shown)
    returns = {
        item_id: scorecards.Ret(state, rag, actual, "")
        for item_id, period_id, state, rag, actual in found.values_list(
            "item_id", "period_id", "state", "rag", "actual_value"
        )
        if item_id in ids and wanted.get(cadence_of[item_id]) == period_id
    }
    return returns, [p for cadence, p in chosen.items() if cadence != period.cadence]


def _summaries(shown, plans, returns, opened_ids) -> tuple[list[PlanSummary], Counter]:
    """Each plan's counts and cost, and the counts of them all."""
    summaries: dict[int, PlanSummary] = {}
    counter: Counter = Counter()
    for row in shown:
        summary = summaries.get(row.plan_id)
        if summary is None:
            summary = summaries[row.plan_id] = PlanSummary(plans[row.plan_id], opened=row.plan_id in opened_ids)
        summary.contributors += 1
        if row.kind in REPORTED_KINDS:
            ret = returns.get(row.pk)
            key = ret.rag if ret and ret.rag else "none"
            summary.counts[key] += 1
            counter[key] += 1
        if row.kind == PlanItem.Kind.TARGET:
            summary.targets += 1
        if row.cost_amount:
            summary.costed += 1
            summary.amount += row.cost_amount
    return list(summaries.values()), counter


def _listed(item, shown, plans, opened_ids, returns, routes, period):
    """The contributors of the plans ``opened_ids`` item by item, their targets with their
    derived status, and the item's own reference (their plans' shapes: one query)."""
    rows = [row for row in shown if row.plan_id in opened_ids]
    refs = plan_references(opened_ids | ({item.plan_id} if item is not None else set()))
    leads, measures = scorecards.Leads(), scorecards.Measures()
    opened: dict[int, list[Contributor]] = defaultdict(list)
    targets = []
    for row in rows:
        owner = plans[row.plan_id]
        ret = returns.get(row.pk)
        rag = ret.rag if ret else ""
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
            rag_label=str(scorecards.RAG_LABELS.get(rag, scorecards.NO_RETURN)) if reported else "",
            routes=routes.get(row.pk, 1),
            cost=row.cost_amount,
            url=reverse("planning:item-detail", args=[owner.slug, row.pk]),
            title_cy=row.title_cy,
        )
        opened[owner.pk].append(contributor)
        if row.is_target and period is not None:
            cells = {
                "id": row.pk, "plan": owner.title, "reference": contributor.reference, "label": contributor.label,
                "title": row.title, "url": contributor.url, "lead": contributor.lead, "rag": rag,
                "rag_label": contributor.rag_label, "title_cy": row.title_cy, "plan_cy": owner.title_cy,
            }  # fmt: skip
            targets.append(scorecards.target_row(row, cells, period, ret, measures))
    return [(plans[pk], listed) for pk, listed in opened.items()], targets, refs.get(item.pk, "") if item else ""
