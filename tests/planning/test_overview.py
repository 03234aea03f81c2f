"""Overview to detail: a plan's one-page summary, its levels, and the map of all plans."""

import pytest
from django.urls import reverse

from planning import services
from planning.models import PlanItem
from planning.selectors import count_by
from tests.factories import add_item, make_plan, vision_of


@pytest.fixture
def filled(plan, alice):
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", title="Standards")
    action = add_item(plan, first, "action", title="Challenge", cost_amount=1000, cost_type="revenue")
    add_item(plan, action, "target", title="85% good or better")
    add_item(plan, action, "milestone", title="Reviews done", cost_amount=250, cost_type="capital")
    add_item(plan, vision, "priority", title="Inclusion")
    return plan


def test_the_summary_counts_and_costs_each_priority(client, alice, filled):
    client.force_login(alice)
    page = client.get(reverse("planning:plan-summary", args=[filled.slug])).content.decode()
    assert "Standards" in page and "Inclusion" in page
    assert "£1,250" in page  # the plan's and the first priority's total
    assert "85% good or better" in page  # headline target


def test_the_plan_page_can_show_priorities_only(client, alice, filled):
    client.force_login(alice)
    page = client.get(filled.get_absolute_url(), {"show": "priorities"}).content.decode()
    assert "Standards" in page and "Challenge" not in page
    page = client.get(filled.get_absolute_url(), {"show": "actions"}).content.decode()
    assert "Challenge" in page and "Reviews done" not in page
    page = client.get(filled.get_absolute_url(), {"show": "nonsense"}).content.decode()
    assert "Reviews done" in page


def test_the_map_counts_links_between_plans(client, alice, council, filled):
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan")
    target = add_item(corporate, vision_of(corporate), "priority", title="Good schools")
    for item in filled.items.filter(kind__in=["action", "target"]):
        services.link_add(source_id=item.pk, target_id=target.pk, relation="contributes_to", user=alice)
    client.force_login(alice)
    page = client.get(reverse("planning:plan-map")).content.decode()
    assert 'Links to: <a class="govuk-link" href="/plans/council-plan/">Council Plan</a> (2)' in page


def test_the_map_shows_only_plans_the_reader_may_see(client, mel, filled):
    client.force_login(mel)
    assert filled.title not in client.get(reverse("planning:plan-map")).content.decode()
    assert client.get(reverse("planning:plan-summary", args=[filled.slug])).status_code == 404


def test_the_map_and_the_plans_list_count_every_item_of_each_plan(client, alice, filled):
    """Item counts are grouped by plan alone: django-mptt orders every item query by
    (tree_id, lft), and a count that kept that ordering grouped by it too ("1 item")."""
    other = make_plan(owner=alice, title="Fair Access Plan", slug="fap")
    add_item(other, vision_of(other), "priority", title="Admissions")
    client.force_login(alice)
    for name in ("planning:plan-map", "planning:plan-list"):
        page = client.get(reverse(name)).content.decode()
        assert "6 items" in page, name  # the vision, two priorities, an action, a target and a milestone
        assert "2 items" in page, name  # the other plan's vision and priority
        assert "1 item<" not in page and "1 item " not in page, name


def test_counting_rows_by_a_column_ignores_the_ordering_of_the_queryset(alice, filled):
    ordered = PlanItem.objects.filter(plan=filled)  # mptt's manager orders by (tree_id, lft)
    assert count_by(ordered, "plan_id") == {filled.pk: 6}
    assert count_by(ordered, "plan_id", "kind")[(filled.pk, "priority")] == 2
