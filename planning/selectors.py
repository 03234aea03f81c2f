"""Reads of plans: outlines in reading order, and history with field differences.

Each function runs a fixed number of queries whatever the size of the plan; the
tests pin those counts.
"""

import functools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import NamedTuple, cast

from django.db.models import Count, Exists, F, Field, Model, OuterRef, Prefetch, Q, QuerySet, Subquery, Value
from django.utils.translation import get_language, gettext_lazy, gettext_noop
from django.utils.translation import gettext as _
from simple_history.utils import get_history_manager_for_model

from config.html import ID, IdUrl
from partners.models import Organisation, PartnershipLead, PartnershipMember, User
from planning.access import plans_for, unpublished_plan_ids, unreadable_plan_ids
from planning.formatting import field_text
from planning.models import (
    Comment,
    Consultation,
    DraftingGroup,
    DraftingGroupMember,
    Indicator,
    ItemSupporter,
    Link,
    Plan,
    PlanItem,
    PlanQuerySet,
    PlanShare,
    SignOff,
)


@dataclass
class LinkEnd:
    """The other end of a link as a page shows it: "contributes to <title> (<plan>)".
    ``hidden``: in a plan the reader may not read, so only the relation is shown (with
    ``HIDDEN_ITEM`` for its title and no address)."""

    relation: str
    title: str
    plan_title: str
    url: str
    note: str = ""
    plan_organisation: str = ""
    link_id: int | None = None
    plan_id: int | None = None
    hidden: bool = False
    # the Welsh of the title and the plan's title, where written: pages show the reader's
    # language through config.bilingual (decision 0033)
    title_cy: str = ""
    plan_title_cy: str = ""


@dataclass
class OutlineRow:
    """One item of a plan as the plan page shows it."""

    item: PlanItem
    reference: str
    depth: int
    label: str
    supporters: list[Organisation] = field(default_factory=list)
    child_kinds: list[tuple[str, str]] = field(default_factory=list)
    is_first: bool = False
    is_last: bool = False
    url: str = ""  # the item's page
    links_out: list[LinkEnd] = field(default_factory=list)
    links_in: list[LinkEnd] = field(default_factory=list)


# the English, marked for the catalogue (gettext_noop); written in the reader's words where used
HIDDEN_ITEM = gettext_noop("An item in a plan not shared with you")
HIDDEN_PLANS = gettext_noop("Plans not shared with you")
# on the public pages (issue 16) every plan that is not published is hidden, whoever reads
PUBLIC_HIDDEN_ITEM = gettext_noop("An item in a plan that is not published")
PUBLIC_HIDDEN_PLANS = gettext_noop("Plans that are not published")

# the page an outline's items link to: the app's item page, or the public one (issue 16)
ITEM_PAGE = "planning:item-detail"
PUBLIC_ITEM_PAGE = "public:item-detail"


def _hidden(end: LinkEnd, wording: tuple[str, str]) -> LinkEnd:
    return LinkEnd(
        relation=end.relation, title=wording[0], plan_title=wording[1], url="", link_id=end.link_id, hidden=True
    )


def hide_link_ends(rows: list[OutlineRow], hidden_plans: frozenset[int], *, public: bool = False) -> list[OutlineRow]:
    """Blank every link end in ``hidden_plans`` (``planning.access`` names them for a
    reader): the link's relation stays, so the reader sees that one exists; its title,
    plan, organisation, note and address go. Rows are changed in place and returned.
    ``public``: worded for the public pages (the plan is not published, rather than not
    shared with the reader)."""
    if not hidden_plans:
        return rows
    wording = (_(PUBLIC_HIDDEN_ITEM), _(PUBLIC_HIDDEN_PLANS)) if public else (_(HIDDEN_ITEM), _(HIDDEN_PLANS))
    for row in rows:
        row.links_out = [_hidden(end, wording) if end.plan_id in hidden_plans else end for end in row.links_out]
        row.links_in = [_hidden(end, wording) if end.plan_id in hidden_plans else end for end in row.links_in]
        row.links_in.sort(key=_back_order)
    return rows


def without_lead_officers(rows: list[OutlineRow]) -> list[OutlineRow]:
    """Rows as the public pages show them: the lead organisation, not the officer, is named
    (docs/decisions/0016). Rows are changed in place and returned."""
    for row in rows:
        row.item.lead_officer = None
    return rows


def _back_order(end: LinkEnd) -> tuple:
    """Links back grouped by plan (the item page groups them so), hidden ones last."""
    return (end.hidden, end.plan_title, end.title)


def references(items: list[PlanItem]) -> dict[int, str]:
    """ "2.3.1" for each item, from its rank among its siblings in reading order.

    The vision has no number; its children are 1, 2, 3 and so on down.
    """
    refs: dict[int, str] = {}
    counters: dict[int | None, int] = defaultdict(int)
    for item in items:
        counters[item.parent_id] += 1
        parent_ref = refs.get(item.parent_id, "")
        if item.parent_id is None:
            refs[item.pk] = ""
        else:
            rank = str(counters[item.parent_id])
            refs[item.pk] = f"{parent_ref}.{rank}" if parent_ref else rank
    return refs


def items_with_references(plan: Plan) -> tuple[list[PlanItem], dict[int, str]]:
    """The plan's items in reading order, with their lead officer, lead organisation and
    indicator, and each item's reference: the rows of the plan and returns exports."""
    items = list(
        PlanItem.objects.filter(plan=plan)
        .select_related("lead_officer", "lead_organisation", "indicator")
        .in_tree_order()
    )
    return items, references(items)


