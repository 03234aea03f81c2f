"""Who may do what to a plan, as predicates (django-rules).

Views never call these directly: they go through ``planning.access``, which fetches
the object and applies the rule in one place.
"""

import rules
from django.db.models import Exists, OuterRef, Q

from partners.models import Organisation, PartnershipLead, PartnershipMember
from planning.models import ConsultationInvite, Plan

# What ``planning.access.get_plan_for_user`` learnt about the reader in the query that
# fetched the plan: {"reader": user pk, fact name: bool}. A predicate uses a fact when it
# is there for this user and asks the database otherwise (a plan fetched some other way).
READER_FACTS = "_reader_facts"


def _known(user, plan: Plan, fact: str) -> bool | None:
    facts = getattr(plan, READER_FACTS, None)
    if facts is None or facts.get("reader") != user.pk:
        return None
    return facts.get(fact)


@rules.predicate
def is_admin(user, plan=None) -> bool:
    return user.is_authenticated and user.is_admin


@rules.predicate
def is_council_staff(user, plan=None) -> bool:
    return user.is_authenticated and user.is_active and user.is_council_staff


@rules.predicate
def is_plan_owner(user, plan: Plan) -> bool:
    return plan is not None and plan.owner_id == user.pk


@rules.predicate
def belongs_to_owning_organisation(user, plan: Plan) -> bool:
    """Officers change plans owned by their organisation or any unit beneath it."""
    if plan is None or user.organisation_id is None:
        return False
    known = _known(user, plan, "in_owning_organisation")
    if known is not None:
        return known
    org = user.organisation
    owning = plan.organisation
    return owning.tree_id == org.tree_id and org.lft <= owning.lft and owning.rght <= org.rght


@rules.predicate
def is_shared_with_users_organisation(user, plan: Plan) -> bool:
    if plan is None or user.organisation_id is None:
        return False
    known = _known(user, plan, "shared_with_organisation")
    if known is not None:
        return known
    return any(share.organisation_id == user.organisation_id for share in plan.shares.all())


@rules.predicate
def is_published(user, plan: Plan) -> bool:
    return plan is not None and plan.status in Plan.PUBLISHED_STATUSES


@rules.predicate
def is_member(user, plan=None) -> bool:
    return user.is_authenticated and user.role == user.Role.MEMBER


@rules.predicate
def is_partner(user, plan=None) -> bool:
    return user.is_authenticated and user.role == user.Role.PARTNER


@rules.predicate
def is_invited_council_unit(user, plan: Plan) -> bool:
    """Officers of other council services may be invited (issue 15): an invitation to a
    council unit covers its officers and those of every unit beneath it (inviting a
    directorate invites its services), as an officer of a directorate changes the plans of
    the services beneath it (decision 0015)."""
    if plan is None or user.organisation_id is None:
        return False
    within = Organisation.objects.filter(
        pk=user.organisation_id,
        tree_id=OuterRef("organisation__tree_id"),
        lft__gte=OuterRef("organisation__lft"),
        rght__lte=OuterRef("organisation__rght"),
    )
    return ConsultationInvite.objects.filter(consultation__plan=plan).filter(Exists(within)).exists()


@rules.predicate
def is_invited_member(user, plan: Plan) -> bool:
    """An elected member invited to any consultation on the plan (pre-scrutiny)."""
    if plan is None:
        return False
    known = _known(user, plan, "invited_member")
    if known is not None:
        return known
    return plan.consultations.filter(member_invites__member=user).exists()


@rules.predicate
def is_invited_organisation(user, plan: Plan) -> bool:
    return (
        plan is not None
        and user.organisation_id is not None
        and plan.consultations.filter(invites__organisation_id=user.organisation_id).exists()
    )


@rules.predicate
def is_partnership_lead(user, plan: Plan) -> bool:
    """A named plan lead of an organisation in the partnership that owns the plan, still
    at that organisation (issue 15): a co-owner of the plan."""
    if plan is None or plan.partnership_id is None or user.organisation_id is None or not user.is_active:
        return False
    known = _known(user, plan, "partnership_lead")
    if known is not None:
        return known
    return PartnershipLead.objects.filter(leading(plan.partnership_id, user)).exists()


@rules.predicate
def is_in_owning_partnership(user, plan: Plan) -> bool:
    """The reader's organisation is one of those that own the plan together."""
    if plan is None or plan.partnership_id is None or user.organisation_id is None:
        return False
    known = _known(user, plan, "in_partnership")
    if known is not None:
        return known
    return PartnershipMember.objects.filter(
        partnership_id=plan.partnership_id, organisation_id=user.organisation_id
    ).exists()


@rules.predicate
def is_drafting_member(user, plan: Plan) -> bool:
    """In a drafting group of the plan: they read it, and write their part while it is a draft."""
    if plan is None or not user.is_authenticated:
        return False
    known = _known(user, plan, "drafting_member")
    if known is not None:
        return known
    return plan.drafting_groups.filter(memberships__person=user).exists()


def leading(partnership_id, user) -> Q:
    """The ``PartnershipLead`` rows that make ``user`` a plan lead of the partnership now:
    named for the organisation they are still at, which is still in the partnership.
    ``partnership_id`` may be an ``OuterRef``."""
    return Q(
        partnership_id=partnership_id,
        person_id=user.pk,
        organisation_id=user.organisation_id,
        organisation__partnership_memberships__partnership_id=partnership_id,
    )


can_view_plan = (
    is_admin
    | is_council_staff
    | is_partnership_lead
    | is_drafting_member
    | (is_partner & (is_shared_with_users_organisation | is_in_owning_partnership))
    | (is_member & (is_published | is_invited_member))
)
can_change_plan = is_admin | (is_council_staff & (is_plan_owner | belongs_to_owning_organisation)) | is_partnership_lead
can_create_plan = is_admin | is_council_staff
# invitees comment while a consultation is open; those who may change the plan reply
can_comment_on_plan = can_view_plan & (
    (is_partner & is_invited_organisation)
    | (is_member & is_invited_member)
    | can_change_plan
    | (is_council_staff & is_invited_council_unit)
)
can_approve_plan = is_admin | (is_council_staff & is_plan_owner)
# the owner says who drafts which part (and invites partners' people to a partnership plan)
can_manage_drafting = is_admin | is_plan_owner
# a plan lead signs off (and withdraws a sign-off) for their own organisation
can_sign_off = is_partnership_lead
# naming the owner confers approval and review, so the owner hands a plan over and nobody
# who may only edit it can take it (issue 12, item 5)
can_change_plan_owner = is_admin | (is_council_staff & is_plan_owner)

rules.add_perm("planning.view_plan", can_view_plan)
rules.add_perm("planning.change_plan", can_change_plan)
rules.add_perm("planning.add_plan", can_create_plan)
rules.add_perm("planning.comment_plan", can_comment_on_plan)
rules.add_perm("planning.approve_plan", can_approve_plan)
rules.add_perm("planning.change_plan_owner", can_change_plan_owner)
rules.add_perm("planning.manage_drafting", can_manage_drafting)
rules.add_perm("planning.sign_off_plan", can_sign_off)
# publishing to the public (and withdrawing) is the owner's call, as approval is (issue 16)
rules.add_perm("planning.publish_plan", can_approve_plan)
