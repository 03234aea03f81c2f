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

from collections.abc import Collection
from typing import NamedTuple

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

from config.cache import bytes_held, cache_delete_many, cache_get_many, cache_set, cache_set_many
from config.history import history_stamp
from config.html import join
from partners.models import Organisation, User
from planning import outline_fragments, outline_html, selectors
from planning.access import hiding_key
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem

TIMEOUT = 60 * 60  # seconds; a changed run is overwritten at once, this only frees memory
MARKER = "<!--plan-outline-->"  # where the page template wants the outline
PREFIX = "outline2:"  # every key of this cache; changed when what is stored changes shape
_SOURCES = (Plan, PlanItem, Link, ItemSupporter, Indicator, User, Organisation)


def _stamp(plan: Plan) -> str:
    """Newest history row of every table the outline draws on, in one query: unchanged,
    nothing the outline can show has changed anywhere."""
    return history_stamp(_SOURCES, Plan.objects.filter(pk=plan.pk)).key


ALL_KINDS = frozenset(PlanItem.Kind.values)
CLOSED_OVER = 400  # items: a longer plan's page opens at its top items, each opened on demand


class Outline(NamedTuple):
    html: bytes
    items: int  # in the whole plan
    closed: bool  # only the top items shown, each with a link that opens it (and ``opened`` open)


class _Piece(NamedTuple):
    key: str
    mark: str  # fingerprint of what it shows
    pks: list[int]  # its rows, in reading order
    beneath: int | None  # a closed top item: the rows beneath it (its link says how many)


def plan_outline(
    plan: Plan,
    *,
    level: str,
    can_change: bool,
    kinds: Collection[str] = ALL_KINDS,
    hidden: frozenset[int] = frozenset(),
    closable: bool = False,
    opened: int | None = None,
    public: bool = False,
) -> Outline:
    """The outline of ``plan``'s items of ``kinds`` as UTF-8, link ends in the plans
    ``hidden`` blanked (``selectors.hide_link_ends``). With ``closable`` a plan of more than
    ``CLOSED_OVER`` items shows its top items closed but the one that holds the item
    ``opened``.

    ``level`` names the levels chosen (``kinds``); the keys name it, the plans whose linked
    items the reader may not see (``planning.access.hiding_key``) and ``can_change``.
    Nothing in the outline belongs to one reader, so everyone with the same rights and the
    same view of the thread shares it. ``public``: the public plan page's outline (issue 16),
    its items linking to their public pages, hidden link ends worded for the public, no
    change links; one copy for every public reader."""
    hiding = (":public" if public else "") + hiding_key(hidden)
    can_change = can_change and not public
    # a plan that is not closed looks the same whatever is opened: one index for it (the
    # plain key); a closed plan's page depends on the part opened, so each has its own
    # and the language: the outline's own words (kinds, links, states) are in the reader's (0029)
    plain_key = f"{PREFIX}{plan.pk}:{translation.get_language()}:{level}{hiding}:{int(can_change)}:"
    index_key = f"{plain_key}{opened if closable and opened else ''}"
    stamp = _stamp(plan)  # before the shape is read: a change in between is seen next time
    indexes = cache_get_many([plain_key, index_key])
    index = indexes.get(plain_key)
    if index is None or index[3]:  # not known to be open throughout
        index = indexes.get(index_key)
    if index is not None and index[0] == stamp:
        marks, items, closed = index[1:]
        held = cache_get_many(list(marks))
        if all((held.get(key) or ("",))[0] == mark for key, mark in marks.items()):
            return Outline(_whole(plan, [held[key][1] for key in marks]), items, closed)
    item_page = selectors.PUBLIC_ITEM_PAGE if public else selectors.ITEM_PAGE
    shape = selectors.plan_shape(plan, top_over=CLOSED_OVER if closable else None, opened=opened, item_page=item_page)
    closed = closable and shape.items > CLOSED_OVER
    base = f"{PREFIX}{plan.pk}:{hiding}:{int(can_change)}"
    pieces = _pieces(plan, shape, base, kinds, closed, opened)
    parts = _parts(plan, shape, pieces, can_change=can_change, hidden=hidden, public=public)
    if index is not None:  # pieces the plan no longer has: freed now, not when they age out
        cache_delete_many(list(set(index[1]) - {piece.key for piece in pieces}))
    # an index for each top item opened, not for every item an address can name (the pieces
    # are shared all the same): what the cache holds stays bounded by the plan's shape
    if not (closed and opened is not None and not any(row.pk == opened and row.depth == 1 for row in shape.rows)):
        key = index_key if closed else plain_key
        cache_set(key, (stamp, {piece.key: piece.mark for piece in pieces}, shape.items, closed), TIMEOUT)
    return Outline(_whole(plan, parts), shape.items, closed)


