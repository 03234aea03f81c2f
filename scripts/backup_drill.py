"""Backup and restore drill: prove that a dump of the database restores into one that works.

    DATABASE_URL=postgres://owner:password@host:5432/name .venv/bin/python scripts/backup_drill.py

A backup nobody has restored is a hope, not a backup. The drill dumps the database named by
DATABASE_URL (``pg_dump -Fc``, the format a nightly backup would use), restores the dump into
a scratch database on the same server, and checks the copy:

1. ``manage.py migrate --check`` and ``showmigrations`` against the copy: no migration is
   missing, so the app would start on it;
2. every table has as many rows in the copy as in the source;
3. every history table (any table with a ``history_id`` column) has the same checksum:
   md5 of all its rows as text, in ``history_id`` order. History is the record of who
   changed what, so it must come back byte for byte, not just in number.

The source is counted in the very snapshot pg_dump copies (``pg_export_snapshot`` and
``pg_dump --snapshot``), so the drill can run against a live database without false
alarms from writes made while it runs. It prints a table, exits 1 on any difference or
failed step, and drops the scratch database however it ends (finally, also on Ctrl+C or
SIGTERM). The role needs CREATEDB, and the roles named in the dump's grants must exist on
the server (they do: it is the same server).
"""

import os
import signal
import subprocess  # nosec B404  # runs pg_dump, pg_restore and manage.py with fixed arguments, no shell
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import dj_database_url
import psycopg2
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ

BASE_DIR = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class TableStats:
    rows: int
    checksum: str | None  # history tables only


@dataclass(frozen=True)
class Row:
    table: str
    source: TableStats | None
    restored: TableStats | None

    @property
    def ok(self) -> bool:
        return self.source == self.restored


def compare(source: dict[str, TableStats], restored: dict[str, TableStats]) -> list[Row]:
    """One row per table found on either side; a table missing from one side is a difference."""
    return [Row(table, source.get(table), restored.get(table)) for table in sorted(source.keys() | restored.keys())]


def table_stats(cursor) -> dict[str, TableStats]:
    cursor.execute(
        "SELECT c.relname, EXISTS (SELECT FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'history_id'"
        " AND NOT a.attisdropped) FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace"
        " ORDER BY c.relname"
    )
    stats = {}
    for table, is_history in cursor.fetchall():
        name = sql.Identifier(table)
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(name))
        rows = cursor.fetchone()[0]
        checksum = None
        if is_history:
            cursor.execute(
                sql.SQL(
                    "SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.history_id), '')) FROM {} AS t"
                ).format(name)
            )
            checksum = cursor.fetchone()[0]
        stats[table] = TableStats(rows, checksum)
    return stats


def report(rows: list[Row]) -> str:
    def cell(stats: TableStats | None) -> tuple[str, str]:
        if stats is None:
            return "missing", ""
        return f"{stats.rows:,}", (stats.checksum or "")[:12]

    lines = [
        f"{'table':<42} {'source rows':>12} {'restored rows':>14}  {'history md5 (source / restored)':<27}  result"
    ]
    for row in rows:
        (source_rows, source_md5), (restored_rows, restored_md5) = cell(row.source), cell(row.restored)
        md5 = f"{source_md5} / {restored_md5}" if source_md5 or restored_md5 else ""
        lines.append(
            f"{row.table:<42} {source_rows:>12} {restored_rows:>14}  {md5:<27}  {'ok' if row.ok else 'DIFFERENT'}"
        )
    return "\n".join(lines)


def _pg_env(db: dict) -> dict[str, str]:
    """libpq's variables: the password never appears in a process listing."""
    env = dict(os.environ)
    env.update({"PGHOST": db["HOST"] or "", "PGPORT": str(db["PORT"] or 5432), "PGUSER": db["USER"] or ""})
    env["PGPASSWORD"] = db["PASSWORD"] or ""
    return env


def _connect(db: dict, name: str):
    try:
        return psycopg2.connect(
            dbname=name, user=db["USER"], password=db["PASSWORD"], host=db["HOST"], port=db["PORT"] or 5432
        )
    except psycopg2.OperationalError as error:
        raise SystemExit(f"Cannot connect to the database {name}: {error}".strip()) from None


def _run(step: str, args: list[str], **kwargs) -> subprocess.CompletedProcess:
    started = time.monotonic()
    done = subprocess.run(args, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603  # nosec B603
    print(f"{step:<44} {time.monotonic() - started:6.1f} s  {'ok' if done.returncode == 0 else 'FAILED'}")
    if done.returncode != 0:
        raise SystemExit(f"{step} failed:\n{done.stdout}{done.stderr}")
    return done


def drill(url: str) -> int:
    db = dj_database_url.parse(url)
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("The drill needs DATABASE_URL to name a PostgreSQL database.")
    source_name = db["NAME"]
    scratch = f"{source_name[:40]}_drill_{os.getpid()}"
    env = _pg_env(db)
    admin = _connect(db, source_name)
    admin.autocommit = True
    snapshot_holder = _connect(db, source_name)
    snapshot_holder.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
    with tempfile.TemporaryDirectory() as tmp:
        dump = Path(tmp) / f"{source_name}.dump"
        try:
            with snapshot_holder.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                _run("pg_dump -Fc", ["pg_dump", "-Fc", f"--snapshot={snapshot}", "-f", str(dump), source_name], env=env)
                print(f"{'dump size':<44} {dump.stat().st_size / 1_048_576:6.1f} MB")
                source = table_stats(cursor)
            snapshot_holder.rollback()
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(scratch)))
            _run(
                "pg_restore into a fresh database",
                ["pg_restore", "--exit-on-error", "--no-owner", "-d", scratch, str(dump)],
                env=env,
            )
            scratch_env = {**os.environ, "DATABASE_URL": _url_for(db, scratch)}
            manage = [sys.executable, str(BASE_DIR / "manage.py")]
            _run("manage.py migrate --check", [*manage, "migrate", "--check"], env=scratch_env, cwd=BASE_DIR)
            shown = _run(
                "manage.py showmigrations", [*manage, "showmigrations", "--plan"], env=scratch_env, cwd=BASE_DIR
            )
            unapplied = [line for line in shown.stdout.splitlines() if line.startswith("[ ]")]
            applied = sum(1 for line in shown.stdout.splitlines() if line.startswith("[X]"))
            print(f"{'migrations applied / unapplied':<44} {applied} / {len(unapplied)}")
            restored_conn = _connect(db, scratch)
            try:
                with restored_conn.cursor() as cursor:
                    restored = table_stats(cursor)
            finally:
                restored_conn.close()
        finally:
            snapshot_holder.close()
            with admin.cursor() as cursor:
                cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(scratch)))
            admin.close()
    rows = compare(source, restored)
    print()
    print(report(rows))
    different = [row for row in rows if not row.ok]
    history = sum(1 for row in rows if row.source and row.source.checksum is not None)
    print(
        f"\n{len(rows)} tables ({history} history tables checksummed), {sum(r.source.rows for r in rows if r.source):,}"
        f" rows: {'all match' if not different and not unapplied else 'DIFFERENCES FOUND'}"
    )
    return 1 if different or unapplied else 0


def _url_for(db: dict, name: str) -> str:
    credentials = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{name}"


def _terminate(signum, frame):
    raise SystemExit(f"Stopped by signal {signum}; the scratch database is being dropped.")


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, _terminate)  # so the finally blocks run and drop the scratch database
    url = os.environ.get("DATABASE_URL")
    if not url:
        raise SystemExit("Set DATABASE_URL to the PostgreSQL database to drill.")
    sys.exit(drill(url))
