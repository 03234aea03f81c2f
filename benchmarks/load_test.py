"""python -m benchmarks.load_test: the large council under a bounded load, through gunicorn.

What it does, in order:

1. creates a throwaway PostgreSQL database (``BENCHMARK_DATABASE_URL``, default the local
   development server; the role needs CREATEDB), migrates it, collects the static files and
   generates a council into it (``manage.py generate_council``; ``LOAD_SCALE`` = full, medium
   or small);
2. starts gunicorn on ``config.wsgi`` with production settings (``DJANGO_ENV=production``,
   ``DEBUG`` off, a random ``SECRET_KEY``, ``ALLOWED_HOSTS=127.0.0.1``, secure cookies) except
   the redirect to HTTPS (``SECURE_SSL_REDIRECT=false``), bound to a free port on 127.0.0.1
   only. The clients send ``X-Forwarded-Proto: https``, as the load balancer in front of a
   real deployment does, so the secure cookies and the HTTPS CSRF checks are exercised;
3. runs simulated people, each in a thread with their own session (a cookie jar over
   ``http.client``, the standard library: nothing to install), for ``LOAD_DURATION`` seconds:

   - officers edit items of the plans they own: the item page, the edit form, a POST with
     the form's CSRF token and version and a reason (the plans are approved), then the plan
     page the save redirects to;
   - partners submit their organisation's returns for the current (latest) quarter, each
     return by one person, once: the form, a POST ``action=submit``, the return's page
     (whose message says whether it was submitted). Some of them submit the same form a
     second time straight after (a double click), and some from two sessions at once (two
     devices); those second attempts must be refused (409, or "This return can no longer
     be changed"), never stored twice;
   - members read the members' home and scorecards (now and then a plan rolled up with the
     plans beneath it, or a scorecard pack PDF, which is queued for the worker, not run);
   - anonymous readers (``LOAD_READERS``, none by default; ``make load-test-public``) read
     the published plans (the run publishes every approved plan first): the public list, a
     plan's page, its items; half of them are browsers that revalidate what they hold
     (``If-None-Match``), so an unchanged page is answered 304. Any cookie set for them, or
     a public page without ``Cache-Control: public``, is an error;

4. stops gunicorn (also on any error, Ctrl+C or SIGTERM), then checks the database against
   what the clients recorded: every return a client saw submitted is stored, submitted, once,
   by that person (none lost, none duplicated, none stored that no client saw succeed), every
   acknowledged item edit is there, and the history tables grew by exactly the writes made;
5. prints requests, requests per second, latency (p50, p95, max) overall and per kind, every
   error, the checks and the load on the machine; drops the database. Exit status 1 on any
   error (a 5xx, a status other than expected, a connection error), a lost or duplicated
   return or a history count that does not match.

Settings (environment): LOAD_SCALE (full: 40 plans, 20,000 items, 8 quarters, 300 people;
medium; small), LOAD_DURATION (seconds, 60), LOAD_OFFICERS (4), LOAD_PARTNERS (6),
LOAD_MEMBERS (4), LOAD_READERS (0), LOAD_THINK (mean pause between a person's steps, seconds, 0.3),
LOAD_WORKERS (gunicorn workers, 2), LOAD_THREADS (threads per worker, 4), LOAD_SEED (1).
"""

import atexit
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import unescape
from html.parser import HTMLParser
from http.client import HTTPConnection
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.throwaway_db import ThrowawayDatabase  # noqa: E402

DATABASE = ThrowawayDatabase("gt_load", "benchmarks.load_test")

SCALES = {
    "full": {"plans": 40, "items": 20_000, "quarters": 8, "people": 300},
    "medium": {"plans": 20, "items": 6_000, "quarters": 8, "people": 150},
    "small": {"plans": 8, "items": 1_500, "quarters": 4, "people": 60},
}
SCALE_NAME = os.environ.get("LOAD_SCALE", "full")
if SCALE_NAME not in SCALES:
    raise SystemExit(f"LOAD_SCALE must be one of {', '.join(SCALES)}, not {SCALE_NAME!r}")
SCALE = SCALES[SCALE_NAME]


def _env_number(name: str, default, kind=int):
    try:
        return kind(os.environ.get(name, default))
    except ValueError:
        raise SystemExit(f"{name} must be a number, not {os.environ[name]!r}") from None


