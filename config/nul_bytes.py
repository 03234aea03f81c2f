"""Refuse a request with a NUL byte where a person can put one: the friendly 400 page.

PostgreSQL cannot store or compare text holding NUL (psycopg raises "A string literal
cannot contain NUL (0x00) characters"), and Python's file functions raise "embedded null
byte": a NUL that reached a query or a file name was a 500 (issue 12, item 9). No one
types a NUL, so nothing legitimate is lost by refusing it in one place instead of
cleaning it in every view: the path, the query string (names and values), the posted
fields (names and values) and the cookies. Uploaded files' contents are binary and are
not checked; their names are already cleaned of unprintable characters by Django.

Place it right after SecurityMiddleware: before WhiteNoise (a static path with a NUL
would reach the file system in development), before sessions (a session cookie with a
NUL would reach the database) and before django-axes (which records the posted username).
The page is rendered without a session or a user, so it reads nothing from the database.
"""

import logging
from collections.abc import Iterable

from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import translation

from config.views import bad_request

log = logging.getLogger(__name__)

NUL = "\x00"


def _holds_nul(pairs: Iterable[tuple[str, list[str] | str]]) -> bool:
    for name, values in pairs:
        if NUL in name:
            return True
        if any(NUL in value for value in ([values] if isinstance(values, str) else values)):
            return True
    return False


def _where_is_nul(request: HttpRequest) -> str | None:
    """Which part of ``request`` holds a NUL, or None."""
    if NUL in request.path_info or NUL in request.path:
        return "path"
    if _holds_nul(request.GET.lists()):
        return "query string"
    if _holds_nul(request.COOKIES.items()):
        return "cookies"
    if request.method == "POST" and isinstance(request.POST, QueryDict) and _holds_nul(request.POST.lists()):
        return "posted fields"
    return None


class RefuseNulBytesMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _where_is_nul(request)
        if where is not None:
            log.warning("Refused a request with a NUL byte in its %s: %s %r", where, request.method, request.path)
            # refused before LocaleMiddleware has chosen this request's language: choose it here,
            # so the page is not in whatever language the thread's last request left active
            with translation.override(translation.get_language_from_request(request)):
                return bad_request(request)
        return self.get_response(request)
