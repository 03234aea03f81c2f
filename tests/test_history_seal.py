"""History that shows tampering (issue 12, item 7): a row forged with SQL, back-dated and
attributed to a partner, is caught; so are a row changed after it was written, a genuine
row copied, rows deleted since the last check and an altered checkpoint. Rows the
application writes, one by one or in bulk, always pass."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, models

from audit.models import HistoryCheckpoint
from audit.verify import verify_history
from config import history_seal
from config.history import tracked_models
from config.history_seal import SealedHistory, seal_of
from planning import services
from planning.models import PlanItem
from tests.factories import add_item, vision_of

TABLE = PlanItem.history.model._meta.db_table


def _verify(*args) -> tuple[str, str, CommandError | None]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("verify_history", *args, stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), error
    return out.getvalue(), err.getvalue(), None


def _sql(statement: str, params=()) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def _columns() -> list[str]:
    return [field.column for field in PlanItem.history.model._meta.concrete_fields if field.column != "history_id"]


@pytest.fixture
def edited(plan, alice):
    """A plan with history written every way the application writes it: saves, and the
    siblings' rows a move writes in bulk."""
    first = add_item(plan, vision_of(plan), "priority", user=alice, title="Good schools")
    second = add_item(plan, vision_of(plan), "priority", user=alice, title="Skills")
    services.item_update(
        item_id=first.pk,
        user=alice,
        change=services.ItemChange(fields={"title": "Good schools for all"}),
        expected_version=first.version,
        reason="Typo",
    )
    services.item_move(item_id=second.pk, user=alice, new_parent_id=vision_of(plan).pk, new_position=1, reason="Order")
    return first


def test_every_tracked_model_keeps_sealed_history():
    unsealed = [model.__name__ for model in tracked_models() if not issubclass(model.history.model, SealedHistory)]
    assert unsealed == []


def test_what_the_application_writes_is_sealed_and_passes(edited):
    rows = PlanItem.history.model.objects.all()
    assert rows.count() >= 5 and all(row.history_seal == seal_of(row) for row in rows)
    out, err, error = _verify()
    assert error is None, err
    assert f"{TABLE}: " in out and "Every history row is as the application wrote it." in out


def test_the_rows_a_move_writes_in_bulk_are_sealed(edited):
    bulk = PlanItem.history.model.objects.filter(history_change_reason="Order")
    assert bulk.count() >= 2 and all(row.history_seal for row in bulk)


def test_a_row_forged_with_sql_is_caught_and_named(edited, pat):
    columns = [c for c in _columns() if c not in {"history_user_id", "history_date", "history_change_reason"}]
    names = ", ".join(columns)
    _sql(
        f"INSERT INTO {TABLE} ({names}, history_user_id, history_date, history_change_reason) "  # noqa: S608  # the test's own forgery
        f"SELECT {names}, %s, %s, %s FROM {TABLE} WHERE id = %s ORDER BY history_id DESC LIMIT 1",
        [pat.pk, "2013-04-01 09:00:00", "Agreed at Cabinet", edited.pk],
    )
    forged = PlanItem.history.model.objects.latest("history_id")
    out, err, error = _verify()
    assert error is not None
    assert f"{TABLE}, history row {forged.history_id}: it does not match its seal" in err
    assert "Agreed at Cabinet" in err and f"by person {pat.pk}" in err
    assert str(forged.history_id) in str(error)


def test_a_forged_row_without_a_seal_is_caught(edited):
    columns = [c for c in _columns() if c != "history_seal"]
    names = ", ".join(columns)
    _sql(
        f"INSERT INTO {TABLE} ({names}, history_seal) SELECT {names}, '' FROM {TABLE} WHERE id = %s LIMIT 1",  # noqa: S608
        [edited.pk],
    )
    forged = PlanItem.history.model.objects.latest("history_id")
    _, err, error = _verify()
    assert error is not None and f"history row {forged.history_id}: it has no seal" in err


