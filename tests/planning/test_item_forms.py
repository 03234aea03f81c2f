"""The item forms (move, edit, delete) and the item page: what the move form offers, what
it refuses, and query counts that do not grow with the plan (issue 14)."""

import re

import pytest
from django.db import connection
from django.urls import reverse

from planning import services
from planning.models import PlanItem
from tests.factories import add_item, make_plan, sized_plan, vision_of


def _options(page: str) -> list[tuple[int, str, bool]]:
    """(value, text, selected) of each option of the "Move under" drop-down."""
    select = re.search(r'<select name="parent"[^>]*>(.*?)</select>', page, re.S)
    assert select, "no parent drop-down"
    return [
        (int(value), text, bool(selected))
        for value, selected, text in re.findall(r'<option value="(\d+)"( selected)?>(.*?)</option>', select.group(1))
    ]


@pytest.fixture
def shaped(plan):
    """Vision; 1 P1 (1.1 P1a, 1.2 A1 (1.2.1 A1a, 1.2.2 T1)); 2 P2 (2.1 A2)."""
    vision = vision_of(plan)
    p1 = add_item(plan, vision, "priority", title="P1")
    p1a = add_item(plan, p1, "priority", title="P1a")
    a1 = add_item(plan, p1, "action", title="A1")
    a1a = add_item(plan, a1, "action", title="A1a")
    t1 = add_item(plan, a1, "target", title="T1")
    p2 = add_item(plan, vision, "priority", title="P2")
    a2 = add_item(plan, p2, "action", title="A2")
    return {"vision": vision, "P1": p1, "P1a": p1a, "A1": a1, "A1a": a1a, "T1": t1, "P2": p2, "A2": a2}


def test_the_move_form_offers_allowed_parents_with_references_not_the_item_or_anything_under_it(
    client, alice, plan, shaped
):
    client.force_login(alice)
    page = client.get(reverse("planning:item-move", args=[plan.slug, shaped["A1"].pk])).content.decode()
    assert _options(page) == [
        (shaped["P1"].pk, "1 Priority: P1", True),  # where it is now
        (shaped["P1a"].pk, "1.1 Priority: P1a", False),
        (shaped["P2"].pk, "2 Priority: P2", False),
        (shaped["A2"].pk, "2.1 Action: A2", False),
    ]  # not A1 itself, not A1a under it, not the vision or the target
    page = client.get(reverse("planning:item-move", args=[plan.slug, shaped["P1a"].pk])).content.decode()
    assert _options(page) == [
        (shaped["vision"].pk, f"Vision: {shaped['vision'].title}", False),
        (shaped["P1"].pk, "1 Priority: P1", True),
        (shaped["P2"].pk, "2 Priority: P2", False),
    ]
    page = client.get(reverse("planning:item-move", args=[plan.slug, shaped["P1"].pk])).content.decode()
    assert [text for _, text, _ in _options(page)] == [
        f"Vision: {shaped['vision'].title}",
        "2 Priority: P2",
    ]  # not P1a, a priority under P1


def test_the_move_form_uses_the_plans_own_names_for_its_levels(client, alice, service):
    plan = make_plan(owner=alice, label_priority="Themed outcome", label_action="Step")
    outcome = add_item(plan, vision_of(plan), "priority", title="Outcome")
    step = add_item(plan, outcome, "action", title="First step")
    add_item(plan, outcome, "action", title="Second step")
    client.force_login(alice)
    page = client.get(reverse("planning:item-move", args=[plan.slug, step.pk])).content.decode()
    assert [text for _, text, _ in _options(page)] == ["1 Themed outcome: Outcome", "1.2 Step: Second step"]


@pytest.mark.parametrize(
    "where",
    ["T1", "A1a", "A1", "vision", "elsewhere", "missing", "huge"],
)
def test_the_move_form_refuses_a_parent_not_allowed_beside_the_field_and_changes_nothing(
    client, alice, plan, shaped, where
):
    other_plan = make_plan(owner=alice)
    parent = {
        "elsewhere": add_item(other_plan, vision_of(other_plan), "priority").pk,
        "missing": PlanItem.objects.order_by("-pk").first().pk + 1000,
        "huge": 99999999999999999999,
    }.get(where) or shaped[where].pk
    item = shaped["A1"]
    history = PlanItem.history.count()
    client.force_login(alice)
    response = client.post(reverse("planning:item-move", args=[plan.slug, item.pk]), {"parent": parent, "position": 1})
    page = response.content.decode()
    assert response.status_code == 200
    assert re.search(r'id="id_parent-error"[^>]*>.*?Select a valid choice', page, re.S)
    assert _options(page)  # the form is shown again with its choices
    moved = PlanItem.objects.get(pk=item.pk)
    assert (moved.parent_id, moved.position, moved.version) == (item.parent_id, item.position, item.version)
    assert PlanItem.history.count() == history


