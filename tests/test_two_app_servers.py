"""The deployment of docs/deployment.md on one machine: two app servers (gunicorn, on two
free ports) and a PDF worker (``db_worker``), sharing one database, one Redis cache and one
S3-compatible object store, each server with a local disk of its own that nothing may be
written to. A person's requests go to either server, as a load balancer would send them (the
cookies are the host's, whatever the port): what is done through one is seen at once through
the other.

The database is a throwaway PostgreSQL database when the suite runs on PostgreSQL
(``DATABASE_URL``, as in CI's second run), otherwise a SQLite file. Redis and S3 are real
servers started here (tests/backing.py). The servers run the development settings (DEBUG
off) so that no static files need collecting; production's differ in cookies and HTTPS, not
in where files and the cache live (tests/test_storage_settings.py checks those settings
start and pass ``check --deploy``)."""

import json
import os
import pickle
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import requests
from django.conf import settings

from tests.backing import RedisServer, S3Server, free_port
from tests.factories import PASSWORD
from tests.monitoring.uploads import corpus

ROOT = Path(__file__).resolve().parent.parent
PDF = b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n% evidence uploaded through server A\n"
# the data the servers start with: alice owns the approved plan "sip", bob leads its action
SEED = """
import json
import django
django.setup()
from monitoring import services
from tests.factories import OrganisationFactory, UserFactory, make_plan
from tests.monitoring.conftest import make_monitored
council = OrganisationFactory(name="Northmoor County Council", slug="council", kind="council")
service = OrganisationFactory(name="School Improvement", slug="school-improvement", parent=council)
college = OrganisationFactory(name="Northmoor College", slug="college", kind="college")
alice = UserFactory(username="alice", organisation=service)
bob = UserFactory(username="bob", organisation=service)
plan = make_monitored(make_plan(owner=alice, title="School Improvement Plan", slug="sip"), bob, college)
q1 = services.financial_year_create(start_year=2013, user=None)[0]
print(json.dumps({"action": plan.action.pk, "priority": plan.priority.pk, "period": q1.slug}))
"""


# --- the shape -----------------------------------------------------------------------------------


