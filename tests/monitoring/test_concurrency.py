"""Concurrent saves of one return on PostgreSQL: exactly one first save wins, every other
writer gets ``EditConflict`` (the conflict page), and nothing is lost or duplicated.

Threads need a database server, so these run in CI's PostgreSQL pass.
"""

import pytest
from django.db import connection

from monitoring import services
from monitoring.models import ProgressReturn
from planning.conflicts import EditConflict
from tests.planning.test_concurrency import _run_in_threads

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL; runs in the CI PostgreSQL pass"),
]


def test_twenty_first_saves_of_one_return_make_exactly_one(monitored, q1, bob):
    outcomes = []

    def work(n: int) -> None:
        try:
            services.return_save(
                item=monitored.action,
                period=q1,
                user=bob,
                fields={"rag": "green", "narrative": f"Writer {n}"},
                expected_version=0,
                submit=True,
            )
            outcomes.append("saved")
        except EditConflict:
            outcomes.append("conflict")

    assert _run_in_threads(20, work) == []
    assert sorted(outcomes) == ["conflict"] * 19 + ["saved"]
    saved = ProgressReturn.objects.get()
    assert saved.history.count() == 1


def test_eight_editors_of_one_draft_lose_nothing(monitored, q1, bob):
    services.return_save(item=monitored.action, period=q1, user=bob, fields={"narrative": "0"}, expected_version=0)
    won = []

    def work(n: int) -> None:
        for _ in range(10):
            stored = ProgressReturn.objects.get()
            try:
                services.return_save(
                    item=monitored.action,
                    period=q1,
                    user=bob,
                    fields={"narrative": f"{stored.narrative},{n}"},
                    expected_version=stored.version,
                )
                won.append(n)
            except EditConflict:
                pass

    assert _run_in_threads(8, work) == []
    final = ProgressReturn.objects.get()
    # every successful save built on the one before it: each winner's mark is in the text
    assert final.narrative.count(",") == len(won)
    assert final.version == 1 + len(won)
    assert final.history.count() == 1 + len(won)
