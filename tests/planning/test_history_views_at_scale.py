"""The history views of a large plan: a past view opens at the plan's priorities with each
priority's items a link away (working without JavaScript), and every history view runs a
fixed number of queries whatever the plan's size (decision 0012)."""

import re

import pytest
from django.urls import reverse

from planning import services
from planning.models import PlanItem
from planning.views import timetravel
from tests.factories import build_plan, edited_plan

# session, user, plan (with its ancestors and who may edit it), then the page's own reads:
PAST_VIEW_QUERIES = 9  # + edition; plan, shape, links and supporters, items, names
COMPARE_QUERIES = 9  # + editions; plan, shapes, rows that differ, supporters, names
PLAN_HISTORY_QUERIES = 9  # recent item rows, their predecessors, plan rows, names, parents, comments
ITEM_HISTORY_QUERIES = 8  # rows, names, parents, supporters, whether it still exists


@pytest.fixture
def edited(alice, bob, college):
    return lambda size: edited_plan(size, owner=alice, other_owner=bob, organisation=college)


def past(client, plan, **query):
    return client.get(reverse("planning:plan-as-of", args=[plan.slug]), query)


@pytest.mark.parametrize("size", ["small", "large"])
def test_every_history_view_runs_the_same_queries_at_any_size(
    client, alice, edited, size, monkeypatch, django_assert_num_queries
):
    plan, edition, action = edited(size)
    priority = PlanItem.objects.filter(plan=plan, kind="priority").order_by("lft").first()
    client.force_login(alice)
    client.get(reverse("planning:plan-list"))  # the session's first request stamps it (a write)
    for threshold in (10_000, 0):  # every item, and priorities first
        monkeypatch.setattr(timetravel, "PRIORITIES_FIRST_ABOVE", threshold)
        for query in ({}, {"open": priority.pk}, {"show": "all"}):
            with django_assert_num_queries(PAST_VIEW_QUERIES):
                response = past(client, plan, edition=edition.pk, **query)
            assert response.status_code == 200
    with django_assert_num_queries(COMPARE_QUERIES):
        response = client.get(reverse("planning:plan-compare", args=[plan.slug]), {"from": f"edition-{edition.pk}"})
    assert [d.title for d in response.context["differences"]] == ["Renamed"]
    with django_assert_num_queries(PLAN_HISTORY_QUERIES):
        assert client.get(reverse("planning:plan-history", args=[plan.slug])).status_code == 200
    with django_assert_num_queries(ITEM_HISTORY_QUERIES):
        page = client.get(reverse("planning:item-history", args=[plan.slug, action.pk])).content.decode()
    assert "Renamed" in page and "Supporter added" in page


def test_a_large_past_view_opens_at_its_priorities_and_each_priority_s_items_a_link_away(
    client, alice, plan, monkeypatch
):
    monkeypatch.setattr(timetravel, "PRIORITIES_FIRST_ABOVE", 5)
    build_plan(plan, priorities=2, actions=2, targets=1, milestones=0)
    edition = services.edition_create(plan=plan, name="Named", user=alice)
    first, second = PlanItem.objects.filter(plan=plan, kind="priority").order_by("lft")
    client.force_login(alice)
    page = past(client, plan, edition=edition.pk).content.decode()
    tree = page.split("The plan</h2>")[1]
    assert first.title in tree and second.title in tree
    assert not re.search(r"app-item--(action|target)", tree)
    assert "The plan had 11 items then" in page
    show = re.search(r'href="([^"]+)">Show the 4 items under Priority 1:', page)
    assert show, "a link to each priority's items"
    opened = client.get(reverse("planning:plan-as-of", args=[plan.slug]) + show.group(1).replace("&amp;", "&"))
    tree = opened.content.decode().split("The plan</h2>")[1]
    under_first = PlanItem.objects.filter(plan=plan, parent=first).values_list("title", flat=True)
    under_second = PlanItem.objects.filter(plan=plan, parent=second).values_list("title", flat=True)
    assert all(title in tree for title in under_first) and not any(title in tree for title in under_second)
    assert "Hide the 4 items under Priority 1" in tree
    every = past(client, plan, edition=edition.pk, show="all").content.decode()
    assert all(item.title in every for item in PlanItem.objects.filter(plan=plan))
    assert "Show the priorities first" in every


def test_an_opened_priority_that_is_not_a_number_or_not_a_priority_opens_nothing(client, alice, plan, monkeypatch):
    monkeypatch.setattr(timetravel, "PRIORITIES_FIRST_ABOVE", 1)
    build_plan(plan, priorities=1, actions=1, targets=1, milestones=0)
    action = PlanItem.objects.get(plan=plan, kind="action")
    client.force_login(alice)
    for raw in ("abc", "²", str(action.pk), "9" * 50):
        response = past(client, plan, open=raw)
        assert response.status_code == 200
        assert action.title not in response.content.decode().split("The plan</h2>")[1]
