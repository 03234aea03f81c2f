"""``/health/`` for load balancers: 200 "ok" when the database answers ``SELECT 1``, 503
otherwise. No sign-in, no session read or written, never cached.

``HealthCheckMiddleware`` answers it before ``SessionMiddleware``: a probe that carries a
session cookie (a person checking the address in a signed-in browser, a monitor replaying
one) would otherwise have its session and its user read by the middleware further in (the
session timeouts, no-store), two queries and a possible session write on a request that
must cost one ``SELECT 1``, and would fail when only the session table is unreachable. The
URL stays in ``config/urls.py`` so that ``reverse("health")`` and the permission matrix
still know it.
"""

import logging

from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)

PATH = "/health/"  # config/urls.py routes it here too, for reverse("health")


@never_cache
@require_safe
def health(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseFailure as error:  # OperationalError, InterfaceError and the rest
        log.warning("Health check failed: %s", error)
        return HttpResponse("database unavailable", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


class HealthCheckMiddleware:
    """Place it before ``SessionMiddleware`` (and after ``SecurityMiddleware``, whose
    ``SECURE_REDIRECT_EXEMPT`` lets load balancers probe over plain HTTP)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == PATH:
            return health(request)
        return self.get_response(request)
