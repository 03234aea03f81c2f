"""The one way a view gets a plan or an item.

Out-of-scope objects are 404 (their existence is not confirmed); a forbidden action
on a visible object is 403. The queryset in ``plans_for`` and the predicates in
``planning.rules`` say the same thing, one as SQL and one in Python; tests hold them
to each other.
"""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from simple_history.utils import get_history_manager_for_model

from partners.models import Organisation, PartnershipLead, PartnershipMember, User
from planning.models import Consultation, DraftingGroupMember, Indicator, Link, Plan, PlanItem, PlanShare, Theme
from planning.rules import READER_FACTS, leading
from planning.thread import thread_plan_ids

ACTIONS = {
    "view": "planning.view_plan",
    "change": "planning.change_plan",
    "comment": "planning.comment_plan",
    "approve": "planning.approve_plan",
    "change_owner": "planning.change_plan_owner",
    "manage_drafting": "planning.manage_drafting",
    "sign_off": "planning.sign_off_plan",
    "publish": "planning.publish_plan",
}


def reads_every_plan(user: User) -> bool:
    return user.is_authenticated and user.is_active and (user.is_admin or user.is_council_staff)


def plans_for(user: User) -> QuerySet[Plan]:
    """Every plan ``user`` may read."""
    plans = Plan.objects.select_related("organisation", "owner", "partnership")
    if not user.is_authenticated or not user.is_active:
        return plans.none()
    if reads_every_plan(user):
        return plans
    # a plan lead of the owning partnership, or someone drafting a part, reads it whatever their role
    drafting = DraftingGroupMember.objects.filter(person=user).values("group__plan_id")
    readable = Q(pk__in=drafting)
    if user.organisation_id:
        readable |= Q(
            partnership__in=PartnershipLead.objects.filter(leading(F("partnership_id"), user)).values("partnership_id")
        )
    if user.role == User.Role.PARTNER and user.organisation_id:
        shared = PlanShare.objects.filter(organisation_id=user.organisation_id).values("plan_id")
        owning = PartnershipMember.objects.filter(organisation_id=user.organisation_id).values("partnership_id")
        return plans.filter(readable | Q(pk__in=shared) | Q(partnership__in=owning))
    if user.role == User.Role.MEMBER:
        invited = Plan.objects.filter(consultations__member_invites__member=user).values("pk")
        return plans.filter(readable | Q(status__in=Plan.PUBLISHED_STATUSES) | Q(pk__in=invited))
    return plans.filter(readable)


def get_plan_for_user(user: User, slug: str, action: str = "view") -> Plan:
    facts = _reader_facts(user)
    above = _readable_above(user)
    try:
        plan = plans_for(user).select_related("parent__parent__parent").annotate(**facts, **above).get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404(_("No such plan")) from None
    setattr(plan, READER_FACTS, {"reader": user.pk} | {fact: getattr(plan, fact) for fact in facts})
    if above:  # the plans above it the reader may not read (breadcrumbs: planning_tags.plan_trail)
        ids, node = [], plan
        for _level in ABOVE:
            ids.append(node.parent_id if node is not None else None)
            node = node.parent if node is not None and node.parent_id else None
        if (
            node is None or not node.parent_id
        ):  # the whole chain was asked about (a deeper one is asked by the breadcrumbs)
            plan._hidden_above = frozenset(
                pk for pk, name in zip(ids, above, strict=True) if pk is not None and not getattr(plan, name)
            )
    if not user.has_perm(ACTIONS[action], plan):
        raise PermissionDenied
    return plan


ABOVE = ("parent", "parent__parent", "parent__parent__parent")  # as far as get_plan_for_user loads


def _readable_above(user: User) -> dict[str, Exists]:
    """Whether the reader may read each plan above (as far as ``ABOVE``), asked in the query
    that fetches the plan, so that breadcrumbs naming them cost no query of their own; none
    for those who read every plan."""
    if reads_every_plan(user) or not user.is_authenticated:
        return {}
    readable = plans_for(user).order_by()
    return {
        f"readable_above_{depth}": Exists(readable.filter(pk=OuterRef(f"{path}_id")))
        for depth, path in enumerate(ABOVE, start=1)
    }


