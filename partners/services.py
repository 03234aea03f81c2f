"""Writes for the partners app: the notification outbox (written inside the caller's
transaction, emailed after commit), organisations and people as administrators manage
them (history stamped with who and why), invitations, and the people single sign-on
brings in."""

import logging
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from config.history import change_context
from config.text import one_line
from partners.models import Invitation, Notification, Organisation, OrganisationDomain, User, token_hash
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

ORGANISATION_FIELDS = ["name", "slug", "kind", "parent", "is_active", "password_sign_in"]
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


def person_language_set(*, person: User, language: str) -> User:
    """Keep the interface language ``person`` chose (config.language.switch_language)."""
    with transaction.atomic(), change_context(reason="Language chosen", user=person):
        stored = User.objects.select_for_update().get(pk=person.pk)
        stored.language = language
        stored.full_clean(exclude=["password"])
        stored.save(update_fields=["language"])
    person.language = language
    return stored


# --- invitations -------------------------------------------------------------------------

# someone whose link expired may ask for a fresh one: once in this long, this many times in all
RESEND_INTERVAL = timedelta(minutes=5)
RESEND_LIMIT = 10
INVITED_FIELDS = ["first_name", "last_name", "job_title", "organisation", "role"]
USERNAME_LENGTH = User._meta.get_field("username").max_length or 150


class InvitationUnusable(Exception):
    """The link cannot be used as it is: ``state`` is "used" or "expired"."""

    def __init__(self, state: str):
        super().__init__(state)
        self.state = state


def invitation_state(invitation: Invitation) -> str:
    """Where the link stands: "used", "expired" or "open"."""
    if invitation.used_at:
        return "used"
    return "expired" if invitation.expires_at <= timezone.now() else "open"


def _account_problem(email: str) -> str:
    """Why ``email`` cannot be given a new account ("" if it can)."""
    existing = User.objects.filter(email__iexact=email).first() or User.objects.filter(username__iexact=email).first()
    if existing is None:
        return ""
    if not existing.is_active:
        return "Someone with this email address has an account that has been deactivated: an administrator can reactivate it on their page."
    return "Someone with this email address already has an account."


def _invitation_email(*, invitation: Invitation, token: str) -> None:
    """The link goes by email once the invitation is stored (a rolled-back invitation sends
    nothing). Not through the notification outbox: its rows keep the message, and the
    message holds the link's secret, which is never stored."""
    url = settings.SITE_URL + reverse("invitation-accept", args=[token])
    context = {
        "invitation": invitation,
        "url": url,
        "hours": settings.INVITATION_LIFETIME_HOURS,
        "council_name": settings.COUNCIL_NAME,
    }
    subject = one_line(f"You are invited to Golden Thread at {settings.COUNCIL_NAME}")
    body = render_to_string("registration/invitation_email.txt", context)
    recipient = invitation.email

    def send() -> None:
        try:
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
        except Exception as error:  # noqa: BLE001  (the invitation stands: it can be sent again)
            log.warning("invitation %s not emailed: %s: %s", invitation.pk, error.__class__.__name__, error)

    transaction.on_commit(send)


