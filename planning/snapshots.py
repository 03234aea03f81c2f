"""A plan as it stood at any moment, rebuilt from history, and the differences between
two moments.

Everything is read as plain values, never as history model instances, and each history
table once however many moments are asked for (``newest_rows``): every row of the objects
wanted, oldest first, each marked in SQL as at-or-before each moment, so that an object's
last marked row is its newest at that moment. Deleted objects are dropped afterwards (a
deletion is a history row too). The tree is rebuilt from ``parent`` + ``position``
(tree-and-history.md); the answers are those of the old reading, kept as the oracle in
``tests/planning/snapshots_reference.py``.

A plan is read in two steps: its *shape* (id, parent, position, kind and the history row
current then, for every item: narrow, so 2,000 items cost a few milliseconds), then the
full rows of only the items shown. So a past view can show a large plan's priorities
first and a priority's items on demand, and a comparison loads only the items whose
history row differs between the moments (the same row at both moments is the same item:
nothing to compare) or whose place changed. On a 2,000-item plan the old reading, every
column of every item as model instances for both moments, took 360 ms (decision 0012).
"""

import bisect
import operator
from collections import defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import NamedTuple

from django.db.models import Case, CharField, F, Q, QuerySet, Value, When
from django.utils.translation import gettext

from config.html import ID, IdUrl
from partners.models import Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem
from planning.selectors import (
    ITEM_DIFF_FIELDS,
    ITEM_PAGE,
    PUBLIC_ITEM_PAGE,
    FieldChange,
    LinkEnd,
    Names,
    OutlineRow,
    _field_changes,
    _Names,
    attach_names,
    build_rows,
    references,
)

# the history models, once: ``Model.history`` makes a new manager class on every access,
# which costs more than the queries here (outline_cache measured the same)
_ITEM_HISTORY = PlanItem.history.model
_PLAN_HISTORY = Plan.history.model
_LINK_HISTORY = Link.history.model
_SUPPORTER_HISTORY = ItemSupporter.history.model


def _tracked(model, history_model) -> tuple[str, ...]:
    """The model's own columns that its history keeps (the tree columns are not tracked)."""
    kept = {f.attname for f in history_model._meta.concrete_fields}
    return tuple(f.attname for f in model._meta.concrete_fields if f.attname in kept)


ITEM_COLUMNS = _tracked(PlanItem, _ITEM_HISTORY)
_PLAN_COLUMNS = _tracked(Plan, _PLAN_HISTORY)
SHOWN_FIRST = frozenset({PlanItem.Kind.VISION, PlanItem.Kind.PRIORITY})


def newest_rows(history_model, wanted: list[tuple[datetime, Q]], columns: Iterable[str], **also) -> list[list[tuple]]:
    """For each (moment, condition) pair, the newest history row per object id at that
    moment as a tuple of ``columns`` (then ``also``'s annotations), deleted objects left
    out; all pairs in one read of the history table, so that comparing two moments costs
    no more round trips than showing one.

    Each row says whether it is at or before each moment (compared in SQL, so no time is
    parsed) and rows come oldest first, so an object's last row at or before a moment is
    its newest then. On a 2,000-item plan this took 40% less time than a ``RowNumber``
    window per moment (and Django builds a window query slowly)."""
    columns = tuple(columns)
    marks = {
        f"by_moment_{index}": Case(
            When(condition & Q(history_date__lte=when), then=Value("y")),
            default=Value(""),
            output_field=CharField(),  # "y" or "": a boolean or a number is converted row by row
        )
        for index, (when, condition) in enumerate(wanted)
    }
    rows = (
        history_model.objects.filter(reduce(operator.or_, (condition for _, condition in wanted)))
        .annotate(**also, **marks)
        .order_by("history_date", "history_id")
        .values_list("id", "history_type", *columns, *also, *marks)
    )
    newest: list[dict[int, tuple]] = [{} for _ in wanted]
    first_mark = 2 + len(columns) + len(also)
    for row in rows:
        for index, found in enumerate(newest):
            if row[first_mark + index]:
                found[row[0]] = row
    return [[row[2:first_mark] for row in found.values() if row[1] != "-"] for found in newest]


