"""The demo's published plans (issue 16): the corporate plan, the education strategy and two
service plans are public; three approved plans are kept back, so the public pages show
links into them without their titles."""

import pytest
from django.urls import reverse

from demo import publishing_story
from planning.models import Plan


@pytest.fixture
def published(demo_output, db) -> list[Plan]:
    return list(Plan.objects.public().order_by("slug"))


def test_the_corporate_plan_and_some_beneath_it_are_published_the_rest_kept_back(published, demo_output):
    assert sorted(plan.slug for plan in published) == sorted(publishing_story.PUBLISHED)
    kept = Plan.objects.filter(slug__in=publishing_story.KEPT_BACK)
    assert kept.count() == 3 and all(plan.status == Plan.Status.APPROVED and not plan.is_public for plan in kept)
    assert "Published to the public" in demo_output
    for plan in published:  # published by its owner, kept in history
        assert plan.history.filter(published_at__isnull=False).earliest("history_date").history_user == plan.owner


def test_the_public_pages_show_the_redaction(client, published):
    strategy = Plan.objects.get(slug="bold-steps-for-education-2013-16")
    page = client.get(reverse("public:plan-detail", args=[strategy.slug])).content.decode()
    assert "not published" in page
    for plan in Plan.objects.filter(slug__in=publishing_story.KEPT_BACK):
        assert plan.title not in page
    for plan in published:
        assert client.get(reverse("public:plan-detail", args=[plan.slug])).status_code == 200
