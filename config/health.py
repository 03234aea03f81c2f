"""``/health/`` for load balancers: 200 "ok" when the database answers ``SELECT 1``, 503
otherwise. No sign-in, no session read or written, never cached."""

import logging

from django.db import Error as DatabaseFailure
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


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
