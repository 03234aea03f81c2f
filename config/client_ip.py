"""The address a request came from, trusting only the proxies the deployment names.

Behind a load balancer or reverse proxy every request arrives from the proxy's address,
so sign-in throttling (django-axes, ``AXES_CLIENT_IP_CALLABLE``) would count every
person's failures together. Each proxy appends the address it received the request from
to ``X-Forwarded-For``; ``TRUSTED_PROXY_COUNT`` says how many proxies stand in front of
the app, so the client is the entry that many places from the right: the one the
outermost trusted proxy wrote. Entries to its left were written by the client and are
ignored, whatever they say.

With ``TRUSTED_PROXY_COUNT=0`` (the default: no proxy) the header is ignored altogether,
since anyone can send it. A request with fewer entries than proxies did not come through
them all (a health check, a misconfigured proxy), and one whose entry is not an address
is malformed: both count as coming from the connection's own address, never from an
address of the sender's choosing.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    own = request.META.get("REMOTE_ADDR")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return own
    forwarded = [entry for entry in request.META.get(FORWARDED_FOR, "").split(",") if entry.strip()]
    if len(forwarded) < trusted:
        return own
    return _address(forwarded[-trusted]) or own
