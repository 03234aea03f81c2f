"""Single sign-on with OpenID Connect (Microsoft Entra ID, Google Workspace, any provider
with a discovery document), through authlib's Django client.

authlib does the protocol: the authorisation request carries a random ``state`` and
``nonce`` (and a PKCE challenge), kept in the session; the callback pops the state from
the session (a replayed or forged callback finds none and is refused), exchanges the code
at the token endpoint, and checks the ID token's signature against the provider's keys and
its issuer, expiry and nonce. Its default does not check that the token was issued to this
app (it checks ``azp`` only when present), so the audience is checked here as well
(``_claims_options``). Who the claims name, and whether they may come in, is
``partners.services.sign_on_person``'s to decide. docs/decisions/0014.
"""

import logging
from functools import cache

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.django_client import DjangoOAuth2App, OAuth
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from joserfc.errors import ExpiredTokenError, JoseError

log = logging.getLogger(__name__)

SCOPE = "openid email profile"
TIMEOUT = 10  # seconds for each call to the provider: a provider that hangs must not hang a worker


class SignOnFailed(Exception):
    """The exchange with the provider failed; the message tells the person what to do.
    ``status``: 400 for an answer refused, 502 for a provider that cannot be reached."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def enabled() -> bool:
    return bool(settings.OIDC_DISCOVERY_URL)


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


@cache
def _client(discovery_url: str, client_id: str, client_secret: str) -> DjangoOAuth2App:
    """One client per configuration, kept for the process: it keeps the provider's
    discovery document and keys once fetched (fetched again when a token names a key it
    does not know)."""
    return OAuth().register(
        "provider",
        server_metadata_url=discovery_url,
        client_id=client_id,
        client_secret=client_secret,
        client_kwargs={"scope": SCOPE, "default_timeout": TIMEOUT, "code_challenge_method": "S256"},
    )


def client() -> DjangoOAuth2App:
    return _client(settings.OIDC_DISCOVERY_URL, settings.OIDC_CLIENT_ID, settings.OIDC_CLIENT_SECRET)


def _claims_options(app: DjangoOAuth2App) -> dict:
    return {
        "iss": {"essential": True, "value": app.load_server_metadata()["issuer"]},
        "aud": {"essential": True, "value": app.client_id},
    }


# what calling the provider raises when it is down or answers with something other than JSON
UNREACHABLE = (requests.RequestException, ValueError, KeyError)


def _unreachable(error: Exception, what: str) -> SignOnFailed:
    log.error("single sign-on: %s: %r", what, error)
    return SignOnFailed(
        _(
            "The sign-in service (%(provider)s) cannot be reached just now. Try again in a few minutes, or "
            "sign in with your password if you have one. If it keeps happening, tell an administrator."
        )
        % {"provider": provider_name()},
        status=502,
    )


def start(request: HttpRequest, redirect_uri: str) -> HttpResponse:
    """Send the person to the provider; raises ``SignOnFailed`` if it cannot be reached."""
    try:
        return client().authorize_redirect(request, redirect_uri)
    except UNREACHABLE as error:
        raise _unreachable(error, "the provider's discovery document could not be read") from None


def finish(request: HttpRequest) -> dict:
    """The claims of the ID token the provider issued for this request's callback, checked.

    Every failure is logged for administrators (with what authlib reported) and raised as
    ``SignOnFailed`` with what the person can do."""
    app = client()
    try:
        token = app.authorize_access_token(request, claims_options=_claims_options(app))
    except MismatchingStateError:
        log.warning("single sign-on: a callback without a matching state (replayed, stale or forged)")
        raise SignOnFailed(
            _("This sign-in has already been used or has timed out. Start again from the sign-in page.")
        ) from None
    except OAuthError as error:
        log.warning("single sign-on: the provider refused: %s %s", error.error, error.description)
        if error.error == "access_denied":
            raise SignOnFailed(_("Signing in was cancelled. Start again from the sign-in page.")) from None
        raise SignOnFailed(_("The sign-in service refused the request. Start again from the sign-in page.")) from None
    except ExpiredTokenError:
        log.warning("single sign-on: the ID token has expired (check the server's clock)")
        raise SignOnFailed(
            _("The sign-in service's answer had expired. Start again; if it keeps happening, tell an administrator.")
        ) from None
    except JoseError as error:
        log.warning("single sign-on: the ID token was refused: %r", error)
        raise SignOnFailed(
            _(
                "The sign-in service's answer could not be checked, so you have not been signed in. "
                "Start again; if it keeps happening, tell an administrator."
            )
        ) from None
    except UNREACHABLE as error:
        raise _unreachable(error, "the provider could not be reached or answered oddly") from None
    claims = token.get("userinfo")
    if not claims:
        log.warning("single sign-on: the provider's answer held no ID token")
        raise SignOnFailed(_("The sign-in service did not say who you are. Tell an administrator."))
    return dict(claims)
