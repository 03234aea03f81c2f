"""What the API reads: plain objects its serializers write out. Every read is bounded in
queries whatever the number of rows (tests/api/test_queries.py pins them)."""

import functools
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace

from django.apps import apps
from django.conf import settings
from django.db.models import Model, Q, QuerySet

from api.access import Caller, hidden_plan_ids, visible_periods
from config.history import history_stamp
from monitoring import scorecards
from monitoring.models import ProgressReturn, ReportingPeriod
from partners.models import Organisation, User
from planning import snapshots
from planning.access import plans_for
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem
from planning.selectors import Names, item_count_by_plan, plan_references, references

# --- ETags -------------------------------------------------------------------------------

# the tracked tables an API answer is made from, and those that decide who reads what
STAMP_MODELS = (
    "planning.Plan",
    "planning.PlanItem",
    "planning.Link",
    "planning.ItemSupporter",
    "planning.Indicator",
    "planning.Edition",
    "planning.PlanShare",
    "planning.Consultation",
    "planning.ConsultationMember",
    "planning.DraftingGroupMember",
    "partners.User",
    "partners.Organisation",
    "partners.PartnershipLead",
    "partners.PartnershipMember",
    "monitoring.ReportingPeriod",
    "monitoring.ProgressReturn",
)


@functools.cache
def _stamp_models() -> tuple[type[Model], ...]:
    return tuple(apps.get_model(label) for label in STAMP_MODELS)


def etag(caller: Caller, path: str) -> str:
    """The answer's entity tag: the newest history row of every table it is made from
    (one query, the public pages' stamp), who is asking, and the address with its query.
    Any change to those tables, or to who may read what, changes it; nothing else does."""
    stamp = history_stamp(_stamp_models(), Plan.objects.all())
    text = f"{stamp.key}|{caller.scope}|{path}|{settings.PUBLIC_RELEASE}"
    return '"' + hashlib.blake2b(text.encode(), digest_size=16).hexdigest() + '"'


# --- plans -------------------------------------------------------------------------------


def with_item_counts(plans: list[Plan]) -> list[Plan]:
    """Each plan's number of items as ``item_count`` (one query for them all)."""
    counts = item_count_by_plan([plan.pk for plan in plans])
    for plan in plans:
        plan.item_count = counts.get(plan.pk, 0)
    return plans


def plan_as_of(plan: Plan, when: datetime) -> Plan | None:
    """The plan's own row as it stood at ``when`` (the app's past view,
    ``planning.snapshots.plan_at``), with ``item_count`` its number of items then; None if
    it did not exist yet. Its priorities only are read: the count comes from its shape."""
    snapshot = snapshots.plan_at(plan, when, fold_above=0)
    if snapshot is None:
        return None
    past = snapshot.plan
    past.pk, past.slug = plan.pk, plan.slug
    past.organisation, past.parent = plan.organisation, plan.parent
    past.item_count = snapshot.size
    return past


# --- items -------------------------------------------------------------------------------


@dataclass
class ApiItem:
    item: "PlanItem | ItemNow"
    reference: str
    depth: int
    label: str
    supporters: list[str] = field(default_factory=list)

    @property
    def cost(self) -> "PlanItem | ItemNow | None":
        """The item, whose cost fields are read, if its kind is costed."""
        return self.item if self.item.is_costed else None

    @property
    def measure(self) -> "PlanItem | ItemNow | None":
        """The item, whose measure fields are read, if it is a target."""
        return self.item if self.item.is_target else None


def item_ids_in_order(plan: Plan) -> tuple[list[int], dict[int, str], dict[int, int]]:
    """The plan's item ids in reading order, each one's reference and depth: its shape
    alone (one narrow query, however many items)."""
    shape = list(PlanItem.objects.filter(plan=plan).in_tree_order().values_list("pk", "parent_id", "level", named=True))
    root = shape[0].level if shape else 0
    return [row.pk for row in shape], references(shape), {row.pk: row.level - root for row in shape}