def plans_then(plan: Plan, moments: list[datetime]) -> list[Plan | None]:
    """The plan's own row at each moment (title, status, level names), None before it existed."""
    found = newest_rows(_PLAN_HISTORY, [(when, Q(id=plan.pk)) for when in moments], _PLAN_COLUMNS)
    then: list[Plan | None] = []
    for rows in found:
        if not rows:
            then.append(None)
            continue
        past = Plan(**dict(zip(_PLAN_COLUMNS, rows[0], strict=True)))
        past.parent = plan.parent
        then.append(past)
    return then


# --- a plan's shape ----------------------------------------------------------------------


class Place(NamedTuple):
    """An item's place in the plan at a moment, and the history row holding it then."""

    pk: int
    parent_id: int | None
    position: int
    kind: str
    history_id: int


@dataclass
class Shape:
    """Every item of a plan at a moment in reading order, with its depth and reference."""

    ordered: list[tuple[Place, int]]
    refs: dict[int, str]
    by_id: dict[int, Place]
    rank: dict[int, int]  # place in reading order

    @classmethod
    def of(cls, places: list[Place]) -> "Shape":
        ordered = _reading_order(places)
        refs = references([place for place, _ in ordered])
        return cls(ordered, refs, {p.pk: p for p, _ in ordered}, {p.pk: index for index, (p, _) in enumerate(ordered)})


def _shapes(plan: Plan, moments: list[datetime]) -> list[Shape]:
    columns = ("id", "parent_id", "position", "kind", "history_id")  # a Place's
    found = newest_rows(_ITEM_HISTORY, [(when, Q(plan_id=plan.pk)) for when in moments], columns)
    shapes: list[Shape] = []
    for rows in found:
        places = [Place(*row) for row in rows]
        same = shapes and _same_layout(shapes[-1], places)
        if same:  # the commonest comparison: a few items edited, none added, moved or removed
            by_id = {place.pk: place for place in places}
            last = shapes[-1]
            shapes.append(Shape([(by_id[p.pk], depth) for p, depth in last.ordered], last.refs, by_id, last.rank))
        else:
            shapes.append(Shape.of(places))
    return shapes


def _same_layout(shape: Shape, places: list[Place]) -> bool:
    """Are ``places`` the items of ``shape`` under the same parents at the same positions?"""
    if len(places) != len(shape.by_id):
        return False
    by_id = shape.by_id
    for place in places:
        was = by_id.get(place.pk)
        if was is None or was.parent_id != place.parent_id or was.position != place.position:
            return False
    return True


_sibling_order = operator.attrgetter("position", "pk")


