"""The cache: each process's own memory unless ``CACHE_URL`` (or ``REDIS_URL``) names a
Redis server, which several app servers then share (docs/deployment.md, "Cache").

What is cached is derived and keyed by what it was derived from (the plan page's outline,
planning/outline_cache.py), so a cache shared by several servers never serves one server's
stale copy to another, and a cache lost is only slower pages. Sessions are not kept in it
(they stay in the database: docs/decisions/0011-house-in-order.md), so a Redis restart signs
no one out.

``caches()`` is read by config/settings.py; a malformed address stops start-up naming the
variable, without repeating the address (it may hold a password). ``cache_get`` and
``cache_set`` are for callers that must keep working when the cache does not answer.
"""

import logging
from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from config.env import env_str

logger = logging.getLogger(__name__)

SCHEMES = ("redis", "rediss", "unix")
# seconds: a Redis that does not answer costs a request this much at most, then the page is
# built without the cache
CONNECT_TIMEOUT = 1
READ_TIMEOUT = 2


def caches() -> dict:
    """The ``CACHES`` setting the environment asks for."""
    name = "CACHE_URL" if env_str("CACHE_URL", "").strip() else "REDIS_URL"
    url = env_str(name, "").strip()
    if not url:
        return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    parts = urlsplit(url)
    if parts.scheme not in SCHEMES:
        raise ImproperlyConfigured(
            f"{name} must be a Redis address: redis://host:6379/0, rediss:// (TLS) or unix:///path/to/socket "
            f"(it starts {parts.scheme + '://' if parts.scheme else 'with no scheme'})."
        )
    if parts.scheme == "unix" and not parts.path or parts.scheme != "unix" and not parts.hostname:
        raise ImproperlyConfigured(f"{name} names no Redis server: give redis://host:6379/0, for example.")
    try:
        parts.port  # noqa: B018  raises on a port that is not a number
    except ValueError:
        raise ImproperlyConfigured(f"{name} has a port that is not a number.") from None
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "OPTIONS": {"socket_connect_timeout": CONNECT_TIMEOUT, "socket_timeout": READ_TIMEOUT},
        }
    }


def cache_get(key: str):
    """The cached value, or None when there is none or the cache does not answer."""
    from django.core.cache import cache  # config/settings.py imports this module: settings are not ready

    try:
        return cache.get(key)
    except Exception:  # a cache that is down is a slower page, never a failed one
        logger.warning("The cache could not be read; carrying on without it", exc_info=True)
        return None


def cache_set(key: str, value, timeout: int) -> None:
    from django.core.cache import cache

    try:
        cache.set(key, value, timeout)
    except Exception:
        logger.warning("The cache could not be written; carrying on without it", exc_info=True)


def cache_get_many(keys: list[str]) -> dict:
    """The cached values of ``keys`` that are there; none when the cache does not answer."""
    from django.core.cache import cache

    try:
        return cache.get_many(keys)
    except Exception:
        logger.warning("The cache could not be read; carrying on without it", exc_info=True)
        return {}


def cache_set_many(values: dict, timeout: int) -> None:
    from django.core.cache import cache

    try:
        cache.set_many(values, timeout)
    except Exception:
        logger.warning("The cache could not be written; carrying on without it", exc_info=True)


def cache_delete_many(keys: list[str]) -> None:
    from django.core.cache import cache

    try:
        cache.delete_many(keys)
    except Exception:
        logger.warning("The cache could not be written; carrying on without it", exc_info=True)


def bytes_held(prefix: str) -> int:
    """Bytes the cache holds under keys that start with ``prefix``: for the benchmark, to
    show that what is cached stays bounded. Each process's memory (LocMemCache: the pickled
    values) or the Redis server's own count for each key (``MEMORY USAGE``)."""
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache
    from django.core.cache.backends.redis import RedisCache

    cache = caches["default"]
    full = cache.make_key(prefix)
    if isinstance(cache, LocMemCache):
        with cache._lock:
            return sum(len(value) for key, value in cache._cache.items() if key.startswith(full))
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(None)
        return sum(client.memory_usage(key) or 0 for key in client.scan_iter(match=f"{full}*", count=1000))
    raise NotImplementedError(f"bytes_held does not know {type(cache).__name__}")
