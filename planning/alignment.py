"""The alignment report: where the golden thread is broken.

Four findings, for one plan or for every plan a reader may see:

1. priorities that nothing contributes to (no action beneath them, no ``contributes_to``
   link into them or into a priority beneath them);
2. actions that contribute to no higher priority (a top-level action in a plan that has a
   parent plan, with no ``contributes_to`` link to another plan from the action, from
   anything beneath it, or from a priority above it);
3. targets on one indicator, in two or more plans, due on the same date and of the same
   type (floor or aspirational), whose value or unit disagree (a target for an earlier
   date is a step towards a later one, not a contradiction of it);
4. the spread of each plan's targets across its top-level priorities;
5. evidence (issue 18, decision 0031): priorities linked to no finding of a needs
   assessment, and actions with no success criteria;
6. how many plans and items have been retired by merging them into another; the
   near-duplicate actions and targets across plans have their own page
   (``planning.duplicates``: seconds of work on a large council, docs/decisions/0034).

Each report reads plans, items and links once (a fixed number of queries whatever the
size of the plans) and works the rest out in Python. Items are read as tuples of the
columns the report uses, not model instances (instances of a 2,000-item plan and the
plans it is compared with were half of the page's time), and the plan report reads of
the other plans only the targets it compares and the shape that gives their references.
Callers pass the plans the reader may see (``planning.access.plans_for``); nothing here
decides who sees what.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _

from planning import duplicates
from planning.formatting import measure
from planning.models import Indicator, Link, Plan, PlanItem, PriorityFinding
from planning.selectors import plan_references, references

# A priority holding more than this share of its plan's targets is flagged, when the plan
# has at least SPREAD_MIN_PRIORITIES top-level priorities and the share is above an even split
# (the seed documents' warning:
# 30% of one plan's targets on early years and none on special educational needs).
SPREAD_THRESHOLD = Decimal("0.30")
SPREAD_MIN_PRIORITIES = 3

# the measure fields compared across plans, with the words the report uses for them; only
# targets due on the same date and of the same type are compared (see ``_disagreements``)
COMPARED_FIELDS = {"target_value": "target value", "unit": "unit"}

# a group of disagreeing targets longer than this is shown as its plans' values, with its
# targets one link away (``?group=``): the largest plan's groups run to 111 targets
FOLDED_OVER = 20


class Node(NamedTuple):
    """An item as the report reads it: the columns it uses, one tuple per row."""

    pk: int
    plan_id: int
    parent_id: int | None
    kind: str
    title: str
    lft: int
    title_cy: str = ""  # shown to a Welsh reader where written (decision 0033)
    # a target's measure: read only for the targets compared (see TARGET_COLUMNS)
    indicator_id: int | None = None
    indicator_code: str | None = None
    indicator_name: str | None = None
    target_value: Decimal | None = None
    target_date: date | None = None
    target_type: str = ""
    unit: str = ""

    def get_unit_display(self) -> str:
        return UNITS.get(self.unit, self.unit)


SHAPE_COLUMNS = ("pk", "plan_id", "parent_id", "kind", "title", "lft", "title_cy")
TARGET_COLUMNS = (*SHAPE_COLUMNS, "indicator_id", "indicator__code", "indicator__name", "target_value", "target_date",
                  "target_type", "unit")  # fmt: skip
UNITS = dict(PlanItem.Unit.choices)


@dataclass
class ItemRow:
    """One item as the report shows it: linked, with its derived reference and its plan."""

    item: Node
    reference: str
    plan: Plan

    @property
    def label(self) -> str:
        return self.plan.label_for(self.item.kind)

    @property
    def url(self) -> str:
        return reverse("planning:item-detail", args=[self.plan.slug, self.item.pk])


@dataclass
class TargetRow(ItemRow):
    """A target in a group that disagrees; ``differs`` names the fields whose value is not
    the group's usual one (see ``_usual``)."""

    differs: set[str] = field(default_factory=set)

    @property
    def value_differs(self) -> bool:
        return "target_value" in self.differs

    @property
    def unit_differs(self) -> bool:
        return "unit" in self.differs


@dataclass
class PlanValues:
    """A plan's targets in a folded group: how many, and the values and units they use,
    each marked when it is not the group's usual one."""

    plan: Plan
    targets: int
    values: list[tuple[str, bool]]  # (target value as shown, differs)
    units: list[tuple[str, bool]]


