"""The past view and comparison as they were built before issue 14 (every column of every
item, as model instances, for each moment), kept verbatim as the oracle that
``test_snapshots_match_reference`` holds ``planning.snapshots`` to."""

# ruff: noqa
import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, Value, Window
from django.db.models.functions import RowNumber

from config.html import ID, IdUrl
from partners.models import Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem
from planning.selectors import (
    ITEM_DIFF_FIELDS,
    FieldChange,
    LinkEnd,
    Names,
    OutlineRow,
    _Names,
    attach_names,
    build_rows,
)

_ITEM_FIELDS = {f.attname for f in PlanItem._meta.concrete_fields}
_PLAN_FIELDS = {f.attname for f in Plan._meta.concrete_fields}


def latest_rows_at(history_model, wanted: list[tuple[datetime, Q]], **also) -> list[list[dict]]:
    """For each (moment, condition) pair, the newest history row per object id at that
    moment, deleted objects left out; all pairs in one query (UNION ALL), so that
    comparing two moments costs no more round trips than showing one. ``also`` adds
    annotated values (a related table's column in the same query)."""
    parts = [
        history_model.objects.filter(condition, history_date__lte=when)
        .annotate(
            snapshot_index=Value(index),
            newest=Window(
                RowNumber(), partition_by=[F("id")], order_by=[F("history_date").desc(), F("history_id").desc()]
            ),
            **also,
        )
        .filter(newest=1)
        .order_by()  # history models are ordered newest first; a UNION takes no ORDER BY in its parts
        .values()
        for index, (when, condition) in enumerate(wanted)
    ]
    query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found: list[list[dict]] = [[] for _ in wanted]
    for row in query:
        if row["history_type"] != "-":
            found[row["snapshot_index"]].append(row)
    return found


@dataclass
class Snapshot:
    plan: Plan
    when: datetime
    rows: list[OutlineRow]
    by_id: dict[int, OutlineRow] = field(default_factory=dict)


def plan_at(plan: Plan, when: datetime) -> Snapshot | None:
    """The plan and its items, supporters and links as they were at ``when``; None if the
    plan did not exist yet."""
    return plans_at(plan, [when])[0]


def plans_at(plan: Plan, moments: list[datetime]) -> list[Snapshot | None]:
    """``plan_at`` for each moment, in five queries whatever the plan's size and however
    many moments: one per table for all moments at once, and one for the names."""
    plan_rows = latest_rows_at(Plan.history.model, [(when, Q(id=plan.pk)) for when in moments])
    # Links first, so that the items at both ends come in one query; items never change plan,
    # so "ever in this plan" is every history row with its plan_id.
    ever_here = PlanItem.history.model.objects.filter(plan_id=plan.pk).values("id")
    in_plan = Q(source_id__in=ever_here) | Q(target_id__in=ever_here)
    links = latest_rows_at(Link.history.model, [(when, in_plan) for when in moments])
    linked = [{row["source_id"] for row in rows} | {row["target_id"] for row in rows} for rows in links]
    item_rows = latest_rows_at(
        PlanItem.history.model,
        [(when, Q(plan_id=plan.pk) | Q(id__in=ids)) for when, ids in zip(moments, linked, strict=True)],
        plan_title=F("plan__title"),  # another plan's title as it is now, as on the plan page
    )
    items = [
        [PlanItem(**{k: v for k, v in row.items() if k in _ITEM_FIELDS}) for row in rows if row["plan_id"] == plan.pk]
        for rows in item_rows
    ]
    supporter_rows = latest_rows_at(
        ItemSupporter.history.model,
        [(when, Q(item_id__in=[item.pk for item in own])) for when, own in zip(moments, items, strict=True)],
    )
    every_item = [item for own in items for item in own]
    names = Names()
    names.load({
        User: {item.lead_officer_id for item in every_item},
        Organisation: {row["organisation_id"] for rows in supporter_rows for row in rows}
        | {item.lead_organisation_id for item in every_item},
        Indicator: {item.indicator_id for item in every_item},
    })  # fmt: skip
    attach_names(every_item, names)
    snapshots: list[Snapshot | None] = []
    for index, when in enumerate(moments):
        if not plan_rows[index]:
            snapshots.append(None)
            continue
        past_plan = Plan(**{k: v for k, v in plan_rows[index][0].items() if k in _PLAN_FIELDS})
        past_plan.parent = plan.parent
        supporters = _supporters(supporter_rows[index], names.found[Organisation])
        rows = build_rows(past_plan, _reading_order(items[index]), supporters, slug=plan.slug)
        others = {row["id"]: row for row in item_rows[index] if row["plan_id"] != plan.pk}
        _attach_links(rows, links[index], others, past_plan.title)
        snapshots.append(Snapshot(plan=past_plan, when=when, rows=rows, by_id={row.item.pk: row for row in rows}))
    return snapshots


def _supporters(rows: list[dict], organisations: dict[int, Organisation]) -> dict[int, list[Organisation]]:
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


def _attach_links(rows: list[OutlineRow], links: list[dict], others: dict[int, dict], own_title: str) -> None:
    """Each row's links out and back as they were, naming the other end as it was then."""
    if not links:
        return
    by_id = {row.item.pk: row for row in rows}
    permalink = IdUrl("planning:item-permalink", ID)
    ends = dict(others)
    ends.update({pk: {"title": row.item.title, "plan_title": own_title} for pk, row in by_id.items()})
    for link in links:
        relation = Link.Relation(link["relation"])
        for own, other, label, side in (
            (link["source_id"], link["target_id"], relation.label, "links_out"),
            (link["target_id"], link["source_id"], Link.INVERSE_LABELS[relation], "links_in"),
        ):
            if own in by_id and other in ends:
                getattr(by_id[own], side).append(
                    LinkEnd(
                        relation=label,
                        title=ends[other]["title"],
                        plan_title=ends[other]["plan_title"] or "",
                        url=permalink(other),
                        note=link["note"],
                        plan_id=ends[other].get("plan_id"),
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
_COMPARED_COLUMNS = [(name, PlanItem._meta.get_field(name).attname) for name in COMPARED_FIELDS]


def compare(before: Snapshot, after: Snapshot) -> list[ItemDifference]:
    """Items added, removed, moved, renumbered and changed between two snapshots, in the
    reading order of the later one (removed items last)."""
    rows = [*before.rows, *after.rows]
    known = {  # the snapshots attached these already (Names): no query for them here
        name: {getattr(r.item, f"{name}_id"): str(getattr(r.item, name)) for r in rows if _attached(r.item, name)}
        for name in ("lead_officer", "lead_organisation", "indicator")
    }
    values = {id(r): _as_row(r.item) for r in rows}  # each item's values once
    names = _Names(PlanItem, list(values.values()), COMPARED_FIELDS, known=known)
    moved = _moved_ids(before, after)
    differences: list[ItemDifference] = []
    for row in after.rows:
        item = row.item
        old = before.by_id.get(item.pk)
        if old is None:
            differences.append(ItemDifference("added", row.label, item.title, after_reference=row.reference))
            continue
        changes = []
        old_values, new_values = values[id(old)], values[id(row)]
        for name, column in _COMPARED_COLUMNS:
            if old_values[column] == new_values[column]:
                continue  # the same stored value shows the same
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


def _attached(item: PlanItem, name: str) -> bool:
    return PlanItem._meta.get_field(name).is_cached(item)


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
