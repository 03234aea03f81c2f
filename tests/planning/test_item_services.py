"""The tree services: positions stay contiguous, nesting rules hold, and every write
leaves history rows stamped with one author, one time and the reason."""

import pytest
from django.core.exceptions import ValidationError

from planning import services
from planning.conflicts import EditConflict
from planning.models import PlanItem
from planning.selectors import plan_outline
from tests.factories import add_item, vision_of


def outline(plan):
    return [(row.reference, row.item.title) for row in plan_outline(plan)]


def assert_tree_is_valid(plan):
    items = list(PlanItem.objects.filter(plan=plan))
    by_parent = {}
    for item in items:
        by_parent.setdefault(item.parent_id, []).append(item.position)
    for positions in by_parent.values():
        assert sorted(positions) == list(range(1, len(positions) + 1))
    before = {i.pk: (i.lft, i.rght, i.level) for i in items}
    PlanItem.objects.partial_rebuild(items[0].tree_id)
    after = {i.pk: (i.lft, i.rght, i.level) for i in PlanItem.objects.filter(plan=plan)}
    assert before == after


@pytest.fixture
def three_priorities(plan, alice):
    vision = vision_of(plan)
    return [add_item(plan, vision, "priority", user=alice, title=t) for t in ("First", "Second", "Third")]


def test_it_numbers_items_from_their_positions(plan, three_priorities):
    action = add_item(plan, three_priorities[1], "action", title="Act")
    add_item(plan, action, "target", title="Aim")
    assert outline(plan) == [
        ("", plan.items.get(parent__isnull=True).title),
        ("1", "First"),
        ("2", "Second"),
        ("2.1", "Act"),
        ("2.1.1", "Aim"),
        ("3", "Third"),
    ]


def test_it_moves_an_item_up_and_writes_two_history_rows(plan, alice, three_priorities):
    third = three_priorities[2]
    before = PlanItem.history.count()
    services.item_move(item_id=third.pk, user=alice, new_parent_id=third.parent_id, new_position=2, reason="Reorder")
    assert [t for _, t in outline(plan)[1:]] == ["First", "Third", "Second"]
    rows = list(PlanItem.history.order_by("-history_id")[: PlanItem.history.count() - before])
    assert len(rows) == 2
    assert {r.history_change_reason for r in rows} == {"Reorder"}
    assert len({r.history_date for r in rows}) == 1
    assert {r.history_user_id for r in rows} == {alice.pk}
    assert_tree_is_valid(plan)


def test_it_moves_an_item_down_to_the_end(plan, alice, three_priorities):
    first = three_priorities[0]
    services.item_move(item_id=first.pk, user=alice, new_parent_id=first.parent_id, new_position=99)
    assert [t for _, t in outline(plan)[1:]] == ["Second", "Third", "First"]
    assert_tree_is_valid(plan)


def test_it_moves_an_action_with_its_subtree_to_another_priority(plan, alice, three_priorities):
    action = add_item(plan, three_priorities[0], "action", title="Act")
    add_item(plan, action, "milestone", title="Step")
    add_item(plan, three_priorities[2], "action", title="Existing")
    services.item_move(item_id=action.pk, user=alice, new_parent_id=three_priorities[2].pk, new_position=1)
    assert outline(plan)[1:] == [
        ("1", "First"),
        ("2", "Second"),
        ("3", "Third"),
        ("3.1", "Act"),
        ("3.1.1", "Step"),
        ("3.2", "Existing"),
    ]
    assert_tree_is_valid(plan)


def test_a_move_between_parents_writes_a_history_row_for_every_sibling_renumbered(plan, alice, three_priorities):
    first, _, third = three_priorities
    leaving = [add_item(plan, first, "action", title=f"Leaving side {n}") for n in range(3)]
    arriving = [add_item(plan, third, "action", title=f"Arriving side {n}") for n in range(2)]
    before = PlanItem.history.count()
    services.item_move(item_id=leaving[0].pk, user=alice, new_parent_id=third.pk, new_position=1, reason="Regroup")
    rows = list(PlanItem.history.order_by("-history_id")[: PlanItem.history.count() - before])
    # the item itself, the two after it under the old parent, the two now after it under the new one
    assert sorted(r.id for r in rows) == sorted(i.pk for i in [*leaving, *arriving])
    assert {(r.id, r.position) for r in rows} == {
        (leaving[0].pk, 1), (leaving[1].pk, 1), (leaving[2].pk, 2), (arriving[0].pk, 2), (arriving[1].pk, 3),
    }  # fmt: skip
    assert {r.history_change_reason for r in rows} == {"Regroup"} and len({r.history_date for r in rows}) == 1
    for row in rows:  # each history row is the item as it now stands
        assert PlanItem.objects.get(pk=row.id).position == row.position
        assert PlanItem.objects.get(pk=row.id).version == row.version
    assert_tree_is_valid(plan)