def plan_references(plan_ids: Iterable[int]) -> dict[int, str]:
    """Every item's reference in the plans ``plan_ids``, from their shape alone (ids only,
    one query): a reference counts siblings across the whole plan, so even a page about one
    item reads its plan's shape."""
    ids = set(plan_ids)
    if not ids:
        return {}
    shape = PlanItem.objects.filter(plan_id__in=ids).in_tree_order().values_list("pk", "parent_id", named=True)
    return references(list(shape))


def _plan_shape(plan: Plan, *columns: str) -> list:
    """The plan's items in reading order as named tuples of ``pk``, ``parent_id`` and
    ``columns``: no model instances, no names, links or supporters (one query)."""
    return list(PlanItem.objects.filter(plan=plan).in_tree_order().values_list("pk", "parent_id", *columns, named=True))


def move_choices(plan: Plan, item: PlanItem, within: PlanItem | None = None) -> list[tuple[int, str]]:
    """Where ``item`` may move, in reading order: "1.3 Priority: Title" for each item of a
    kind allowed above it that is neither the item nor under it (and, for a drafting group's
    member, inside their part ``within``). Read from the plan's shape with titles (one
    query): the move form offered these by building the whole outline, at 350 ms for a
    2,000-item plan (issue 14)."""
    shape = _plan_shape(plan, "kind", "title")
    refs = references(shape)
    allowed = PlanItem.ALLOWED_PARENTS[item.kind] or set()
    moving = {item.pk}
    inside = {row.pk for row in shape} if within is None else {within.pk}
    choices = []
    for row in shape:  # reading order: a parent comes before everything under it
        if row.parent_id in inside:
            inside.add(row.pk)
        if row.parent_id in moving:
            moving.add(row.pk)
        elif row.kind in allowed and row.pk not in moving and row.pk in inside:
            choices.append((row.pk, f"{refs[row.pk]} {plan.label_for(row.kind)}: {row.title}".strip()))
    return choices


def is_allowed_parent(item: PlanItem, parent_id: int, within: PlanItem | None = None) -> bool:
    """Whether ``item`` may move under ``parent_id`` (one query, whatever the plan's size):
    in the same plan, of a kind allowed above it, not the item or under it, and inside the
    drafting part ``within`` when given. The move form checks the one parent posted instead
    of listing every choice; the service checks again under the plan's lock."""
    allowed = PlanItem.ALLOWED_PARENTS[item.kind] or set()
    parents = PlanItem.objects.filter(pk=parent_id, plan_id=item.plan_id, kind__in=allowed)
    if within is not None:
        parents = parents.filter(lft__gte=within.lft, rght__lte=within.rght)
    return parents.exclude(tree_id=item.tree_id, lft__gte=item.lft, lft__lte=item.rght).exists()


def subtree_rows(plan: Plan, item: PlanItem) -> list[OutlineRow]:
    """``item`` and everything under it, in reading order, with references and labels: the
    delete confirmation's list. References count siblings across the whole plan, so the
    plan's shape is read (ids only); titles and kinds only for the subtree (two queries)."""
    refs = plan_references([plan.pk])
    items = list(
        item.get_descendants(include_self=True).only(
            "id", "parent_id", "kind", "title", "title_cy", "tree_id", "lft", "level"
        )
    )
    return [
        OutlineRow(item=each, reference=refs[each.pk], depth=each.level - item.level, label=plan.label_for(each.kind))
        for each in items
    ]


_NamedModel = type[User] | type[Organisation] | type[Indicator] | type[Plan]


class Names:
    """People, organisations and indicators by id, looked up together in one query: the
    names shown are today's (a person's name is not plan content). Each comes back as an
    unsaved instance holding what pages show of it (``str()``, ``name``)."""

    def __init__(self) -> None:
        self.found: dict[_NamedModel, dict[int, Model]] = {User: {}, Organisation: {}, Indicator: {}, Plan: {}}

    def load(self, wanted: dict[_NamedModel, set[int | None]]) -> None:
        parts = []
        for model, ids in wanted.items():
            missing = {pk for pk in ids if pk is not None} - self.found[model].keys()
            if missing:
                parts.append(_NAME_COLUMNS[model](model.objects.filter(pk__in=missing).order_by()))
        if not parts:
            return
        query = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
        for kind, pk, first, second, third in query:
            model = _NAME_KINDS[kind]
            if issubclass(model, User):
                self.found[User][pk] = User(pk=pk, username=first, first_name=second, last_name=third)
            elif issubclass(model, Plan):
                self.found[Plan][pk] = Plan(pk=pk, title=first)
            else:
                self.found[model][pk] = model(pk=pk, name=first)


_NAME_KINDS: dict[str, _NamedModel] = {"user": User, "organisation": Organisation, "indicator": Indicator, "plan": Plan}
_NAME_COLUMNS: dict[_NamedModel, Callable[[QuerySet], QuerySet]] = {
    User: lambda qs: qs.annotate(name_kind=Value("user")).values_list(
        "name_kind", "pk", "username", "first_name", "last_name"
    ),
    Organisation: lambda qs: qs.annotate(name_kind=Value("organisation"), a=Value(""), b=Value("")).values_list(
        "name_kind", "pk", "name", "a", "b"
    ),
    Indicator: lambda qs: qs.annotate(name_kind=Value("indicator"), a=Value(""), b=Value("")).values_list(
        "name_kind", "pk", "name", "a", "b"
    ),
    Plan: lambda qs: qs.annotate(name_kind=Value("plan"), a=Value(""), b=Value("")).values_list(
        "name_kind", "pk", "title", "a", "b"
    ),
}


def attach_names(items: list[PlanItem], names: Names) -> None:
    """Set each item's lead officer, lead organisation and indicator from ``names``."""
    for name, model in (("lead_officer", User), ("lead_organisation", Organisation), ("indicator", Indicator)):
        found = names.found[model]
        for item in items:
            value = found.get(getattr(item, f"{name}_id"))
            if value is not None:
                setattr(item, name, value)


