"""API tokens: a person's key to the read API (issue 16, docs/decisions/0018).

Only the token's SHA-256 is stored (``partners.models.token_hash``, the invitation links'
scheme): the token is 32 random bytes, shown once when it is made. Every token expires
(at most a year after it is made); a revoked token keeps its row, so its history says
who made it, when it was last used and when it was revoked.
"""

from datetime import timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from config.history import track
from config.text import single_line
from partners.models import User

DEFAULT_DAYS = 90
MAX_DAYS = 366
# what a token starts with, so that a leaked one is recognisable (secret scanners, logs)
PREFIX = "gt_"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now=None):
        """Tokens that open the API now: not revoked, not expired, their person active."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, expires_at__gt=now, person__is_active=True)


class ApiToken(models.Model):
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, validators=[single_line], help_text=gettext_lazy("What the token is for."))
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")), name="api_token_expires_after_made"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.person})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def is_expired(self, now=None) -> bool:
        return self.expires_at <= (now or timezone.now())

    def state(self, now=None) -> str:
        if self.is_revoked:
            return "Revoked"
        if self.is_expired(now):
            return "Expired"
        return "Active"


# last_used_at changes on every call: kept on the row, not in history (a history row per
# API call would drown the token's real changes: made, revoked)
track(ApiToken, excluded_fields=["last_used_at"])


def max_expiry(now=None):
    return (now or timezone.now()) + timedelta(days=MAX_DAYS)