# what the API writes of an item now (api.serializers.ItemSerializer), read as plain values
_ITEM_COLUMNS = (
    "pk", "kind", "parent_id", "position", "title", "title_cy", "description", "description_cy", "status",
    "lead_officer_id",
    "lead_organisation_id", "start_date", "due_date", "cost_amount", "cost_type", "funding_source",
    "indicator_id", "unit", "baseline_value", "baseline_date", "target_value", "target_date",
    "direction", "target_type", "amber_tolerance",
)  # fmt: skip


class ItemNow(SimpleNamespace):
    """An item as the API writes it out: its columns, its leads and indicator, without the
    cost of building a model instance (2,000 of them were most of a page's time)."""

    @property
    def is_costed(self) -> bool:
        return self.kind in PlanItem.COSTED_KINDS

    @property
    def is_target(self) -> bool:
        return self.kind == PlanItem.Kind.TARGET


def items_now(plan: Plan, ids: list[int], refs: dict[int, str], depths: dict[int, int]) -> list[ApiItem]:
    """The items ``ids`` of ``plan`` as they are now, in that order (three queries). Leads
    are looked up once each (``planning.selectors.Names``, as the plan page does): a few
    hundred people and organisations lead thousands of items."""
    items = PlanItem.objects.filter(plan=plan)
    if len(ids) < len(refs):  # a page of the plan: its ids (a whole plan needs no list of them)
        items = items.filter(pk__in=ids)
    found = [
        ItemNow(**dict(zip(_ITEM_COLUMNS, values, strict=True)), indicator=_indicator(code, name))
        for *values, code, name in items.values_list(*_ITEM_COLUMNS, "indicator__code", "indicator__name")
    ]
    names = Names()
    names.load({
        User: {item.lead_officer_id for item in found},
        Organisation: {item.lead_organisation_id for item in found},
    })  # fmt: skip
    people, organisations = names.found[User], names.found[Organisation]
    for item in found:
        item.lead_officer = people.get(item.lead_officer_id)
        item.lead_organisation = organisations.get(item.lead_organisation_id)
    by_id = {item.pk: item for item in found}
    supporters: dict[int, list[str]] = defaultdict(list)
    wanted = (
        ItemSupporter.objects.filter(item__plan=plan)
        if len(ids) == len(refs)
        else ItemSupporter.objects.filter(item_id__in=ids)
    )
    for item_id, name in wanted.order_by("organisation__name").values_list("item_id", "organisation__name"):
        supporters[item_id].append(name)
    return [ApiItem(by_id[pk], refs[pk], depths[pk], plan.label_for(by_id[pk].kind), supporters[pk]) for pk in ids]


def _indicator(code: str | None, name: str | None) -> Indicator | None:
    return None if name is None else Indicator(code=code or "", name=name)


def items_as_of(plan: Plan, when: datetime) -> list[ApiItem] | None:
    """Every item of the plan as it stood at ``when`` (``planning.snapshots.plan_at``, the
    app's past view: five queries), in reading order; None before the plan existed."""
    snapshot = snapshots.plan_at(plan, when)
    if snapshot is None:
        return None
    # the past view names indicators without their codes: one query for the codes
    indicators: list[Indicator] = [indicator for row in snapshot.rows if (indicator := row.item.indicator) is not None]
    codes = dict(Indicator.objects.filter(pk__in={i.pk for i in indicators}).values_list("pk", "code"))
    for indicator in indicators:
        indicator.code = codes.get(indicator.pk, "")
    return [
        ApiItem(
            row.item,
            row.reference,
            row.depth,
            row.label,
            [str(org.name) for org in row.supporters],
        )
        for row in snapshot.rows
    ]


# --- links -------------------------------------------------------------------------------


@dataclass
class LinkEnd:
    """One end of a link: an item, or (``hidden``) an item in a plan the caller may not read,
    of which nothing is said but that it exists."""

    hidden: bool
    item_id: int | None = None
    title: str | None = None
    plan: str | None = None  # the plan's slug
    reference: str | None = None
    title_cy: str | None = None  # its Welsh title, "" where there is none (decision 0033)


