"""The shared cache: with ``CACHE_URL`` naming a Redis server (config/cache.py), the plan
page's outline is kept there for every app server, shows an edit at once, and a Redis that
stops answering makes the page slower, not broken. Sessions stay in the database, so
clearing or losing the cache signs no one out. Against a real ``redis-server`` started here
(tests/backing.py); the same cache shared by two app processes is tests/test_two_app_servers.py."""

import pickle

import pytest

from config import cache
from planning import outline_cache, services
from tests.backing import RedisServer
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory):
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


def _use(settings, monkeypatch, server: RedisServer) -> None:
    """Point the cache at ``server`` through CACHE_URL, as config/settings.py reads it."""
    monkeypatch.setenv("CACHE_URL", server.url)
    settings.CACHES = cache.caches()


@pytest.fixture
def redis_cache(redis_server, settings, monkeypatch):
    _use(settings, monkeypatch, redis_server)
    redis_server.client().flushdb()
    return redis_server


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), "priority", user=alice, title="Raise attainment")


def _outlines(server: RedisServer) -> dict[bytes, tuple]:
    """The plan outline's slots in Redis, as Django stored them (pickled): each run of rows
    as (fingerprint, HTML), and each plan's index."""
    client = server.client()
    return {
        key: pickle.loads(client.get(key))  # noqa: S301
        for key in client.scan_iter(match=f"*{outline_cache.PREFIX}*")
    }


def _runs(server: RedisServer) -> dict[bytes, tuple[str, bytes]]:
    return {key: value for key, value in _outlines(server).items() if isinstance(value[-1], bytes)}


def _page(client, plan) -> str:
    response = client.get(plan.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def test_the_outline_is_kept_in_redis_and_an_edit_shows_at_once(client, redis_cache, alice, plan, priority):
    client.force_login(alice)
    assert "Raise attainment" in _page(client, plan)
    stored = _outlines(redis_cache)
    assert any(b"Raise attainment" in html for _, html in _runs(redis_cache).values())
    services.item_update(
        item_id=priority.pk, user=alice, change=services.ItemChange({"title": "Raise attainment for all"}),
        expected_version=priority.version,
    )  # fmt: skip
    assert "Raise attainment for all" in _page(client, plan)
    assert _outlines(redis_cache).keys() == stored.keys()  # the changed run overwrote its slot: nothing piles up
    assert 0 < outline_cache.held_bytes() < 10 * sum(len(html) for _, html in _runs(redis_cache).values())


def test_an_outline_another_server_stored_is_served_from_redis(client, redis_cache, alice, plan, priority):
    client.force_login(alice)
    _page(client, plan)
    [(key, (mark, _))] = [(key, run) for key, run in _runs(redis_cache).items() if b"Raise attainment" in run[1]]
    marked = b'<p id="stored-by-another-server">the outline as stored in Redis</p>'
    redis_cache.client().set(key, pickle.dumps((mark, marked)))
    assert marked.decode() in _page(client, plan)


def test_a_redis_that_stops_answering_makes_the_plan_page_slower_not_broken(
    client, settings, monkeypatch, tmp_path, alice, plan, priority, caplog
):
    server = RedisServer(tmp_path / "redis").start()
    try:
        _use(settings, monkeypatch, server)
        client.force_login(alice)
        assert "Raise attainment" in _page(client, plan)
    finally:
        server.stop()
    services.item_update(
        item_id=priority.pk, user=alice, change=services.ItemChange({"title": "Raise attainment for all"}),
        expected_version=priority.version,
    )  # fmt: skip
    assert "Raise attainment for all" in _page(client, plan)
    assert "The cache could not be read; carrying on without it" in caplog.text


def test_sessions_stay_in_the_database_so_losing_the_cache_signs_no_one_out(client, redis_cache, settings, alice, plan):
    assert settings.SESSION_ENGINE == "config.sessions"  # Django's database sessions, read more cheaply
    client.force_login(alice)
    redis_cache.client().flushall()
    assert plan.title in _page(client, plan)  # still signed in: the plan, not the sign-in page
