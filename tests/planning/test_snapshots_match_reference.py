"""The past view and the comparison read history as values, in two steps (a plan's shape,
then only the rows shown or differing): they must show exactly what the old reading,
every column of every item as model instances (``snapshots_reference``), showed, for a
plan changed in every way a plan changes, at every moment and between every two."""

from dataclasses import astuple
from datetime import timedelta
from itertools import permutations

import pytest
from django.utils import timezone

from planning import services, snapshots
from planning.models import PlanItem
from tests.factories import IndicatorFactory, OrganisationFactory, add_item, make_plan, vision_of
from tests.planning import snapshots_reference as reference

NAMED = ("lead_officer", "lead_organisation", "indicator")


def _name(item, name):
    return str(getattr(item, name)) if PlanItem._meta.get_field(name).is_cached(item) else None


def row_key(row, places=True):
    item = row.item
    return (
        row.reference,
        row.depth,
        row.label,
        tuple(getattr(item, column) for column in snapshots.ITEM_COLUMNS),
        tuple(_name(item, name) for name in NAMED),
        [organisation.name for organisation in row.supporters],
        row.child_kinds,
        (row.is_first, row.is_last) if places else None,
        row.url,
        [astuple(end) for end in row.links_out],
        [astuple(end) for end in row.links_in],
    )


def difference_key(difference):
    return (
        difference.kind,
        difference.label,
        difference.title,
        difference.before_reference,
        difference.after_reference,
        [astuple(change) for change in difference.changes],
    )


def update(item, user, *, supporters=None, **fields):
    item.refresh_from_db()
    return services.item_update(
        item_id=item.pk, user=user, change=services.ItemChange(fields, supporting_organisations=supporters),
        expected_version=item.version, reason="Changed by a test",
    )  # fmt: skip


@pytest.fixture
def moments(plan, alice, bob, college):
    """A plan named at four moments, changed between them in every way: fields, leads,
    supporters, moves within and across parents, deletions, additions, links made and
    removed within the plan and to another plan whose item is renamed, the plan renamed."""
    school = OrganisationFactory(name="A School")
    indicator = IndicatorFactory()
    other = make_plan(owner=bob, slug="corporate", title="Council Plan")
    theirs = add_item(other, vision_of(other), "priority", user=bob, title="Their priority")
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", title="First")
    nested = add_item(plan, first, "priority", title="Nested priority")
    second = add_item(plan, vision, "priority", title="Second")
    actions = [add_item(plan, parent, "action", title=f"Action {n}", cost_amount=100 * n, cost_type="revenue")
               for n, parent in enumerate([first, first, nested, second, second, second])]  # fmt: skip
    targets = [add_item(plan, action, "target", title=f"Target {n}") for n, action in enumerate(actions[:4])]
    add_item(plan, targets[0], "milestone", title="Milestone")
    update(actions[0], alice, lead_officer=alice, lead_organisation=college, supporters=[college, school])
    update(targets[1], alice, indicator=indicator, lead_officer=bob)
    services.link_add(source_id=actions[0].pk, target_id=theirs.pk, relation="contributes_to", user=alice)
    inner = services.link_add(source_id=actions[3].pk, target_id=second.pk, relation="contributes_to", user=alice)
    services.link_add(source_id=theirs.pk, target_id=actions[4].pk, relation="depends_on", user=bob)
    found = [timezone.now() - timedelta(days=3650)]  # before the plan existed
    found.append(services.edition_create(plan=plan, name="Draft", user=alice).moment)
    update(actions[0], alice, title="Action 0, renamed", lead_officer=bob, supporters=[school])
    update(actions[1], alice, supporters=[college], cost_amount=999)
    services.item_move(item_id=second.pk, user=alice, new_parent_id=vision.pk, new_position=1)
    services.item_move(item_id=actions[5].pk, user=alice, new_parent_id=second.pk, new_position=1)
    services.item_move(item_id=actions[2].pk, user=alice, new_parent_id=first.pk, new_position=1)
    services.item_delete(item_id=targets[3].pk, user=alice)
    services.link_delete(link_id=inner.pk, user=alice)
    update(theirs, bob, title="Their priority, renamed")
    found.append(services.edition_create(plan=plan, name="Consulted", user=alice).moment)
    services.item_delete(item_id=actions[0].pk, user=alice)  # with its target and milestone
    add_item(plan, nested, "action", title="Added later")
    services.link_add(source_id=actions[1].pk, target_id=actions[4].pk, relation="depends_on", user=alice)
    plan.refresh_from_db()
    services.plan_update(plan_id=plan.pk, user=alice, fields={"title": "Renamed plan", "label_action": "Project"},
                         expected_version=plan.version)  # fmt: skip
    found.append(services.edition_create(plan=plan, name="Approved", user=alice).moment)
    update(targets[1], alice, indicator=None, lead_officer=None, target_value=90)
    found.append(timezone.now())
    return found


def test_a_plan_at_every_moment_is_what_the_old_reading_showed(plan, moments):
    for when in moments:
        (old,) = reference.plans_at(plan, [when])
        new = snapshots.plan_at(plan, when)
        if old is None:
            assert new is None
            continue
        assert [row_key(row) for row in new.rows] == [row_key(row) for row in old.rows]
        assert (new.plan.title, new.plan.status, new.plan.label_action) == (
            old.plan.title, old.plan.status, old.plan.label_action
        )  # fmt: skip


def test_priorities_first_shows_the_same_rows_as_every_item_does(plan, moments):
    """Shown priorities first, each row is the row of the whole plan (its reference counted
    on the whole plan); only the items under priorities not opened are left out."""
    for when in moments[1:]:
        whole = snapshots.plan_at(plan, when)
        priorities = [row.item.pk for row in whole.rows if row.item.kind == "priority"]
        for opened in ([], priorities[:1], priorities[1:]):
            folded = snapshots.plan_at(plan, when, fold_above=0, opened=opened)
            owner = {}
            for row in whole.rows:
                if row.item.kind in snapshots.SHOWN_FIRST:
                    owner[row.item.pk] = row.item.pk
                else:
                    owner[row.item.pk] = owner[row.item.parent_id]
            expected = [
                row for row in whole.rows if row.item.kind in snapshots.SHOWN_FIRST or owner[row.item.pk] in opened
            ]
            assert [row_key(row, places=False) for row in folded.rows] == [
                row_key(row, places=False) for row in expected
            ]
            assert set(folded.folded) | set(folded.opened) <= set(priorities)
            assert sum(folded.folded.values()) + sum(folded.opened.values()) + len(priorities) + 1 == len(whole.rows)


def test_every_two_moments_compare_as_the_old_comparison_did(plan, moments):
    compared = 0
    for before, after in permutations(moments, 2):
        old = reference.plans_at(plan, [before, after])
        new = snapshots.compare(plan, before, after)
        if None in old:
            assert new is None
            continue
        expected = [difference_key(d) for d in reference.compare(*old)]
        assert [difference_key(d) for d in new] == expected
        compared += bool(expected)
    assert compared == 12  # every pair of the four moments the plan existed at differs
