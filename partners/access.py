"""The one way a partners view gets a person or an organisation.

People and organisations are managed by administrators only: anyone else signed in gets
403 (the pages exist, the action is forbidden), and the login decorator on each view
sends anonymous visitors to sign in first. An id that does not exist is 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from partners.models import Invitation, Organisation, OrganisationDomain, User, token_hash


def require_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_admin):
        raise PermissionDenied


def get_person_for_admin(user: User, pk: int) -> User:
    require_admin(user)
    try:
        return User.objects.select_related("organisation").get(pk=pk)
    except User.DoesNotExist:
        raise Http404(_("No such person")) from None


def get_organisation_for_admin(user: User, pk: int) -> Organisation:
    require_admin(user)
    try:
        return Organisation.objects.select_related("parent").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404(_("No such organisation")) from None


def get_domain_for_admin(user: User, *, organisation_pk: int, pk: int) -> OrganisationDomain:
    require_admin(user)
    try:
        return OrganisationDomain.objects.get(pk=pk, organisation_id=organisation_pk)
    except OrganisationDomain.DoesNotExist:
        raise Http404(_("No such domain")) from None


def get_invitation_for_token(token: str) -> Invitation:
    """The invitation a link names, for anyone who holds the link (it is the link's secret
    that gives access, so no sign-in is asked); an unknown or mangled token is 404."""
    if not token or len(token) > 100:
        raise Http404(_("No such invitation"))
    invitation = Invitation.objects.select_related("organisation").filter(token_hash=token_hash(token)).first()
    if invitation is None:
        raise Http404(_("No such invitation"))
    return invitation
