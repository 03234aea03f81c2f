"""A uniquely named PostgreSQL database for one benchmark run, dropped at the end.

The PostgreSQL benchmarks (returns_burst, load_test, db_restart) start no server: they
use the one ``BENCHMARK_DATABASE_URL`` names (default: the local development server) and
a role allowed to CREATE DATABASE, create a database of their own there and drop it WITH
(FORCE) at exit, even after a failure half-way with connections open, so that every run
starts clean and can be repeated. Imports nothing from Django, so a script can create the
database before it sets Django up.
"""

import atexit
import os
import secrets
from urllib.parse import quote

import dj_database_url
import psycopg2
from psycopg2 import sql

DEFAULT_URL = "postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread"


class ThrowawayDatabase:
    def __init__(self, prefix: str, script: str):
        self.server = dj_database_url.parse(os.environ.get("BENCHMARK_DATABASE_URL") or DEFAULT_URL)
        if self.server["ENGINE"] != "django.db.backends.postgresql":
            raise SystemExit(f"{script} runs on PostgreSQL: set BENCHMARK_DATABASE_URL to a postgres:// URL")
        self.name = f"{prefix}_{os.getpid()}_{secrets.token_hex(3)}"

    @property
    def host(self) -> str:
        return self.server["HOST"] or "127.0.0.1"

    @property
    def url(self) -> str:
        """The throwaway database's address, for DATABASE_URL."""
        user, password = quote(self.server["USER"], safe=""), quote(self.server["PASSWORD"] or "", safe="")
        return f"postgres://{user}:{password}@{self.host}:{self.server['PORT'] or 5432}/{self.name}"

    def _run(self, statement: str) -> None:
        """CREATE or DROP DATABASE, outside a transaction (which both refuse), from the
        database the URL names or, when that one does not exist, ``postgres``."""
        params = {"user": self.server["USER"], "password": self.server["PASSWORD"], "host": self.server["HOST"] or None}
        params["port"] = self.server["PORT"] or None
        try:
            conn = psycopg2.connect(dbname=self.server["NAME"], **params)
        except psycopg2.OperationalError:
            conn = psycopg2.connect(dbname="postgres", **params)
        conn.autocommit = True
        try:
            with conn.cursor() as cursor:
                cursor.execute(sql.SQL(statement).format(sql.Identifier(self.name)))
        finally:
            conn.close()

    def create(self, *, drop_at_exit: bool = True) -> "ThrowawayDatabase":
        self._run("CREATE DATABASE {}")
        if drop_at_exit:
            atexit.register(self.drop)
        return self

    def drop(self) -> None:
        self._run("DROP DATABASE IF EXISTS {} WITH (FORCE)")