def plan_outline(plan: Plan, item_page: str = ITEM_PAGE) -> list[OutlineRow]:
    """The whole plan in reading order, with each item's links out and back (four queries);
    items and link ends go to the pages ``item_page`` names."""
    items = list(PlanItem.objects.filter(plan=plan).in_tree_order())
    # leads and indicators: a few hundred distinct ones for thousands of items, so each is
    # made once (one query) rather than once per item by select_related
    names = Names()
    names.load({
        User: {item.lead_officer_id for item in items},
        Organisation: {item.lead_organisation_id for item in items},
        Indicator: {item.indicator_id for item in items},
    })  # fmt: skip
    attach_names(items, names)
    supporters: dict[int, list[Organisation]] = defaultdict(list)
    for row in (
        ItemSupporter.objects.filter(item__plan=plan).select_related("organisation").order_by("organisation__name")
    ):
        supporters[row.item_id].append(row.organisation)
    root_level = items[0].level if items else 0
    rows = build_rows(
        plan, [(item, item.level - root_level) for item in items], supporters, plan.slug, item_page=item_page
    )
    _attach_current_links(rows, plan, item_page=item_page)
    return rows


class ShapeRow(NamedTuple):
    """One item of a plan as far as knowing whether its outline row has changed needs: its
    place (reference, first or last among its siblings), its ``version`` (every write of an
    item raises it: ``planning.conflicts``) and the ids of the people, organisation and
    indicator it names. A tuple: 2,000 of them are made for every check."""

    pk: int
    parent_id: int | None
    version: int
    kind: str
    depth: int
    named: tuple[int | None, int | None, int | None]  # lead officer, lead organisation, indicator
    reference: str
    is_first: bool
    is_last: bool
    beneath: int  # items beneath it, read or not


@dataclass
class PlanShape:
    """A plan's items in reading order with what their outline rows show besides the items'
    own columns: supporters and link ends (with today's names and titles), and today's names
    of the leads and indicators (``attach_names``). Read by ``plan_shape`` in three queries,
    so the outline cache can tell which parts changed without building any row."""

    rows: list[ShapeRow]
    items: int  # in the whole plan, read or not
    supporters: dict[int, list[Organisation]]
    links_out: dict[int, list[LinkEnd]]
    links_in: dict[int, list[LinkEnd]]
    names: Names


_SHAPE_COLUMNS = (
    "pk", "parent_id", "version", "kind", "level",
    "lead_officer_id", "lead_officer__username", "lead_officer__first_name", "lead_officer__last_name",
    "lead_organisation_id", "lead_organisation__name", "indicator_id", "indicator__name", "lft", "rght",
)  # fmt: skip
_LINK_COLUMNS = (
    "pk", "relation", "note",
    "source_id", "source__title", "source__plan_id", "source__plan__title", "source__plan__slug",
    "source__title_cy", "source__plan__title_cy",
    "target_id", "target__title", "target__plan_id", "target__plan__title", "target__plan__slug",
    "target__title_cy", "target__plan__title_cy",
)  # fmt: skip


def plan_shape(
    plan: Plan, *, top_over: int | None = None, opened: int | None = None, item_page: str = ITEM_PAGE
) -> PlanShape:
    """The plan's ``PlanShape`` (three queries of a few columns each; no model is built for
    an item, which is what made ``plan_outline`` cost 100 ms and more at 2,000 items).

    With ``top_over``, a plan of more items is read only as far as its top items (the
    vision's children: a long plan's page opens at those) and everything under the top item
    that holds the item ``opened``; ``items`` still counts the whole plan. Link ends go to
    the pages ``item_page`` names (the app's item page, or the public one)."""
    items = PlanItem.objects.filter(plan=plan)
    if top_over is not None:
        plans_items = PlanItem.objects.filter(plan=plan).order_by()
        whole = plans_items.filter(level=0, rght__lte=2 * top_over).values("pk")  # mptt numbers: 2 per item
        shown = Q(level__lte=1) | Q(Exists(whole))
        if opened is not None:
            held = plans_items.filter(pk=opened)
            top = plans_items.filter(
                level=1, lft__lte=Subquery(held.values("lft")), rght__gte=Subquery(held.values("rght"))
            )
            shown |= Q(lft__gt=Subquery(top.values("lft")), rght__lt=Subquery(top.values("rght")))
        items = items.filter(shown)
    names = Names()
    people, organisations, indicators = names.found[User], names.found[Organisation], names.found[Indicator]
    rows: list[ShapeRow] = []
    refs: dict[int | None, str] = {}
    counts: dict[int | None, int] = defaultdict(int)
    last: dict[int | None, int] = {}  # each parent's last child, by index in ``rows``
    root_level = None
    for (
        pk, parent_id, version, kind, level, officer, username, first, last_name, organisation, organisation_name,
        indicator, indicator_name, lft, rght,
    ) in items.in_tree_order().values_list(*_SHAPE_COLUMNS):  # fmt: skip
        # each person, organisation and indicator made once: a model costs more than its row
        if officer is not None and officer not in people:
            people[officer] = User(pk=officer, username=username, first_name=first, last_name=last_name)
        if organisation is not None and organisation not in organisations:
            organisations[organisation] = Organisation(pk=organisation, name=organisation_name)
        if indicator is not None and indicator not in indicators:
            indicators[indicator] = Indicator(pk=indicator, name=indicator_name)
        root_level = level if root_level is None else root_level
        counts[parent_id] += 1
        rank = counts[parent_id]  # as ``references`` counts: the vision has none, its children 1, 2...
        parent_ref = refs.get(parent_id, "")
        refs[pk] = "" if parent_id is None else f"{parent_ref}.{rank}" if parent_ref else str(rank)
        last[parent_id] = len(rows)
        named = (officer, organisation, indicator)
        beneath = (rght - lft - 1) // 2  # mptt's numbers: two for each item
        rows.append(
            ShapeRow(pk, parent_id, version, kind, level - root_level, named, refs[pk], rank == 1, False, beneath)
        )
    for index in last.values():
        rows[index] = rows[index]._replace(is_last=True)
    # supporters and links of the rows read: by plan when that is all of them, else by id
    whole_plan = not rows or len(rows) == rows[0].beneath + 1
    pks = [row.pk for row in rows]
    read = Q(item__plan=plan) if whole_plan else Q(item_id__in=pks)
    supporters: dict[int, list[Organisation]] = defaultdict(list)
    supporting: dict[int, Organisation] = {}  # not the leads' (a name could change between the queries)
    for item_id, organisation_id, name in (
        ItemSupporter.objects.filter(read)
        .order_by("organisation__name", "organisation_id")
        .values_list("item_id", "organisation_id", "organisation__name")
    ):
        if organisation_id not in supporting:
            supporting[organisation_id] = Organisation(pk=organisation_id, name=name)
        supporters[item_id].append(supporting[organisation_id])
    links_out: dict[int, list[LinkEnd]] = defaultdict(list)
    links_in: dict[int, list[LinkEnd]] = defaultdict(list)
    item_urls: dict[str, IdUrl] = {}
    labels = dict(Link.Relation.choices)
    for pk, relation, note, *ends in (
        Link.objects.filter(
            Q(source__plan=plan) | Q(target__plan=plan) if whole_plan else Q(source__in=pks) | Q(target__in=pks)
        )
        .order_by("pk")
        .values_list(*_LINK_COLUMNS)
    ):
        source, target = ends[:7], ends[7:]
        links_out[source[0]].append(_shape_end(str(labels[relation]), target, pk, note, item_urls, item_page))
        links_in[target[0]].append(
            _shape_end(str(Link.INVERSE_LABELS[Link.Relation(relation)]), source, pk, note, item_urls, item_page)
        )
    for ends_in in links_in.values():
        ends_in.sort(key=_back_order)
    return PlanShape(rows, rows[0].beneath + 1 if rows else 0, supporters, links_out, links_in, names)


