"""When the database fails: a clear 503 (not a 500) wherever the failure is raised, with
nothing half-saved; ``/health/`` for load balancers; and, on PostgreSQL, persistent
connections that survive the server dropping them between requests.

The cluster restart itself is not tested here (it would break everyone else's tests on
the same server): ``python -m benchmarks.db_restart`` restarts it under load."""

import wsgiref.util
from importlib import import_module
from unittest import mock

import psycopg2
import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.handlers.wsgi import WSGIHandler
from django.db import InterfaceError, OperationalError, connection
from django.test import Client
from django.urls import reverse

from config.db_unavailable import unavailable_response
from planning.models import Plan, PlanItem

DOWN = [
    OperationalError("could not connect to server: Connection refused"),
    InterfaceError("connection already closed"),
]
UNAVAILABLE = "The service is temporarily unavailable. Nothing you submitted was saved."


def _database_down(error: Exception):
    """Every query from now on fails as it would with the server gone."""
    return mock.patch.object(connection, "cursor", side_effect=error)


def _assert_unavailable(response) -> None:
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "120"
    assert "no-store" in response["Cache-Control"]
    assert UNAVAILABLE in page and "Please try again in a few minutes." in page
    assert "Traceback" not in page and "Sign out" not in page  # nothing about the failure, no user


class ReadsTheUserMiddleware:
    """A middleware that reads the signed-in user before the view runs (as a session
    timeout or an audit middleware would)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.user.is_authenticated  # noqa: B018  (loads the session and the user)
        return self.get_response(request)


# --- the 503 page ---------------------------------------------------------------------------


def test_the_503_page_reads_nothing_from_the_database(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = unavailable_response()
    _assert_unavailable(response)
    assert settings.COUNCIL_NAME in response.content.decode()


@pytest.mark.parametrize("error", DOWN, ids=["OperationalError", "InterfaceError"])
def test_a_database_failure_in_a_view_gives_the_503_page(client, bob, error):
    client.force_login(bob)
    with mock.patch("planning.views.authoring.plans_for", side_effect=error):
        response = client.get(reverse("planning:plan-list"))
    _assert_unavailable(response)
    assert client.get(reverse("planning:plan-list")).status_code == 200  # and back once it is


@pytest.mark.parametrize("error", DOWN, ids=["OperationalError", "InterfaceError"])
def test_a_database_that_is_down_gives_the_503_page_to_anyone(client, bob, error):
    """Wherever the first query is (the session, read by a middleware or by the view)."""
    client.raise_request_exception = False  # the test client would re-raise what Django logged
    with _database_down(error):
        anonymous = client.get(reverse("planning:plan-list"))
    assert anonymous.status_code == 302  # an anonymous page that needs no query still works
    client.force_login(bob)
    with _database_down(error):
        response = client.get(reverse("planning:plan-list"))
    _assert_unavailable(response)


def test_a_database_failure_inside_a_middleware_gives_the_503_page(client, bob, settings):
    """The session is saved by SessionMiddleware after the view; Django turns a failure
    there into a 500 at that middleware, which is replaced on the way out."""
    settings.SESSION_SAVE_EVERY_REQUEST = True
    store = import_module(settings.SESSION_ENGINE).SessionStore
    client.force_login(bob)
    client.raise_request_exception = False
    with mock.patch.object(store, "save", side_effect=OperationalError("server closed the connection unexpectedly")):
        response = client.get(reverse("planning:plan-list"))
    _assert_unavailable(response)


def test_a_middleware_failing_while_the_500_page_fails_too_gives_the_503_page(client, bob, settings):
    """The 500 page reads ``request.user``; with the database down that fails as well and
    escapes every middleware's exception handling, to be caught outermost."""
    auth = "django.contrib.auth.middleware.AuthenticationMiddleware"
    position = settings.MIDDLEWARE.index(auth) + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        f"{__name__}.ReadsTheUserMiddleware",
        *settings.MIDDLEWARE[position:],
    ]
    client.force_login(bob)
    client.raise_request_exception = False
    with _database_down(DOWN[0]):
        response = client.get(reverse("planning:plan-list"))
    _assert_unavailable(response)


def test_other_errors_still_give_the_500_page(client, bob):
    client.force_login(bob)
    client.raise_request_exception = False
    with mock.patch("planning.views.authoring.plans_for", side_effect=RuntimeError("a bug")):
        response = client.get(reverse("planning:plan-list"))
    assert response.status_code == 500 and "Retry-After" not in response


# --- nothing half-saved -----------------------------------------------------------------