def test_it_refuses_a_move_that_breaks_the_nesting_rules(plan, alice, three_priorities):
    action = add_item(plan, three_priorities[0], "action")
    milestone = add_item(plan, action, "milestone")
    with pytest.raises(ValidationError) as error:
        services.item_move(item_id=milestone.pk, user=alice, new_parent_id=three_priorities[1].pk, new_position=1)
    assert "cannot go under a priority" in str(error.value)
    assert PlanItem.objects.get(pk=milestone.pk).parent_id == action.pk
    assert_tree_is_valid(plan)


def test_it_refuses_to_move_an_item_under_itself(plan, alice, three_priorities):
    inner = add_item(plan, three_priorities[0], "priority", title="Inner")
    with pytest.raises(ValidationError):
        services.item_move(item_id=three_priorities[0].pk, user=alice, new_parent_id=inner.pk, new_position=1)


def test_it_deletes_a_subtree_closes_the_gap_and_keeps_history(plan, alice, three_priorities):
    action = add_item(plan, three_priorities[0], "action")
    target = add_item(plan, action, "target")
    removed = services.item_delete(item_id=three_priorities[0].pk, user=alice, reason="Merged into 2")
    assert {i.pk for i in removed} == {three_priorities[0].pk, action.pk, target.pk}
    assert [t for _, t in outline(plan)[1:]] == ["Second", "Third"]
    deleted = PlanItem.history.filter(history_type="-", id__in=[i.pk for i in removed])
    assert deleted.count() == 3
    assert set(deleted.values_list("history_change_reason", flat=True)) == {"Merged into 2"}
    assert_tree_is_valid(plan)


def test_it_refuses_to_delete_the_vision(plan, alice):
    with pytest.raises(ValidationError):
        services.item_delete(item_id=vision_of(plan).pk, user=alice)


def test_a_stale_update_is_a_conflict_and_writes_nothing(plan, alice, bob, three_priorities):
    item = three_priorities[0]
    services.item_update(
        item_id=item.pk, user=alice, change=services.ItemChange({"title": "Alice's"}), expected_version=1
    )
    history_before = PlanItem.history.count()
    with pytest.raises(EditConflict) as conflict:
        services.item_update(
            item_id=item.pk, user=bob, change=services.ItemChange({"title": "Bob's"}), expected_version=1
        )
    assert conflict.value.stored.title == "Alice's"
    assert PlanItem.objects.get(pk=item.pk).title == "Alice's"
    assert PlanItem.history.count() == history_before


def test_an_update_that_fails_validation_writes_nothing(plan, alice, three_priorities):
    action = add_item(plan, three_priorities[0], "action")
    history_before = PlanItem.history.count()
    with pytest.raises(ValidationError):
        services.item_update(
            item_id=action.pk, user=alice, change=services.ItemChange({"cost_amount": -5}), expected_version=1
        )
    assert PlanItem.objects.get(pk=action.pk).cost_amount is None
    assert PlanItem.history.count() == history_before


@pytest.mark.parametrize(
    ("parent_kind", "kind", "allowed"),
    [
        ("vision", "priority", True),
        ("priority", "priority", True),
        ("priority", "action", True),
        ("action", "action", True),
        ("action", "target", True),
        ("action", "milestone", True),
        ("target", "milestone", True),
        ("vision", "action", False),
        ("priority", "target", False),
        ("priority", "milestone", False),
        ("target", "action", False),
        ("milestone", "milestone", False),
    ],
)
def test_nesting_rules(parent_kind, kind, allowed):
    assert (kind in PlanItem.child_kinds(parent_kind)) is allowed


def test_a_target_needs_a_measure_and_percentages_stay_in_range(plan, alice, three_priorities):
    action = add_item(plan, three_priorities[0], "action")
    with pytest.raises(ValidationError) as error:
        add_item(plan, action, "target", unit="percentage", direction="higher", target_value=120)
    assert "between 0 and 100" in str(error.value)
    with pytest.raises(ValidationError) as error:
        add_item(plan, action, "target", unit="", direction="", target_value=None)
    assert {"unit", "direction", "target_value"} <= set(error.value.message_dict)


def test_only_actions_and_milestones_carry_a_cost(plan, three_priorities):
    with pytest.raises(ValidationError) as error:
        add_item(plan, vision_of(plan), "priority", cost_amount=10, cost_type="revenue")
    assert "cost_amount" in error.value.message_dict