def _shape_end(
    label: str, other: list, link_id: int, note: str, item_urls: dict[str, IdUrl], item_page: str
) -> LinkEnd:
    pk, title, plan_id, plan_title, slug, title_cy, plan_title_cy = other
    if slug not in item_urls:
        item_urls[slug] = IdUrl(item_page, slug, ID)
    return LinkEnd(
        relation=label, title=title, plan_title=plan_title, url=item_urls[slug](pk), note=note, link_id=link_id,
        plan_id=plan_id, title_cy=title_cy, plan_title_cy=plan_title_cy,
    )  # fmt: skip


def outline_rows(plan: Plan, shape: PlanShape, pks: list[int], item_page: str = ITEM_PAGE) -> list[OutlineRow]:
    """The outline rows of the items ``pks`` (in reading order) of ``plan`` read as ``shape``:
    one query for the items themselves; everything else comes from the shape, so a part of
    the outline is built exactly as the whole would be."""
    found = PlanItem.objects.in_bulk(pks)
    items = [found[pk] for pk in pks if pk in found]
    attach_names(items, shape.names)
    by_id = {row.pk: row for row in shape.rows}
    rows = build_rows(
        plan,
        [(item, by_id[item.pk].depth) for item in items],
        shape.supporters,
        plan.slug,
        refs={pk: by_id[pk].reference for pk in pks},
        edges={pk: (by_id[pk].is_first, by_id[pk].is_last) for pk in pks},
        item_page=item_page,
    )
    for row in rows:
        row.links_out = list(shape.links_out.get(row.item.pk, ()))
        row.links_in = list(shape.links_in.get(row.item.pk, ()))
    return rows


def item_outline(
    plan: Plan, item: PlanItem, *, reader: User | None
) -> tuple[OutlineRow, list[OutlineRow], list[OutlineRow]]:
    """An item's row, its ancestors' rows (top first) and its children's, for the item page,
    as ``reader`` may see them: links into plans they may not read are hidden. With no
    ``reader``, as the public item page shows it (issue 16): links to public item pages,
    and every plan that is not published hidden, whoever reads.

    References count siblings across the whole plan, so the plan's shape is read (ids
    only); the rows themselves are built for those few items alone. Four queries whatever
    the size of the plan (a 2,000-item plan's whole outline took 200 ms for one item)."""
    shape = _plan_shape(plan)
    refs = references(shape)
    parents = dict(shape)
    ancestor_ids = []
    parent = parents.get(item.pk)
    while parent is not None:
        ancestor_ids.append(parent)
        parent = parents[parent]
    wanted = [*reversed(ancestor_ids), item.pk, *(pk for pk, parent_id in shape if parent_id == item.pk)]
    found = PlanItem.objects.select_related("lead_officer", "lead_organisation", "indicator").in_bulk(wanted)
    supporters: dict[int, list[Organisation]] = defaultdict(list)
    for row in (
        ItemSupporter.objects.filter(item_id__in=wanted).select_related("organisation").order_by("organisation__name")
    ):
        supporters[row.item_id].append(row.organisation)
    ordered = [(found[pk], 0) for pk in wanted if pk in found]
    item_page = ITEM_PAGE if reader is not None else PUBLIC_ITEM_PAGE
    rows = build_rows(plan, ordered, supporters, plan.slug, refs=refs, item_page=item_page)
    _attach_current_links(rows, plan, Q(source_id__in=wanted) | Q(target_id__in=wanted), item_page)
    ends = {end.plan_id for row in rows for end in (*row.links_out, *row.links_in)}
    if reader is None:
        hide_link_ends(rows, unpublished_plan_ids(ends), public=True)
    else:
        hide_link_ends(rows, unreadable_plan_ids(reader, ends))
    by_id = {row.item.pk: row for row in rows}
    return (
        by_id[item.pk],
        [by_id[pk] for pk in reversed(ancestor_ids)],
        [by_id[pk] for pk in wanted[len(ancestor_ids) + 1 :]],
    )