def test_a_row_changed_after_it_was_written_is_caught(edited):
    row = PlanItem.history.model.objects.filter(id=edited.pk).earliest("history_id")
    _sql(f"UPDATE {TABLE} SET title = %s WHERE history_id = %s", ["Approved by Cabinet", row.history_id])  # noqa: S608
    _, err, error = _verify()
    assert error is not None
    assert f"{TABLE}, history row {row.history_id}: it does not match its seal" in err


def test_a_genuine_row_copied_is_caught_as_a_copy(edited):
    original = PlanItem.history.model.objects.filter(id=edited.pk).latest("history_id")
    names = ", ".join(_columns())
    _sql(f"INSERT INTO {TABLE} ({names}) SELECT {names} FROM {TABLE} WHERE history_id = %s", [original.history_id])  # noqa: S608
    copy = PlanItem.history.model.objects.latest("history_id")
    _, err, error = _verify()
    assert error is not None
    assert f"history row {copy.history_id}: it repeats history row {original.history_id}" in err


def test_a_row_deleted_since_the_checkpoint_is_caught(edited):
    out, _, error = _verify("--checkpoint")
    assert error is None and "Checkpoint recorded." in out
    assert HistoryCheckpoint.objects.filter(table=TABLE).exists()
    assert _verify()[2] is None  # nothing changed: the checkpoint agrees
    gone = PlanItem.history.model.objects.filter(id=edited.pk).earliest("history_id")
    _sql(f"DELETE FROM {TABLE} WHERE history_id = %s", [gone.history_id])  # noqa: S608
    _, err, error = _verify()
    assert error is not None
    assert f"{TABLE}, history row {gone.history_id}: it was there at the check of" in err
    assert err.count("has gone") == 1


def test_rows_added_after_a_checkpoint_pass(edited, alice, plan):
    assert _verify("--checkpoint")[2] is None
    add_item(plan, vision_of(plan), "priority", user=alice, title="Later")
    assert _verify()[2] is None


def test_an_altered_checkpoint_is_caught(edited):
    assert _verify("--checkpoint")[2] is None
    checkpoint = HistoryCheckpoint.objects.get(table=TABLE)
    _sql("UPDATE audit_historycheckpoint SET rows = rows + 1 WHERE id = %s", [checkpoint.pk])
    _, err, error = _verify()
    assert error is not None and f"{TABLE}: the checkpoint of" in err and "has been altered" in err


def test_no_checkpoint_is_recorded_when_something_is_wrong(edited):
    _sql(f"UPDATE {TABLE} SET title = 'x' WHERE id = %s", [edited.pk])  # noqa: S608
    assert _verify("--checkpoint")[2] is not None
    assert not HistoryCheckpoint.objects.exists()


def test_a_different_key_finds_every_row_not_its_own(edited, settings):
    """The key is what makes a seal: rows sealed under another key do not pass."""
    settings.HISTORY_SEAL_KEY = "another-key-" + "x" * 50
    checks = {check.table: check for check in verify_history()}
    assert len(checks[TABLE].problems) == checks[TABLE].rows > 0


def test_the_demo_council_passes(demo_output, db):
    _, err, error = _verify()
    assert error is None, err


def test_a_column_added_later_with_a_default_leaves_the_rows_written_before_it_sealed(edited, monkeypatch):
    """Tracked models will grow fields; a migration gives the existing rows the default."""
    model = PlanItem.history.model
    row = model.objects.filter(id=edited.pk).latest("history_id")
    written_with = history_seal.sealed_fields(model)
    added = models.CharField(max_length=20, blank=True, default="")
    added.set_attributes_from_name("colour")
    monkeypatch.setattr(history_seal, "sealed_fields", lambda m: sorted([*written_with, added], key=lambda f: f.name))
    monkeypatch.setattr(history_seal, "_FIELDS", {})
    values = {field.attname: getattr(row, field.attname) for field in written_with}
    assert history_seal.seal(model, {**values, "colour": ""}) == row.history_seal
    assert history_seal.seal(model, {**values, "colour": "red"}) != row.history_seal
