"""The demo's cross-cutting themes and indicators (issue 17): two themes defined by the
administrator tag items in several plans, each tag by the plan's owner with its history; every
indicator is defined in full; the theme's page reads in the same queries as on a small council."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo import themes_story
from partners.models import User
from planning.models import Indicator, ItemTheme, Theme
from tests.planning.test_themes import THEME_PAGE_QUERIES


@pytest.fixture
def themes(demo_output, db) -> dict[str, Theme]:
    return {theme.name: theme for theme in Theme.objects.all()}


def test_two_themes_tag_items_across_plans_with_history(themes, demo_output):
    assert set(themes) == {"Narrowing the gap", "Welsh language"}
    assert "Cross-cutting themes" in demo_output
    admin = User.objects.get(username="admin")
    for name, theme in themes.items():
        assert theme.history.get().history_user == admin
        tags = ItemTheme.objects.filter(theme=theme).select_related("item__plan")
        assert {tag.item.title for tag in tags} == set(themes_story.TAGGED[name])
        assert len({tag.item.plan_id for tag in tags}) >= 3  # cross-cutting: several plans
        for tag in tags:
            row = ItemTheme.history.get(id=tag.pk)
            assert row.history_user == tag.item.plan.owner and row.history_change_reason


def test_every_indicator_is_defined_in_full(demo_output, db):
    for indicator in Indicator.objects.all():
        assert indicator.unit and indicator.direction and indicator.source and indicator.supplier, indicator.code


def test_a_member_reads_the_theme_page_in_the_pinned_queries(client, themes):
    client.force_login(User.objects.get(username="member"))
    url = reverse("monitoring:theme-detail", args=[themes["Narrowing the gap"].slug])
    client.get(url)
    with CaptureQueriesContext(connection) as counted:
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and "Narrow the achievement gaps" in html and "Combined rating" in html
    assert len(counted) == THEME_PAGE_QUERIES