def _new_link(invitation: Invitation) -> str:
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.token_hash = token_hash(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(hours=settings.INVITATION_LIFETIME_HOURS)
    return token


@transaction.atomic
def invitation_send(
    *,
    by: User | None,
    email: str,
    organisation: Organisation | None,
    role: str,
    first_name: str = "",
    last_name: str = "",
    job_title: str = "",
) -> Invitation:
    """Invite ``email`` to join with ``organisation`` and ``role``, and email them a link
    that works once, for ``INVITATION_LIFETIME_HOURS``. Inviting an address that already
    has an invitation waiting replaces it (new details, new link; the old link stops
    working). Refused, naming the field, when the address already has an account or the
    role does not belong in the organisation. Checks nothing about who ``by`` is: the
    caller's view decides who may invite whom."""
    email = User.objects.normalize_email(email.strip()).lower()
    pending = Invitation.objects.select_for_update().filter(email=email, used_at__isnull=True).first()
    invitation = pending or Invitation(email=email, created_at=timezone.now())
    invitation.first_name, invitation.last_name, invitation.job_title = first_name, last_name, job_title
    invitation.organisation, invitation.role, invitation.invited_by = organisation, role, by
    invitation.times_sent = 1
    token = _new_link(invitation)
    errors: dict[str, list[str]] = {}
    try:
        invitation.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if problem := _account_problem(email):
        errors.setdefault("email", []).append(problem)
    if len(email) > USERNAME_LENGTH:
        errors.setdefault("email", []).append(
            f"This address would be their username, which is at most {USERNAME_LENGTH} characters."
        )
    try:
        _person_check(User(role=role, organisation=organisation), user=None)
    except ValidationError as error:
        for name, problems in error.message_dict.items():
            errors.setdefault(name, []).extend(problems)
    if errors:
        raise ValidationError(errors)
    reason = "Invitation sent again" if pending else "Invitation sent"
    try:
        with transaction.atomic(), change_context(reason=reason, user=by):
            invitation.save()
    except IntegrityError:  # another administrator invited the same address at the same moment
        raise ValidationError(
            {"email": ["This address was invited a moment ago: look for it among the people."]}
        ) from None
    _invitation_email(invitation=invitation, token=token)
    return invitation


def _invited_person(invitation: Invitation) -> User:
    person = User(username=invitation.email, email=invitation.email, is_active=True)
    for name in INVITED_FIELDS:
        setattr(person, name, getattr(invitation, name))
    return person


def _join(*, person: User, reason: str, invitation: Invitation | None = None) -> User:
    """Store a new ``person`` (the caller's transaction), using ``invitation`` if given."""
    if problem := _account_problem(person.email):
        raise ValidationError(problem)
    person.full_clean()
    _person_check(person, user=None)
    with change_context(reason=reason, user=None):
        person.save()
        if invitation is not None:
            invitation.used_at = timezone.now()
            invitation.user = person
            invitation.save()
    return person


def person_from_invitation(invitation: Invitation) -> User:
    """The person accepting ``invitation`` would be (unsaved): what the password form
    compares a new password with."""
    return _invited_person(invitation)


def _locked_invitation(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if invitation is None:
        raise InvitationUnusable("unknown")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, password: str) -> User:
    """Create the invited person with ``password`` (Django's validators) and mark the
    invitation used, in one transaction under the invitation's row lock: a second
    submission of the same form finds it used. Raises ``InvitationUnusable`` for a used,
    expired or unknown link, ``ValidationError`` (``new_password1``) for a refused password."""
    invitation = _locked_invitation(token)
    state = invitation_state(invitation)
    if state != "open":
        raise InvitationUnusable(state)
    if invitation.organisation is not None and not invitation.organisation.password_sign_in:
        raise ValidationError({"new_password1": [f"{invitation.organisation} signs in through single sign-on."]})
    person = _invited_person(invitation)
    try:
        password_validation.validate_password(password, person)
    except ValidationError as error:
        raise ValidationError({"new_password1": error.messages}) from None
    person.set_password(password)
    return _join(person=person, reason="Joined by invitation", invitation=invitation)


@transaction.atomic
def invitation_resend(*, token: str) -> Invitation:
    """Email a fresh link to the address an expired invitation was sent to (never anywhere
    else, so holding an old link gains nothing but a new link in the invitee's inbox).
    At most once every ``RESEND_INTERVAL`` and ``RESEND_LIMIT`` times in all."""
    invitation = _locked_invitation(token)
    state = invitation_state(invitation)
    if state != "expired":
        raise InvitationUnusable(state)
    if invitation.times_sent >= RESEND_LIMIT:
        raise ValidationError(
            "This invitation has been sent as many times as it can be: ask the person who invited you."
        )
    if invitation.sent_at > timezone.now() - RESEND_INTERVAL:
        raise ValidationError("A new link was sent a few minutes ago: look for it in your email, or try again later.")
    new_token = _new_link(invitation)
    invitation.times_sent += 1
    with change_context(reason="Invitation sent again at the invitee's request", user=None):
        invitation.save()
    _invitation_email(invitation=invitation, token=new_token)
    return invitation


# --- single sign-on ----------------------------------------------------------------------


class SignOnRefused(Exception):
    """Single sign-on found no one to sign in; the message says why and what to do."""


def _name_claim(claims: dict, name: str) -> str:
    return one_line(str(claims.get(name) or ""))[:150]


@transaction.atomic
def sign_on_person(*, claims: dict) -> User:
    """The person a provider's verified claims name: the account with that email address;
    else someone new, from a waiting invitation for the address, or from an administrator's
    mapping of its domain to an organisation. Nobody is created otherwise, and nobody
    inactive is signed in. The caller has checked the ID token (signature, issuer,
    audience, expiry, nonce)."""
    if claims.get("email_verified") is not True:
        raise SignOnRefused(
            "Your account at the sign-in service has no verified email address, so we cannot tell who you are. "
            "Ask your IT team to verify it, or sign in with a password."
        )
    email = User.objects.normalize_email(str(claims.get("email") or "").strip()).lower()
    if "@" not in email or len(email) > 254:
        raise SignOnRefused("The sign-in service did not give an email address we can use. Ask an administrator.")
    people = list(User.objects.filter(email__iexact=email)[:2])
    if len(people) > 1:
        raise SignOnRefused(
            "More than one account has this email address, so we cannot tell which is yours: ask an administrator."
        )
    if people:
        if not people[0].is_active:
            raise SignOnRefused("Your account has been deactivated. Ask an administrator if you need it again.")
        return people[0]
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .filter(email=email, used_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is not None:
        person = _invited_person(invitation)
        reason = "Joined by invitation, through single sign-on"
    else:
        domain = email.rsplit("@", 1)[1]
        mapping = OrganisationDomain.objects.select_related("organisation").filter(domain=domain).first()
        if mapping is None or not mapping.organisation.is_active:
            raise SignOnRefused(
                f"There is no account for {email}, and people from {domain} are not added automatically. "
                "Ask an administrator to invite you."
            )
        person = User(username=email, email=email, role=mapping.role, organisation=mapping.organisation, is_active=True)
        reason = f"Joined through single sign-on ({domain})"
    person.first_name = person.first_name or _name_claim(claims, "given_name")
    person.last_name = person.last_name or _name_claim(claims, "family_name")
    person.set_unusable_password()
    try:
        with transaction.atomic():
            return _join(person=person, reason=reason, invitation=invitation)
    except IntegrityError:
        # the same person added a moment ago (a second callback, or their invitation accepted
        # at the same time): sign in the account that now exists
        existing = User.objects.filter(email__iexact=email, is_active=True).first()
        if existing is None:
            raise SignOnRefused(
                "Your account could not be set up just now: start again from the sign-in page."
            ) from None
        return existing
    except ValidationError as error:
        log.warning("single sign-on could not add %s: %s", email, "; ".join(error.messages))
        raise SignOnRefused(
            f"We could not add an account for {email}: ask an administrator ({' '.join(error.messages)})"
        ) from None


# --- email domains for single sign-on --------------------------------------------------------

DOMAIN_ROLES = [User.Role.OFFICER, User.Role.PARTNER, User.Role.MEMBER]


@transaction.atomic
def domain_add(*, organisation: Organisation, domain: str, role: str, user: User | None) -> OrganisationDomain:
    """Map ``domain`` to ``organisation``: people signing in through single sign-on with a
    verified address there join it with ``role``. Administrators are never made this way."""
    mapping = OrganisationDomain(domain=domain.strip().lower().removeprefix("@"), organisation=organisation, role=role)
    errors: dict[str, list[str]] = {}
    try:
        mapping.full_clean()
    except ValidationError as error:
        errors.update(error.message_dict)
    if role not in DOMAIN_ROLES:
        errors.setdefault("role", []).append("People joining through a domain are officers, partners or members.")
    else:
        try:
            _person_check(User(role=role, organisation=organisation), user=None)
        except ValidationError as error:
            errors.setdefault("role", []).extend(error.messages)
    if errors:
        raise ValidationError(errors)
    with change_context(reason="Email domain mapped", user=user):
        mapping.save()
    return mapping


@transaction.atomic
def domain_remove(*, mapping: OrganisationDomain, user: User | None) -> None:
    """People already added stay; nobody new joins through the domain."""
    with change_context(reason="Email domain unmapped", user=user):
        mapping.delete()
