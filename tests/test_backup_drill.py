"""The backup and restore drill (scripts/backup_drill.py): on PostgreSQL it is run for real
against the test database, so the documented command keeps working."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from scripts.backup_drill import TableStats, compare, report
from tests.factories import build_plan, make_plan

BASE_DIR = Path(__file__).resolve().parent.parent


def test_a_table_that_differs_or_is_missing_from_the_copy_is_reported():
    rows = compare(
        {
            "planning_plan": TableStats(3, None),
            "planning_historicalplan": TableStats(5, "0e6c8204e5b5aa"),
            "planning_edition": TableStats(1, None),
        },
        {"planning_plan": TableStats(3, None), "planning_historicalplan": TableStats(5, "ffffffffffffff")},
    )

    assert [(row.table, row.ok) for row in rows] == [
        ("planning_edition", False),  # missing from the copy
        ("planning_historicalplan", False),  # same number of rows, different content
        ("planning_plan", True),
    ]
    lines = report(rows).splitlines()
    assert lines[1].split() == ["planning_edition", "1", "missing", "DIFFERENT"]
    assert lines[2].split() == ["planning_historicalplan", "5", "5", "0e6c8204e5b5", "/", "ffffffffffff", "DIFFERENT"]
    assert lines[3].split() == ["planning_plan", "3", "3", "ok"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the drill uses pg_dump and pg_restore")
@pytest.mark.django_db(transaction=True)  # committed, so pg_dump sees the rows
def test_the_drill_restores_the_database_and_finds_every_row_and_all_history(alice):
    build_plan(make_plan(owner=alice), priorities=2, actions=2, targets=1, milestones=1)
    db = connection.settings_dict
    url = f"postgres://{quote(db['USER'])}:{quote(db['PASSWORD'])}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"

    done = subprocess.run(  # noqa: S603
        [sys.executable, str(BASE_DIR / "scripts" / "backup_drill.py")],
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    lines = {line.split()[0]: line.split() for line in done.stdout.splitlines() if line.strip()}
    assert lines["planning_planitem"][1:] == ["15", "15", "ok"]  # the vision and 14 items
    assert lines["planning_historicalplanitem"][-1] == "ok"
    assert lines["migrations"][-3:] == [str(_migrations()), "/", "0"]
    assert "all match" in done.stdout
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE %s", [f"{db['NAME']}_drill_%"])
        assert cursor.fetchone()[0] == 0  # the scratch database is gone


def _migrations() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM django_migrations")
        return cursor.fetchone()[0]
