"""A 503 page, not a 500, when the database cannot be reached.

When a query fails because the database is down, restarting or dropped the connection
(``OperationalError``, ``InterfaceError``), the reader gets "The service is temporarily
unavailable" with status 503 and ``Retry-After``. Nothing was half-saved: every service
write runs in ``transaction.atomic``, so the failed request's writes were rolled back.

The page is rendered without the request, so no context processor runs: no session, no
user, no messages, not one query (``templates/503.html`` extends nothing).

Where the failure is raised decides how it arrives here:

* in a view: ``process_exception``;
* in a middleware further in (a session saved in ``SessionMiddleware``): Django turns
  it into a 500 response at that middleware, so ``got_request_exception`` marks the
  request and the 500 response is replaced on its way out;
* in rendering that 500 page itself (``500.html`` reads ``request.user``, another
  query): the exception escapes to ``__call__``, which catches it.

Place it after ``SecurityMiddleware`` and ``WhiteNoiseMiddleware`` (neither touches the
database; the 503 still gets the security headers) and before every middleware that may.
"""

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

from config.context_processors import council_name

log = logging.getLogger(__name__)

DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 120
_MARK = "_database_unavailable"


def unavailable_response() -> HttpResponse:
    """The 503 page: a template rendered without a request, so it reads nothing from the
    database."""
    html = render_to_string("503.html", {"council_name": council_name()})
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _mark_request(sender, request=None, **kwargs) -> None:
    """``got_request_exception`` is sent inside the ``except`` that is turning an exception
    into a 500 response, so ``sys.exc_info()`` is that exception."""
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, DATABASE_DOWN):
        setattr(request, _MARK, True)


got_request_exception.connect(_mark_request, dispatch_uid="config.db_unavailable")


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            response = self.get_response(request)
        except DATABASE_DOWN:
            log.exception("Database unavailable while rendering the error page for %s", request.path)
            return unavailable_response()
        if getattr(request, _MARK, False):
            return unavailable_response()  # django.request has logged the exception with the 500
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_DOWN):
            log.error("Database unavailable: %s %s", request.method, request.path, exc_info=exception)
            return unavailable_response()
        return None