def _reader_facts(user: User) -> dict[str, Exists]:
    """What ``planning.rules`` needs to know about the reader and the plan beyond the two
    rows, asked in the query that fetches the plan: otherwise each is a query of its own
    for some persona (the officer's organisation, the partner's share, the member's
    invitation, a plan lead's partnership, a drafting group), and the page's query count
    would depend on who reads it (issue 14)."""
    if not user.is_authenticated or user.is_admin:  # admins may do anything: nothing to ask
        return {}
    facts = {"drafting_member": Exists(DraftingGroupMember.objects.filter(group__plan=OuterRef("pk"), person=user))}
    if user.organisation_id is not None:
        facts["partnership_lead"] = Exists(PartnershipLead.objects.filter(leading(OuterRef("partnership_id"), user)))
    if user.is_council_staff and user.organisation_id is not None:
        in_owning = Organisation.objects.filter(
            pk=user.organisation_id,
            tree_id=OuterRef("organisation__tree_id"),
            lft__lte=OuterRef("organisation__lft"),
            rght__gte=OuterRef("organisation__rght"),
        )
        facts["in_owning_organisation"] = Exists(in_owning)
    elif user.role == User.Role.PARTNER and user.organisation_id is not None:
        shared = PlanShare.objects.filter(plan=OuterRef("pk"), organisation_id=user.organisation_id)
        facts["shared_with_organisation"] = Exists(shared)
        owning = PartnershipMember.objects.filter(
            partnership_id=OuterRef("partnership_id"), organisation_id=user.organisation_id
        )
        facts["in_partnership"] = Exists(owning)
    elif user.role == User.Role.MEMBER:
        invited = Consultation.objects.filter(plan=OuterRef("pk"), member_invites__member=user)
        facts["invited_member"] = Exists(invited)
    return facts


def get_item_for_user(user: User, slug: str, pk: int, action: str = "view") -> PlanItem:
    """The item, if ``user`` may do ``action`` to its plan. ``draft`` (write the item's
    content: add under it, edit, move or delete it) is allowed to whoever may change the
    plan, and to a drafting group's members inside their part while the plan is a draft."""
    plan = get_plan_for_user(user, slug, "view" if action == "draft" else action)
    try:
        item = PlanItem.objects.select_related("parent", "lead_officer", "lead_organisation", "indicator").get(
            pk=pk, plan=plan
        )
    except PlanItem.DoesNotExist:
        raise Http404(_("No such item")) from None
    item.plan = plan
    if action == "draft" and not can_change(user, plan) and drafting_part(user, plan, item) is None:
        raise PermissionDenied
    return item


def drafting_part(user: User, plan: Plan, item: PlanItem) -> PlanItem | None:
    """The root of the part ``user`` drafts that holds ``item`` (the item itself, or one
    above it), or None: they are in no drafting group of the plan for that part, or the plan
    is no longer a draft. One query; services call it again under the plan's lock."""
    if not user.is_authenticated or not user.is_active or plan.status != Plan.Status.DRAFT:
        return None
    return (
        PlanItem.objects.filter(
            plan=plan,
            tree_id=item.tree_id,
            lft__lte=item.lft,
            rght__gte=item.rght,
            drafting_groups__memberships__person=user,
        )
        .order_by("lft")
        .first()
    )


def can_change(user: User, plan: Plan) -> bool:
    return user.has_perm(ACTIONS["change"], plan)


def can(user: User, action: str, plan: Plan) -> bool:
    return user.has_perm(ACTIONS[action], plan)


def can_create_plans(user: User) -> bool:
    return user.has_perm("planning.add_plan")


# --- the other ends of links ------------------------------------------------------------------
# An item of a plan the reader may read can link to, or be linked from, an item of a plan
# they may not. Pages show that such a link exists, never what is at its other end (its
# title, plan, organisation, note or address): ``planning.selectors.hide_link_ends``
# blanks the ends in the plans these functions name (issue 12, item 12).


def unreadable_plan_ids(user: User, plan_ids: Iterable[int | None]) -> frozenset[int]:
    """Which of ``plan_ids`` ``user`` may not read (one query; none for officers and admins);
    ``None`` (a link end with no plan) is passed over."""
    wanted = {pk for pk in plan_ids if pk is not None}
    if not wanted or reads_every_plan(user):
        return frozenset()
    readable = set(plans_for(user).filter(pk__in=wanted).values_list("pk", flat=True))
    return frozenset(wanted - readable)


def linked_plans_hidden_from(user: User, plan: Plan) -> frozenset[int]:
    """The plans ever linked with ``plan``'s items (now or at any past moment, so that past
    views and editions are covered too) that ``user`` may not read; one query, none for
    officers and admins. Cached pages and PDFs are keyed by it."""
    if reads_every_plan(user):
        return frozenset()
    return _hidden_among(plan, plans_for(user), thread=False)