def _reading_order(items: list[Place]) -> list[tuple[Place, int]]:
    """Depth-first from the root, siblings by position: (item, depth) in reading order."""
    children: dict[int | None, list[Place]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    for siblings in children.values():
        siblings.sort(key=_sibling_order)
    ordered: list[tuple[Place, int]] = []
    stack = [(root, 0) for root in reversed(children[None])]
    while stack:
        item, depth = stack.pop()
        ordered.append((item, depth))
        stack.extend((child, depth + 1) for child in reversed(children[item.pk]))
    return ordered


def _under_priorities(shape: Shape) -> dict[int, list[int]]:
    """Each priority's items that are not priorities (its actions, their targets and
    milestones, at any depth), by the priority's id, in reading order."""
    under: dict[int, list[int]] = defaultdict(list)
    owner: dict[int, int | None] = {}
    for place, _ in shape.ordered:
        if place.kind in SHOWN_FIRST:
            owner[place.pk] = place.pk if place.kind == PlanItem.Kind.PRIORITY else None
            continue
        owner[place.pk] = owner.get(place.parent_id) if place.parent_id is not None else None
        if owner[place.pk] is not None:
            under[owner[place.pk]].append(place.pk)
    return under


# --- a plan at a moment ------------------------------------------------------------------


@dataclass
class Snapshot:
    plan: Plan
    when: datetime
    rows: list[OutlineRow]
    size: int = 0  # items in the plan then
    priorities_first: bool = False
    # shown priorities first: the number of items under each priority, folded or opened
    folded: dict[int, int] = field(default_factory=dict)
    opened: dict[int, int] = field(default_factory=dict)


def plan_at(
    plan: Plan,
    when: datetime,
    *,
    fold_above: int | None = None,
    opened: Collection[int] = (),
    public: bool = False,
) -> Snapshot | None:
    """The plan and its items, supporters and links as they were at ``when``; None if the
    plan did not exist yet. Every item; or, if the plan then had more than ``fold_above``
    items, its vision and priorities, and the items under only the ``opened`` priorities
    (ids): a reader opens a 2,000-item plan at its priorities, not 1.5 MB of every item.

    Five queries whatever the plan's size: the plan, its shape, the links and supporters of
    the items shown, their rows (with the other ends of their links), and the names.
    ``public``: items and link ends go to the public pages (issue 16)."""
    past_plan = plans_then(plan, [when])[0]
    if past_plan is None:
        return None
    shape = _shapes(plan, [when])[0]
    folded: dict[int, int] = {}
    shown_ids: set[int] = set(shape.by_id)
    opened_counts: dict[int, int] = {}
    priorities_first = fold_above is not None and len(shape.by_id) > fold_above
    if priorities_first:
        shown_ids = {p.pk for p, _ in shape.ordered if p.kind in SHOWN_FIRST}
        for priority, items in _under_priorities(shape).items():
            if priority in opened:
                shown_ids.update(items)
                opened_counts[priority] = len(items)
            else:
                folded[priority] = len(items)
    # every item shown: the plan's items as a subquery (2,000 ids as parameters cost more)
    links, supporter_rows = _links_and_supporters(
        when, shown_ids if priorities_first else _ITEM_HISTORY.objects.filter(plan_id=plan.pk).values("id")
    )
    ends = {pk for link in links for pk in link[1:3]} - shown_ids
    own = shown_ids | {pk for pk in ends if pk in shape.by_id}
    others = ends - own
    # the items shown, and the other ends of their links
    which = Q(id__in=own | others) if priorities_first else Q(plan_id=plan.pk) | Q(id__in=others)
    item_rows = newest_rows(
        _ITEM_HISTORY,
        [(when, which)],
        ITEM_COLUMNS,
        plan_title=F("plan__title"),  # another plan's title as it is now, as on the plan page
    )[0]
    index_of = {name: index for index, name in enumerate(ITEM_COLUMNS)}
    pk_at, plan_at_, title_at = index_of["id"], index_of["plan_id"], index_of["title"]
    items = {
        row[pk_at]: PlanItem(**dict(zip(ITEM_COLUMNS, row, strict=False)))
        for row in item_rows
        if row[plan_at_] == plan.pk and row[pk_at] in shown_ids
    }
    names = Names()
    names.load({
        User: {item.lead_officer_id for item in items.values()},
        Organisation: {row[2] for row in supporter_rows} | {item.lead_organisation_id for item in items.values()},
        Indicator: {item.indicator_id for item in items.values()},
    })  # fmt: skip
    attach_names(list(items.values()), names)
    supporters = _supporters(supporter_rows, names.found[Organisation])
    ordered = [(items[place.pk], depth) for place, depth in shape.ordered if place.pk in items]
    item_page = PUBLIC_ITEM_PAGE if public else ITEM_PAGE
    rows = build_rows(past_plan, ordered, supporters, slug=plan.slug, refs=shape.refs, item_page=item_page)
    end_names = {row[pk_at]: (row[title_at], row[-1] or "", row[plan_at_]) for row in item_rows if row[pk_at] in others}
    end_names.update(
        {row[pk_at]: (row[title_at], past_plan.title, None) for row in item_rows if row[plan_at_] == plan.pk}
    )
    _attach_links(rows, links, end_names, "public:item-permalink" if public else "planning:item-permalink")
    return Snapshot(
        plan=past_plan,
        when=when,
        rows=rows,
        size=len(shape.by_id),
        priorities_first=priorities_first,
        folded=folded,
        opened=opened_counts,
    )


def _links_and_supporters(when: datetime, item_ids: set[int] | QuerySet) -> tuple[list[tuple], list[tuple]]:
    """The links to and from ``item_ids`` and their supporters at ``when``, in one query
    (both are small tables; a union of the two keeps the page within its query count).
    Links: (id, source, target, relation, note); supporters: (id, item, organisation)."""
    ids = list(item_ids) if isinstance(item_ids, set) else item_ids
    parts = [  # oldest first, so an object's last row is its newest at ``when``
        history_model.objects.filter(condition, history_date__lte=when)
        .annotate(table=Value(table), no_relation=Value(""), no_note=Value(""))
        .order_by()
        .values_list("table", "id", *columns, "history_type", "history_date", "history_id")
        for table, history_model, condition, columns in (
            ("link", _LINK_HISTORY, Q(source_id__in=ids) | Q(target_id__in=ids),
             ("source_id", "target_id", "relation", "note")),
            ("supporter", _SUPPORTER_HISTORY, Q(item_id__in=ids),
             ("item_id", "organisation_id", "no_relation", "no_note")),
        )
    ]  # fmt: skip
    newest: dict[tuple[str, int], tuple] = {}
    for row in parts[0].union(parts[1], all=True).order_by("history_date", "history_id"):
        newest[row[:2]] = row
    links, supporters = [], []
    for table, pk, first, second, relation, note, history_type, _, _ in newest.values():
        if history_type == "-":
            continue
        if table == "link":
            links.append((pk, first, second, relation, note))
        else:
            supporters.append((pk, first, second))
    links.sort()  # a link's ends in the order the links were made
    return links, supporters


def _supporters(rows: list[tuple], organisations: dict) -> dict[int, list[Organisation]]:
    supporters: dict[int, list[Organisation]] = defaultdict(list)
    for _, item_id, organisation_id in rows:
        if organisation_id in organisations:
            supporters[item_id].append(organisations[organisation_id])
    for orgs in supporters.values():
        orgs.sort(key=lambda org: org.name)
    return supporters


def _attach_links(rows: list[OutlineRow], links: list[tuple], ends: dict[int, tuple], permalink_page: str) -> None:
    """Each row's links out and back as they were, naming the other end as it was then
    (``ends``: id -> title, plan title, plan id; none for the plan's own items)."""
    by_id = {row.item.pk: row for row in rows}
    permalink = IdUrl(permalink_page, ID)
    for _, source, target, relation, note in links:
        label = Link.Relation(relation)
        for own, other, text, side in (
            (source, target, label.label, "links_out"),
            (target, source, Link.INVERSE_LABELS[label], "links_in"),
        ):
            if own in by_id and other in ends:
                title, plan_title, plan_id = ends[other]
                getattr(by_id[own], side).append(
                    LinkEnd(relation=text, title=title, plan_title=plan_title, url=permalink(other), note=note,
                            plan_id=plan_id)
                )  # fmt: skip


# --- comparing two moments ---------------------------------------------------------------


@dataclass
class ItemDifference:
    kind: str  # added, removed, moved, renumbered, changed
    label: str
    title: str
    before_reference: str = ""
    after_reference: str = ""
    changes: list[FieldChange] = field(default_factory=list)
    title_cy: str = ""  # its Welsh title at the later moment (the earlier one, removed), for a Welsh reader


COMPARED_FIELDS = [name for name in ITEM_DIFF_FIELDS if name not in {"parent", "position", "kind"}]
_COMPARED_COLUMNS = [(name, PlanItem._meta.get_field(name).attname) for name in COMPARED_FIELDS]
_NAMED = {"lead_officer": User, "lead_organisation": Organisation, "indicator": Indicator}


def compare(plan: Plan, before: datetime, after: datetime) -> list[ItemDifference] | None:
    """Items added, removed, moved, renumbered and changed between two moments, in the
    reading order of the later one (removed items last); None if the plan did not exist
    at one of them.

    Five queries whatever the plan's size: the plan and its shape at both moments, the rows
    of the items that differ, supporters at both moments, and names. An item whose history
    row is the same at both moments is unchanged; only its place and supporters count."""
    old_plan, new_plan = plans_then(plan, [before, after])
    if old_plan is None or new_plan is None:
        return None
    old, new = _shapes(plan, [before, after])
    moved = _moved_ids(old, new)
    supporters = _supporter_ids(plan, [before, after])
    differing = {  # supporters
        pk for pk in new.by_id.keys() & old.by_id.keys() if supporters[0].get(pk, set()) != supporters[1].get(pk, set())
    }
    wanted: set[int] = set()  # history rows to read in full
    for pk, place in new.by_id.items():
        was = old.by_id.get(pk)
        if was is None or pk in moved or pk in differing or old.refs[pk] != new.refs[pk]:
            wanted.add(place.history_id)
        if was is not None and was.history_id != place.history_id:
            wanted.update((was.history_id, place.history_id))
    wanted.update(place.history_id for pk, place in old.by_id.items() if pk not in new.by_id)
    full = {
        row["history_id"]: row
        for row in _ITEM_HISTORY.objects.filter(history_id__in=wanted).values("history_id", *ITEM_COLUMNS)
    }
    names = Names()
    names.load({
        User: {row["lead_officer_id"] for row in full.values()},
        Organisation: {row["lead_organisation_id"] for row in full.values()}
        | {org for pk in differing for side in supporters for org in side.get(pk, ())},
        Indicator: {row["indicator_id"] for row in full.values()},
    })  # fmt: skip
    known = {name: {pk: str(obj) for pk, obj in names.found[model].items()} for name, model in _NAMED.items()}
    shown = _Names(PlanItem, known=known)  # every name it needs is known: no query
    organisations = names.found[Organisation]

    def supporter_names(side: dict[int, set[int]], pk: int) -> list[str]:
        return sorted(str(organisations[org].name) for org in side.get(pk, ()) if org in organisations)

    differences: list[ItemDifference] = []
    for place, _ in new.ordered:
        pk = place.pk
        row, label = full.get(place.history_id), new_plan.label_for(place.kind)
        was = old.by_id.get(pk)
        if was is None:
            differences.append(
                ItemDifference("added", label, row["title"], after_reference=new.refs[pk], title_cy=row["title_cy"])
            )
            continue
        changes = []
        if was.history_id != place.history_id:
            changes = _field_changes(PlanItem, shown, _COMPARED_COLUMNS, full[was.history_id], row)
        if pk in differing:
            old_names, new_names = supporter_names(supporters[0], pk), supporter_names(supporters[1], pk)
            if old_names != new_names:
                changes.append(
                    FieldChange("supporters", gettext("Supported by"), ", ".join(old_names), ", ".join(new_names))
                )
        kind = "moved" if pk in moved else ("renumbered" if old.refs[pk] != new.refs[pk] else "")
        if kind or changes:
            differences.append(
                ItemDifference(
                    kind or "changed",
                    label,
                    row["title"],
                    before_reference=old.refs[pk],
                    after_reference=new.refs[pk],
                    changes=changes,
                    title_cy=row["title_cy"],
                )
            )
    for place, _ in old.ordered:
        if place.pk not in new.by_id:
            differences.append(
                ItemDifference(
                    "removed",
                    old_plan.label_for(place.kind),
                    full[place.history_id]["title"],
                    before_reference=old.refs[place.pk],
                    title_cy=full[place.history_id]["title_cy"],
                )
            )
    return differences


def _supporter_ids(plan: Plan, moments: list[datetime]) -> list[dict[int, set[int]]]:
    """Each item's supporting organisations' ids at each moment (one query)."""
    ever_here = _ITEM_HISTORY.objects.filter(plan_id=plan.pk).values("id")
    found = newest_rows(
        _SUPPORTER_HISTORY,
        [(when, Q(item_id__in=ever_here)) for when in moments],
        ("item_id", "organisation_id"),
    )
    by_moment = []
    for rows in found:
        by_item: dict[int, set[int]] = defaultdict(set)
        for item_id, organisation_id in rows:
            by_item[item_id].add(organisation_id)
        by_moment.append(by_item)
    return by_moment


def _moved_ids(before: Shape, after: Shape) -> set[int]:
    """Items with a new parent, or outside the longest run of surviving siblings that kept
    their relative order (so one item moved up is "moved", the ones it passed are not)."""
    moved = set()
    survivors_by_parent: dict[int | None, list[int]] = defaultdict(list)
    for place, _ in after.ordered:
        old = before.by_id.get(place.pk)
        if old is None:
            continue
        if old.parent_id != place.parent_id:
            moved.add(place.pk)
        else:
            survivors_by_parent[place.parent_id].append(place.pk)
    for ids in survivors_by_parent.values():
        kept = _longest_increasing(ids, before.rank)
        moved.update(set(ids) - kept)
    return moved


def _longest_increasing(ids: list[int], rank: dict[int, int]) -> set[int]:
    """The ids forming the longest subsequence whose old ranks increase (O(n log n))."""

    tails: list[int] = []
    tail_ids: list[int] = []
    previous: dict[int, int | None] = {}
    for item_id in ids:
        r = rank[item_id]
        i = bisect.bisect_left(tails, r)
        previous[item_id] = tail_ids[i - 1] if i > 0 else None
        if i == len(tails):
            tails.append(r)
            tail_ids.append(item_id)
        else:
            tails[i] = r
            tail_ids[i] = item_id
    kept = set()
    current = tail_ids[-1] if tail_ids else None
    while current is not None:
        kept.add(current)
        current = previous[current]
    return kept
