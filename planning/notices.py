"""Notifications written in each recipient's own language (decision 0029).

``partners.services.notify`` queues one subject and body for many people; here the people
are grouped by the language each chose (``config.language.language_of``) and the words are
written once per language, with that language active, so a Welsh speaker is told in Welsh
and everyone else in English."""

from collections.abc import Callable, Iterable

from django.utils import translation

from config.language import language_of
from partners.models import Notification, User
from partners.services import notify


def notify_in_their_language(
    *, recipients: Iterable[User], write: Callable[[], tuple[str, str]], url: str = ""
) -> list[Notification]:
    """``write`` returns (subject, body); it is called with each recipient's language active."""
    by_language: dict[str, list[User]] = {}
    for person in recipients:
        by_language.setdefault(language_of(person), []).append(person)
    rows: list[Notification] = []
    for language, people in by_language.items():
        with translation.override(language):
            subject, body = write()
        rows += notify(recipients=people, subject=str(subject), body=str(body), url=url)
    return rows