DURATION = _env_number("LOAD_DURATION", 60, float)
OFFICERS = _env_number("LOAD_OFFICERS", 4)
PARTNERS = _env_number("LOAD_PARTNERS", 6)
MEMBERS = _env_number("LOAD_MEMBERS", 4)
READERS = _env_number("LOAD_READERS", 0)
THINK = _env_number("LOAD_THINK", 0.3, float)
WORKERS = _env_number("LOAD_WORKERS", 2)
THREADS = _env_number("LOAD_THREADS", 4)
SEED = _env_number("LOAD_SEED", 1)
PASSWORD = secrets.token_urlsafe(12)  # everyone's, for this run only
TMP = Path(tempfile.mkdtemp(prefix="gt-load-"))
SUBMITTED = "Return submitted to the plan owner."
CANNOT_CHANGE = "This return can no longer be changed."
TIMEOUT = 120  # seconds a request may take before it counts as a connection error


# --- the throwaway database -------------------------------------------------------------------------


def drop_database() -> None:
    try:
        from django.db import connections

        connections.close_all()
    except Exception:  # noqa: S110  Django may not be set up yet; the drop below forces it anyway
        pass
    DATABASE.drop()
    print(f"dropped database {DATABASE.name}")


DATABASE.create(drop_at_exit=False)
atexit.register(drop_database)  # registered first, so it runs last: after gunicorn has stopped

# production settings, apart from where the static files go (a directory of this run)
(TMP / "gt_load_settings.py").write_text(
    "from pathlib import Path\nimport os\nfrom config.settings import *  # noqa: F403\n"
    "STATIC_ROOT = Path(os.environ['LOAD_STATIC_ROOT'])\n"
)
ENV = {
    "DJANGO_SETTINGS_MODULE": "gt_load_settings",
    "PYTHONPATH": os.pathsep.join([str(TMP), str(ROOT)]),
    "DJANGO_ENV": "production",
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "HISTORY_SEAL_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "DATABASE_URL": DATABASE.url,
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    "MEDIA_ROOT": str(TMP / "media"),
    "LOAD_STATIC_ROOT": str(TMP / "static"),
    "LOG_LEVEL": "WARNING",
}
os.environ.update(ENV)
sys.path.insert(0, str(TMP))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.urls import reverse  # noqa: E402

from config.history import tracked_models  # noqa: E402
from monitoring.access import REPORTED_KINDS  # noqa: E402
from monitoring.models import ProgressReturn, ReportingPeriod  # noqa: E402
from partners.models import User  # noqa: E402
from planning import lifecycle  # noqa: E402
from planning.models import Plan, PlanItem  # noqa: E402

State = ProgressReturn.State