class Process:
    """A server process in a process group of its own, stopped (the group) at the end."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.log = name, log
        with log.open("ab") as out:
            self.process = subprocess.Popen(  # noqa: S603  a fixed command line, no shell
                command, cwd=ROOT, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT
            )

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-40:])

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)


@dataclass
class Shape:
    a: str  # the two app servers' addresses
    b: str
    s3: S3Server
    bucket: str
    redis: RedisServer
    media: dict[str, Path]  # each server's own MEDIA_ROOT
    data: dict
    processes: list[Process] = field(default_factory=list)

    def local_files(self) -> list[Path]:
        return [path for root in self.media.values() for path in root.rglob("*") if path.is_file()]


def _python() -> str:
    return sys.executable


def _gunicorn() -> list[str]:
    found = Path(sys.executable).parent / "gunicorn"
    return [str(found)] if found.exists() else [sys.executable, "-m", "gunicorn"]


def _database(tmp: Path, stack: pytest.MonkeyPatch):
    """A DATABASE_URL for the servers: a throwaway PostgreSQL database on the suite's server,
    or a SQLite file."""
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return f"sqlite:///{tmp / 'shared.sqlite3'}", None
    from benchmarks.throwaway_db import ThrowawayDatabase

    stack.setenv("BENCHMARK_DATABASE_URL", os.environ["DATABASE_URL"])
    database = ThrowawayDatabase("gt_two_servers", "tests/test_two_app_servers.py").create(drop_at_exit=False)
    return database.url, database


def _wait_until_up(process: Process, url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.process.poll() is not None:
            raise RuntimeError(f"{process.name} exited with {process.process.returncode}:\n{process.tail()}")
        try:
            if requests.get(f"{url}/health/", timeout=5).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{process.name} did not answer within 120 s:\n{process.tail()}")


@pytest.fixture(scope="module")
def shape(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("two-servers")
    started: list = []
    with pytest.MonkeyPatch.context() as stack:
        database = None
        try:
            redis_server = RedisServer(tmp / "redis").start()
            started.append(redis_server)
            s3 = S3Server().start()
            started.append(s3)
            bucket = s3.new_bucket()
            database_url, database = _database(tmp, stack)
            inherited = {
                k: v
                for k, v in os.environ.items()
                if not k.startswith(("DJANGO_", "DATABASE_", "S3_", "AZURE_", "AWS_"))
                and k
                not in {"DEBUG", "SITE_URL", "CACHE_URL", "REDIS_URL", "MEDIA_ROOT", "FILE_STORAGE", "TASKS_BACKEND"}
            }
            env = {
                **inherited,
                **s3.env(bucket),
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "PYTHONPATH": str(ROOT),
                "DEBUG": "false",
                # the same on every server: sessions, CSRF and history seals must hold on all of them
                "SECRET_KEY": secrets.token_urlsafe(50),
                "HISTORY_SEAL_KEY": secrets.token_urlsafe(50),
                "DATABASE_URL": database_url,
                "CACHE_URL": redis_server.url,
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                "LOG_LEVEL": "WARNING",
            }
            for step in (["manage.py", "migrate", "--noinput"], ["-c", SEED]):
                done = subprocess.run(  # noqa: S603  a fixed command line, no shell
                    [_python(), *step], cwd=ROOT, env={**env, "MEDIA_ROOT": str(tmp / "setup-media")},
                    capture_output=True, text=True, timeout=600, check=False,
                )  # fmt: skip
                assert done.returncode == 0, done.stderr[-3000:]
            data = json.loads(done.stdout.strip().splitlines()[-1])
            media, urls = {}, {}
            for name in ("a", "b"):
                port = free_port()
                urls[name] = f"http://127.0.0.1:{port}"
                media[name] = tmp / f"media-{name}"
                command = [*_gunicorn(), "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
                command += ["--threads", "4", "--timeout", "120", "--graceful-timeout", "5", "--no-control-socket"]
                server_env = {**env, "MEDIA_ROOT": str(media[name]), "SITE_URL": urls[name]}
                started.append(Process(f"app server {name}", command, server_env, tmp / f"server-{name}.log"))
            worker_env = {**env, "MEDIA_ROOT": str(tmp / "media-worker"), "SITE_URL": urls["a"]}
            media["worker"] = tmp / "media-worker"
            started.append(Process("worker", [_python(), "manage.py", "db_worker"], worker_env, tmp / "worker.log"))
            for process, url in zip(started[2:4], (urls["a"], urls["b"]), strict=True):
                _wait_until_up(process, url)
            yield Shape(urls["a"], urls["b"], s3, bucket, redis_server, media, data, started[2:])
        finally:
            for thing in reversed(started):
                thing.stop()
            if database is not None:
                database.drop()


# --- a person's browser -----------------------------------------------------------------------------


class _Forms(HTMLParser):
    """Every form's fields as a browser would submit them untouched: inputs, checked boxes
    and radios, chosen options, text areas."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[list[tuple[str, str]]] = []
        self._select: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append([])
        elif not self.forms or not attrs.get("name"):
            if tag == "option" and self._select and "selected" in attrs:
                self.forms[-1].append((self._select, attrs.get("value", "")))
            return
        elif tag == "input":
            kind = attrs.get("type", "text")
            if kind in {"checkbox", "radio"} and "checked" not in attrs or kind in {"submit", "file", "button"}:
                return
            self.forms[-1].append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = attrs["name"]
        elif tag == "textarea":
            self._textarea, self._text = attrs["name"], ""

    def handle_data(self, data):
        if self._textarea:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea and self.forms:
            self.forms[-1].append((self._textarea, self._text.removeprefix("\n")))
            self._textarea = None


def form_with(page: str, field_name: str) -> dict[str, str]:
    """The fields of the page's form that has ``field_name`` (the last value of a name wins)."""
    parser = _Forms()
    parser.feed(page)
    for form in parser.forms:
        if any(name == field_name for name, _ in form):
            return dict(form)
    raise AssertionError(f"no form with {field_name!r} on the page:\n{page[:2000]}")


class Browser:
    """One person's browser: one cookie jar for the host, whichever server answers."""

    def __init__(self, shape: Shape):
        self.shape = shape
        self.session = requests.Session()

    def get(self, server: str, path: str, **kwargs) -> requests.Response:
        return self.session.get(server + path, timeout=120, **kwargs)

    def submit(
        self,
        server: str,
        path: str,
        page_server: str | None = None,
        *,
        change=None,
        files=None,
        field="csrfmiddlewaretoken",
    ):
        """Load ``path`` from ``page_server`` (default: ``server``), then submit its form
        (the one with ``field``) to ``server`` with ``change`` made."""
        page = self.get(page_server or server, path)
        assert page.status_code == 200, page.text[:2000]
        data = {**form_with(page.text, field), **(change or {})}
        return self.session.post(server + path, data=data, files=files, timeout=120, allow_redirects=False)

    def sign_in(self, server: str, username: str) -> None:
        response = self.submit(
            server, "/accounts/login/", change={"username": username, "password": PASSWORD}, field="username"
        )
        assert response.status_code == 302, response.text[:2000]


def _plan_page(browser: Browser, server: str) -> str:
    response = browser.get(server, "/plans/sip/", allow_redirects=False)
    assert response.status_code == 200, response.text[:2000]
    return response.text


# --- the tests ------------------------------------------------------------------------------------