def build_rows(
    plan: Plan,
    ordered: list[tuple[PlanItem, int]],
    supporters: dict[int, list[Organisation]],
    slug: str,
    refs: dict[int, str] | None = None,
    edges: dict[int, tuple[bool, bool]] | None = None,
    item_page: str = ITEM_PAGE,
) -> list[OutlineRow]:
    """Outline rows from items already in reading order with their depths; shared by the
    present plan page, past views and the item page (which passes ``refs`` counted on the
    whole plan, since it builds rows for a few items only). Items link to their pages in
    the plan ``slug`` names (a past view's items link to the plan as it is now). ``edges``
    (first, last among its siblings, by item) for rows that are not all of their siblings."""
    refs = refs if refs is not None else references([item for item, _ in ordered])
    item_url = IdUrl(item_page, slug, ID)
    sibling_counts: dict[int | None, int] = defaultdict(int)
    ranks: dict[int, int] = {}
    for item, _depth in ordered:
        sibling_counts[item.parent_id] += 1
        ranks[item.pk] = sibling_counts[item.parent_id]
    rows = []
    for item, depth in ordered:
        item.plan = plan
        rows.append(
            OutlineRow(
                item=item,
                reference=refs[item.pk],
                depth=depth,
                label=plan.label_for(item.kind),
                supporters=supporters.get(item.pk, []),
                child_kinds=[(kind, plan.label_for(kind)) for kind in PlanItem.child_kinds(item.kind)],
                is_first=edges[item.pk][0] if edges else ranks[item.pk] == 1,
                is_last=edges[item.pk][1] if edges else ranks[item.pk] == sibling_counts[item.parent_id],
                url=item_url(item.pk),
            )
        )
    return rows


def _attach_current_links(
    rows: list[OutlineRow], plan: Plan, which: Q | None = None, item_page: str = ITEM_PAGE
) -> None:
    by_id = {row.item.pk: row for row in rows}
    which = which if which is not None else Q(source__plan=plan) | Q(target__plan=plan)
    links = Link.objects.filter(which).select_related("source__plan__organisation", "target__plan__organisation")
    item_urls: dict[str, IdUrl] = {}  # one pattern per plan at the links' other ends
    for link in links:
        if link.source_id in by_id:
            by_id[link.source_id].links_out.append(
                _link_end(link.get_relation_display(), link.target, link, item_urls, item_page)
            )
        if link.target_id in by_id:
            by_id[link.target_id].links_in.append(
                _link_end(
                    str(Link.INVERSE_LABELS[Link.Relation(link.relation)]), link.source, link, item_urls, item_page
                )
            )
    for row in rows:
        row.links_in.sort(key=_back_order)


def _link_end(label: str, other: PlanItem, link: Link, item_urls: dict[str, IdUrl], item_page: str) -> LinkEnd:
    slug = other.plan.slug
    if slug not in item_urls:
        item_urls[slug] = IdUrl(item_page, slug, ID)
    return LinkEnd(
        relation=label,
        title=other.title,
        plan_title=other.plan.title,
        url=item_urls[slug](other.pk),
        note=link.note,
        plan_organisation=other.plan.organisation.name,
        link_id=link.pk,
        plan_id=other.plan_id,
        title_cy=other.title_cy,
        plan_title_cy=other.plan.title_cy,
    )


def plan_forest(plans: PlanQuerySet) -> list[tuple[Plan, int]]:
    """Visible plans in tree order with their depth among the visible ones.

    A plan whose parent the reader cannot see is shown at the top level.
    """
    ordered = list(plans.in_tree_order())
    visible = {plan.pk for plan in ordered}
    depth: dict[int, int] = {}
    result = []
    for plan in ordered:
        depth[plan.pk] = depth[plan.parent_id] + 1 if plan.parent_id in visible else 0
        result.append((plan, depth[plan.pk]))
    return result


def count_by(queryset: QuerySet, *columns: str) -> dict:
    """The rows of ``queryset`` counted per value of ``columns`` (one query): ``{value: n}``
    for one column, ``{(value, value): n}`` for several.

    Every count grouped by a column goes through here, because the queryset's ordering
    must go first: Django groups by the ordering's columns as well, and django-mptt's
    managers order every query by ``(tree_id, lft)``, so a plan's items counted by plan
    came back as one group per item ("1 item" for every plan)."""
    rows = queryset.order_by().values_list(*columns).annotate(n=Count("pk")).values_list(*columns, "n")
    if len(columns) == 1:
        return dict(rows)
    return {tuple(values): n for *values, n in rows}


def item_count_by_plan(plan_ids: Iterable[int]) -> dict[int, int]:
    """Number of items in each plan (one query)."""
    return count_by(PlanItem.objects.filter(plan_id__in=plan_ids), "plan_id")


# --- history -------------------------------------------------------------------------

ITEM_DIFF_FIELDS = [
    *PlanItem.COMMON_FIELDS,
    *PlanItem.WELSH_FIELDS,
    "kind",
    "parent",
    "position",
    *PlanItem.COST_FIELDS,
    *PlanItem.MEASURE_FIELDS,
]
PLAN_DIFF_FIELDS = [*Plan.EDITABLE_FIELDS, *Plan.WELSH_FIELDS, "status"]
_FK_MODELS: dict[str, _NamedModel] = {
    "lead_officer": User,
    "owner": User,
    "lead_organisation": Organisation,
    "organisation": Organisation,
    "indicator": Indicator,
}
HISTORY_TYPES = {"+": gettext_lazy("Created"), "~": gettext_lazy("Changed"), "-": gettext_lazy("Deleted")}