def linked_plans_unpublished(plan: Plan) -> frozenset[int]:
    """The plans ever linked with ``plan``'s items that are not public: what the public
    pages hide, whoever reads them (issue 16); one query."""
    return _hidden_among(plan, Plan.objects.public(), thread=False)


def unpublished_plan_ids(plan_ids: Iterable[int | None]) -> frozenset[int]:
    """Which of ``plan_ids`` are not public (one query; none when there are none)."""
    wanted = {pk for pk in plan_ids if pk is not None}
    if not wanted:
        return frozenset()
    return frozenset(wanted - set(Plan.objects.public().filter(pk__in=wanted).values_list("pk", flat=True)))


def plans_hidden_from(user: User, plan: Plan) -> frozenset[int]:
    """What the plan document hides from ``user``: the linked plans they may not read, and
    the plans around it in the thread (the plan it delivers, those that deliver it) they
    may not read, whose titles the document would otherwise print (issue 16; decision 0009
    left them named), and those whose costs its thread costs would add up (decision 0026).
    Five queries, none for officers and admins."""
    if reads_every_plan(user):
        return frozenset()
    return _hidden_among(plan, plans_for(user), thread=True)


def plans_hidden_from_public(plan: Plan) -> frozenset[int]:
    """``plans_hidden_from`` for anyone, signed in or not: every linked plan and plan around
    ``plan`` in the thread that is not published (``Plan.objects.public``)."""
    return _hidden_among(plan, Plan.objects.public(), thread=True)


def _hidden_among(plan: Plan, readable: QuerySet[Plan], *, thread: bool) -> frozenset[int]:
    ever_here = PlanItem.history.filter(plan_id=plan.pk).values("id")
    links = get_history_manager_for_model(Link).filter(Q(source_id__in=ever_here) | Q(target_id__in=ever_here))
    ends = PlanItem.history.filter(Q(id__in=links.values("source_id")) | Q(id__in=links.values("target_id")))
    hidden = (  # from history, so an end in a plan deleted since is hidden too
        ends.exclude(plan_id=plan.pk)
        .exclude(plan_id__in=readable.values("pk"))
        .order_by()
        .values_list("plan_id", flat=True)
        .distinct()
    )
    if thread:
        around = (
            Plan.objects.filter(Q(pk=plan.parent_id) | Q(parent_id=plan.pk))
            .exclude(pk__in=readable.values("pk"))
            .order_by()
            .values_list("pk", flat=True)
        )
        hidden = hidden.union(around)
        # the plans whose costs the document's "Costs across the thread" adds up (decision 0026)
        costed = Plan.objects.filter(pk__in=thread_plan_ids(plan)).exclude(pk__in=readable.values("pk"))
        return frozenset(hidden) | frozenset(costed.values_list("pk", flat=True))
    return frozenset(hidden)


# A cached plan page and a plan document are shared by every reader who sees the same of
# the thread: the plans whose linked items they leave out are named in their keys, so a
# key says exactly what it shows, and whoever builds the page or PDF reads them back.
HIDING = ":hiding:"


def hiding_key(hidden: frozenset[int]) -> str:
    return f"{HIDING}{','.join(map(str, sorted(hidden)))}" if hidden else ""


def hidden_plans(key: str) -> frozenset[int]:
    _key, found, ids = key.partition(HIDING)
    return frozenset(int(pk) for pk in ids.split(",") if pk.isdigit()) if found else frozenset()


# --- shared definitions (issue 17, decision 0025) ---------------------------------------------
# Themes are the council's: administrators define them, anyone signed in reads them. Indicators
# are defined by council staff (officers and administrators); partners and members read them.


def may_define_indicators(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_council_staff


def may_define_themes(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.is_admin


def get_indicator_for_editor(user: User, code: str) -> Indicator:
    if not may_define_indicators(user):
        raise PermissionDenied
    indicator = Indicator.objects.filter(code=code).first()
    if indicator is None:
        raise Http404(_("No such indicator"))
    return indicator


def get_theme_for_user(user: User, slug: str, action: str = "view") -> Theme:
    """A theme by its slug: anyone signed in reads it, administrators change it."""
    if action == "change" and not may_define_themes(user):
        raise PermissionDenied
    theme = Theme.objects.filter(slug=slug).first()
    if theme is None:
        raise Http404(_("No such theme"))
    return theme
