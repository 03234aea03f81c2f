"""A real OpenID Connect provider for the single sign-on tests: oidc-provider-mock (authlib's
authorisation server behind Flask) served over HTTP on 127.0.0.1 from a thread, on a free
port. Nothing in the exchange is mocked: the app fetches the discovery document, the keys
and the tokens from it as it would from Entra ID or Google.

What the provider lets a test arrange, through its own HTTP interface:

* a person's claims (``PUT /users/<sub>``): their email, whether it is verified, and any
  other claim. Claims are copied into the ID token after the standard ones, so a person
  whose claims carry ``aud`` gets a token, signed by the provider, for another audience.
* the tokens' lifetime (``access_token_max_age``, which is also the ID token's): a second
  provider started with a negative lifetime issues ID tokens that expired before they
  were issued, which is the provider itself saying "expired" (its clock cannot be moved).
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import requests
import werkzeug.serving
from oidc_provider_mock import app as provider_app

CLIENT_ID = "golden-thread"
CLIENT_SECRET = "a-client-secret-for-tests"  # the provider accepts any secret for any client
PROVIDER_NAME = "Northmoor account"


@dataclass
class Provider:
    url: str

    @property
    def discovery_url(self) -> str:
        return f"{self.url}/.well-known/openid-configuration"

    def set_person(self, sub: str, **claims) -> None:
        response = requests.put(f"{self.url}/users/{sub}", json=claims, timeout=5)
        response.raise_for_status()

    def authorise(self, authorize_url: str, sub: str) -> str:
        """What the person does on the provider's own page: give their subject and submit.
        Returns the address the provider sends the browser back to (the app's callback)."""
        assert authorize_url.startswith(self.url), authorize_url
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text[:500]
        return response.headers["Location"]


@contextmanager
def running_provider(**options) -> Iterator[Provider]:
    server = werkzeug.serving.make_server("127.0.0.1", 0, provider_app(**options), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield Provider(url=f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@contextmanager
def expired_tokens_provider() -> Iterator[Provider]:
    """A provider whose ID tokens expire ten minutes before they are issued: beyond the two
    minutes of clock drift authlib allows."""
    with running_provider(access_token_max_age=timedelta(minutes=-10)) as provider:
        yield provider


def use_provider(settings, provider: Provider) -> None:
    settings.OIDC_DISCOVERY_URL = provider.discovery_url
    settings.OIDC_CLIENT_ID = CLIENT_ID
    settings.OIDC_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_PROVIDER_NAME = PROVIDER_NAME


def local_path(url: str) -> str:
    """The path and query of an absolute address of the app (the test client's kind)."""
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}" if parts.query else parts.path