@dataclass
class FieldChange:
    name: str
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: datetime
    who: str
    action: str
    reason: str
    object_id: int
    title: str
    object_kind: str = ""
    changes: list[FieldChange] = field(default_factory=list)


class _Names:
    """Display names for the foreign keys and choices seen in sets of history rows: every
    person, organisation, indicator and plan named in one query (``Names``), the titles of
    items' parents in a second (from history, so a deleted parent keeps its title). A page
    of several models' history (a plan's and its items') loads them together, ``for_rows``;
    with ``known`` names (a comparison has them already) it makes no query at all."""

    def __init__(
        self,
        model: type[Plan] | type[PlanItem],
        rows: list[dict] | None = None,
        fields: list[str] | None = None,
        known: dict[str, dict] | None = None,
        *,
        users: dict[int, str] | None = None,
        parents: dict[int, str] | None = None,
    ) -> None:
        self.model: type[Model] = model
        self.lookup: dict[str, dict] = dict(known or {})
        self.users = users or {}
        self.parents = parents or {}
        self._shown: dict[tuple, str] = {}
        if rows is not None and fields is not None:  # on its own: load what these rows name
            loaded = _Names.for_rows([(model, rows, fields)], known=known)[0]
            self.lookup, self.users, self.parents = loaded.lookup, loaded.users, loaded.parents

    @classmethod
    def for_rows(
        cls,
        groups: list[tuple[type[Plan] | type[PlanItem], list[dict], list[str]]],
        known: dict[str, dict] | None = None,
    ) -> list["_Names"]:
        """A ``_Names`` for each (model, rows, fields) group, loaded in two queries at most."""
        known = known or {}
        wanted: dict[_NamedModel, set[int | None]] = defaultdict(set)
        item_parents: set[int] = set()
        for model, rows, fields in groups:
            for name in fields:
                related = _FK_MODELS.get(name)
                if related is not None and name not in known:
                    wanted[related].update(row[f"{name}_id"] for row in rows if row.get(f"{name}_id"))
            parent_ids = {row["parent_id"] for row in rows if row.get("parent_id")} if "parent" in fields else set()
            if model is PlanItem:
                item_parents |= parent_ids
            else:
                wanted[Plan] |= parent_ids
            wanted[User].update(row["history_user_id"] for row in rows if row["history_user_id"])
        names = Names()
        names.load(dict(wanted))
        found = {model: {pk: str(obj) for pk, obj in objects.items()} for model, objects in names.found.items()}
        titles: dict[int, str] = {}
        if item_parents:  # each parent's newest title, even if it was deleted since
            for row in (
                PlanItem.history.filter(id__in=item_parents).order_by("id", "history_date").values("id", "title")
            ):
                titles[row["id"]] = row["title"]
        lookup = {name: found[model] for name, model in _FK_MODELS.items()} | known
        return [
            cls(model, known=lookup, users=found[User], parents=titles if model is PlanItem else found[Plan])
            for model, _, _ in groups
        ]

    def display(self, name: str, row: dict) -> str:
        if name == "parent":
            value = row.get("parent_id")
            return self.parents.get(value, "") if value else "(top of plan)"
        if name in _FK_MODELS:
            value = row.get(f"{name}_id")
            return self.lookup.get(name, {}).get(value, f"#{value}") if value else ""
        value = row.get(name)
        if value is None or value == "":
            return ""
        key = (name, value)  # rows repeat their dates, amounts and statuses: each written once
        shown = self._shown.get(key)
        if shown is None:
            choices = _choice_labels(self.model, name, get_language())  # else dates and amounts as the pages write them
            shown = choices.get(value, str(value)) if choices is not None else field_text(self.model, name, value)
            self._shown[key] = shown
        return shown

    def who(self, row: dict) -> str:
        return self.users.get(row["history_user_id"], _("System")) if row["history_user_id"] else _("System")


@functools.cache
def _choice_labels(model: type[Model], name: str, language: str | None) -> dict | None:
    """A field's choice labels in a language, built once per field rather than once per cell."""
    model_field = cast(Field, model._meta.get_field(name))  # a column: never a reverse relation
    return {key: str(label) for key, label in model_field.flatchoices} if model_field.choices else None


@functools.cache
def _column(model: type[Model], name: str) -> str:
    """The field's column in a history row (``lead_officer_id`` for ``lead_officer``)."""
    return cast(Field, model._meta.get_field(name)).attname


def _field_label(model: type[Model], name: str) -> str:
    return _label_in(model, name, get_language())


@functools.cache
def _label_in(model: type[Model], name: str, language: str | None) -> str:
    """A field's label in a language, made once (a page of history writes thousands)."""
    return str(cast(Field, model._meta.get_field(name)).verbose_name).capitalize()


def _field_changes(
    model: type[Model], names: "_Names", columns: list[tuple[str, str]], before: dict, after: dict
) -> list[FieldChange]:
    """The fields that read differently in two rows of ``model`` (a stored value that is the
    same shows the same, so it is not displayed to be compared)."""
    changes = []
    for name, column in columns:
        if before.get(column) == after.get(column):
            continue
        old, new = names.display(name, before), names.display(name, after)
        if old != new:
            changes.append(FieldChange(name, _field_label(model, name), old, new))
    return changes