@dataclass
class Disagreement:
    """Targets in several plans that measure one indicator, for the same date and of the
    same type, but do not agree."""

    indicator: Indicator  # its id, code and name (read with the targets, not as a row of its own)
    due: date
    target_type: str  # floor, aspirational, or "" (type not stated)
    rows: list[TargetRow]
    fields: list[str]  # the words for the fields that disagree, in column order
    folded: bool = False  # shown as ``by_plan``, its rows one link away

    @property
    def key(self) -> str:
        """What names the group in the page's address (``?group=``) and as an anchor."""
        return f"targets-{self.indicator.pk}-{self.due:%Y%m%d}-{self.target_type or 'any'}"

    @property
    def target_type_label(self) -> str:
        return PlanItem.TargetType(self.target_type).label.lower() if self.target_type else ""

    @property
    def fields_text(self) -> str:
        """ "target value and unit" """
        if len(self.fields) == 1:
            return self.fields[0]
        return ", ".join(self.fields[:-1]) + " and " + self.fields[-1]

    @property
    def plan_count(self) -> int:
        return len({row.plan.pk for row in self.rows})

    @property
    def by_plan(self) -> list[PlanValues]:
        """Each plan's targets in the group (in the group's order: plans in tree order)."""
        plans: dict[int, list[TargetRow]] = {}
        for row in self.rows:
            plans.setdefault(row.plan.pk, []).append(row)
        found = []
        for rows in plans.values():
            # each distinct value formatted once: a plan's 100 targets use two or three
            values = {(row.item.target_value, row.item.unit): row.value_differs for row in rows}
            units = {str(row.item.get_unit_display()) or _("Not set"): row.unit_differs for row in rows}
            shown = [(shown_value(_Measure(value, unit)), differs) for (value, unit), differs in values.items()]
            found.append(PlanValues(rows[0].plan, len(rows), list(dict(shown).items()), list(units.items())))
        return found


class _Measure(NamedTuple):
    target_value: Decimal | None
    unit: str


def shown_value(item: "Node | _Measure") -> str:
    """A target's value in its unit, as the report shows it."""
    return measure(item.target_value, item.unit) if item.target_value is not None else _("Not set")


@dataclass
class SpreadRow:
    priority: ItemRow
    targets: int
    share: Decimal | None  # of the plan's targets, 0..1; None when the plan has no targets
    no_targets: bool
    over_threshold: bool

    @property
    def percent(self) -> str:
        if self.share is None:
            return ""
        return f"{self.share * 100:.1f}".removesuffix(".0") + "%"


@dataclass
class PlanSpread:
    plan: Plan
    rows: list[SpreadRow]
    total: int

    @property
    def flagged(self) -> int:
        return sum(1 for row in self.rows if row.no_targets or row.over_threshold)


@dataclass
class Alignment:
    plans: list[Plan]  # the plans reported on, in tree order
    unsupported_priorities: list[ItemRow]
    unaligned_actions: list[ItemRow]
    disagreements: list[Disagreement]
    spreads: list[PlanSpread]
    priorities_without_evidence: list[ItemRow] = field(default_factory=list)
    actions_without_criteria: list[ItemRow] = field(default_factory=list)
    plans_retired: int = 0
    items_merged: int = 0
    threshold_percent: int = int(SPREAD_THRESHOLD * 100)
    min_priorities: int = SPREAD_MIN_PRIORITIES
    folded_over: int = FOLDED_OVER
    links: object = None  # the page's plan and item addresses, made once (alignment_html.links_for)


# --- entry points ----------------------------------------------------------------------


def plan_alignment(plan: Plan, *, compare_with: QuerySet[Plan] | None = None, opened: str = "") -> Alignment:
    """The report for one plan (six queries).

    ``compare_with`` is the set of plans whose targets the plan's targets are compared
    with (the reader's ``plans_for``); without it no other plan is read, so section 3
    stays empty rather than show targets the reader may not see. ``opened`` is the key
    of a folded group of targets to show in full.
    """
    others: list[Plan] = []
    indicators = PlanItem.objects.filter(plan=plan, kind=PlanItem.Kind.TARGET, indicator__isnull=False).values(
        "indicator_id"
    )
    if compare_with is not None:
        others = list(
            compare_with.filter(items__kind=PlanItem.Kind.TARGET, items__indicator_id__in=indicators)
            .exclude(pk=plan.pk)
            .distinct()
        )
    forest = _Forest([plan])
    other_ids = [p.pk for p in others]
    # the targets compared: this plan's and the other plans' on its indicators; and the
    # other plans' shape, for the references of their targets
    compared = _targets(PlanItem.objects.filter(plan_id__in=[plan.pk, *other_ids], indicator_id__in=indicators))
    refs = {**forest.refs, **plan_references(other_ids)}
    plans = sorted([plan, *others], key=_tree_order)
    report = _report(forest, {p.pk: p for p in plans}, compared, refs, opened)
    report.plans_retired, report.items_merged = duplicates.retirements([plan])
    return report


