"""Notifications: an outbox written inside the caller's transaction, emailed after commit."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from partners.models import Notification, User

log = logging.getLogger(__name__)


def notify(*, recipients: Iterable[User], subject: str, body: str, url: str = "") -> list[Notification]:
    """Queue one notification per active recipient; they are emailed once the caller's
    transaction commits, so a rolled-back change sends nothing."""
    rows = [
        Notification.objects.create(recipient=user, subject=subject[:200], body=body, url=url)
        for user in {user.pk: user for user in recipients if user.is_active}.values()
    ]
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(lambda: notifications_send(ids=ids))
    return rows


def notifications_send(*, ids: list[int] | None = None, limit: int = 500) -> tuple[int, int]:
    """Email pending notifications (all, or just ``ids``); returns (sent, failed).

    Each row is claimed under a row lock and marked sent in the same short transaction
    as its email, so two senders never send one row twice, and a failure leaves it
    pending with the error recorded for the next run."""
    pending = Notification.objects.filter(sent_at__isnull=True).order_by("pk")
    if ids is not None:
        pending = pending.filter(pk__in=ids)
    sent = failed = 0
    for pk in list(pending.values_list("pk", flat=True)[:limit]):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True)
                .select_related("recipient")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            row.attempts += 1
            try:
                send_mail(
                    row.subject,
                    f"{row.body}\n\n{settings.SITE_URL.rstrip('/')}{row.url}" if row.url else row.body,
                    settings.DEFAULT_FROM_EMAIL,
                    [row.recipient.email],
                )
            except Exception as error:  # noqa: BLE001  (any mail failure leaves the row pending)
                row.last_error = f"{error.__class__.__name__}: {error}"[:1000]
                row.save(update_fields=["attempts", "last_error"])
                log.warning("notification %s not sent: %s", row.pk, row.last_error)
                failed += 1
            else:
                row.sent_at = timezone.now()
                row.last_error = ""
                row.save(update_fields=["attempts", "last_error", "sent_at"])
                sent += 1
    return sent, failed
