"""On PostgreSQL the application's role may add history but never change or delete it
(partners/management/commands/grant_app_role.py).

The test database belongs to the role the tests connect as, which stands in for the owner
that runs migrations. The app role (``DB_APP_ROLE``, default ``golden_thread_app``) exists
beforehand with that owner as a member (.ci/run creates it), so a test can ``SET LOCAL
ROLE`` to it: creating roles needs CREATEROLE, and roles are shared by every database in
the cluster. The grants and the role switch belong to the test's transaction and end with it."""

import os
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import ProgrammingError, connection, transaction

from partners.management.commands.grant_app_role import history_tables
from planning import services
from planning.models import Plan, PlanItem
from tests.factories import add_item, make_plan, vision_of

APP_ROLE = os.environ.get("DB_APP_ROLE", "golden_thread_app")
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="roles and grants are PostgreSQL's")


@pytest.fixture
def granted(db):
    """The app role with its grants in the test database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_has_role(current_user, oid, 'MEMBER') FROM pg_roles WHERE rolname = %s", [APP_ROLE])
        row = cursor.fetchone()
    if row is None or not row[0]:
        pytest.skip(f"needs a role {APP_ROLE} that the test role is a member of (.ci/run creates it)")
    call_command("grant_app_role", APP_ROLE, stdout=StringIO())
    return APP_ROLE


@pytest.fixture
def as_app_role(granted):
    """Act as the app role for the rest of the test (request it after the data fixtures)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {connection.ops.quote_name(granted)}")
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == granted


def _refused(sql: str) -> bool:
    """Whether the database refuses ``sql`` for want of privilege. It runs in a savepoint,
    so the test's transaction carries on either way."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    except ProgrammingError as error:
        assert "permission denied" in str(error)
        return True
    return False


@postgresql_only
def test_every_history_table_takes_inserts_but_refuses_updates_deletes_and_truncation(as_app_role):
    tables = sorted(history_tables())
    assert "planning_historicalplan" in tables and "monitoring_historicalprogressreturn" in tables
    assert "audit_historycheckpoint" in tables  # what verify_history found, kept as it was found
    for table in tables:
        name = connection.ops.quote_name(table)
        assert not _refused(f"INSERT INTO {name} SELECT * FROM {name} WHERE false"), table  # noqa: S608
        assert _refused(f"UPDATE {name} SET id = id"), table  # noqa: S608  # a column every such table has
        assert _refused(f"DELETE FROM {name}"), table  # noqa: S608
        assert _refused(f"TRUNCATE {name}"), table


@postgresql_only
def test_the_app_role_cannot_rewrite_or_delete_a_history_row(plan, as_app_role):
    row = Plan.history.get(id=plan.pk)

    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        Plan.history.filter(pk=row.pk).update(history_change_reason="Nothing happened here")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        Plan.history.filter(pk=row.pk).delete()

    assert Plan.history.get(pk=row.pk).history_change_reason == row.history_change_reason


@postgresql_only
def test_ordinary_tables_stay_writable(plan, as_app_role):
    assert Plan.objects.filter(pk=plan.pk).update(summary="Changed by the app role") == 1
    assert not _refused("DELETE FROM django_session")
    assert _refused("DELETE FROM django_migrations")  # the app only reads which migrations ran


@postgresql_only
def test_the_services_write_items_and_their_history_as_the_app_role(plan, alice, as_app_role):
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", user=alice, title="First")
    second = add_item(plan, vision, "priority", user=alice, title="Second")
    change = services.ItemChange({"title": "First, renamed"})
    services.item_update(item_id=first.pk, user=alice, change=change, expected_version=first.version)
    services.item_move(item_id=second.pk, user=alice, new_parent_id=vision.pk, new_position=1)
    services.item_delete(item_id=first.pk, user=alice, reason="Merged into the second")
    make_plan(owner=alice, title="A plan created by the app role", slug="app-role")  # tree lock, plan, vision

    types = list(PlanItem.history.filter(id=first.pk).order_by("history_id").values_list("history_type", flat=True))
    assert types == ["+", "~", "~", "-"]  # added, renamed, moved down by its sibling's move, deleted
    assert PlanItem.history.filter(id=first.pk, history_type="-").get().history_user == alice
    assert Plan.objects.filter(slug="app-role").exists()


@postgresql_only
def test_a_person_who_wrote_history_cannot_be_deleted_only_deactivated(plan, bob, as_app_role):
    """Deleting a user would blank ``history_user`` on every row they wrote."""
    add_item(plan, vision_of(plan), "priority", user=bob, title="Bob's priority")
    with pytest.raises(ProgrammingError, match="permission denied"), transaction.atomic():
        bob.delete()
    bob.is_active = False
    bob.save()
    assert PlanItem.history.get(title="Bob's priority").history_user == bob


@postgresql_only
def test_the_check_fails_when_the_app_role_may_rewrite_history(granted):
    call_command("grant_app_role", granted, "--check", stdout=StringIO())  # as granted: passes
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT UPDATE ON planning_historicalplan TO {connection.ops.quote_name(granted)}")
    with pytest.raises(CommandError, match=f"{granted} may UPDATE on planning_historicalplan"):
        call_command("grant_app_role", granted, "--check", stdout=StringIO())


@postgresql_only
def test_the_grants_can_be_printed_for_review(granted):
    out = StringIO()
    call_command("grant_app_role", granted, "--print", stdout=out)
    assert f'GRANT SELECT, INSERT ON TABLE "planning_historicalplan" TO "{granted}";' in out.getvalue()
    assert f'GRANT SELECT, INSERT, UPDATE, DELETE ON TABLE "planning_plan" TO "{granted}";' in out.getvalue()


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the refusal is for databases without roles")
def test_the_command_refuses_a_database_without_roles(db):
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("grant_app_role", APP_ROLE)


@postgresql_only
def test_a_history_row_the_app_role_forges_is_named_by_verify_history(plan, pat, as_app_role):
    """The issue's attack: as the application's role, a back-dated row attributed to a
    partner with the reason "Agreed at Cabinet". The role may insert it, and the check
    names it; the role may also record checkpoints, but only of a clean check."""
    call_command("verify_history", "--checkpoint", stdout=StringIO())
    table = connection.ops.quote_name(Plan.history.model._meta.db_table)
    columns = [f.column for f in Plan.history.model._meta.concrete_fields if f.column != "history_id"]
    kept = ", ".join(c for c in columns if c not in {"history_user_id", "history_date", "history_change_reason"})
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({kept}, history_user_id, history_date, history_change_reason) "  # noqa: S608
            f"SELECT {kept}, %s, '2013-04-01 09:00+00', 'Agreed at Cabinet' FROM {table} WHERE id = %s "
            "RETURNING history_id",
            [pat.pk, plan.pk],
        )
        forged = cursor.fetchone()[0]
    err = StringIO()
    with pytest.raises(CommandError, match=f"history row {forged}"):
        call_command("verify_history", "--checkpoint", stdout=StringIO(), stderr=err)
    assert "Agreed at Cabinet" in err.getvalue() and f"by person {pat.pk}" in err.getvalue()