# --- gunicorn ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, stopped (the whole group) however the run ends."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        self.log = TMP / "gunicorn.log"
        self.access = TMP / "access.log"

    def start(self) -> None:
        command = [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind", f"127.0.0.1:{self.port}",
            "--workers", str(WORKERS),
            "--worker-class", "gthread",
            "--threads", str(THREADS),
            "--timeout", "120",
            "--graceful-timeout", "5",
            "--keep-alive", "5",
            "--no-control-socket",
            "--access-logfile", str(self.access),
            "--access-logformat", '%(s)s %(L)s %(m)s "%(U)s"',
        ]  # fmt: skip
        if not Path(command[0]).exists():
            command[0] = "gunicorn"
        with self.log.open("ab") as log:  # gunicorn's own log and Django's (warnings and errors)
            self.process = subprocess.Popen(  # noqa: S603  a fixed command line, no shell
                command, cwd=ROOT, env={**os.environ, **ENV}, start_new_session=True, stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited with {self.process.returncode}:\n{self.tail()}")
            try:
                conn = HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
                if conn.getresponse().status == 200:
                    conn.close()
                    return
                conn.close()
            except OSError:
                pass
            time.sleep(0.5)
        raise SystemExit(f"gunicorn did not answer within 90 s:\n{self.tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
        except ProcessLookupError:
            pass

    def tail(self, lines: int = 30) -> str:
        if not self.log.exists():
            return ""
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


# --- the clients -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    kind: str
    status: int  # 0: connection error
    seconds: float
    size: int


@dataclass
class Recorder:
    samples: list[Sample] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    submits: dict[int, list[tuple[str, str, int]]] = field(default_factory=lambda: defaultdict(list))
    edits: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    logins: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)

    def error(self, message: str) -> None:
        with self.lock:
            self.errors.append(message)


class Unexpected(Exception):
    """A response other than the one the step expects (recorded as an error)."""


@dataclass
class Response:
    status: int
    location: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names


class Session:
    """One person's browser: a cookie jar and a keep-alive connection (reopened when idle,
    so a POST is never sent on a connection the server may have closed: no silent retries)."""

    def __init__(self, port: int, recorder: Recorder, who: str):
        self.port, self.recorder, self.who = port, recorder, who
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies: dict[str, str] = {}
        self.conn: HTTPConnection | None = None
        self.last = 0.0

    def _connection(self) -> HTTPConnection:
        if self.conn is None or time.monotonic() - self.last > 2:
            if self.conn is not None:
                self.conn.close()
            self.conn = HTTPConnection("127.0.0.1", self.port, timeout=TIMEOUT)
        return self.conn

    def request(self, kind: str, method: str, path: str, data: dict | list | None = None, *, expect=(200,),
                referer: str = "", headers: dict[str, str] | None = None) -> Response:  # fmt: skip
        headers = {"Host": f"127.0.0.1:{self.port}", "X-Forwarded-Proto": "https", "User-Agent": "gt-load-test",
                   **(headers or {})}  # fmt: skip
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if method == "POST":
            body = urlencode(data or {}, doseq=True).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
                            "Referer": self.origin + (referer or path)})  # fmt: skip
        start = time.perf_counter()
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=headers)
            raw = conn.getresponse()
            content = raw.read()
        except OSError as error:  # includes timeouts and a connection the server dropped
            self.conn = None
            self.recorder.sample(Sample(kind, 0, time.perf_counter() - start, 0))
            raise Unexpected(f"{self.who}: {method} {path}: connection error {error!r}") from None
        seconds = time.perf_counter() - start
        self.last = time.monotonic()
        if raw.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        for header in raw.msg.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or (morsel["expires"] and "1970" in morsel["expires"]):
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        self.recorder.sample(Sample(kind, raw.status, seconds, len(content)))
        response = Response(raw.status, raw.getheader("Location", ""), content.decode("utf-8", "replace"),
                            {name.lower(): value for name, value in raw.getheaders()})  # fmt: skip
        if raw.status not in expect:
            raise Unexpected(f"{self.who}: {method} {path} ({kind}): {raw.status}, expected {expect}{_why(response)}")
        return response

    def get(self, kind: str, path: str, **kwargs) -> Response:
        return self.request(kind, "GET", path, **kwargs)

    def post(self, kind: str, path: str, data, **kwargs) -> Response:
        return self.request(kind, "POST", path, data, **kwargs)

    def follow(self, kind: str, response: Response) -> Response:
        return self.get(kind, urlsplit(response.location)._replace(scheme="", netloc="").geturl())

    def sign_in(self, username: str) -> None:
        page = self.get("sign-in page", "/accounts/login/")
        fields = dict(forms(page.body, "password"))
        fields.update({"username": username, "password": PASSWORD})
        self.post("sign in", "/accounts/login/", fields, expect=(302,))
        with self.recorder.lock:
            self.recorder.logins += 1

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()


def _why(response: Response) -> str:
    """The error summary of a page re-shown with errors, or the start of a 5xx page."""
    found = re.search(r'govuk-error-summary__list">(.*?)</ul>', response.body, re.S)
    if found:
        return ": " + " ".join(unescape(re.sub(r"<[^>]+>", " ", found.group(1))).split())[:300]
    return ": " + " ".join(re.sub(r"<[^>]+>", " ", response.body).split())[:200] if response.status >= 500 else ""


class _Forms(HTMLParser):
    """Every form on a page, with what a browser would submit (checked boxes, selected
    options or the first one, text areas), as lists of (name, value)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self.current: list[tuple[str, str]] | None = None
        self.select: tuple[str, list[str], list[str]] | None = None  # name, options, selected
        self.textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = []
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and a.get("name") and a.get("type") not in {"submit", "button", "file", "image"}:
            if a.get("type") in {"checkbox", "radio"} and "checked" not in a:
                return
            self.current.append((a["name"], a.get("value") or ("on" if a.get("type") == "checkbox" else "")))
        elif tag == "select" and a.get("name"):
            self.select = (a["name"], [], [])
        elif tag == "option" and self.select is not None:
            self.select[1].append(a.get("value", ""))
            if "selected" in a:
                self.select[2].append(a.get("value", ""))
        elif tag == "textarea" and a.get("name"):
            self.textarea = (a["name"], [])

    def handle_endtag(self, tag):
        if tag == "select" and self.select is not None and self.current is not None:
            name, options, chosen = self.select
            for value in chosen or options[:1]:
                self.current.append((name, value))
            self.select = None
        elif tag == "textarea" and self.textarea is not None and self.current is not None:
            name, parts = self.textarea
            text = "".join(parts)
            self.current.append((name, text[1:] if text.startswith("\n") else text))
            self.textarea = None
        elif tag == "form":
            self.current = None

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1].append(data)


def forms(page: str, needs: str) -> list[tuple[str, str]]:
    """The form on ``page`` that has a field named ``needs``."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if any(name == needs for name, _ in form):
            return form
    raise Unexpected(f"no form with a {needs!r} field on the page")


