"""Welsh and English (docs/decisions/0029).

Django's ``LocaleMiddleware`` picks the language from the language cookie, else from the
browser's ``Accept-Language``, else English. A signed-in person's own choice, kept on
their record, comes before both (``PersonLanguageMiddleware``), so it follows them to
another browser, and emails and notifications written for them use it (``language_of``).

Switching (``partners.language.switch_language``): anyone may switch with a plain link (GET), which sets the
cookie only, so the public pages stay free of forms and cookies until a reader asks; a
signed-in person's switch is a form (POST, CSRF-checked) that also keeps the choice on
their record, with the history row every change has.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

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
