"""A plan as it stood at any moment, rebuilt from history, and the differences between
two moments.

One query per table reads "the latest history row of each object up to the moment"
(a ``RowNumber`` window), deletions are dropped in Python afterwards (filtering them in
SQL would run before the window and bring deleted items back), and the tree is rebuilt
from ``parent`` + ``position`` (tree-and-history.md).
"""

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber
from django.urls import reverse

from partners.models import Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem
from planning.selectors import ITEM_DIFF_FIELDS, FieldChange, LinkEnd, OutlineRow, _Names, build_rows

_ITEM_FIELDS = {f.attname for f in PlanItem._meta.concrete_fields}
_PLAN_FIELDS = {f.attname for f in Plan._meta.concrete_fields}


def latest_rows(history_model, when: datetime, condition: Q) -> list[dict]:
    """The newest history row per object id at ``when``, deleted objects left out."""
    rows = (
        history_model.objects.filter(condition, history_date__lte=when)
        .annotate(
            newest=Window(
                RowNumber(), partition_by=[F("id")], order_by=[F("history_date").desc(), F("history_id").desc()]
            )
        )
        .filter(newest=1)
        .values()
    )
    return [row for row in rows if row["history_type"] != "-"]


@dataclass
class Snapshot:
    plan: Plan
    when: datetime
    rows: list[OutlineRow]
    by_id: dict[int, OutlineRow] = field(default_factory=dict)


def plan_at(plan: Plan, when: datetime) -> Snapshot | None:
    """The plan and its items, supporters and links as they were at ``when``; None if the
    plan did not exist yet. A fixed number of queries whatever the plan's size."""
    plan_rows = latest_rows(Plan.history.model, when, Q(id=plan.pk))
    if not plan_rows:
        return None
    past_plan = Plan(**{k: v for k, v in plan_rows[0].items() if k in _PLAN_FIELDS})
    past_plan.parent = plan.parent
    item_rows = latest_rows(PlanItem.history.model, when, Q(plan_id=plan.pk))
    items = [PlanItem(**{k: v for k, v in row.items() if k in _ITEM_FIELDS}) for row in item_rows]
    _attach_related(items)
    ids = [item.pk for item in items]
    supporters = _supporters_at(ids, when)
    links = latest_rows(Link.history.model, when, Q(source_id__in=ids) | Q(target_id__in=ids))
    ordered = _reading_order(items)
    rows = build_rows(past_plan, ordered, supporters, url_prefix=plan.get_absolute_url())
    _attach_links(rows, links, when)
    return Snapshot(plan=past_plan, when=when, rows=rows, by_id={row.item.pk: row for row in rows})


def _attach_related(items: list[PlanItem]) -> None:
    """Set each item's lead officer, lead organisation and indicator from one query each."""
    for name, model in (("lead_officer", User), ("lead_organisation", Organisation), ("indicator", Indicator)):
        ids = {getattr(item, f"{name}_id") for item in items} - {None}
        found = model.objects.in_bulk(ids) if ids else {}
        for item in items:
            value = found.get(getattr(item, f"{name}_id"))
            if value is not None:
                setattr(item, name, value)


def _supporters_at(item_ids: list[int], when: datetime) -> dict[int, list[Organisation]]:
    rows = latest_rows(ItemSupporter.history.model, when, Q(item_id__in=item_ids))
    organisations = Organisation.objects.in_bulk({row["organisation_id"] for row in rows})
    supporters: dict[int, list[Organisation]] = defaultdict(list)
    for row in rows:
        if row["organisation_id"] in organisations:
            supporters[row["item_id"]].append(organisations[row["organisation_id"]])
    for orgs in supporters.values():
        orgs.sort(key=lambda org: org.name)
    return supporters


def _reading_order(items: list[PlanItem]) -> list[tuple[PlanItem, int]]:
    """Depth-first from the root, siblings by position: (item, depth) in reading order."""
    children: dict[int | None, list[PlanItem]] = defaultdict(list)
    for item in items:
        children[item.parent_id].append(item)
    for siblings in children.values():
        siblings.sort(key=lambda item: (item.position, item.pk))
    ordered: list[tuple[PlanItem, int]] = []
    stack = [(root, 0) for root in reversed(children[None])]
    while stack:
        item, depth = stack.pop()
        ordered.append((item, depth))
        stack.extend((child, depth + 1) for child in reversed(children[item.pk]))
    return ordered


