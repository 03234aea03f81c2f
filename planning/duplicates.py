"""Near-duplicate actions and targets across plans: "fewer, better plans" (issue 18, decision 0031).

Two items are near-duplicates when their titles' **trigram similarity** is at least
``THRESHOLD``: PostgreSQL's ``pg_trgm`` measure (lower-cased words of letters and digits,
each padded with two spaces before and one after, cut into three-character pieces; the
similarity of two titles is the pieces they share over the pieces either has). On PostgreSQL
the database's own ``similarity()`` decides (``_similar_pg``); on SQLite the same pieces are
made in Python (``trigrams``) and compared with the same formula, so the threshold means the
same on both, and a test holds the two to the same answer.

Bounded work: the titles are read once (one query, four columns), items with the same pieces
are one text (the generated large council's 9,000 actions and targets are fewer than 3,000
texts), and the Python comparison only looks at pairs that share one of their rarest pieces
(prefix filtering: a pair similar enough must share one, so nothing is missed), each pair
once. Groups are built around a leading text (the first, in reading order), with every text
similar to it, so a chain of small changes never makes one group of everything; the page
shows the first ``SHOWN_GROUPS`` groups and counts the rest.

Merged items (``merged_into``) and the items of retired plans drop out: they have been dealt
with. Callers pass the plans the reader may see; nothing here decides who sees what.

The search has its own page (``for_council``, ``for_plan``), not a section of the alignment
report: on the generated large council it is seconds of work, which every reading of the report
paid. What it finds is cached, keyed by the plans searched and by the newest history row of
items and of plans: every change to a title, a merger or a retirement writes one (the house
rule: no write without its history row), so the first reading after any change searches again
and later readings are served from the cache (docs/decisions/0034). The counts of plans retired
and items merged (``retirements``) are one query, read fresh by the report and the page.
"""

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, QuerySet

from config.cache import cache_get, cache_set
from planning.models import Plan, PlanItem

THRESHOLD = 0.6
SHOWN_GROUPS = 30  # groups listed on the page; the rest are counted
SHOWN_ITEMS = 12  # items listed in a group; the rest are counted
# the most pairs of texts compared for one report (about 2 s on the 2-core VM in Python)
MAX_COMPARISONS = 1_000_000
# a trigram in the prefixes of more texts than this proposes no pairs (see ``_similar``)
MAX_BUCKET = 100
# seconds a search is kept: any change makes a new key, so this only frees the memory
CACHE_SECONDS = 24 * 60 * 60

_WORD = re.compile(r"[^\W_]+")


def trigrams(text: str) -> frozenset[str]:
    """A title's trigrams as ``pg_trgm``'s ``show_trgm`` makes them."""
    found = set()
    for word in _WORD.findall(text.lower()):
        padded = f"  {word} "
        found.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(found)


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """``pg_trgm``'s ``similarity()`` of two trigram sets."""
    if not a or not b:
        return 0.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)


@dataclass
class DuplicateItem:
    pk: int
    title: str
    kind: str
    plan: Plan
    title_cy: str = ""  # shown to a Welsh reader (docs/decisions/0033)


@dataclass
class DuplicateGroup:
    """A leading text and the texts similar to it: their items, in two or more plans."""

    kind: str
    items: list[DuplicateItem]  # the first ``SHOWN_ITEMS`` of them, once read from the cache
    plan_count: int
    size: int = 0  # how many items the group holds
    shown: list[DuplicateItem] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        return self.size - len(self.shown)


@dataclass
class Duplicates:
    groups: list[DuplicateGroup]  # the groups shown
    total_groups: int
    total_items: int
    stopped: bool = False  # the search passed MAX_COMPARISONS: the groups found so far
    threshold: int = int(THRESHOLD * 100)
    links: object = None  # the page's plan and item addresses, made once (alignment_html.links_for)


# --- the pages' entry points -------------------------------------------------------------------

# what the search needs of each plan: its name, address and whether it was retired
PLAN_COLUMNS = ("pk", "slug", "title", "title_cy", "tree_id", "lft", "merged_into_id", "label_action", "label_target")


def for_council(plans: dict[int, Plan]) -> Duplicates:
    """Near-duplicates among every plan in ``plans`` (``readable``: the reader's), from the
    cache when nothing changed."""
    return _cached(plans, within=None)


def for_plan(plan: Plan, plans: dict[int, Plan]) -> Duplicates:
    """The groups holding an item of ``plan``, among ``plans`` (``readable``: the reader's)."""
    return _cached({**plans, plan.pk: plans.get(plan.pk, plan)}, within=plan.pk)


def retirements(plans: Iterable[Plan]) -> tuple[int, int]:
    """How many of ``plans`` were retired into another, and how many actions and targets of
    those still live were merged into another: what "fewer, better plans" has done (one query)."""
    plans = list(plans)
    live = [plan.pk for plan in plans if plan.merged_into_id is None]
    merged = PlanItem.objects.filter(
        plan_id__in=live, kind__in=sorted(PlanItem.MERGEABLE_KINDS), merged_into__isnull=False
    ).aggregate(n=Count("pk"))["n"]
    return len(plans) - len(live), merged


