"""The one way a partners view gets a person or an organisation.

People and organisations are managed by administrators only: anyone else signed in gets
403 (the pages exist, the action is forbidden), and the login decorator on each view
sends anonymous visitors to sign in first. An id that does not exist is 404.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404

from partners.models import Organisation, User


def require_admin(user: User) -> None:
    if not (user.is_authenticated and user.is_active and user.is_admin):
        raise PermissionDenied


def get_person_for_admin(user: User, pk: int) -> User:
    require_admin(user)
    try:
        return User.objects.select_related("organisation").get(pk=pk)
    except User.DoesNotExist:
        raise Http404("No such person") from None


def get_organisation_for_admin(user: User, pk: int) -> Organisation:
    require_admin(user)
    try:
        return Organisation.objects.select_related("parent").get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404("No such organisation") from None
