"""The demo council publishes its plans (issue 16), told through the services after the
other stories, like ``demo.planning_story``.

Northmoor publishes its approved corporate plan and, beneath it, the education strategy
and two of the service plans that deliver it, each by its owner. Three approved plans
(provision planning, SEN placement and the 14-19 inspection action plan) stay unpublished,
so the public pages show the redaction: links into them say that a link exists, without
the other plan's title, and the strategy's page counts them without naming them."""

from planning import lifecycle
from planning.models import Plan

PUBLISHED = [
    "council-plan-2013-17",
    "bold-steps-for-education-2013-16",
    "skills-employability-2013-14",
    "inclusion-2013-14",
]
KEPT_BACK = ["provision-planning-2013-14", "sen-placement-2013-14", "14-19-area-inspection-action-plan"]


def tell() -> list[Plan]:
    """Publish ``PUBLISHED`` (each approved, by its owner); returns them in that order."""
    plans = {plan.slug: plan for plan in Plan.objects.filter(slug__in=PUBLISHED).select_related("owner")}
    published = []
    for slug in PUBLISHED:
        plan = plans[slug]
        published.append(
            lifecycle.plan_publish(plan=plan, user=plan.owner, reason="Published on the council's website")
        )
    return published
