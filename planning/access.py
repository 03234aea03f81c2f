"""The one way a view gets a plan or an item.

Out-of-scope objects are 404 (their existence is not confirmed); a forbidden action
on a visible object is 403. The queryset in ``plans_for`` and the predicates in
``planning.rules`` say the same thing, one as SQL and one in Python; tests hold them
to each other.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from partners.models import User
from planning.models import Plan, PlanItem

ACTIONS = {
    "view": "planning.view_plan",
    "change": "planning.change_plan",
    "comment": "planning.comment_plan",
    "approve": "planning.approve_plan",
    "change_owner": "planning.change_plan_owner",
}


def plans_for(user: User) -> QuerySet[Plan]:
    """Every plan ``user`` may read."""
    plans = Plan.objects.select_related("organisation", "owner")
    if not user.is_authenticated or not user.is_active:
        return plans.none()
    if user.is_admin or user.is_council_staff:
        return plans
    if user.role == User.Role.PARTNER and user.organisation_id:
        return plans.filter(shares__organisation_id=user.organisation_id).distinct()
    if user.role == User.Role.MEMBER:
        invited = Plan.objects.filter(consultations__member_invites__member=user).values("pk")
        return plans.filter(Q(status__in=Plan.PUBLISHED_STATUSES) | Q(pk__in=invited))
    return plans.none()


def get_plan_for_user(user: User, slug: str, action: str = "view") -> Plan:
    try:
        plan = plans_for(user).select_related("parent__parent__parent").prefetch_related("shares").get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404("No such plan") from None
    if not user.has_perm(ACTIONS[action], plan):
        raise PermissionDenied
    return plan


def get_item_for_user(user: User, slug: str, pk: int, action: str = "view") -> PlanItem:
    plan = get_plan_for_user(user, slug, action)
    try:
        item = PlanItem.objects.select_related("parent", "lead_officer", "lead_organisation", "indicator").get(
            pk=pk, plan=plan
        )
    except PlanItem.DoesNotExist:
        raise Http404("No such item") from None
    item.plan = plan
    return item


def can_change(user: User, plan: Plan) -> bool:
    return user.has_perm(ACTIONS["change"], plan)


def can(user: User, action: str, plan: Plan) -> bool:
    return user.has_perm(ACTIONS[action], plan)


def can_create_plans(user: User) -> bool:
    return user.has_perm("planning.add_plan")