def test_a_move_through_the_form_lands_where_chosen(client, alice, plan, shaped):
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-move", args=[plan.slug, shaped["A1"].pk]),
        {"parent": shaped["P2"].pk, "position": 1},
    )
    assert response.status_code == 302
    moved = PlanItem.objects.get(pk=shaped["A1"].pk)
    assert (moved.parent_id, moved.position) == (shaped["P2"].pk, 1)
    assert PlanItem.objects.get(pk=shaped["A2"].pk).position == 2
    page = client.get(reverse("planning:item-move", args=[plan.slug, shaped["A1a"].pk])).content.decode()
    assert "2.1 Action: A1" in page and "2.2 Action: A2" in page


def test_the_delete_form_lists_the_item_and_everything_under_it_with_references(client, alice, plan, shaped):
    client.force_login(alice)
    page = client.get(reverse("planning:item-delete", args=[plan.slug, shaped["A1"].pk])).content.decode()
    listed = re.findall(r"<li>(.*?)</li>", page)
    assert listed == ["Action 1.2: A1", "Action 1.2.1: A1a", "Target 1.2.2: T1"]
    assert "These 3 items will be deleted together." in page


# --- queries: the same for a plan of 21 items and of 501 -------------------------------


# a write reads the database's clock first on PostgreSQL (config.history.database_now)
CLOCK = 1 if connection.vendor == "postgresql" else 0
# session, user, plan with who may edit it, item, the plan's shape with kinds and titles (the choices)
MOVE_FORM_QUERIES = 5
# session, user, plan with who may edit it, item, the posted parent checked; then the service: the item's
# plan, savepoint, lock, item, new parent, new siblings counted, both parents' siblings read,
# one update and one insert of history rows for them, mptt's move, the item and its history row
MOVE_POST_QUERIES = 22 + CLOCK
# session, user, plan with who may edit it, item, its supporters, people, organisations (drop-down and boxes)
EDIT_FORM_QUERIES = 8
# the form's reads as above, the lead officer checked, then the service's lock, reads, checks,
# the item saved, its history row and its supporters
EDIT_POST_QUERIES = 26 + CLOCK
# session, user, plan with who may edit it, item, the plan's shape, the item's subtree
DELETE_FORM_QUERIES = 6
# session, user, plan with who may edit it, item, the plan's shape, the rows (items, supporters, links),
# the breadcrumb plans, the themes it is tagged with (issue 17) and an action's budget profile
# (decision 0023), and the inspection recommendations an action addresses (decision 0030)
ITEM_PAGE_QUERIES = 11


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_item_forms_query_counts_do_not_grow_with_the_plan(client, alice, size, django_assert_num_queries):
    plan = sized_plan(size, owner=alice)
    assert plan.items.count() == (21 if size == "small" else 501)
    first, second = plan.items.filter(kind="priority").order_by("lft")[:2]
    action = first.get_children()[1]
    services.item_update(
        item_id=action.pk,
        user=alice,
        change=services.ItemChange({"lead_officer": alice}),
        expected_version=action.version,
    )
    action.refresh_from_db()
    client.force_login(alice)
    move = reverse("planning:item-move", args=[plan.slug, action.pk])
    with django_assert_num_queries(MOVE_FORM_QUERIES):
        page = client.get(move).content.decode()
    assert len(_options(page)) == plan.items.filter(kind__in=["priority", "action"]).count() - 1
    with django_assert_num_queries(MOVE_POST_QUERIES):
        assert client.post(move, {"parent": second.pk, "position": 1}).status_code == 302
    action.refresh_from_db()
    edit = reverse("planning:item-edit", args=[plan.slug, action.pk])
    with django_assert_num_queries(EDIT_FORM_QUERIES):
        assert client.get(edit).status_code == 200
    fields = {"title": "Renamed", "status": action.status, "version": action.version, "lead_officer": alice.pk}
    fields |= {"cost_amount": action.cost_amount, "cost_type": action.cost_type}
    with django_assert_num_queries(EDIT_POST_QUERIES):
        assert client.post(edit, fields).status_code == 302
    assert PlanItem.objects.get(pk=action.pk).title == "Renamed"
    with django_assert_num_queries(DELETE_FORM_QUERIES):
        assert client.get(reverse("planning:item-delete", args=[plan.slug, action.pk])).status_code == 200
    with django_assert_num_queries(ITEM_PAGE_QUERIES):
        assert client.get(reverse("planning:item-detail", args=[plan.slug, action.pk])).status_code == 200