def test_a_failure_halfway_through_a_write_leaves_nothing_in_any_table(client, alice, service):
    """Creating a plan writes the plan, its history row, then its vision: the database
    failing at the vision rolls back the plan and its history too."""
    client.force_login(alice)
    fields = {
        "title": "Inclusion Business Plan 2013-14",
        "slug": "inclusion-2013",
        "kind": "service",
        "organisation": service.pk,
        "owner": alice.pk,
        "start_year": 2013,
        "end_year": 2013,
        "label_vision": "Vision",
        "label_priority": "Priority",
        "label_action": "Action",
        "label_target": "Target",
        "label_milestone": "Milestone",
    }
    plan_saves = []
    real_save = Plan.save

    def save_plan(self, *args, **kwargs):
        real_save(self, *args, **kwargs)
        plan_saves.append(Plan.history.filter(id=self.pk).count())  # the plan and its history row are written

    with (
        mock.patch.object(Plan, "save", save_plan),
        mock.patch.object(PlanItem, "save", side_effect=OperationalError("server closed the connection")),
    ):
        response = client.post(reverse("planning:plan-create"), fields)

    _assert_unavailable(response)
    assert plan_saves == [1]
    assert not Plan.objects.exists() and not Plan.history.exists()
    assert not PlanItem.objects.exists() and not PlanItem.history.exists()


# --- /health/ -------------------------------------------------------------------------------


def test_health_says_ok_with_one_query_and_no_session(client, db, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1, and nothing else
        response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-store" in response["Cache-Control"]
    assert settings.SESSION_COOKIE_NAME not in response.cookies and not Session.objects.exists()
    assert client.head(reverse("health")).status_code == 200


@pytest.mark.parametrize("error", DOWN, ids=["OperationalError", "InterfaceError"])
def test_health_says_503_when_the_database_does_not_answer(client, db, error):
    with _database_down(error):
        response = client.get(reverse("health"))
    assert response.status_code == 503 and response.content == b"database unavailable"


def test_health_reads_no_session_and_no_user_for_a_signed_in_browser(client, bob, django_assert_num_queries):
    """A probe that carries a session cookie costs the same one query (issue 14)."""
    client.force_login(bob)
    before = client.session.session_key
    with django_assert_num_queries(1):  # SELECT 1: no session row, no person
        response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"
    assert not response.cookies  # no session written, no CSRF or messages cookie
    assert "no-store" in response["Cache-Control"]
    assert client.session.session_key == before


def test_health_says_ok_when_only_the_session_table_does_not_answer(client, bob):
    client.force_login(bob)
    engine = import_module(settings.SESSION_ENGINE)
    with mock.patch.object(engine.SessionStore, "load", side_effect=OperationalError("no such table: django_session")):
        response = client.get(reverse("health"))
    assert response.status_code == 200 and response.content == b"ok"


def test_health_answers_only_get_and_head(client):
    assert client.post(reverse("health")).status_code == 405


# --- PostgreSQL: connections dropped between requests ---------------------------------------

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="persistent connections: PostgreSQL")


def _terminate_other_backends() -> int:
    """What a restarting server or a failover does to the app's open connections."""
    db = connection.settings_dict
    admin = psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"], host=db["HOST"] or None, port=db["PORT"] or None
    )
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]
    finally:
        admin.close()


class Server:
    """The app as a WSGI server calls it (``config.wsgi``): unlike the test client, this
    runs ``close_old_connections`` at the start and end of every request, so the
    connection persists between requests (CONN_MAX_AGE) and is health-checked."""

    def __init__(self, user):
        self.handler = WSGIHandler()
        session = Client()
        session.force_login(user)
        self.cookie = f"{settings.SESSION_COOKIE_NAME}={session.cookies[settings.SESSION_COOKIE_NAME].value}"

    def get(self, path: str) -> int:
        environ = {"PATH_INFO": path, "HTTP_COOKIE": self.cookie}
        wsgiref.util.setup_testing_defaults(environ)
        status = []
        result = self.handler(environ, lambda line, headers, exc_info=None: status.append(line))
        try:
            b"".join(result)
        finally:
            result.close()  # request_finished, as a WSGI server does
        return int(status[0].split()[0])


def _backend_pid() -> int | None:
    return connection.connection.get_backend_pid() if connection.connection is not None else None


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_no_request_fails_when_the_server_drops_connections_between_requests(bob):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 and connection.settings_dict["CONN_HEALTH_CHECKS"]
    server = Server(bob)
    url = reverse("planning:plan-list")
    assert server.get(url) == 200
    kept = _backend_pid()
    assert server.get(url) == 200 and _backend_pid() == kept  # persistent between requests

    assert _terminate_other_backends() >= 1

    assert server.get(url) == 200  # the health check found the dead connection and reconnected
    assert _backend_pid() not in {None, kept}
    assert [server.get(url) for _ in range(3)] == [200, 200, 200]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_without_health_checks_the_first_request_after_the_drop_fails(bob):
    """The same drop with CONN_HEALTH_CHECKS off: the test above can fail. The failed
    request gets the 503 page; Django then discards the broken connection."""
    server = Server(bob)
    url = reverse("planning:plan-list")
    assert server.get(url) == 200
    connection.health_check_enabled = False
    try:
        assert _terminate_other_backends() >= 1
        assert server.get(url) == 503
        assert server.get(url) == 200
    finally:
        connection.health_check_enabled = connection.settings_dict["CONN_HEALTH_CHECKS"]
        connection.close()