def _entries(
    model: type[Plan] | type[PlanItem],
    rows: list[dict],
    fields: list[str],
    previous: dict[int, dict | None],
    names: "_Names | None" = None,
) -> list[HistoryEntry]:
    """``names``: loaded already with another model's rows (``_Names.for_rows``)."""
    if names is None:
        names = _Names.for_rows([(model, rows + [p for p in previous.values() if p], fields)])[0]
    entries = []
    columns = [(name, _column(cast(type[Model], model), name)) for name in fields]
    for row in rows:
        before = previous.get(row["history_id"])
        changes = []
        if row["history_type"] == "~" and before is not None:
            changes = _field_changes(cast(type[Model], model), names, columns, before, row)
        elif row["history_type"] == "+":
            for name, column in columns:
                if name == "position" or (row.get(column) in (None, "") and name != "parent"):
                    continue  # nothing to show (an item at the top shows "(top of plan)")
                new = names.display(name, row)
                if new:
                    changes.append(FieldChange(name, _field_label(model, name), "", new))
        entries.append(
            HistoryEntry(
                when=row["history_date"],
                who=names.who(row),
                action=str(HISTORY_TYPES[row["history_type"]]),
                reason=row["history_change_reason"] or "",
                object_id=row["id"],
                title=row["title"],
                object_kind=names.display("kind", row) if "kind" in fields else "",
                changes=changes,
            )
        )
    return entries


def _with_previous(rows: list[dict]) -> dict[int, dict | None]:
    """Each row's predecessor for the same object, from rows sorted oldest first per object."""
    previous: dict[int, dict | None] = {}
    last: dict[int, dict] = {}
    for row in sorted(rows, key=lambda r: (r["id"], r["history_date"], r["history_id"])):
        previous[row["history_id"]] = last.get(row["id"])
        last[row["id"]] = row
    return previous


def item_history(plan: Plan, item_id: int) -> list[HistoryEntry]:
    """Every recorded version of one item, newest first, even after it was deleted."""
    rows = list(PlanItem.history.filter(id=item_id, plan_id=plan.pk).order_by("history_date", "history_id").values())
    entries = _entries(PlanItem, rows, ITEM_DIFF_FIELDS, _with_previous(rows))
    entries.extend(_supporter_entries(get_history_manager_for_model(ItemSupporter).filter(item_id=item_id)))
    return sorted(entries, key=lambda e: e.when, reverse=True)


def _supporter_entries(history: QuerySet) -> list[HistoryEntry]:
    rows = list(history.select_related("organisation", "history_user").order_by("history_date"))
    return [
        HistoryEntry(
            when=row.history_date,
            who=str(row.history_user) if row.history_user else _("System"),
            action=_("Supporter added") if row.history_type == "+" else _("Supporter removed"),
            reason=row.history_change_reason or "",
            object_id=row.item_id,
            title=str(row.organisation),
        )
        for row in rows
        if row.history_type in {"+", "-"}
    ]


def plan_recent_changes(plan: Plan, limit: int = 200) -> list[HistoryEntry]:
    """The latest changes to a plan and its items, newest first, with field differences."""
    recent = list(PlanItem.history.filter(plan_id=plan.pk).order_by("-history_date", "-history_id")[:limit].values())
    ids = {row["id"] for row in recent}
    oldest = min((row["history_date"] for row in recent), default=None)
    earlier = []
    if ids:
        # each recent row's predecessor: the rows for the same items up to the oldest recent one
        earlier = list(
            PlanItem.history.filter(id__in=ids, history_date__lte=oldest)
            .exclude(history_id__in=[row["history_id"] for row in recent])
            .values()
        )
    previous = _with_previous(recent + earlier)
    plan_rows = list(plan.history.order_by("history_date", "history_id").values())
    item_names, plan_names = _Names.for_rows([  # the names both name, in one query
        (PlanItem, recent + [p for p in previous.values() if p], ITEM_DIFF_FIELDS),
        (Plan, plan_rows, PLAN_DIFF_FIELDS),
    ])  # fmt: skip
    entries = _entries(PlanItem, recent, ITEM_DIFF_FIELDS, previous, item_names)
    entries.extend(_entries(Plan, plan_rows, PLAN_DIFF_FIELDS, _with_previous(plan_rows), plan_names))
    plan_kind = _("Plan")
    for entry in entries[len(recent) :]:
        entry.object_kind = plan_kind
    entries.extend(_comment_entries(plan, limit))
    return sorted(entries, key=lambda e: (e.when, e.object_kind == plan_kind), reverse=True)[:limit]


_COMMENT_ACTIONS = {
    "+": gettext_lazy("Comment added on"),
    "~": gettext_lazy("Comment updated on"),
    "-": gettext_lazy("Comment removed from"),
}


def _comment_entries(plan: Plan, limit: int) -> list[HistoryEntry]:
    """Consultation comments and responses as they happened: who commented or responded,
    when, the outcome, on which item (one query)."""
    rows = (
        get_history_manager_for_model(Comment)
        .filter(plan_id=plan.pk)
        .select_related("history_user")
        .order_by("-history_date")[:limit]
    )
    return [
        HistoryEntry(
            when=row.history_date,
            who=str(row.history_user) if row.history_user else _("System"),
            action=str(_COMMENT_ACTIONS[row.history_type]),
            reason=row.history_change_reason or "",
            object_id=row.id,
            title=row.item_title or _("the plan as a whole"),
            object_kind="",  # reads "Comment added on “title”"
            changes=[FieldChange("state", _("State"), "", row.get_state_display())] if row.history_type == "~" else [],
        )
        for row in rows
    ]


# --- an organisation's home ------------------------------------------------------------------
# Built for partners, and just as useful to an officer (their own service's plans and led
# items). Each list is one query, whatever the number of plans or items.


@dataclass
class WorkRow:
    item: PlanItem
    label: str  # the plan's own name for the item's level ("Action", "Recommendation")
    leads: bool


