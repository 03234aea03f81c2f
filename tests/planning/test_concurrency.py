"""Concurrent writers cannot corrupt a plan's tree: every structural write locks the plan
row, and new trees take an advisory lock (tree-and-history.md, findings 6 and 9).

Threads need a database server, so these run in CI's PostgreSQL pass; SQLite's
in-memory test database cannot be shared between threads.
"""

import random
import threading

import pytest
from django.db import connection

from planning import services
from planning.models import Plan, PlanItem
from tests.factories import make_plan, vision_of
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