def _replace(form: list[tuple[str, str]], **values: str) -> list[tuple[str, str]]:
    kept = [(name, value) for name, value in form if name not in values]
    return kept + list(values.items())


# --- the people ------------------------------------------------------------------------------------------


@dataclass
class ReturnJob:
    item_id: int
    slug: str
    is_target: bool
    value: str
    mode: str  # once, twice (a double click), race (two sessions at once)


class Person(threading.Thread):
    kind = ""

    def __init__(self, user: User | None, port: int, recorder: Recorder, deadline: float, seed: int):
        who = user.username if user is not None else f"anonymous-{seed}"
        super().__init__(name=f"{self.kind}-{who}", daemon=True)
        self.user, self.port, self.recorder, self.deadline = user, port, recorder, deadline
        self.rng = random.Random(seed)  # noqa: S311  the order people work in, not secrets
        self.session = Session(port, recorder, who)

    def run(self) -> None:
        try:
            if self.user is not None:
                self.session.sign_in(self.user.username)
            while time.monotonic() < self.deadline:
                try:
                    if not self.step():
                        break
                except Unexpected as error:
                    self.recorder.error(str(error))
                time.sleep(self.rng.uniform(0, 2 * THINK))
        except Unexpected as error:
            self.recorder.error(str(error))
        except Exception as error:  # a bug in the client: report it, never hang the run
            self.recorder.error(f"{self.name}: client failed: {error!r}")
        finally:
            self.session.close()

    def step(self) -> bool:
        raise NotImplementedError


