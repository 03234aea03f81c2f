"""Responses from members of the public to a public consultation (decision 0020).

A response waits here, outside the plan's comments, until its writer has confirmed their
email address and an officer has approved it; approving it makes it a ``planning.Comment``
(with no author: ``public_name`` says who), which the officer then answers exactly as a
partner's comment. A response that is unconfirmed, waiting or rejected is never a
comment, so nothing that reads comments can show it by mistake.
"""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy

from config.history import track
from config.text import single_line
from partners.models import User
from planning.models import Comment, Consultation, Plan, PlanItem
from planning.wording import name_fields

# the longest response a member of the public may send (characters)
RESPONSE_LIMIT = 5000


class PublicAddress(models.Model):
    """An email address that has responded. Its link (only the hash is kept, as for
    invitations) confirms every response from it waiting for confirmation; an address
    that has never confirmed is sent one link, never a second (``public.consultation``)."""

    email = models.EmailField(max_length=254, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, null=True, blank=True, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.email


name_fields(
    PublicAddress,
    {
        "email": gettext_lazy("email"),
        "sent_at": gettext_lazy("sent at"),
        "expires_at": gettext_lazy("expires at"),
        "confirmed_at": gettext_lazy("confirmed at"),
    },
)

track(PublicAddress, excluded_fields=["token_hash"])


class PublicResponse(models.Model):
    """One response: on the plan as a whole or on one of its items."""

    class State(models.TextChoices):
        UNCONFIRMED = "unconfirmed", gettext_lazy("Waiting for the email address to be confirmed")
        WAITING = "waiting", gettext_lazy("Waiting for moderation")
        APPROVED = "approved", gettext_lazy("Approved")
        REJECTED = "rejected", gettext_lazy("Rejected")

    consultation = models.ForeignKey(
        Consultation,
        on_delete=models.CASCADE,
        related_name="public_responses",
    )
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="public_responses")
    item = models.ForeignKey(PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    item_title = models.CharField(max_length=300, blank=True, validators=[single_line])
    address = models.ForeignKey(PublicAddress, on_delete=models.PROTECT, related_name="responses")
    name = models.CharField(gettext_lazy("your name"), max_length=200, validators=[single_line])
    organisation = models.CharField(gettext_lazy("organisation"), max_length=200, blank=True, validators=[single_line])
    body = models.TextField(gettext_lazy("your response"), validators=[MaxLengthValidator(RESPONSE_LIMIT)])
    name_public = models.BooleanField(gettext_lazy("may publish my name"), default=False)
    created_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.UNCONFIRMED)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    moderated_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=500, blank=True)
    comment = models.OneToOneField(
        Comment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="public_response",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Response from {self.name} on {self.item_title or self.plan}"


name_fields(
    PublicResponse,
    {
        "consultation": gettext_lazy("consultation"),
        "plan": gettext_lazy("plan"),
        "item": gettext_lazy("item"),
        "item_title": gettext_lazy("item title"),
        "address": gettext_lazy("address"),
        "created_at": gettext_lazy("created at"),
        "state": gettext_lazy("state"),
        "confirmed_at": gettext_lazy("confirmed at"),
        "moderated_by": gettext_lazy("moderated by"),
        "moderated_at": gettext_lazy("moderated at"),
        "rejection_reason": gettext_lazy("rejection reason"),
        "comment": gettext_lazy("comment"),
    },
)

track(PublicResponse)
