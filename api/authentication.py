"""``Authorization: Bearer <token>``: the API's one way of knowing who is asking.

No header: the caller is anonymous and reads what the public reads. Any other
Authorization header, or a token that is unknown, expired, revoked or whose person is no
longer active, is refused with 401 and a message saying which: a caller who meant to use
a token is never quietly served the public's answer instead.
"""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from api.models import ApiToken
from partners.models import token_hash

# last_used_at is written at most once a minute per token, not on every call
LAST_USED_EVERY = timedelta(minutes=1)


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if len(parts) != 2 or parts[0].lower() != self.keyword.lower().encode():
            raise exceptions.AuthenticationFailed(
                "The Authorization header must be “Bearer ” followed by an API token."
            )
        try:
            secret = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("This API token is not recognised.") from None
        token = ApiToken.objects.select_related("person").filter(token_hash=token_hash(secret)).first()
        now = timezone.now()
        if token is None:
            raise exceptions.AuthenticationFailed("This API token is not recognised.")
        if token.is_revoked:
            raise exceptions.AuthenticationFailed("This API token has been revoked.")
        if token.is_expired(now):
            raise exceptions.AuthenticationFailed(f"This API token expired on {token.expires_at:%-d %B %Y}.")
        if not token.person.is_active:
            raise exceptions.AuthenticationFailed(_("The account this API token belongs to is no longer active."))
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            # last_used_at is not tracked (api.models): a plain write, no history row
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.person, token

    def authenticate_header(self, request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token made on the app's “API tokens” page. Without one, the public's view.",
        }
