"""Writes for the partners app: the notification outbox (written inside the caller's
transaction, emailed after commit), and organisations and people as administrators
manage them (history stamped with who and why)."""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import connection, transaction
from django.utils import timezone

from config.history import change_context
from config.text import one_line
from partners.models import Notification, Organisation, User
from partners.sessions import sessions_end

log = logging.getLogger(__name__)


def notify(*, recipients: Iterable[User], subject: str, body: str, url: str = "") -> list[Notification]:
    """Queue one notification per active recipient; they are emailed once the caller's
    transaction commits, so a rolled-back change sends nothing."""
    rows = [
        Notification.objects.create(recipient=user, subject=one_line(subject)[:200], body=body, url=url)
        for user in {user.pk: user for user in recipients if user.is_active}.values()
    ]
    ids = [row.pk for row in rows]
    if ids:
        # robust: the change has committed whatever happens to the email; a failure here is
        # logged and the rows stay pending for send_notifications, the caller is not failed
        transaction.on_commit(lambda: notifications_send(ids=ids), robust=True)
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
                # of=self: lock the notification only, not its recipient's user row (which
                # signing in updates) for as long as the mail server takes
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient")
                .filter(pk=pk, sent_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            row.attempts += 1
            try:
                send_mail(
                    one_line(row.subject),  # rows queued before titles were checked may break a header
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


# --- organisations and people (managed by administrators) --------------------------------

# pg_advisory_xact_lock key serialising writes to the organisation tree (planning's
# plan-tree lock is a different key: the two tables keep separate mptt trees)
_ORGANISATION_TREE_LOCK = 7_204_921

ORGANISATION_FIELDS = ["name", "slug", "kind", "parent", "is_active"]
PERSON_FIELDS = ["username", "first_name", "last_name", "email", "role", "organisation", "job_title", "is_active"]


def _lock_organisation_tree() -> None:
    """mptt re-slots the tree on every insert, rename (``order_insertion_by = name``) or
    move, rewriting other rows' ``lft``/``rght``/``tree_id``; two concurrent writers
    would corrupt it. SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_ORGANISATION_TREE_LOCK])


def _placement_problem(kind: str, parent: Organisation | None) -> str:
    """Why an organisation of ``kind`` cannot sit under ``parent`` ("" if it can)."""
    kinds = Organisation.Kind
    if kind == kinds.COUNCIL:
        return "A council is the top of its own tree: leave “Part of” empty." if parent else ""
    if kind == kinds.DIRECTORATE:
        if parent is None or parent.kind != kinds.COUNCIL:
            return "A directorate sits under a council."
        return ""
    if kind == kinds.SERVICE:
        if parent is None or parent.kind not in {kinds.COUNCIL, kinds.DIRECTORATE}:
            return "A service sits under a directorate or a council."
        return ""
    if parent is not None and parent.kind in Organisation.COUNCIL_KINDS:
        return "A partner body is not part of the council: choose no parent, or another partner body."
    return ""


def _organisation_check(organisation: Organisation) -> None:
    errors: dict[str, list[str]] = {}
    parent = organisation.parent
    if (
        organisation.pk
        and parent is not None
        and parent.get_ancestors(include_self=True).filter(pk=organisation.pk).exists()
    ):
        errors["parent"] = [f"{organisation.name} cannot sit under itself or under one of its own parts."]
    elif problem := _placement_problem(organisation.kind, parent):
        errors["parent"] = [problem]
    if organisation.pk:
        for child in Organisation.objects.filter(parent_id=organisation.pk).order_by("name"):
            if _placement_problem(child.kind, organisation):
                label = Organisation.Kind(organisation.kind).label.lower()
                errors.setdefault("kind", []).append(
                    f"{child.name} ({child.get_kind_display().lower()}) sits under this organisation and "
                    f"cannot sit under a {label}: move it first."
                )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def organisation_save(*, organisation: Organisation, user: User | None, reason: str = "") -> Organisation:
    """Create ``organisation`` (no pk) or store its edited fields, under the tree lock.

    The row and its new parent are read again inside the lock, so mptt re-slots the
    tree from the values it holds now, not the ones a form loaded earlier."""
    _lock_organisation_tree()
    parent = Organisation.objects.get(pk=organisation.parent_id) if organisation.parent_id else None
    if organisation.pk:
        stored = Organisation.objects.select_for_update().get(pk=organisation.pk)
        for name in ORGANISATION_FIELDS:
            setattr(stored, name, getattr(organisation, name))
        reason = reason or "Organisation updated"
    else:
        stored = Organisation(**{name: getattr(organisation, name) for name in ORGANISATION_FIELDS})
        reason = reason or "Organisation added"
    stored.parent = parent
    stored.full_clean()
    _organisation_check(stored)
    with change_context(reason=reason, user=user):
        stored.save()
    return stored


def _person_check(person: User, *, user: User | None) -> None:
    errors: dict[str, str] = {}
    organisation = person.organisation
    roles = User.Role
    if person.role == roles.OFFICER and (organisation is None or not organisation.is_council):
        errors["organisation"] = "A council officer belongs to the council, one of its directorates or a service."
    elif person.role == roles.PARTNER and (organisation is None or organisation.is_council):
        errors["organisation"] = "A partner belongs to a partner body (a school, college, health body and so on)."
    elif person.role == roles.MEMBER and organisation is not None and not organisation.is_council:
        errors["organisation"] = "An elected member belongs to the council (or to no organisation)."
    if user is not None and person.pk == user.pk:
        if not person.is_active:
            errors["is_active"] = "You cannot deactivate your own account: ask another administrator."
        if person.role != roles.ADMIN and not person.is_superuser:
            errors["role"] = "You cannot remove your own administrator role: ask another administrator."
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def person_save(*, person: User, user: User | None, password: str | None = None, reason: str = "") -> User:
    """Add ``person`` (no pk) or store their edited details.

    A new person without ``password`` gets an unusable one: they cannot sign in until
    a password is set. Deactivating someone ends every session they hold, in the same
    transaction."""
    if person.pk:
        stored = User.objects.select_for_update().get(pk=person.pk)
        was_active = stored.is_active
        for name in PERSON_FIELDS:
            setattr(stored, name, getattr(person, name))
        if not reason:
            reason = "Person deactivated" if was_active and not stored.is_active else "Person updated"
    else:
        stored = User(**{name: getattr(person, name) for name in PERSON_FIELDS})
        was_active = False
        reason = reason or "Person added"
    if password:
        stored.set_password(password)
    elif not stored.pk:
        stored.set_unusable_password()
    stored.full_clean()
    _person_check(stored, user=user)
    with change_context(reason=reason, user=user):
        stored.save()
    if was_active and not stored.is_active:
        sessions_end(user=stored)
    return stored
