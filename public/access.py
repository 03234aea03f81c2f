"""The one way a public page gets a plan: published (``Plan.objects.public``) or 404.

Public pages never ask who is reading: a signed-in officer sees on them exactly what an
anonymous reader sees, so that what is published is one thing, whoever checks it.
"""

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from planning.models import Plan, PlanItem


def public_plans() -> QuerySet[Plan]:
    """Every plan anyone may read."""
    return Plan.objects.public().select_related("organisation", "partnership")


def get_public_plan(slug: str) -> Plan:
    try:
        return public_plans().get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404(_("No such published plan")) from None


def get_public_item(slug: str, pk: int) -> PlanItem:
    """An item of a published plan, or 404 (its plan is not published, or it is not there)."""
    plan = get_public_plan(slug)
    try:
        item = PlanItem.objects.get(pk=pk, plan=plan)
    except PlanItem.DoesNotExist:
        raise Http404(_("No such item")) from None
    item.plan = plan
    return item


def public_item_slug(pk: int) -> str:
    """The slug of the published plan holding the item ``pk`` (for its permalink), or 404."""
    slug = PlanItem.objects.filter(pk=pk, plan__in=public_plans()).values_list("plan__slug", flat=True).first()
    if slug is None:
        raise Http404(_("No such published item"))
    return slug