def council_alignment(plans: QuerySet[Plan], *, opened: str = "") -> Alignment:
    """The report across every plan in ``plans`` (four queries)."""
    forest = _Forest(list(plans.in_tree_order()))
    compared = _targets(PlanItem.objects.filter(plan_id__in=list(forest.plans), indicator__isnull=False))
    report = _report(forest, forest.plans, compared, forest.refs, opened)
    report.plans_retired, report.items_merged = duplicates.retirements(list(forest.plans.values()))
    return report


# --- the work --------------------------------------------------------------------------


def _tree_order(plan: Plan) -> tuple[int, int]:
    return (plan.tree_id, plan.lft)


def _targets(items: QuerySet[PlanItem]) -> list[Node]:
    """The targets among ``items`` with their measures (one query)."""
    return [Node(*values) for values in items.filter(kind=PlanItem.Kind.TARGET).values_list(*TARGET_COLUMNS)]


class _Forest:
    """Every item of the plans reported on, with its parent and reference at hand."""

    def __init__(self, plans: list[Plan]):
        self.plans = {p.pk: p for p in plans}
        self.items: list[Node] = [
            Node(*values)
            for values in PlanItem.objects.filter(plan_id__in=list(self.plans))
            .in_tree_order()
            .values_list(*SHAPE_COLUMNS)
        ]
        self.by_id = {item.pk: item for item in self.items}
        self.refs = references(self.items)

    def ancestors(self, item: Node):
        parent = self.by_id.get(item.parent_id) if item.parent_id else None
        while parent is not None:
            yield parent
            parent = self.by_id.get(parent.parent_id) if parent.parent_id else None

    def row(self, item: Node) -> ItemRow:
        return ItemRow(item=item, reference=self.refs[item.pk], plan=self.plans[item.plan_id])


def _report(
    forest: _Forest, plans: dict[int, Plan], targets: list[Node], refs: dict[int, str], opened: str
) -> Alignment:
    """The four findings for the plans in ``forest`` (the scope), comparing their targets
    with ``targets`` (theirs and, for one plan's report, the other plans')."""
    scope = set(forest.plans)
    links = list(
        Link.objects.filter(relation=Link.Relation.CONTRIBUTES_TO)
        .filter(Q(source__plan_id__in=sorted(scope)) | Q(target__plan_id__in=sorted(scope)))
        .values_list("source_id", "target_id", "source__plan_id", "target__plan_id")
    )
    disagreements = _disagreements(targets, plans, refs, scope)
    for group in disagreements:
        group.folded = len(group.rows) > FOLDED_OVER and group.key != opened
    ordered = sorted(forest.plans.values(), key=_tree_order)
    return Alignment(
        plans=ordered,
        unsupported_priorities=_unsupported_priorities(forest, links),
        unaligned_actions=_unaligned_actions(forest, links),
        disagreements=disagreements,
        spreads=[_spread(forest, p) for p in ordered],
        **_evidence(forest),
    )


def _evidence(forest: _Forest) -> dict[str, list[ItemRow]]:
    """Priorities linked to no finding, and actions with no success criteria (two queries);
    merged actions and the items of retired plans have been dealt with and are left out."""
    live = sorted(pk for pk, plan in forest.plans.items() if plan.merged_into_id is None)
    evidenced = set(PriorityFinding.objects.filter(priority__plan_id__in=live).values_list("priority_id", flat=True))
    wanting = set(
        PlanItem.objects.filter(
            plan_id__in=live, kind=PlanItem.Kind.ACTION, success_criteria="", merged_into__isnull=True
        ).values_list("pk", flat=True)
    )
    return {
        "priorities_without_evidence": [
            forest.row(i)
            for i in forest.items
            if i.kind == PlanItem.Kind.PRIORITY and i.plan_id in live and i.pk not in evidenced
        ],
        "actions_without_criteria": [forest.row(i) for i in forest.items if i.pk in wanting],
    }


def _unsupported_priorities(forest: _Forest, links) -> list[ItemRow]:
    """Priorities with no action anywhere beneath them and no ``contributes_to`` link into
    them or into a priority beneath them (from any item, in any plan)."""
    served: set[int] = set()
    for item in forest.items:
        if item.kind == PlanItem.Kind.ACTION:
            served.update(a.pk for a in forest.ancestors(item) if a.kind == PlanItem.Kind.PRIORITY)
    for _source, target_id, _source_plan, _target_plan in links:
        target = forest.by_id.get(target_id)
        if target is not None and target.kind == PlanItem.Kind.PRIORITY:
            served.add(target.pk)
            served.update(a.pk for a in forest.ancestors(target) if a.kind == PlanItem.Kind.PRIORITY)
    return [forest.row(i) for i in forest.items if i.kind == PlanItem.Kind.PRIORITY and i.pk not in served]


