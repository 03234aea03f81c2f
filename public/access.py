"""The one way a public page gets a plan: published (``Plan.objects.public``) or 404.

Public pages never ask who is reading: a signed-in officer sees on them exactly what an
anonymous reader sees, so that what is published is one thing, whoever checks it.
"""

from django.db.models import QuerySet
from django.http import Http404

from planning.models import Plan


def public_plans() -> QuerySet[Plan]:
    """Every plan anyone may read."""
    return Plan.objects.public().select_related("organisation", "partnership")


def get_public_plan(slug: str) -> Plan:
    try:
        return public_plans().get(slug=slug)
    except Plan.DoesNotExist:
        raise Http404("No such published plan") from None