class Officer(Person):
    """Edits items of a plan they own, one after another, and reads the plan after each save."""

    kind = "officer"

    def __init__(self, *args, plan: Plan, items: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.plan, self.items, self.n = plan, items, 0

    def step(self) -> bool:
        item_id = self.items[self.n % len(self.items)]
        self.n += 1
        detail = reverse("planning:item-detail", args=[self.plan.slug, item_id])
        edit = reverse("planning:item-edit", args=[self.plan.slug, item_id])
        self.session.get("item page", detail)
        page = self.session.get("item edit form", edit)
        form = forms(page.body, "version")
        title = dict(form)["title"].split(" [rev")[0][:270] + f" [rev {self.user.pk}.{self.n}]"
        saved = self.session.post("item save", edit, _replace(form, title=title, reason="Load test: wording revised"),
                                  expect=(302,))  # fmt: skip
        with self.recorder.lock:
            self.recorder.edits[item_id].append(title)
        self.session.follow("plan page", saved)
        return True


class Partner(Person):
    """Submits their organisation's returns for the quarter; some twice, some from two sessions at once."""

    kind = "partner"

    def __init__(self, *args, period: ReportingPeriod, jobs: list[ReturnJob], **kwargs):
        super().__init__(*args, **kwargs)
        self.period, self.jobs = period, list(jobs)
        self.second: Session | None = None

    def step(self) -> bool:
        if not self.jobs:
            self.session.get("my returns", reverse("monitoring:my-returns"))
            return True
        job = self.jobs.pop(0)
        if len(self.jobs) % 5 == 0:
            self.session.get("my returns", reverse("monitoring:my-returns"))
        if job.mode == "race":
            self._race(job)
        else:
            data, url = self._form(self.session, job)
            self._submit(self.session, job, data, url, "return submit")
            if job.mode == "twice":  # the same form sent again straight after: a double click
                self._submit(self.session, job, data, url, "return submit again")
        return True

    def _form(self, session: Session, job: ReturnJob) -> tuple[list, str]:
        url = reverse("monitoring:return-edit", args=[job.slug, job.item_id, self.period.slug])
        page = session.get("return form", url)
        form = forms(page.body, "narrative")
        values = {"rag": "green", "narrative": f"Load test return by {self.user.username}.", "action": "submit"}
        if job.is_target:
            values["actual_value"] = job.value
        return _replace(form, **values), url

    def _submit(self, session: Session, job: ReturnJob, data: list, url: str, kind: str) -> None:
        """POST the form, then read where it leads: the return's page says whether it was submitted."""
        outcome = "error"
        try:
            response = session.post(kind, url, data, expect=(302, 409))
            if response.status == 409:
                outcome = "conflict"
            else:
                page = session.follow("return page", response)
                outcome = "submitted" if SUBMITTED in page.body else "refused" if CANNOT_CHANGE in page.body else ""
                if not outcome:
                    outcome = "error"
                    raise Unexpected(f"{session.who}: {url}: the return's page says neither submitted nor refused")
        finally:
            with self.recorder.lock:
                self.recorder.submits[job.item_id].append((outcome, session.who, self.user.pk))

    def _race(self, job: ReturnJob) -> None:
        """The same return submitted from two sessions of the same person at the same moment."""
        if self.second is None:
            self.second = Session(self.port, self.recorder, f"{self.user.username} (second device)")
            self.second.sign_in(self.user.username)
        first, second = self._form(self.session, job), self._form(self.second, job)
        barrier = threading.Barrier(2)
        failures = []

        def go(session, data, url):
            barrier.wait()
            try:
                self._submit(session, job, data, url, "return submit (race)")
            except Unexpected as error:
                failures.append(str(error))

        other = threading.Thread(target=go, args=(self.second, *second), daemon=True)
        other.start()
        go(self.session, *first)
        other.join(TIMEOUT + 10)
        for failure in failures:
            self.recorder.error(failure)


class Member(Person):
    """Reads the members' home and scorecards, as members do before a committee."""

    kind = "member"

    def __init__(self, *args, plans: list[Plan], periods: list[ReportingPeriod], rollups: list[Plan], **kwargs):
        super().__init__(*args, **kwargs)
        self.plans, self.periods, self.rollups, self.n = plans, periods, rollups, 0

    def step(self) -> bool:
        if self.n % 4 == 0:
            self.session.get("members home", reverse("monitoring:members-home"))
        self.n += 1
        roll = self.rng.random()
        period = self.periods[-1] if self.rng.random() < 0.5 else self.rng.choice(self.periods)
        if roll < 0.1:
            plan = self.rng.choice(self.rollups)
            self.session.get("scorecard rolled up", reverse("monitoring:scorecard", args=[plan.slug, period.slug])
                             + "?children=1")  # fmt: skip
        elif roll < 0.15:
            plan = self.rng.choice(self.plans)
            asked = self.session.get("scorecard PDF request",
                                     reverse("monitoring:scorecard-pdf", args=[plan.slug, period.slug]),
                                     expect=(302,))  # fmt: skip
            self.session.follow("document status", asked)
        else:
            plan = self.rng.choice(self.plans)
            self.session.get("scorecard", reverse("monitoring:scorecard", args=[plan.slug, period.slug]))
        return True


class Reader(Person):
    """Someone who does not sign in reading the published plans (issue 16). A browser that
    keeps what it read (``revalidates``) asks again with ``If-None-Match``."""

    kind = "reader"

    def __init__(self, *args, plans: list[tuple[str, list[int]]], revalidates: bool, **kwargs):
        super().__init__(None, *args, **kwargs)
        self.plans, self.revalidates = plans, revalidates
        self.etags: dict[str, str] = {}

    def read(self, kind: str, path: str) -> None:
        headers = {"If-None-Match": self.etags[path]} if self.revalidates and path in self.etags else {}
        response = self.session.request(kind, "GET", path, expect=(200, 304), headers=headers)
        if self.session.cookies:
            raise Unexpected(f"{self.session.who}: {path}: cookies set for an anonymous reader: {self.session.cookies}")
        if "public" not in response.headers.get("cache-control", ""):
            raise Unexpected(f"{self.session.who}: {path}: no Cache-Control: public")
        if response.headers.get("etag"):
            self.etags[path] = response.headers["etag"]

    def step(self) -> bool:
        roll = self.rng.random()
        slug, items = self.rng.choice(self.plans)
        if roll < 0.15:
            self.read("public list", reverse("public:plan-list"))
        elif roll < 0.5 or not items:
            self.read("public plan page", reverse("public:plan-detail", args=[slug]))
        else:
            self.read("public item page", reverse("public:item-detail", args=[slug, self.rng.choice(items)]))
        return True


# --- the run ---------------------------------------------------------------------------------------------


@dataclass
class Workload:
    period: ReportingPeriod
    officers: list[tuple[User, Plan, list[int]]]
    partners: list[tuple[User, list[ReturnJob]]]
    members: list[User]
    plans: list[Plan]
    periods: list[ReportingPeriod]
    rollups: list[Plan]
    before: dict[int, tuple[str, int] | None]  # item -> (state, version) of its return before the run
    published: list[tuple[str, list[int]]] = field(default_factory=list)  # slug, items: what readers read


def publish_plans() -> list[tuple[str, list[int]]]:
    """Publish every approved plan, as its owner (before the history marks: not a write of
    the run); return each one's slug and up to 200 of its items for the readers."""
    rng = random.Random(SEED)  # noqa: S311  which items readers open, reproducibly
    published = []
    for plan in Plan.objects.filter(status=Plan.Status.APPROVED).select_related("owner").order_by("pk"):
        lifecycle.plan_publish(plan=plan, user=plan.owner, reason="Load test: published")
        items = list(PlanItem.objects.filter(plan=plan).values_list("pk", flat=True))
        published.append((plan.slug, rng.sample(items, min(200, len(items)))))
    return published


def plan_workload() -> Workload:
    rng = random.Random(SEED)  # noqa: S311  who does what, reproducibly
    periods = list(ReportingPeriod.objects.order_by("start_year", "quarter"))
    period = periods[-1]
    plans = list(Plan.objects.filter(status=Plan.Status.APPROVED).select_related("owner").order_by("pk"))
    sizes = Counter(PlanItem.objects.values_list("plan_id", flat=True))
    # officers: owners of distinct plans, the biggest plan first (its page is the heaviest)
    by_size = sorted(plans, key=lambda p: (-sizes[p.pk], p.pk))
    chosen = by_size[:1] + rng.sample(by_size[1:], min(len(by_size) - 1, max(0, OFFICERS - 1)))
    officers = []
    for plan in chosen[:OFFICERS]:
        items = list(
            PlanItem.objects.filter(plan=plan, kind__in=["priority", "action", "target"]).values_list("pk", flat=True)
        )
        rng.shuffle(items)
        officers.append((plan.owner, plan, items))
    # partners: each fillable return of the quarter goes to one partnership lead of its organisation
    fillable = (
        PlanItem.objects.filter(kind__in=REPORTED_KINDS, plan__status=Plan.Status.APPROVED, lead_organisation__kind__in=[
            "school", "college", "health", "police", "voluntary", "connexions", "lsc", "other"])
        .select_related("plan").order_by("pk")
    )  # fmt: skip
    stored = {
        row[0]: row[1:]
        for row in ProgressReturn.objects.filter(period=period).values_list("item_id", "state", "version")
    }
    people = defaultdict(list)
    for user in User.objects.filter(role=User.Role.PARTNER, is_active=True).order_by("username"):
        people[user.organisation_id].append(user)
    jobs: dict[int, list[ReturnJob]] = defaultdict(list)
    users = {}
    before = {}
    for item in fillable:
        state = stored.get(item.pk, (None,))[0]
        if state not in (None, State.DRAFT, State.RETURNED):
            continue
        leads = [u for u in people.get(item.lead_organisation_id, []) if item.lead_officer_id in (None, u.pk)]
        if not leads:
            continue
        lead = leads[item.pk % len(leads)]
        users[lead.pk] = lead
        roll = rng.random()
        mode = "race" if roll < 0.1 else "twice" if roll < 0.25 else "once"
        value = item.target_value if item.target_value is not None else 0
        jobs[lead.pk].append(ReturnJob(item.pk, item.plan.slug, item.kind == "target", f"{value:.2f}", mode))
        before[item.pk] = stored.get(item.pk)
    ranked = sorted(jobs, key=lambda pk: (-len(jobs[pk]), pk))[:PARTNERS]
    partners = []
    for pk in ranked:
        rng.shuffle(jobs[pk])
        partners.append((users[pk], jobs[pk]))
    kept = {job.item_id for _, mine in partners for job in mine}
    before = {pk: state for pk, state in before.items() if pk in kept}
    members = list(User.objects.filter(role=User.Role.MEMBER).order_by("username")[:MEMBERS])
    parents = {p.parent_id for p in plans if p.parent_id}
    rollups = [p for p in plans if p.pk in parents]
    return Workload(period, officers, partners, members, plans, periods, rollups, before)


def history_marks() -> dict[str, tuple[int, int]]:
    """model label -> (history rows, largest history id), for every tracked model."""
    marks = {}
    for model in tracked_models():
        last = model.history.order_by("-history_id").values_list("history_id", flat=True).first()
        marks[model._meta.label] = (model.history.count(), last or 0)
    return marks


def check(work: Workload, recorder: Recorder, marks: dict[str, tuple[int, int]]) -> tuple[list[str], dict]:
    """What the database says against what the clients recorded."""
    problems = []
    period = work.period
    attempted = set(recorder.submits)
    successes = {pk: [o for o in outcomes if o[0] == "submitted"] for pk, outcomes in recorder.submits.items()}
    rows = {
        r[0]: r[1:]
        for r in ProgressReturn.objects.filter(period=period, item_id__in=attempted).values_list(
            "item_id", "state", "submitted_by_id", "pk"
        )
    }
    hist = ProgressReturn.history.filter(history_id__gt=marks["monitoring.ProgressReturn"][1])
    written = Counter(hist.filter(history_change_reason__in=["Submitted", "Resubmitted"]).values_list(
        "item_id", flat=True))  # fmt: skip
    lost = [pk for pk in attempted if successes[pk] and (pk not in rows or rows[pk][0] != State.SUBMITTED)]
    duplicated = [pk for pk in attempted if len(successes[pk]) > 1 or written[pk] > 1]
    unacknowledged = [pk for pk in attempted if written[pk] and not successes[pk]]
    wrong_person = [pk for pk in attempted if successes[pk] and pk in rows and rows[pk][1] != successes[pk][0][2]]
    never = [pk for pk in attempted if not successes[pk]]
    if lost:
        problems.append(f"{len(lost)} returns acknowledged as submitted but not stored as submitted: {lost[:5]}")
    if duplicated:
        problems.append(f"{len(duplicated)} returns submitted more than once: {duplicated[:5]}")
    if unacknowledged:
        problems.append(f"{len(unacknowledged)} returns stored as submitted that no client saw succeed: "
                        f"{unacknowledged[:5]}")  # fmt: skip
    if wrong_person:
        problems.append(f"{len(wrong_person)} returns stored with another submitter: {wrong_person[:5]}")
    if never:
        problems.append(f"{len(never)} returns attempted but never submitted: {never[:5]}")
    new_rows = ProgressReturn.objects.filter(period=period, item_id__in=attempted).count() - sum(
        1 for pk in attempted if work.before.get(pk) is not None
    )
    expected_new = sum(1 for pk in attempted if work.before.get(pk) is None)
    if new_rows != expected_new:
        problems.append(f"{new_rows} new returns in {period.label}, expected {expected_new}")
    # item edits: every acknowledged title stored, in order
    edits = sum(len(titles) for titles in recorder.edits.values())
    titles = dict(PlanItem.objects.filter(pk__in=list(recorder.edits)).values_list("pk", "title"))
    stale = [pk for pk, mine in recorder.edits.items() if titles.get(pk) != mine[-1]]
    if stale:
        problems.append(f"{len(stale)} items whose last acknowledged edit is not what is stored: {stale[:5]}")
    # history: exactly the writes made, and nothing else
    submitted = sum(len(s) for s in successes.values())
    expected = {"planning.PlanItem": edits, "monitoring.ProgressReturn": submitted}  # signing in writes none
    after = history_marks()
    growth = {label: after[label][0] - marks[label][0] for label in after}
    for label, grew in growth.items():
        if grew != expected.get(label, 0):
            problems.append(f"history of {label} grew by {grew}, expected {expected.get(label, 0)}")
    outcomes = Counter(outcome for results in recorder.submits.values() for outcome, _, _ in results)
    summary = {
        "returns attempted": len(attempted),
        "submitted (acknowledged)": submitted,
        "stored as submitted": sum(1 for pk in attempted if rows.get(pk, (None,))[0] == State.SUBMITTED),
        "lost": len(lost),
        "duplicated": len(duplicated),
        "second attempts refused": outcomes["refused"] + outcomes["conflict"],
        "  of which 409 conflict": outcomes["conflict"],
        "  of which 'can no longer be changed'": outcomes["refused"],
        "item edits (acknowledged)": edits,
        "history growth": {k: v for k, v in growth.items() if v},
    }
    return problems, summary


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(recorder: Recorder, wall: float) -> None:
    samples = recorder.samples
    print(f"{len(samples)} requests in {wall:.1f} s = {len(samples) / wall:.1f} requests/s")
    print(f"{'kind':<24} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'avg KB':>8}  statuses")
    by_kind = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    rows = sorted(by_kind.items(), key=lambda kv: -len(kv[1])) + [("all", samples)]
    for kind, group in rows:
        seconds = [s.seconds * 1000 for s in group]
        statuses = Counter(s.status for s in group)
        print(
            f"{kind:<24} {len(group):>6} {statistics.median(seconds):>8.0f} {percentile(seconds, 0.95):>8.0f} "
            f"{max(seconds):>8.0f} {statistics.mean(s.size for s in group) / 1024:>8.0f}  "
            + " ".join(f"{status}:{n}" for status, n in sorted(statuses.items()))
        )


def main() -> int:
    print(f"database {DATABASE.name} on {DATABASE.host}; scale {SCALE_NAME} {SCALE}; seed {SEED}")
    load_before = os.getloadavg()
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    call_command("generate_council", "--seed", str(SEED), "--password", PASSWORD,
                 *[f"--{name}={value}" for name, value in SCALE.items()])  # fmt: skip
    print(f"set up in {time.perf_counter() - t0:.1f} s")
    work = plan_workload()
    if READERS:
        work.published = publish_plans()
    marks = history_marks()
    server_version = connection.cursor().connection.info.server_version
    connections.close_all()

    server = Server()
    atexit.register(server.stop)
    recorder = Recorder()
    try:
        server.start()
        print(
            f"gunicorn on 127.0.0.1:{server.port}: {WORKERS} workers x {THREADS} threads (gthread); "
            f"{len(work.officers)} officers, {len(work.partners)} partners "
            f"({sum(len(j) for _, j in work.partners)} returns to submit), {len(work.members)} members, "
            f"{READERS} anonymous readers of {len(work.published)} published plans; "
            f"{DURATION:.0f} s, think time 0-{2 * THINK:.1f} s"
        )
        deadline = time.monotonic() + DURATION
        people: list[Person] = []
        for n, (user, plan, items) in enumerate(work.officers):
            people.append(Officer(user, server.port, recorder, deadline, SEED + n, plan=plan, items=items))
        for n, (user, jobs) in enumerate(work.partners):
            people.append(Partner(user, server.port, recorder, deadline, SEED + 100 + n, period=work.period, jobs=jobs))
        for n, user in enumerate(work.members):
            people.append(Member(user, server.port, recorder, deadline, SEED + 200 + n, plans=work.plans,
                                 periods=work.periods, rollups=work.rollups or work.plans))  # fmt: skip
        for n in range(READERS):
            people.append(Reader(server.port, recorder, deadline, SEED + 300 + n, plans=work.published,
                                 revalidates=n % 2 == 0))  # fmt: skip
        start = time.perf_counter()
        for person in people:
            person.start()
        for person in people:
            person.join(max(1.0, deadline - time.monotonic()) + TIMEOUT + 30)
            if person.is_alive():
                recorder.error(f"{person.name} still running after the deadline and its last request's timeout")
        wall = time.perf_counter() - start
    finally:
        server.stop()
    load_after = os.getloadavg()
    report(recorder, wall)
    problems, summary = check(work, recorder, marks)
    for name, value in summary.items():
        print(f"{name}: {value}")
    server_errors = sum(1 for s in recorder.samples if s.status >= 500 or s.status == 0)
    print(f"errors: {len(recorder.errors)} (5xx or connection errors: {server_errors})")
    for message in recorder.errors[:15]:
        print(f"  - {message}")
    log = server.log.read_text(errors="replace").splitlines() if server.log.exists() else []
    log_errors = [line for line in log if "Traceback" in line or "[ERROR]" in line or "Internal Server Error" in line]
    warnings = Counter(line.split(":")[0] for line in log if line.startswith(("Conflict:", "Not Found:", "Forbidden")))
    print(f"server log: {len(log_errors)} error lines; warnings {dict(warnings)}")
    if log_errors:
        recorder.error(f"the server logged {len(log_errors)} errors; the last lines:\n{server.tail(15)}")
    print(
        f"conditions: PostgreSQL {server_version // 10000}.{server_version % 10000}, {os.cpu_count()} cores, "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after (1 min); clients and server on this "
        "machine"
    )
    if problems or recorder.errors:
        print(f"checks: {len(problems)} FAILED" if problems else "checks passed; but the run had errors")
        for problem in problems:
            print(f"  - {problem}")
        print(f"server and access logs kept in {TMP}")
        return 1
    shutil.rmtree(TMP, ignore_errors=True)
    print("checks passed: every acknowledged return stored once by its submitter, every second attempt refused, "
          "every edit stored, history grew by exactly the writes made")  # fmt: skip
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # so that gunicorn is stopped and the database dropped
    try:
        code = main()
    finally:
        connections.close_all()
    sys.exit(code)