def _unaligned_actions(forest: _Forest, links) -> list[ItemRow]:
    """Top-level actions of plans that deliver a parent plan, with no ``contributes_to``
    link to another plan from the action, anything beneath it, or a priority above it.
    A root plan's actions serve its own priorities, so they are never reported."""
    linked_out = {source for source, _t, source_plan, target_plan in links if source_plan != target_plan}
    covered: set[int] = set(linked_out)  # the sources and every item above them
    for source_id in linked_out:
        source = forest.by_id.get(source_id)
        if source is not None:
            covered.update(a.pk for a in forest.ancestors(source))
    found = []
    for item in forest.items:
        if item.kind != PlanItem.Kind.ACTION or forest.plans[item.plan_id].parent_id is None:
            continue
        parent = forest.by_id.get(item.parent_id)
        if parent is None or parent.kind != PlanItem.Kind.PRIORITY:
            continue
        if item.pk in covered or any(a.pk in linked_out for a in forest.ancestors(item)):
            continue
        found.append(forest.row(item))
    return found


def _due(target: Node, plan: Plan) -> date:
    """The date a target is for: its target date, or the end of its plan (31 March after
    the plan's last financial year) when it has none."""
    return target.target_date or date(plan.end_year + 1, 3, 31)


def _disagreements(
    targets: Iterable[Node], plans: dict[int, Plan], refs: dict[int, str], scope: set[int]
) -> list[Disagreement]:
    """Groups of targets on one indicator, due on the same date and of the same type,
    spanning two or more plans with at least one in scope, whose target value or unit
    are not all the same.

    Targets for different dates are not compared: a service plan's target for this year
    is a step towards its directorate's target for three years' time (the demo's twelve
    "disagreements" were all such steps), and steps need not lie on a straight line from
    the baseline. Floor and aspirational targets for the same date differ by design."""
    groups: dict[tuple, list[Node]] = defaultdict(list)
    for item in targets:
        if item.kind == PlanItem.Kind.TARGET and item.indicator_id:
            groups[(item.indicator_id, _due(item, plans[item.plan_id]), item.target_type)].append(item)
    found = []
    for (indicator_id, due, target_type), group in groups.items():
        plan_ids = {t.plan_id for t in group}
        if len(plan_ids) < 2 or not plan_ids & scope:
            continue
        # plans in tree order, so that ties go to the plan nearest the top of the thread
        group.sort(key=lambda t: (_tree_order(plans[t.plan_id]), t.lft))
        usual = {name: _usual(group, name) for name in COMPARED_FIELDS}
        differing = [name for name in COMPARED_FIELDS if len({getattr(t, name) for t in group}) > 1]
        if not differing:
            continue
        rows = [
            TargetRow(
                item=t,
                reference=refs[t.pk],
                plan=plans[t.plan_id],
                differs={name for name in differing if getattr(t, name) != usual[name]},
            )
            for t in group
        ]
        found.append(
            Disagreement(
                indicator=Indicator(pk=indicator_id, code=group[0].indicator_code, name=group[0].indicator_name),
                due=due,
                target_type=target_type,
                rows=rows,
                fields=[COMPARED_FIELDS[n] for n in differing],
            )
        )
    return sorted(found, key=lambda d: (d.indicator.name, d.due, d.target_type))


def _usual(targets: list[Node], name: str):
    """The value most plans use (each plan counts once, however many targets it has on the
    indicator); ties go to the plan nearest the top of the tree of plans, so a service
    plan is marked as differing from its corporate plan rather than the other way round."""
    votes = dict.fromkeys((t.plan_id, getattr(t, name)) for t in targets)  # one per plan and value, in order
    return Counter(value for _plan, value in votes).most_common(1)[0][0]


def _spread(forest: _Forest, plan: Plan) -> PlanSpread:
    """The plan's targets counted under each top-level priority (each child of the vision)."""
    plan_items = [i for i in forest.items if i.plan_id == plan.pk]
    vision_ids = {i.pk for i in plan_items if i.parent_id is None}
    top = [i for i in plan_items if i.kind == PlanItem.Kind.PRIORITY and i.parent_id in vision_ids]
    top_ids = {p.pk for p in top}
    counts: Counter[int] = Counter()
    total = 0
    for item in plan_items:
        if item.kind != PlanItem.Kind.TARGET:
            continue
        total += 1
        for ancestor in forest.ancestors(item):
            if ancestor.pk in top_ids:
                counts[ancestor.pk] += 1
                break
    rows = []
    for priority in top:
        n = counts[priority.pk]
        share = Decimal(n) / Decimal(total) if total else None
        rows.append(
            SpreadRow(
                priority=forest.row(priority),
                targets=n,
                share=share,
                no_targets=n == 0,
                over_threshold=share is not None
                and share > max(SPREAD_THRESHOLD, Decimal(1) / len(top))  # an even split is not lopsided
                and len(top) >= SPREAD_MIN_PRIORITIES,
            )
        )
    return PlanSpread(plan=plan, rows=rows, total=total)
