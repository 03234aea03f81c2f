"""Concurrent writers cannot corrupt a plan's tree: every structural write locks the plan
row, and new trees take an advisory lock (tree-and-history.md, findings 6 and 9). Nor can
they lose an edit: a save made on a stale version is refused with ``EditConflict``.

Threads need a database server, so these run in CI's PostgreSQL pass; SQLite's
in-memory test database cannot be shared between threads.
"""

import random
import re
import threading

import pytest
from django.db import connection

from planning import services
from planning.conflicts import EditConflict
from planning.models import Plan, PlanItem
from tests.factories import UserFactory, add_item, make_plan, vision_of
from tests.planning.test_item_services import assert_tree_is_valid

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; runs in the CI PostgreSQL pass"),
]


def _run_in_threads(count: int, work) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def runner(n: int) -> None:
        try:
            barrier.wait()
            work(n)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_eight_writers_adding_and_moving_keep_the_tree_valid(alice):
    plan = make_plan(owner=alice)
    vision = vision_of(plan)
    priorities = [
        services.item_add(plan=plan, parent_id=vision.pk, kind="priority", user=alice,
                          change=services.ItemChange({"title": f"P{n}"}))
        for n in range(3)
    ]  # fmt: skip

    def work(n: int) -> None:
        rng = random.Random(n)
        for step in range(12):
            actions = list(PlanItem.objects.filter(plan=plan, kind="action").values_list("pk", flat=True))
            if actions and step % 3 == 2:
                services.item_move(
                    item_id=rng.choice(actions), user=alice,
                    new_parent_id=rng.choice(priorities).pk, new_position=rng.randint(1, 4),
                )  # fmt: skip
            else:
                services.item_add(
                    plan=plan, parent_id=rng.choice(priorities).pk, kind="action", user=alice,
                    change=services.ItemChange({"title": f"A{n}.{step}"}),
                )  # fmt: skip

    assert _run_in_threads(8, work) == []
    assert PlanItem.objects.filter(plan=plan, kind="action").count() == 8 * 8
    assert_tree_is_valid(plan)


def test_plans_created_at_once_get_trees_of_their_own(alice):
    def work(n: int) -> None:
        make_plan(owner=alice, title=f"Concurrent {n}", slug=f"concurrent-{n}")

    assert _run_in_threads(6, work) == []
    roots = PlanItem.objects.filter(parent__isnull=True, plan__slug__startswith="concurrent-")
    assert roots.count() == 6
    assert len(set(roots.values_list("tree_id", flat=True))) == 6
    for plan in Plan.objects.filter(slug__startswith="concurrent-"):
        assert_tree_is_valid(plan)


def test_eight_editors_of_one_item_lose_no_edit(alice, service):
    """Optimistic locking under load: every writer re-reads after a conflict and tries
    again, so all 8 × 25 edits land, each on top of the one before it."""
    writers, edits = 8, 25
    users = [UserFactory(username=f"writer{n}", organisation=service) for n in range(writers)]
    plan = make_plan(owner=alice)
    priority = add_item(plan, vision_of(plan), "priority")
    action = add_item(plan, priority, "action", description="", cost_amount=0, cost_type="revenue")
    start_version = action.version
    history_before = PlanItem.history.filter(id=action.pk).count()
    conflicts = [0] * writers

    def work(n: int) -> None:
        for k in range(edits):
            for _attempt in range(writers * edits):  # every conflict means another edit landed
                stored = PlanItem.objects.get(pk=action.pk)
                change = services.ItemChange(
                    {"description": f"{stored.description}[{n}.{k}]", "cost_amount": stored.cost_amount + 1}
                )
                try:
                    services.item_update(
                        item_id=action.pk, user=users[n], change=change,
                        expected_version=stored.version, reason=f"writer {n} edit {k}",
                    )  # fmt: skip
                    break
                except EditConflict:
                    conflicts[n] += 1
            else:
                raise AssertionError(f"writer {n}'s edit {k} never landed")

    assert _run_in_threads(writers, work) == []
    final = PlanItem.objects.get(pk=action.pk)
    marks = re.findall(r"\[(\d+)\.(\d+)\]", final.description)
    expected = {(str(n), str(k)) for n in range(writers) for k in range(edits)}
    assert len(marks) == writers * edits, f"{len(marks)} marks kept (conflicts per writer: {conflicts})"
    assert set(marks) == expected, f"lost: {sorted(expected - set(marks))}"
    for n in range(writers):  # each writer's own edits land in its order
        assert [int(k) for w, k in marks if w == str(n)] == list(range(edits))
    assert final.cost_amount == writers * edits
    assert final.version == start_version + writers * edits

    history = PlanItem.history.filter(id=action.pk)
    assert history.count() == history_before + writers * edits
    rows = list(history.filter(version__gt=start_version).order_by("version"))
    assert [row.version for row in rows] == list(range(start_version + 1, final.version + 1))
    assert {row.history_type for row in rows} == {"~"}
    previous = history.get(version=start_version)
    for row in rows:  # each row is the one before it plus exactly one mark, by its writer, for its reason
        assert row.description.startswith(previous.description), f"version {row.version} dropped an earlier edit"
        n, k = re.fullmatch(r"\[(\d+)\.(\d+)\]", row.description.removeprefix(previous.description)).groups()
        assert row.history_user_id == users[int(n)].pk, f"version {row.version}"
        assert row.history_change_reason == f"writer {n} edit {k}", f"version {row.version}"
        assert row.cost_amount == previous.cost_amount + 1, f"version {row.version}"
        previous = row
