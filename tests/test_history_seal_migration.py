"""Upgrading to sealed history: the migration seals the rows an installation already has
(in a module of its own: it migrates the database back and forth, outside any transaction)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from audit.verify import verify_history
from config.history_seal import seal_of
from planning.models import Indicator


@pytest.mark.django_db(transaction=True)
def test_an_installation_upgrading_has_the_history_it_had_sealed_by_the_migration():
    before = [("partners", "0003_text_limits_and_characters"), ("planning", "0006_text_limits_and_characters")]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate(before + [("monitoring", "0003_text_limits_and_characters"), ("audit", None)])
    old = executor.loader.project_state(before).apps
    old.get_model("planning", "HistoricalIndicator").objects.create(
        id=7, code="ks2", name="Key stage 2", definition="", history_date="2013-04-01T09:00:00Z", history_type="+"
    )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    sealed = Indicator.history.get(id=7)  # read with the live models again
    assert sealed.history_seal == seal_of(sealed)
    assert [problem for check in verify_history() for problem in check.problems] == []