def test_signed_in_through_one_server_is_signed_in_through_the_other_until_signing_out(shape):
    browser = Browser(shape)
    browser.sign_in(shape.a, "alice")
    assert "School Improvement Plan" in _plan_page(browser, shape.b)
    token = browser.session.cookies["csrftoken"]
    signed_out = browser.session.post(
        shape.b + "/accounts/logout/", data={"csrfmiddlewaretoken": token}, timeout=60, allow_redirects=False
    )
    assert signed_out.status_code == 302
    again = browser.get(shape.a, "/plans/sip/", allow_redirects=False)
    assert again.status_code == 302 and again.headers["Location"].startswith("/accounts/login/")


def test_an_item_edited_through_one_server_shows_at_once_on_the_plan_page_of_the_other(shape):
    shape.redis.client().flushdb()
    browser = Browser(shape)
    browser.sign_in(shape.a, "alice")
    assert "Raise attainment" in _plan_page(browser, shape.a)
    client = shape.redis.client()
    stored = {key: pickle.loads(client.get(key)) for key in client.scan_iter(match="*outline2:*")}  # noqa: S301
    [(key, (mark, _))] = [
        (key, run) for key, run in stored.items() if isinstance(run[-1], bytes) and b"Raise attainment" in run[-1]
    ]  # server A stored the outline in the shared cache: the run that holds the priority
    marked = '<p id="served-from-the-shared-cache">the outline server A stored</p>'
    client.set(key, pickle.dumps((mark, marked.encode())))
    assert marked in _plan_page(browser, shape.b)  # server B serves what A stored

    priority = shape.data["priority"]
    edited = browser.submit(
        shape.a,
        f"/plans/sip/items/{priority}/edit/",
        change={"title": "Raise attainment for every pupil", "reason": "Clearer aim"},
        field="title",
    )
    assert edited.status_code == 302, re.findall(r"govuk-error-message.*", edited.text)
    page = _plan_page(browser, shape.b)
    assert "Raise attainment for every pupil" in page and marked not in page


def test_evidence_uploaded_through_one_server_downloads_through_the_other(shape):
    browser = Browser(shape)
    browser.sign_in(shape.b, "bob")
    edit = f"/plans/sip/items/{shape.data['action']}/returns/{shape.data['period']}/edit/"
    saved = browser.submit(
        shape.a,
        edit,
        change={"rag": "green", "narrative": "Training booked", "action": "draft"},
        files={"evidence_file": ("attendance.pdf", PDF, "application/pdf")},
        field="narrative",
    )
    assert saved.status_code == 302, saved.text[:3000]
    download = browser.get(shape.b, edit.replace("/edit/", "/evidence/"))
    assert download.status_code == 200 and download.content == PDF
    assert "no-store" in download.headers["Cache-Control"]
    [key] = shape.s3.keys(shape.bucket)
    assert key.startswith("evidence/") and key.endswith("attendance.pdf")
    assert shape.local_files() == []


def test_a_workbook_uploaded_through_one_server_is_previewed_and_saved_through_the_other(shape):
    browser = Browser(shape)
    browser.sign_in(shape.a, "alice")
    period = shape.data["period"]
    workbook = browser.get(shape.b, "/monitoring/workbook/", params={"period": period, "plan": "sip"})
    assert workbook.status_code == 200
    name, content = corpus.edit(
        workbook.content, {(3, "RAG"): "Amber", (3, "Actual value"): 76, (3, "Narrative"): "Results due in June."}
    )
    uploaded = browser.submit(
        shape.a,
        "/monitoring/workbook/upload/",
        change={"period": period},
        files={"workbook": (name, content)},
        field="period",
    )
    assert uploaded.status_code == 302, uploaded.text[:3000]
    preview = uploaded.headers["Location"]
    assert "Results due in June." in browser.get(shape.b, preview).text
    saved = browser.submit(shape.b, preview, field="csrfmiddlewaretoken")
    assert saved.status_code == 302
    assert "Saved 1 return from" in browser.get(shape.a, preview).text


def test_a_pdf_asked_for_through_one_server_is_rendered_by_the_worker_and_downloaded_through_the_other(shape):
    browser = Browser(shape)
    browser.sign_in(shape.a, "alice")
    asked = browser.get(shape.a, "/plans/sip/pdf/", allow_redirects=False)
    assert asked.status_code == 302
    status = asked.headers["Location"]
    deadline = time.monotonic() + 180
    while "Download the PDF" not in (page := browser.get(shape.b, status).text):
        assert time.monotonic() < deadline, f"the worker did not produce the PDF:\n{shape.processes[-1].tail()}"
        time.sleep(1)
    download_path = re.search(r'href="(/documents/\d+/download/)"', page).group(1)
    download = browser.get(shape.b, download_path)
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert download.headers["Content-Type"] == "application/pdf"
    assert any(key.startswith("documents/") for key in shape.s3.keys(shape.bucket))
    assert shape.local_files() == []
