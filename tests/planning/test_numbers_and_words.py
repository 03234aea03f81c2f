"""Numbers, money, dates and level names as people read them on the plan's pages: money
without pence unless it has them, thousands separators, counts without decimals, labels
instead of codes, dates as the rest of the app writes them, and the plan's own names for
its levels with the right article."""

from datetime import date

import pytest
from django.urls import reverse

from planning import services
from tests.factories import add_item, build_plan, vision_of


@pytest.fixture
def costed(plan):
    plan.label_priority, plan.label_target = "Themed outcome", "KPI"
    plan.save()
    priority = add_item(plan, vision_of(plan), "priority", title="Young people in work")
    action = add_item(plan, priority, "action", title="Apprenticeship guarantee", cost_amount=12500,
                      cost_type="revenue", funding_source="Skills grant")  # fmt: skip
    add_item(plan, action, "milestone", title="Employers signed up", cost_amount="12500.50", cost_type="capital")
    target = add_item(plan, action, "target", title="Apprenticeships started", unit="count", baseline_value=1180,
                      baseline_date=date(2012, 7, 31), target_value=2250, target_date=date(2015, 7, 31),
                      direction="higher", amber_tolerance=1000)  # fmt: skip
    plan.priority, plan.action, plan.target = priority, action, target
    return plan


def test_the_plan_page_shows_money_without_pence_unless_it_has_them_and_counts_with_separators(client, alice, costed):
    client.force_login(alice)
    for url in (costed.get_absolute_url(), reverse("planning:item-detail", args=[costed.slug, costed.target.pk])):
        page = client.get(url).content.decode()
        assert "Baseline</dt><dd>1,180 (Jul 2012)" in page, url
        assert "Target</dt><dd>2,250 by 31 Jul 2015" in page, url
        assert "amber within 1,000" in page, url
        assert "2250" not in page and "1180" not in page, url
    page = client.get(costed.get_absolute_url()).content.decode()
    assert "£12,500 revenue (Skills grant)" in page
    assert "£12,500.50 capital" in page
    assert "£12,500.00" not in page
    summary = client.get(reverse("planning:plan-summary", args=[costed.slug])).content.decode()
    assert "£25,000.50" in summary and "1,180" in summary and "2,250" in summary


def test_the_plans_list_counts_with_separators(client, alice, plan):
    build_plan(plan, priorities=10, actions=10, targets=9, milestones=0)  # 1 + 10 + 100 + 900 items
    client.force_login(alice)
    assert "1,011 items" in client.get(reverse("planning:plan-list")).content.decode()


def test_adding_and_moving_use_the_plan_s_own_level_names_with_the_right_article(client, alice, costed):
    client.force_login(alice)
    outline = client.get(costed.get_absolute_url()).content.decode()
    assert ">Add KPI<" in outline and ">Add kpi<" not in outline
    assert ">Add themed outcome<" in outline
    add = "planning:item-add"
    pages = {
        (costed.action.pk, "target"): "Add a KPI under “Apprenticeship guarantee”",
        (costed.priority.pk, "action"): "Add an action under “Young people in work”",
        (vision_of(costed).pk, "priority"): "Add a themed outcome under",
    }
    for (parent, kind), heading in pages.items():
        page = client.get(reverse(add, args=[costed.slug, parent, kind])).content.decode()
        assert heading in page, heading
    move = client.get(reverse("planning:item-move", args=[costed.slug, costed.action.pk])).content.decode()
    assert "Only places where an action is allowed are listed." in move
    move = client.get(reverse("planning:item-move", args=[costed.slug, costed.target.pk])).content.decode()
    assert "Only places where a KPI is allowed are listed." in move
    edit = client.get(reverse("planning:item-edit", args=[costed.slug, costed.target.pk])).content.decode()
    assert "Edit KPI" in edit


def test_the_conflict_page_shows_labels_and_dates_not_codes(client, alice, bob, costed):
    url = reverse("planning:item-edit", args=[costed.slug, costed.action.pk])
    client.force_login(alice)
    client.post(url, {"title": "Alice's version", "status": "in_progress", "due_date": "2014-01-31", "version": 1,
                      "cost_amount": "12500", "cost_type": "revenue"})  # fmt: skip
    client.force_login(bob)
    response = client.post(url, {"title": "Bob's version", "status": "not_started", "due_date": "2013-09-30",
                                 "version": 1, "cost_amount": "30000", "cost_type": "capital"})  # fmt: skip
    assert response.status_code == 409
    page = response.content.decode()
    assert "not_started" not in page and "in_progress" not in page
    assert "Not started" in page and "In progress" in page
    assert "30 September 2013" in page and "31 January 2014" in page
    assert "2013-09-30" not in page
    assert "£30,000" in page and "£12,500" in page
    assert "Capital" in page and "Revenue" in page


def test_history_and_comparison_show_dates_and_money_as_elsewhere(client, alice, costed):
    edition = services.edition_create(plan=costed, name="Before", user=alice)
    services.item_update(
        item_id=costed.action.pk, user=alice, expected_version=costed.action.version,
        change=services.ItemChange({"due_date": date(2013, 9, 30), "cost_amount": 2400000}),
    )  # fmt: skip
    client.force_login(alice)
    history = client.get(reverse("planning:item-history", args=[costed.slug, costed.action.pk])).content.decode()
    comparison = client.get(
        reverse("planning:plan-compare", args=[costed.slug]), {"from": f"edition-{edition.pk}"}
    ).content.decode()
    for page in (history, comparison):
        assert "30 September 2013" in page and "£2,400,000" in page and "£12,500" in page
        assert "2013-09-30" not in page and "2400000" not in page and "12500.00" not in page
    recent = client.get(reverse("planning:plan-history", args=[costed.slug])).content.decode()
    assert "31 July 2015" in recent and "2,250" in recent and "2015-07-31" not in recent