def _attach_links(rows: list[OutlineRow], links: list[dict], when: datetime) -> None:
    """Each row's links out and back as they were, naming the other end as it was then."""
    if not links:
        return
    by_id = {row.item.pk: row for row in rows}
    other_ids = {row["source_id"] for row in links} | {row["target_id"] for row in links}
    ends = {row["id"]: row for row in latest_rows(PlanItem.history.model, when, Q(id__in=other_ids - by_id.keys()))}
    ends.update({pk: {"title": row.item.title, "plan_id": row.item.plan_id} for pk, row in by_id.items()})
    plans = Plan.objects.in_bulk({end["plan_id"] for end in ends.values()})
    for link in links:
        relation = Link.Relation(link["relation"])
        for own, other, label, side in (
            (link["source_id"], link["target_id"], relation.label, "links_out"),
            (link["target_id"], link["source_id"], Link.INVERSE_LABELS[relation], "links_in"),
        ):
            if own in by_id and other in ends:
                plan = plans.get(ends[other]["plan_id"])
                getattr(by_id[own], side).append(
                    LinkEnd(
                        relation=label,
                        title=ends[other]["title"],
                        plan_title=plan.title if plan else "",
                        url=reverse("planning:item-permalink", args=[other]),
                        note=link["note"],
                    )
                )


# --- comparing two moments ---------------------------------------------------------------


@dataclass
class ItemDifference:
    kind: str  # added, removed, moved, renumbered, changed
    label: str
    title: str
    before_reference: str = ""
    after_reference: str = ""
    changes: list[FieldChange] = field(default_factory=list)


COMPARED_FIELDS = [name for name in ITEM_DIFF_FIELDS if name not in {"parent", "position", "kind"}]


def compare(before: Snapshot, after: Snapshot) -> list[ItemDifference]:
    """Items added, removed, moved, renumbered and changed between two snapshots, in the
    reading order of the later one (removed items last)."""
    names = _Names(
        PlanItem,
        [_as_row(r.item) for r in before.rows] + [_as_row(r.item) for r in after.rows],
        COMPARED_FIELDS,
    )
    moved = _moved_ids(before, after)
    differences: list[ItemDifference] = []
    for row in after.rows:
        item = row.item
        old = before.by_id.get(item.pk)
        if old is None:
            differences.append(ItemDifference("added", row.label, item.title, after_reference=row.reference))
            continue
        changes = []
        old_values, new_values = _as_row(old.item), _as_row(item)
        for name in COMPARED_FIELDS:
            a, b = names.display(name, old_values), names.display(name, new_values)
            if a != b:
                changes.append(FieldChange(name, str(PlanItem._meta.get_field(name).verbose_name).capitalize(), a, b))
        old_names = sorted(o.name for o in old.supporters)
        new_names = sorted(o.name for o in row.supporters)
        if old_names != new_names:
            changes.append(FieldChange("supporters", "Supported by", ", ".join(old_names), ", ".join(new_names)))
        kind = "moved" if item.pk in moved else ("renumbered" if old.reference != row.reference else "")
        if kind or changes:
            differences.append(
                ItemDifference(
                    kind or "changed",
                    row.label,
                    item.title,
                    before_reference=old.reference,
                    after_reference=row.reference,
                    changes=changes,
                )
            )
    for row in before.rows:
        if row.item.pk not in after.by_id:
            differences.append(ItemDifference("removed", row.label, row.item.title, before_reference=row.reference))
    return differences


def _as_row(item: PlanItem) -> dict:
    row = {f.attname: getattr(item, f.attname) for f in PlanItem._meta.concrete_fields}
    row["history_user_id"] = None
    return row


def _moved_ids(before: Snapshot, after: Snapshot) -> set[int]:
    """Items with a new parent, or outside the longest run of surviving siblings that kept
    their relative order (so one item moved up is "moved", the ones it passed are not)."""
    moved = set()
    survivors_by_parent: dict[int | None, list[int]] = defaultdict(list)
    for row in after.rows:
        old = before.by_id.get(row.item.pk)
        if old is None:
            continue
        if old.item.parent_id != row.item.parent_id:
            moved.add(row.item.pk)
        else:
            survivors_by_parent[row.item.parent_id].append(row.item.pk)
    old_rank = {row.item.pk: index for index, row in enumerate(before.rows)}
    for ids in survivors_by_parent.values():
        kept = _longest_increasing(ids, old_rank)
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