def readable(plans: QuerySet[Plan]) -> dict[int, Plan]:
    """The plans, in tree order (the order groups are listed), with only what the search shows."""
    ordered = sorted(plans.select_related(None).only(*PLAN_COLUMNS), key=lambda p: (p.tree_id, p.lft))
    return {plan.pk: plan for plan in ordered}


def _cached(plans: dict[int, Plan], *, within: int | None) -> Duplicates:
    key = _cache_key(plans, within)
    stored = cache_get(key)
    if stored is not None:
        return _restored(stored, plans)
    found = find_duplicates(plans, within=within)
    cache_set(key, _stored(found), CACHE_SECONDS)
    return found


def _cache_key(plans: dict[int, Plan], within: int | None) -> str:
    """What the search read: the plans (and which are retired), and the newest history row of
    items and plans, which every change writes; item count and newest id as well, for rows a
    fixture load wrote without history (one query)."""
    quote = connection.ops.quote_name
    item, plan = (quote(model.history.model._meta.db_table) for model in (PlanItem, Plan))
    items = quote(PlanItem._meta.db_table)
    # Written by hand: the ORM has no one-query read of four tables' aggregates. The names are the
    # models' own tables, quoted; nothing comes from input (docs/security.md; a bare nosec, as
    # bandit 1.9 reports a "nosec B608" anyway).
    sql = (
        f"SELECT (SELECT MAX(history_id) FROM {item}), (SELECT MAX(history_id) FROM {plan}),"  # noqa: S608  # nosec
        f" (SELECT COUNT(*) FROM {items}), (SELECT MAX(id) FROM {items})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        changed = cursor.fetchone()
    scope = ",".join(f"{pk}{'r' if p.merged_into_id else ''}" for pk, p in plans.items())
    digest = hashlib.sha256(f"{scope}|{within}|{changed}|{THRESHOLD}".encode()).hexdigest()
    return f"duplicates:{SCHEMA}:{digest}"


# the shape of what is cached; bump when it changes
SCHEMA = 1


def _stored(found: Duplicates) -> dict:
    """What the page shows, without the plans (read fresh: their titles may change)."""
    return {
        "groups": [
            (g.kind, g.plan_count, len(g.items), [(i.pk, i.plan.pk, i.title, i.title_cy, i.kind) for i in g.shown])
            for g in found.groups
        ],
        "totals": (found.total_groups, found.total_items, found.stopped),
    }


def _restored(stored: dict, plans: dict[int, Plan]) -> Duplicates:
    groups = []
    for kind, plan_count, size, shown in stored["groups"]:
        items = [
            DuplicateItem(pk, title, item_kind, plans[plan_id], title_cy)
            for pk, plan_id, title, title_cy, item_kind in shown
        ]
        groups.append(DuplicateGroup(kind=kind, items=items, plan_count=plan_count, size=size, shown=items))
    total_groups, total_items, stopped = stored["totals"]
    return Duplicates(groups, total_groups, total_items, stopped)


# --- the search ----------------------------------------------------------------------------------


def find_duplicates(plans: dict[int, Plan], *, within: int | None = None) -> Duplicates:
    """Near-duplicate actions and targets among the live plans in ``plans`` (id -> plan, in
    the order groups are listed); with ``within``, only groups holding an item of that plan."""
    live = {pk: plan for pk, plan in plans.items() if plan.merged_into_id is None}
    rows = list(
        PlanItem.objects.filter(
            plan_id__in=sorted(live), kind__in=sorted(PlanItem.MERGEABLE_KINDS), merged_into__isnull=True
        ).values_list("pk", "plan_id", "kind", "title", "title_cy", "lft")
    )
    order = {pk: n for n, pk in enumerate(live)}
    rows.sort(key=lambda row: (order[row[1]], row[5]))
    texts: dict[tuple[str, frozenset[str]], list[DuplicateItem]] = {}
    titles: dict[tuple[str, frozenset[str]], str] = {}
    for pk, plan_id, kind, title, title_cy, _lft in rows:
        key = (kind, trigrams(title))
        texts.setdefault(key, []).append(DuplicateItem(pk, title, kind, live[plan_id], title_cy))
        titles.setdefault(key, title)
    keys = list(texts)
    stopped = False
    try:
        pairs = _similar_pg(keys, titles) if _in_database(keys) else _similar(keys)
    except _Stopped as stop:
        pairs, stopped = stop.found, True
    near: dict[int, list[int]] = defaultdict(list)
    for a, b in pairs:
        near[a].append(b)
        near[b].append(a)
    groups = []
    taken: set[int] = set()
    for leader in range(len(keys)):
        if leader in taken:
            continue
        members = [leader, *sorted(n for n in near[leader] if n not in taken)]
        items = [item for n in members for item in texts[keys[n]]]
        plan_ids = {item.plan.pk for item in items}
        if len(plan_ids) < 2 or (within is not None and within not in plan_ids):
            continue  # one plan's own repetition, or (for one plan's report) another plan's business
        taken.update(members)
        groups.append(DuplicateGroup(kind=keys[leader][0], items=items, plan_count=len(plan_ids), size=len(items)))
    for group in groups[:SHOWN_GROUPS]:
        group.shown = group.items[:SHOWN_ITEMS]
    return Duplicates(
        groups=groups[:SHOWN_GROUPS],
        total_groups=len(groups),
        total_items=sum(len(g.items) for g in groups),
        stopped=stopped,
    )


def _in_database(keys: list[tuple[str, frozenset[str]]]) -> bool:
    """PostgreSQL compares every pair of texts of a kind; where that is more than
    ``MAX_COMPARISONS`` pairs the Python search (the same measure, comparing only the pairs
    that can reach the threshold) does it instead."""
    if connection.vendor != "postgresql":
        return False
    kinds = Counter(kind for kind, _grams in keys)
    return sum(n * (n - 1) // 2 for n in kinds.values()) <= MAX_COMPARISONS


def _similar(keys: list[tuple[str, frozenset[str]]]) -> set[tuple[int, int]]:
    """Pairs of texts (indexes into ``keys``, same kind) at least ``THRESHOLD`` similar.

    Prefix filtering: each text's trigrams are put in order, rarest first; a pair whose
    similarity reaches the threshold must share one of the first ``n - ceil(t * n) + 1``
    trigrams of each (the rest are too few to reach it), so only texts sharing a piece of
    those prefixes are compared, each pair once, and not at all when their sizes are too far
    apart. Bounded: a piece in the prefixes of more than ``MAX_BUCKET`` texts proposes no
    pairs, and at most ``MAX_COMPARISONS`` pairs are compared; when either bound cut the
    search, the pairs found are returned through ``_Stopped`` and the page says the list may
    be incomplete (titles written from a small vocabulary, as the generated council's are)."""
    frequency = Counter(gram for _kind, grams in keys for gram in grams)
    prefixes: list[list[tuple[str, str]]] = []
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for n, (kind, grams) in enumerate(keys):
        ordered = sorted(grams, key=lambda gram: (frequency[gram], gram))
        prefix = [(kind, gram) for gram in ordered[: len(ordered) - math.ceil(THRESHOLD * len(ordered)) + 1]]
        prefixes.append(prefix)
        for bucket in prefix:
            buckets[bucket].append(n)
    found: set[tuple[int, int]] = set()
    compared = 0
    crowded = {bucket for bucket, members in buckets.items() if len(members) > MAX_BUCKET}
    numbers = {gram: n for n, gram in enumerate(frequency)}  # pieces as numbers: cheaper sets
    sets = [frozenset(numbers[gram] for gram in grams) for _kind, grams in keys]
    sizes = [len(grams) for grams in sets]
    for a, prefix in enumerate(prefixes):
        grams_a, size_a = sets[a], sizes[a]
        candidates = {b for bucket in prefix if bucket not in crowded for b in buckets[bucket] if b > a}
        for b in candidates:
            size_b = sizes[b]
            if min(size_a, size_b) < THRESHOLD * max(size_a, size_b):  # too different in length
                continue
            compared += 1
            shared = len(grams_a & sets[b])
            if shared / (size_a + size_b - shared) >= THRESHOLD:  # similarity(), on the numbered pieces
                found.add((a, b))
        if compared > MAX_COMPARISONS:
            raise _Stopped(found)
    if crowded:  # pairs sharing only crowded pieces were not compared
        raise _Stopped(found)
    return found


class _Stopped(Exception):
    """The comparison passed ``MAX_COMPARISONS``: the pairs found so far."""

    def __init__(self, found: set[tuple[int, int]]):
        super().__init__("stopped")
        self.found = found


def _similar_pg(keys: list[tuple[str, frozenset[str]]], titles: dict) -> set[tuple[int, int]]:
    """The same pairs, decided by PostgreSQL's ``pg_trgm``: one statement over the distinct
    texts, comparing each pair of texts of one kind with ``similarity()`` (the ``%``
    operator's threshold, ``pg_trgm.similarity_threshold``, set for this transaction only)."""
    if not keys:
        return set()
    kinds = [kind for kind, _grams in keys]
    texts = [titles[key] for key in keys]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)", [str(THRESHOLD)])
        cursor.execute(
            "SELECT a.n, b.n FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS a(kind, title, n)"
            " JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS b(kind, title, n)"
            " ON a.kind = b.kind AND a.n < b.n AND a.title %% b.title"
            " AND similarity(a.title, b.title) >= %s",
            [kinds, texts, kinds, texts, THRESHOLD],
        )
        return {(a - 1, b - 1) for a, b in cursor.fetchall()}
