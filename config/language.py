"""Welsh and English (docs/decisions/0029).

Django's ``LocaleMiddleware`` picks the language from the language cookie, else from the
browser's ``Accept-Language``, else English. A signed-in person's own choice, kept on
their record, comes before both (``PersonLanguageMiddleware``), so it follows them to
another browser, and emails and notifications written for them use it (``language_of``).

Switching (``switch_language``): anyone may switch with a plain link (GET), which sets the
cookie only, so the public pages stay free of forms and cookies until a reader asks; a
signed-in person's switch is a form (POST, CSRF-checked) that also keeps the choice on
their record, with the history row every change has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(person) -> str:
    """The language to write to ``person`` in: theirs if they chose one, else English."""
    chosen = getattr(person, "language", "") or ""
    return chosen if chosen in LANGUAGE_CODES else settings.LANGUAGE_CODE


@contextmanager
def in_language_of(person) -> Iterator[str]:
    """Write an email, notification or document for ``person`` in their language."""
    language = language_of(person)
    with translation.override(language):
        yield language


class PersonLanguageMiddleware:
    """After authentication: a signed-in person who chose a language sees it everywhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        chosen = getattr(user, "language", "") if user is not None and user.is_authenticated else ""
        if chosen in LANGUAGE_CODES:
            translation.activate(chosen)
            request.LANGUAGE_CODE = chosen
        return self.get_response(request)


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("planning:plan-list")


@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Show the interface in the language asked for (``language``) and go back (``next``)."""
    language = request.POST.get("language") if request.method == "POST" else request.GET.get("language")
    if language not in LANGUAGE_CODES:
        return HttpResponseBadRequest("Choose English (en-gb) or Welsh (cy).", content_type="text/plain")
    if request.method == "POST" and request.user.is_authenticated and request.user.language != language:
        from partners.services import person_language_set  # partners sits above config

        person_language_set(person=request.user, language=language)
    response = HttpResponseRedirect(_next_url(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