@dataclass
class ApiLink:
    pk: int
    relation: str
    direction: str  # "out" (from this plan's item) or "in" (to it from elsewhere)
    note: str | None
    source: LinkEnd
    target: LinkEnd


def plan_links(plan: Plan) -> QuerySet[Link]:
    """The links from and to the plan's items, in the order they were made."""
    return (
        Link.objects.filter(Q(source__plan=plan) | Q(target__plan=plan))
        .select_related("source__plan", "target__plan")
        .order_by("pk")
    )


def api_links(caller: Caller, plan: Plan, links: list[Link]) -> list[ApiLink]:
    """The links as the caller may read them (two queries: the hidden plans, the references)."""
    others = {end.plan_id for link in links for end in (link.source, link.target)} - {plan.pk}
    hidden = hidden_plan_ids(caller, others)
    refs = plan_references({end.plan_id for link in links for end in (link.source, link.target)} - hidden)

    def end(item: PlanItem) -> LinkEnd:
        if item.plan_id in hidden:
            return LinkEnd(hidden=True)
        return LinkEnd(
            hidden=False,
            item_id=item.pk,
            title=item.title,
            plan=item.plan.slug,
            reference=refs.get(item.pk),
            title_cy=item.title_cy,
        )

    return [
        ApiLink(
            pk=link.pk,
            relation=link.relation,
            direction="out" if link.source.plan_id == plan.pk else "in",
            note=None if {link.source.plan_id, link.target.plan_id} & hidden else link.note,
            source=end(link.source),
            target=end(link.target),
        )
        for link in links
    ]


# --- returns -----------------------------------------------------------------------------


def returns_for(
    returns: QuerySet[ProgressReturn], plan_slug: str | None, period: ReportingPeriod | None
) -> QuerySet[ProgressReturn]:
    if plan_slug:
        returns = returns.filter(item__plan__slug=plan_slug)
    if period is not None:
        returns = returns.filter(period=period)
    return returns.select_related("item__plan", "period").order_by(
        "period__starts_on", "period__cadence", "item__plan__slug", "item__tree_id", "item__lft"
    )


def with_references(returns: list[ProgressReturn]) -> list[ProgressReturn]:
    """Each return's item reference as ``reference`` (one query for the plans on the page)."""
    refs = plan_references({ret.item.plan_id for ret in returns})
    for ret in returns:
        ret.reference = refs.get(ret.item_id, "")  # type: ignore[attr-defined]
    return returns


# --- scorecards --------------------------------------------------------------------------


@dataclass
class ScorecardEntry:
    plan: Plan
    period: ReportingPeriod

    @property
    def locked(self) -> bool:
        return self.period.is_locked


def scorecard_entries(
    caller: Caller, plans: QuerySet[Plan], period: ReportingPeriod | None = None
) -> list[ScorecardEntry]:
    """Every (plan, quarter) whose scorecard the caller may read, by plan then quarter (two
    queries, three with a token): a published plan's in locked quarters, and with a token
    an approved plan's its person may read in any quarter (``access.may_read_scorecard``)."""
    periods = list(visible_periods(caller) if period is None else [period])
    in_app: set[int] = set()
    if caller.user is not None:
        in_app = set(plans_for(caller.user).filter(status=Plan.Status.APPROVED).values_list("pk", flat=True))
    entries = []
    for plan in plans.order_by("slug"):
        for quarter in periods:
            if not quarter.covers_plan(plan):
                continue
            if (plan.is_public and quarter.is_locked) or plan.pk in in_app:
                entries.append(ScorecardEntry(plan, quarter))
    return entries


def scorecard(plan: Plan, period: ReportingPeriod) -> dict:
    """The scorecard as members read it (``monitoring.scorecards.scorecard_data``: a locked
    quarter's as stored when it was locked)."""
    return scorecards.scorecard_data(plan, period)
