"""What the public pages read."""

from django.db.models import QuerySet

from planning.models import Plan
from public.access import public_plans


def published_plan_list() -> QuerySet[Plan]:
    """The public list: plans in force first, then those superseded, each by title."""
    return (
        public_plans()
        .select_related(None)
        .select_related("organisation")
        .order_by("status", "title")
        .only("pk", "slug", "title", "kind", "status", "start_year", "end_year", "published_at", "organisation__name")
    )
