"""The plan page's outline, kept in the cache in runs of rows, each rebuilt only when what
it shows changes.

A plan is read far more often than it is changed, and a 2,000-item outline costs 150 ms
and more to build. It used to be cached whole under a key made from the newest history row
of every table it draws on, council-wide: any edit anywhere rebuilt every plan's whole
outline, and every superseded 4.5 MB copy stayed in the cache until it aged out.

Now the outline is cut into runs of rows (planning/outline_fragments.py), each cached in
its own slot with the fingerprint of what it shows, and an index slot per plan and variant
lists the runs and the council-wide stamp it was checked at:

1. The stamp (newest history row of each table the outline draws on, one query) is as it
   was at the last check: nothing anywhere has changed, the runs are served from the cache.
2. Otherwise the plan's shape is read (three queries of a few columns, no rows built) and
   each run's fingerprint made: runs whose slot holds that fingerprint are served from the
   cache; the others, only those, are built (one more query) and written over their slots.
   An edit in another plan rebuilds nothing here; an edit in one subtree, its run alone.

Each slot is overwritten, never added beside: what the cache holds is one copy of each
plan's outline per variant (levels shown, links hidden, change links), and the runs a new
shape no longer has are deleted. ``held_bytes`` says how much that is.

The cached runs hold nothing that belongs to one reader: the move buttons submit the page's
one move form, which carries the reader's CSRF token and is rendered every time.

The cache is each process's memory, or a Redis server every app server shares
(``CACHE_URL``, config/cache.py): one server's rebuild serves them all, and fingerprints
come from the database, so no server serves another's stale run. A cache that does not
answer is a slower page, not a failed one.
"""

import functools
import hashlib
from collections.abc import Collection

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Subquery
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from config.cache import bytes_held, cache_delete_many, cache_get, cache_get_many, cache_set, cache_set_many
from partners.models import Organisation, User
from planning import outline_fragments, outline_html, selectors
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem

TIMEOUT = 60 * 60  # seconds; a changed run is overwritten at once, this only frees memory
MARKER = "<!--plan-outline-->"  # where the page template wants the outline
PREFIX = "outline2:"  # every key of this cache; changed when what is stored changes shape
_SOURCES = (Plan, PlanItem, Link, ItemSupporter, Indicator, User, Organisation)


@functools.cache
def _history_managers() -> list:
    """Each source's history table manager (``Model.history`` builds a new manager on every
    access, which costs more than the query it is for)."""
    return [model.history.model._default_manager for model in _SOURCES]


def _stamp(plan: Plan) -> str:
    """Newest history row (id and time) of every table the outline draws on, in one query:
    unchanged, nothing the outline can show has changed anywhere. Ids alone could repeat
    after a rollback (SQLite reuses them); with the time they cannot."""
    columns = {}
    for manager in _history_managers():
        history = manager.order_by("-history_id")
        name = manager.model._meta.model_name
        columns[f"stamp_{name}_id"] = Subquery(history.values("history_id")[:1])
        columns[f"stamp_{name}_at"] = Subquery(history.values("history_date")[:1])
    stamps = Plan.objects.filter(pk=plan.pk).annotate(**columns).values(*columns).first() or {}
    text = ";".join(f"{stamps.get(key)}" for key in columns)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plan_outline_bytes(
    plan: Plan, *, variant: str, can_change: bool, kinds: Collection[str], hidden: frozenset[int]
) -> bytes:
    """The outline of ``plan``'s items of ``kinds`` as UTF-8, link ends in the plans
    ``hidden`` blanked (``selectors.hide_link_ends``).

    ``variant`` names what else decides the rows shown: the levels chosen, and the plans
    whose linked items the reader may not see (``planning.access.hiding_key``). Nothing in
    it belongs to one reader, so everyone with the same rights and the same view of the
    thread shares it."""
    index_key = f"{PREFIX}{plan.pk}:{variant}:{int(can_change)}"
    stamp = _stamp(plan)  # before the shape is read: a change in between is seen next time
    index = cache_get(index_key)
    if index is not None and index[0] == stamp:
        held = cache_get_many([f"{index_key}:{root}" for root, _ in index[1]])
        parts = [held.get(f"{index_key}:{root}") for root, _ in index[1]]
        if all(part is not None and part[0] == mark for part, (_, mark) in zip(parts, index[1], strict=True)):
            return _whole(plan, [part[1] for part in parts if part is not None])
    return _checked(plan, index_key, index, stamp, can_change=can_change, kinds=kinds, hidden=hidden)


def _checked(
    plan: Plan, index_key: str, index, stamp: str, *, can_change: bool, kinds: Collection[str], hidden: frozenset[int]
) -> bytes:
    """The outline with each run checked against the plan's shape, the changed ones built."""
    shape = selectors.plan_shape(plan)
    fingerprint = outline_fragments.Fingerprints(plan, shape, kinds)
    runs = [
        (run[0].pk, fingerprint(run), [row.pk for row in run if row.kind in kinds])
        for run in outline_fragments.runs(shape)
    ]
    runs = [run for run in runs if run[2]]  # a run with no row of the levels shown shows nothing
    held = cache_get_many([f"{index_key}:{root}" for root, _, _ in runs])
    made: dict[str, tuple[str, bytes]] = {}
    stale = [run for run in runs if (held.get(f"{index_key}:{run[0]}") or ("", b""))[0] != run[1]]
    if stale:
        rows = selectors.hide_link_ends(
            selectors.outline_rows(plan, shape, [pk for _, _, pks in stale for pk in pks]), hidden
        )
        by_id = {row.item.pk: row for row in rows}
        for root, mark, pks in stale:
            html = outline_html.outline_items(
                [by_id[pk] for pk in pks if pk in by_id], plan_slug=plan.slug, can_change=can_change
            )
            made[f"{index_key}:{root}"] = (mark, str(html).encode())
        cache_set_many(made, TIMEOUT)
    gone = {root for root, _ in index[1]} - {root for root, _, _ in runs} if index is not None else set()
    if gone:  # runs the plan no longer has: freed now, not when they age out
        cache_delete_many([f"{index_key}:{root}" for root in gone])
    cache_set(index_key, (stamp, [(root, mark) for root, mark, _ in runs]), TIMEOUT)
    return _whole(plan, [(made.get(key) or held[key])[1] for key in (f"{index_key}:{run[0]}" for run in runs)])


def _whole(plan: Plan, parts: list[bytes]) -> bytes:
    return b"".join(
        [str(outline_html.outline_start(plan.title)).encode(), *parts, str(outline_html.OUTLINE_END).encode()]
    )


def held_bytes() -> int:
    """Bytes the outline cache holds now, every plan and variant (for the benchmark)."""
    return bytes_held(PREFIX)


def render_with_outline(request: HttpRequest, template: str, context: dict, outline: bytes) -> HttpResponse:
    """The page with the outline's bytes put where the template has ``MARKER``.

    A 2,000-item outline is some 5 MB: passing it through the template would copy it into
    the page's text and encode it again, which costs more than the rest of the page."""
    page = render_to_string(template, context, request).encode()
    head, found, tail = page.partition(MARKER.encode())
    if not found:
        raise ImproperlyConfigured(f"{template} has no {MARKER} for the outline")
    return HttpResponse(b"".join((head, outline, tail)))
