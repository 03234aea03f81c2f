"""Notifications written in each recipient's own language (decision 0029).

``partners.services.notify`` composes a notification's subject and body again for each
recipient, inside that person's language, when they are given as functions. Planning's
notices write both at once (one function returning the pair, sharing the values they
format); this hands that pair to ``notify`` as its two functions, so there is one way a
notice reaches someone in their language."""

from collections.abc import Callable, Iterable

from partners.models import Notification, User
from partners.services import notify


def notify_in_their_language(
    *, recipients: Iterable[User], write: Callable[[], tuple[str, str]], url: str = ""
) -> list[Notification]:
    """``write`` returns (subject, body); it is called with each recipient's language active."""
    return notify(recipients=recipients, subject=lambda: write()[0], body=lambda: write()[1], url=url)
