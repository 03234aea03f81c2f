"""python -m benchmarks.db_restart: restart PostgreSQL under a stream of requests and count
the ones that fail.

Runs gunicorn (``config.wsgi``, 2 sync workers, the settings' persistent connections:
``CONN_MAX_AGE`` 60 s with ``CONN_HEALTH_CHECKS``) against a throwaway database, and
sends requests from 4 client threads without a pause: three ask for a signed-in page (the
list of plans: session, user and plans read from the database), one asks ``/health/``.
After a warm-up, in which every worker opens the connection it then keeps, the cluster is
restarted (``pg_ctlcluster --skip-systemctl-redirect <version> <cluster> restart``: every
open connection is cut, the server is down for a moment), and the requests go on.

It prints how many requests were made and how many failed, before, during and after the
restart (by when each request started). Expected: none fail before; while the server is
down each request gets the 503 page with ``Retry-After`` (``config/db_unavailable.py``)
and ``/health/`` says 503; none fail after the restart command returns, because each
worker's health check finds its dead connection and opens a new one. Exits nonzero if
any request fails outside the restart, or fails during it with anything but a 503.

Needs root (to restart the cluster). It restarts the whole cluster, so every other user
of it loses their connections: never run it against a shared server people are using.

Environment: ``BENCHMARK_DATABASE_URL`` (default: the local development server,
postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread; a role allowed to
CREATE DATABASE), ``DB_RESTART_CLUSTER`` (default ``15 main``), ``DB_RESTART_WARMUP``
and ``DB_RESTART_AFTER`` (seconds of requests before and after the restart, 3 and 6).
"""

import atexit
import http.client
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from benchmarks.throwaway_db import ThrowawayDatabase  # noqa: E402

DATABASE = ThrowawayDatabase("gt_bench_restart", "benchmarks.db_restart")
CLUSTER = os.environ.get("DB_RESTART_CLUSTER", "15 main").split()
WARMUP = float(os.environ.get("DB_RESTART_WARMUP", "3"))
AFTER = float(os.environ.get("DB_RESTART_AFTER", "6"))
PAGE_CLIENTS = 3


def prepare() -> str:
    """Migrate the throwaway database, add a signed-in officer; their session cookie."""
    os.environ["DATABASE_URL"] = DATABASE.url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections
    from django.test import Client

    from partners.models import Organisation, User

    call_command("migrate", verbosity=0)
    council = Organisation.objects.create(name="Council", slug="council", kind=Organisation.Kind.COUNCIL)
    officer = User.objects.create_user("officer", organisation=council, role=User.Role.OFFICER)
    client = Client()
    client.force_login(officer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    connections.close_all()
    return cookie


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(port: int, path: str, cookie: str) -> tuple[str, str]:
    """(outcome, Retry-After): the status code, or the exception's name if there was no response."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=15)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        response.read()
        return str(response.status), response.getheader("Retry-After", "")
    except OSError as error:
        return error.__class__.__name__, ""
    finally:
        conn.close()


def start_gunicorn(port: int, log: Path) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": DATABASE.url, "DEBUG": "false", "DJANGO_ENV": "development"}
    command = [sys.executable, "-m", "gunicorn", "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)  # noqa: S603
    for _ in range(100):
        if _get(port, "/health/", "")[0] == "200":
            return server
        time.sleep(0.1)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer /health/; see {log}")


def main() -> int:
    DATABASE.create()
    cookie = prepare()
    port = _free_port()
    log = Path(tempfile.mkdtemp(prefix="gt-restart-")) / "gunicorn.log"
    server = start_gunicorn(port, log)
    atexit.register(server.wait, 10)
    atexit.register(server.terminate)

    results: list[tuple[float, str, str, str]] = []  # (started, path, outcome, Retry-After)
    stop = threading.Event()

    def client(path: str, with_cookie: bool) -> None:
        while not stop.is_set():
            started = time.monotonic()
            outcome, retry_after = _get(port, path, cookie if with_cookie else "")
            results.append((started, path, outcome, retry_after))

    threads = [threading.Thread(target=client, args=("/", True)) for _ in range(PAGE_CLIENTS)]
    threads.append(threading.Thread(target=client, args=("/health/", False)))
    for thread in threads:
        thread.start()
    time.sleep(WARMUP)
    restart = ["pg_ctlcluster", "--skip-systemctl-redirect", *CLUSTER, "restart"]
    began = time.monotonic()
    print(f"{time.strftime('%H:%M:%S')} restarting: {' '.join(restart)}", flush=True)
    subprocess.run(restart, check=True)  # noqa: S603
    ended = time.monotonic()
    print(f"{time.strftime('%H:%M:%S')} restarted in {ended - began:.2f} s", flush=True)
    time.sleep(AFTER)
    stop.set()
    for thread in threads:
        thread.join()

    phases = {"before": [], "during": [], "after": []}
    for row in results:
        phases["before" if row[0] < began else "during" if row[0] < ended else "after"].append(row)
    bad = 0
    print(f"{'phase':<8} {'path':<9} {'requests':>8} {'failed':>6}  outcomes")
    for phase, rows in phases.items():
        for path in ("/", "/health/"):
            mine = [row for row in rows if row[1] == path]
            outcomes = Counter(outcome for _, _, outcome, _ in mine)
            failed = sum(n for outcome, n in outcomes.items() if outcome != "200")
            print(f"{phase:<8} {path:<9} {len(mine):>8} {failed:>6}  {dict(sorted(outcomes.items()))}")
            if phase != "during":
                bad += failed
            else:  # while the server is down: 503 (the page with Retry-After), nothing else
                bad += sum(
                    1
                    for _, _, outcome, retry in mine
                    if outcome != "200" and (outcome != "503" or (path == "/" and not retry))
                )
    total = len(results)
    failed = sum(1 for row in results if row[2] != "200")
    print(f"total: {total} requests, {failed} failed; unexpected failures: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
