"""Reads for the partners pages beyond fetching one object by its key."""

from django.db.models import QuerySet

from partners.models import Invitation

WAITING_SHOWN = 50


def invitations_waiting() -> QuerySet[Invitation]:
    """Invitations not yet accepted, newest first (expired ones too: inviting the address
    again sends a new link), with their organisations: one query."""
    return (
        Invitation.objects.filter(used_at__isnull=True)
        .select_related("organisation")
        .order_by("-sent_at", "-pk")[:WAITING_SHOWN]
    )