def _home_plans(user: User, organisation: Organisation) -> list[Plan]:
    """Plans the organisation owns, owns with a partnership, is shared, or drafts a part of."""
    shared = PlanShare.objects.filter(organisation=organisation).values("plan_id")
    partnerships = PartnershipMember.objects.filter(organisation=organisation).values("partnership_id")
    drafting = DraftingGroupMember.objects.filter(person=user).values("group__plan_id")
    return list(
        plans_for(user)
        .filter(Q(pk__in=shared) | Q(organisation=organisation) | Q(partnership__in=partnerships) | Q(pk__in=drafting))
        .annotate(
            in_partnership=Exists(partnerships.filter(partnership_id=OuterRef("partnership_id"))),
            drafting_here=Exists(drafting.filter(group__plan_id=OuterRef("pk"))),
        )
        .order_by("-start_year", "title")
    )


def _open_consultations(user: User, organisation: Organisation, today: date) -> list[Consultation]:
    readable = plans_for(user).values("pk")
    return list(
        Consultation.objects.filter(plan__in=readable, opens_on__lte=today, closes_on__gte=today)
        .filter(plan__status=Plan.Status.CONSULTATION)  # approval or going back to draft ends it
        .filter(
            Q(pk__in=Consultation.objects.filter(invites__organisation=organisation).values("pk"))
            | Q(pk__in=Consultation.objects.filter(member_invites__member=user).values("pk"))
        )
        .select_related("plan")
        .order_by("closes_on", "plan__title")
    )


def _home_work(user: User, organisation: Organisation) -> list[WorkRow]:
    readable = plans_for(user).values("pk")
    supports = ItemSupporter.objects.filter(item=OuterRef("pk"), organisation=organisation)
    items = (
        PlanItem.objects.filter(plan__in=readable)
        .exclude(kind=PlanItem.Kind.VISION)
        .filter(Q(lead_organisation=organisation) | Q(Exists(supports)))
        .select_related("plan")
        .order_by(F("due_date").asc(nulls_last=True), "plan__title", "tree_id", "lft")
    )
    return [
        WorkRow(item=item, label=item.plan.label_for(item.kind), leads=item.lead_organisation_id == organisation.pk)
        for item in items
    ]


@dataclass
class OrganisationHome:
    plans: list[Plan]
    consultations: list[Consultation]
    work: list[WorkRow]


def organisation_home(user: User, organisation: Organisation, today: date) -> OrganisationHome:
    """What ``organisation`` is part of, as ``user`` may read it: the plans it owns or that
    are shared with it, the consultations open ``today`` that it or ``user`` is invited
    to, and the items it leads or supports (soonest due first)."""
    return OrganisationHome(
        plans=_home_plans(user, organisation),
        consultations=_open_consultations(user, organisation, today),
        work=_home_work(user, organisation),
    )


# --- writing together (issue 15) --------------------------------------------------------------


class OwnerRow(NamedTuple):
    """One organisation that owns a partnership plan: its plan leads and whether it has signed."""

    organisation: Organisation
    leads: list[User]
    signed: bool


class GroupRow(NamedTuple):
    """A drafting group and the reference of its part ("2")."""

    group: DraftingGroup
    reference: str


@dataclass
class DraftingPage:
    """What the plan's "Drafting and sign-off" page shows: the partnership that owns the
    plan (organisations, plan leads, who has signed), its drafting groups with their parts
    and members, every sign-off given or withdrawn, and the
    priorities that have no group yet."""

    owners: list[OwnerRow]
    groups: list[GroupRow]
    sign_offs: list[SignOff]
    parts: list[tuple[int, str]]

    @property
    def waiting_for(self) -> list[Organisation]:
        return [row.organisation for row in self.owners if not row.signed]


def drafting_page(plan: Plan) -> DraftingPage:
    """At most six queries whatever the number of groups, members or sign-offs."""
    shape = _plan_shape(plan, "kind", "title")
    refs = references(shape)
    order = {row.pk: index for index, row in enumerate(shape)}
    groups = sorted(
        DraftingGroup.objects.filter(plan=plan)
        .select_related("item")
        .prefetch_related(
            Prefetch(
                "memberships",
                DraftingGroupMember.objects.select_related("person__organisation").order_by(
                    "person__last_name", "person__first_name"
                ),
            )
        ),
        key=lambda group: order[group.item_id],
    )
    taken = {group.item_id for group in groups}
    parts = [
        (row.pk, f"{refs[row.pk]} {row.title}")
        for row in shape
        if row.kind == PlanItem.Kind.PRIORITY and row.pk not in taken
    ]
    sign_offs = list(
        SignOff.objects.filter(plan=plan)
        .select_related("organisation", "signed_by", "withdrawn_by")
        .order_by("signed_at", "pk")
    )
    owners = []
    if plan.partnership_id is not None:
        signed = {row.organisation_id for row in sign_offs if row.is_standing}
        leads = defaultdict(list)
        for lead in PartnershipLead.objects.filter(partnership_id=plan.partnership_id).select_related("person"):
            leads[lead.organisation_id].append(lead.person)
        members = PartnershipMember.objects.filter(partnership_id=plan.partnership_id).select_related("organisation")
        owners = [
            OwnerRow(row.organisation, leads.get(row.organisation_id, []), row.organisation_id in signed)
            for row in sorted(members, key=lambda row: row.organisation.name)
        ]
    rows = [GroupRow(group, refs[group.item_id]) for group in groups]
    return DraftingPage(owners=owners, groups=rows, sign_offs=sign_offs, parts=parts)


def drafting_parts_of(user: User, plan: Plan) -> list:
    """The parts of ``plan`` that ``user`` drafts (their plan page points them there)."""
    if not user.is_authenticated or plan.status != Plan.Status.DRAFT:
        return []
    return list(DraftingGroup.objects.filter(plan=plan, memberships__person=user).select_related("item"))
