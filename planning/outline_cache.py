"""The plan page's outline, kept in the cache until anything it shows changes.

A plan is read far more often than it is changed, and a 2,000-item outline costs some
150 ms to build however it is formatted (the rows themselves, docs/performance.md). So
the rendered outline is cached under a key that changes whenever anything it can show
changes. Every such change writes a history row (the project's rule: no write without
its history), so the key holds, for each table the outline draws on, the newest history
row's id and time: one query of indexed one-row lookups. Ids alone could repeat after a
rollback (SQLite reuses them); with the time they cannot.

What the outline draws on: the plan (labels, title, address), its items, the links to
and from them (and so other plans' titles and items), supporters, indicators, and the
names of people and organisations. A change anywhere in those tables makes a new key,
which is coarser than needed but cannot miss a change; old entries age out of the cache.

The cached outline holds nothing that belongs to one reader: the move buttons submit the
page's one move form, which carries the reader's CSRF token and is rendered every time.

The cache is each process's memory, or a Redis server that every app server shares
(``CACHE_URL``, config/cache.py): the key is made from the database, so no server can serve
another's stale outline. A cache that does not answer is a slower page, not a failed one.
"""

import functools
import hashlib
from collections.abc import Callable, Iterable

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from config.cache import cache_get, cache_set
from partners.models import Organisation, User
from planning import outline_html
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem

TIMEOUT = 60 * 60  # seconds; a changed plan gets a new key at once, this only frees memory
MARKER = "<!--plan-outline-->"  # where the page template wants the outline
_SOURCES = (Plan, PlanItem, Link, ItemSupporter, Indicator, User, Organisation)


@functools.cache
def _history_managers() -> list:
    """Each source's history table manager (``Model.history`` builds a new manager on every
    access, which costs more than the query it is for)."""
    return [model.history.model._default_manager for model in _SOURCES]


def _stamp(plan: Plan) -> str:
    """Newest history row (id and time) of every table the outline draws on, in one query."""
    columns = {}
    for manager in _history_managers():
        history = manager.order_by("-history_id")
        name = manager.model._meta.model_name
        columns[f"stamp_{name}_id"] = Subquery(history.values("history_id")[:1])
        columns[f"stamp_{name}_at"] = Subquery(history.values("history_date")[:1])
    stamps = Plan.objects.filter(pk=plan.pk).annotate(**columns).values(*columns).first() or {}
    text = ";".join(f"{stamps.get(key)}" for key in columns)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plan_outline_bytes(plan: Plan, *, variant: str, can_change: bool, rows: Callable[[], Iterable]) -> bytes:
    """The outline of ``plan`` as UTF-8; ``rows`` builds its rows on a cache miss.

    ``variant`` names what else decides the rows shown: the levels chosen, and the plans
    whose linked items the reader may not see (``planning.access.hiding_key``). Nothing in
    it belongs to one reader (the move buttons' CSRF token is in the page's one move form),
    so everyone with the same rights and the same view of the thread shares it."""
    key = f"plan-outline:{plan.pk}:{variant}:{int(can_change)}:{_stamp(plan)}"
    html = cache_get(key)
    if html is None:
        html = outline_html.outline(rows(), plan_title=plan.title, plan_slug=plan.slug, can_change=can_change).encode()
        cache_set(key, html, TIMEOUT)
    return html


def render_with_outline(request: HttpRequest, template: str, context: dict, outline: bytes) -> HttpResponse:
    """The page with the outline's bytes put where the template has ``MARKER``.

    A 2,000-item outline is some 5 MB: passing it through the template would copy it into
    the page's text and encode it again, which costs more than the rest of the page."""
    page = render_to_string(template, context, request).encode()
    head, found, tail = page.partition(MARKER.encode())
    if not found:
        raise ImproperlyConfigured(f"{template} has no {MARKER} for the outline")
    return HttpResponse(b"".join((head, outline, tail)))