def _pieces(
    plan: Plan, shape: selectors.PlanShape, base: str, kinds: Collection[str], closed: bool, opened: int | None
) -> list[_Piece]:
    """What the outline is made of: runs of rows (outline_fragments.runs) of ``kinds``; on a
    closed page, each top item alone with its link, but the runs of the one holding
    ``opened``. A run's key names the levels it shows, not the page: the page that shows
    everything and the page with one top item open share that item's runs."""
    fingerprint = outline_fragments.Fingerprints(plan, shape)
    if closed:  # a closed page shows every level of the part it opens
        kinds = ALL_KINDS
    code = "".join(sorted(kind[0] for kind in kinds))
    top: dict[int | None, int | None] = {}  # each row's top item (the vision's child it is under)
    if closed:
        for row in shape.rows:
            top[row.pk] = row.pk if row.depth == 1 else top.get(row.parent_id)
    open_top = top.get(opened) if opened is not None else None
    pieces = []
    for run in outline_fragments.runs(shape):
        head = run[0]
        if closed and head.depth >= 1 and top[head.pk] != open_top:
            if head.depth == 1:  # closed: its row and its link alone; the rest of its runs left out
                mark = fingerprint([head], ALL_KINDS)  # its row holds how many items are beneath it
                pieces.append(_Piece(f"{base}:closed:{head.pk}", mark, [head.pk], head.beneath))
            continue
        pks = [row.pk for row in run if row.kind in kinds]
        if pks:  # a run with no row of the levels shown shows nothing
            pieces.append(_Piece(f"{base}:{code}:{head.pk}", fingerprint(run, kinds), pks, None))
    return pieces


def _parts(
    plan: Plan,
    shape: selectors.PlanShape,
    pieces: list[_Piece],
    *,
    can_change: bool,
    hidden: frozenset[int],
    public: bool = False,
) -> list[bytes]:
    """Each piece's HTML: from the cache where its slot holds its fingerprint, built (one
    query for all of them) and written over its slot where not."""
    held = cache_get_many([piece.key for piece in pieces])
    stale = [piece for piece in pieces if (held.get(piece.key) or ("",))[0] != piece.mark]
    if stale:
        item_page = selectors.PUBLIC_ITEM_PAGE if public else selectors.ITEM_PAGE
        rows = selectors.outline_rows(plan, shape, [pk for piece in stale for pk in piece.pks], item_page)
        selectors.hide_link_ends(rows, hidden, public=public)
        if public:
            selectors.without_lead_officers(rows)
        by_id = {row.item.pk: row for row in rows}
        made = {}
        for piece in stale:
            shown = [by_id[pk] for pk in piece.pks if pk in by_id]
            html = outline_html.outline_items(shown, plan_slug=plan.slug, can_change=can_change)
            if piece.beneath and shown:
                html = join([html, outline_html.closed(shown[0], piece.beneath)])
            made[piece.key] = held[piece.key] = (piece.mark, str(html).encode())
        cache_set_many(made, TIMEOUT)
    return [held[piece.key][1] for piece in pieces]


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
