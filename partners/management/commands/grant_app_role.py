"""manage.py grant_app_role ROLE: the application's database role may read and write every
table except the history tables, which it may only read and add to.

History is complete only if nobody rewrites it (design rule 1). The application never
updates or deletes a history row; on PostgreSQL the database enforces that too, so a bug,
a careless shell session or an injected query running as the application cannot either.
Migrations run as the role that owns the tables; the app runs as ROLE, a separate role
that owns nothing, with these grants:

- history tables (django-simple-history's, e.g. ``planning_historicalplan``) and the
  checkpoints of ``verify_history`` (``audit_historycheckpoint``): SELECT, INSERT;
- ``django_migrations``: SELECT;
- every other table of an installed app: SELECT, INSERT, UPDATE, DELETE;
- every sequence: USAGE, SELECT (new ids); the schema: USAGE.

Nothing else: no TRUNCATE, REFERENCES or TRIGGER, and no CREATE on the schema. Run it as
the owner after every ``migrate`` (a new table has no grants until it runs); it revokes
first, so it is safe to run again. ``--check`` changes nothing and fails if the role's
privileges differ from these, e.g. because it owns the tables or is a member of their owner.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from audit.models import HistoryCheckpoint
from config.history import tracked_models

READ_WRITE = ("SELECT", "INSERT", "UPDATE", "DELETE")
APPEND_ONLY = ("SELECT", "INSERT")
READ_ONLY = ("SELECT",)
ALL_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")


def history_tables() -> set[str]:
    """Every django-simple-history table (``config.history.tracked_models``), and the
    checkpoints that say what those tables held at each check."""
    return {model.history.model._meta.db_table for model in tracked_models()} | {HistoryCheckpoint._meta.db_table}


def table_privileges() -> dict[str, tuple[str, ...]]:
    """What ROLE may do to each existing table of an installed app."""
    history = history_tables()
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    wanted = {table: APPEND_ONLY if table in history else READ_WRITE for table in tables}
    if "django_migrations" in connection.introspection.table_names():
        wanted["django_migrations"] = READ_ONLY
    return dict(sorted(wanted.items()))


def grant_statements(role: str) -> list[str]:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = quote(cursor.fetchone()[0])
    grantee = quote(role)
    statements = [
        f"REVOKE ALL ON ALL TABLES IN SCHEMA {schema} FROM {grantee}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA {schema} FROM {grantee}",
        f"GRANT USAGE ON SCHEMA {schema} TO {grantee}",
    ]
    statements += [
        f"GRANT {', '.join(privileges)} ON TABLE {quote(table)} TO {grantee}"
        for table, privileges in table_privileges().items()
    ]
    statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {grantee}")
    return statements


def privilege_problems(role: str) -> list[str]:
    """Each table privilege ROLE has but should not, or should have but lacks, as the
    database reports it (including privileges it inherits through role membership)."""
    wanted = table_privileges()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t, p, has_table_privilege(%s, quote_ident(current_schema()) || '.' || quote_ident(t), p)"
            " FROM unnest(%s::text[]) AS t, unnest(%s::text[]) AS p ORDER BY t, p",
            [role, list(wanted), list(ALL_PRIVILEGES)],
        )
        rows = cursor.fetchall()
    problems = []
    for table, privilege, has in rows:
        if has and privilege not in wanted[table]:
            problems.append(f"{role} may {privilege} on {table}")
        elif not has and privilege in wanted[table]:
            problems.append(f"{role} may not {privilege} on {table}")
    return problems


class Command(BaseCommand):
    help = "Grant the application's database role its privileges: history tables are append-only."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the role the application connects as (not the owner of the tables)")
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--print", action="store_true", dest="print_only", help="print the statements instead of running them"
        )
        mode.add_argument("--check", action="store_true", help="change nothing; fail if the privileges differ")

    def handle(self, *args, role: str, print_only: bool, check: bool, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL; SQLite has no roles.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, EXISTS (SELECT FROM pg_roles WHERE rolname = %s)", [role])
            current_user, exists = cursor.fetchone()
        if not exists:
            raise CommandError(f"There is no database role {role!r}: create it first (docs/deployment.md).")
        if role == current_user:
            raise CommandError(f"{role!r} is the role running this command; the app needs a role of its own.")
        if print_only:
            self.stdout.write(";\n".join(grant_statements(role)) + ";")
            return
        if not check:
            with transaction.atomic(), connection.cursor() as cursor:
                for statement in grant_statements(role):
                    cursor.execute(statement)
        problems = privilege_problems(role)
        if problems:
            shown = problems[:20] + ([f"... and {len(problems) - 20} more"] if len(problems) > 20 else [])
            raise CommandError("The app role's privileges are not as intended:\n" + "\n".join(shown))
        kinds = list(table_privileges().values())
        self.stdout.write(
            f"{role}: {kinds.count(READ_WRITE)} tables read-write, {kinds.count(APPEND_ONLY)} append-only (history),"
            f" {kinds.count(READ_ONLY)} read-only."
        )
