"""Making and revoking API tokens: each a history row with its author and reason."""

import secrets
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import MAX_DAYS, PREFIX, ApiToken
from config.history import change_context, change_time
from partners.models import User, token_hash


def new_secret() -> str:
    """32 random bytes, URL-safe, with a recognisable prefix."""
    return PREFIX + secrets.token_urlsafe(32)


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.max.replace(microsecond=0)))


@transaction.atomic
def token_create(*, person: User, name: str, expires_on: date) -> tuple[ApiToken, str]:
    """A new token for ``person``, usable to the end of ``expires_on`` (a day after today, at
    most ``MAX_DAYS`` ahead). Returns the row and the token itself, which is never stored
    and so can be shown only now."""
    if not person.is_authenticated or not person.is_active:
        raise PermissionDenied
    today = timezone.localdate()
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = _("Enter a name for the token, saying what it is for.")
    if expires_on <= today:
        errors["expires_on"] = _("The expiry date must be in the future.")
    elif expires_on > today + timedelta(days=MAX_DAYS - 1):
        errors["expires_on"] = _("A token can last at most a year: choose an earlier expiry date.")
    if errors:
        raise ValidationError(errors)
    secret = new_secret()
    with change_context(reason="API token made", user=person):
        token = ApiToken(
            person=person,
            name=name.strip(),
            token_hash=token_hash(secret),
            created_at=change_time(),
            expires_at=_end_of(expires_on),
        )
        token.full_clean()
        token.save()
    return token, secret


@transaction.atomic
def token_revoke(*, token: ApiToken, user: User) -> ApiToken:
    """Stop ``token`` working at once; its row stays, with when it was revoked."""
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.person_id != user.pk:
        raise PermissionDenied
    if token.revoked_at is None:
        with change_context(reason="API token revoked", user=user):
            token.revoked_at = change_time()
            token.save()
    return token
