"""What the public pages read (issue 16). Each reuses the app's own reads (the outline, the
item page's rows, the summary, the past view) with their public variant: items link to
their public pages, every plan that is not published is hidden (its links show that they
exist, never what is at their other end), and no lead officer is named (decision 0016)."""

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from planning import budgets, overview, selectors, snapshots
from planning.access import linked_plans_unpublished
from planning.models import Edition, Plan, PlanItem
from public.access import public_plans


def published_plan_list() -> QuerySet[Plan]:
    """The public list: plans in force first, then those superseded, each by title."""
    return (
        public_plans()
        .select_related(None)
        .select_related("organisation")
        .order_by("status", "title")
        .only(
            "pk",
            "slug",
            "title",
            "title_cy",
            "kind",
            "status",
            "start_year",
            "end_year",
            "published_at",
            "organisation__name",
        )
    )


@dataclass
class Thread:
    """A plan's place in the thread of plans as the public sees it: the plan it delivers
    and the plans that deliver it, public ones by title, the others only counted."""

    parent: Plan | None = None
    parent_hidden: bool = False  # it has a parent plan that is not published
    children: list[Plan] = field(default_factory=list)
    children_hidden: int = 0


def plan_thread(plan: Plan) -> Thread:
    """One query, of a few columns: the parent plan and the plans beneath; public ones kept
    whole, the others only counted (their titles are read but never shown)."""
    thread = Thread()
    around = Q(parent_id=plan.pk) | Q(pk=plan.parent_id) if plan.parent_id else Q(parent_id=plan.pk)
    for other in (
        Plan.objects.filter(around).order_by("title").only("pk", "slug", "title", "title_cy", "status", "published_at")
    ):
        if other.pk == plan.parent_id:
            thread.parent = other if other.is_public else None
            thread.parent_hidden = not other.is_public
        elif other.is_public:
            thread.children.append(other)
        else:
            thread.children_hidden += 1
    return thread


def item_rows(
    plan: Plan, item: PlanItem
) -> tuple[selectors.OutlineRow, list[selectors.OutlineRow], list[selectors.OutlineRow]]:
    """The public item page's rows: the item's, its ancestors' and its children's."""
    row, ancestors, children = selectors.item_outline(plan, item, reader=None)
    selectors.without_lead_officers([row, *ancestors, *children])
    return row, ancestors, children


def plan_summary(plan: Plan) -> overview.PlanSummary:
    """The one-page summary of the app, its rows linking to the public item pages."""
    rows = selectors.plan_outline(plan, item_page=selectors.PUBLIC_ITEM_PAGE)
    selectors.hide_link_ends(rows, linked_plans_unpublished(plan), public=True)
    return overview.plan_summary(rows, budgets.profiles_for([plan]))


def public_editions(plan: Plan) -> list[Edition]:
    """The plan's editions at which it stood approved (or superseded): an edition named
    while it was a draft or out to consultation shows what the council did not publish, so
    the public list leaves it out (decision 0016). Two queries."""
    editions = list(plan.editions.all())
    if not editions:
        return []
    then = snapshots.plans_then(plan, [edition.moment for edition in editions])
    return [
        edition
        for edition, past in zip(editions, then, strict=True)
        if past is not None and past.status in Plan.PUBLISHED_STATUSES
    ]


def get_public_edition(plan: Plan, pk: int) -> Edition | None:
    return next((edition for edition in public_editions(plan) if edition.pk == pk), None)


def download_rows(plan: Plan) -> list[selectors.OutlineRow]:
    """The whole plan for the downloads: rows of the public outline, link ends redacted."""
    rows = selectors.plan_outline(plan, item_page=selectors.PUBLIC_ITEM_PAGE)
    selectors.hide_link_ends(rows, linked_plans_unpublished(plan), public=True)
    return selectors.without_lead_officers(rows)
