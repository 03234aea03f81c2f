"""Search across every plan a person may read: titles, descriptions, references
("2.3.1") and leads (the lead officer's and lead organisation's names).

On PostgreSQL the text is matched and ranked by full-text search computed at query
time (no stored column): title weight A, lead names B, description C, websearch syntax
("quoted phrases", ``-word``, ``or``). Elsewhere (SQLite) every whitespace-separated
term must appear in the title, description or a lead's name, and results are ranked by
how many terms the title holds. On both, a term that looks like a reference ("1.2")
also matches the items whose derived reference equals it, and those come first.

References are not stored, so they are derived with ``selectors.references()`` from
one query over the candidate plans' items (ids only). Titles and descriptions are searched
in English and Welsh alike (docs/decisions/0033), with the same text-search configuration
on both sides, so a Welsh word finds the Welsh version. ``search_items`` runs at most
four queries whatever the number of results: the tree, the matches, the titles of the
matches' ancestor items (none to look up when every match sits just under the vision)
and the visible plans around them. Items are only ever taken from ``plans_for(user)``.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_
from typing import NamedTuple

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse

from partners.models import User
from planning.access import plans_for
from planning.models import Plan, PlanItem
from planning.selectors import references

REFERENCE = re.compile(r"^\d+(\.\d+)*$")
MAX_QUERY_LENGTH = 200
CONFIG = "english"


@dataclass
class SearchResult:
    """One matching item with what the results page shows beside it."""

    item: PlanItem
    plan: Plan
    reference: str
    label: str  # the plan's own name for the item's kind ("Themed outcome")
    plan_trail: list[tuple[str, str]] = field(default_factory=list)  # visible ancestor plans, top first
    item_trail: list[tuple[str, str]] = field(default_factory=list)  # ancestor items below the vision

    @property
    def breadcrumb(self) -> list[tuple[str, str]]:
        """(label, url) pairs: the plan's ancestor plans, then the item's ancestor items."""
        return self.plan_trail + self.item_trail


class SearchResults(list):
    """The results, best first; ``truncated`` when more matched than ``limit``."""

    def __init__(self, results: Iterable[SearchResult] = (), *, limit: int = 0, truncated: bool = False):
        super().__init__(results)
        self.limit = limit
        self.truncated = truncated


class _Node(NamedTuple):
    pk: int
    parent_id: int | None
    plan_id: int


def search_items(user: User, query: str, limit: int = 50) -> SearchResults:
    """Items matching ``query`` in the plans ``user`` may read, best first, at most ``limit``."""
    terms = query.split()
    text = " ".join(terms)[:MAX_QUERY_LENGTH]
    terms = text.split()
    if not terms:
        return SearchResults(limit=limit)
    ref_terms = [term for term in terms if REFERENCE.match(term)]
    word_terms = [term for term in terms if not REFERENCE.match(term)]
    matcher = _FullText() if connection.vendor == "postgresql" else _Contains()
    visible_items = PlanItem.objects.filter(plan__in=plans_for(user))

    tree: list[_Node] | None = None
    refs: dict[int, str] = {}
    ids_by_reference: dict[str, set[int]] = {}
    if ref_terms:
        # the items a reference can name: in every visible plan, or only in the plans
        # holding an item that matches the other words
        if word_terms:
            scope = matcher.matching(visible_items, word_terms).values("plan_id")
        else:
            scope = plans_for(user).values("pk")
        tree = _tree(PlanItem.objects.filter(plan_id__in=scope))
        refs = references(tree)
        wanted = set(ref_terms)
        for pk, ref in refs.items():
            if ref in wanted:
                ids_by_reference.setdefault(ref, set()).add(pk)

    ranked = matcher.ranked(visible_items, word_terms, {term: ids_by_reference.get(term, set()) for term in ref_terms})
    items = list(ranked.select_related("plan", "lead_officer", "lead_organisation")[: limit + 1])
    truncated = len(items) > limit
    items = items[:limit]
    if not items:
        return SearchResults(limit=limit)

    if tree is None:
        tree = _tree(PlanItem.objects.filter(plan_id__in={item.plan_id for item in items}))
        refs = references(tree)
    parents = {node.pk: node.parent_id for node in tree}
    ancestors = {item.pk: _ancestor_ids(item.pk, parents) for item in items}
    titles = dict(
        PlanItem.objects.filter(pk__in={pk for chain in ancestors.values() for pk in chain}).values_list("pk", "title")
    )
    plan_trails = _plan_trails(user, {item.plan_id: item.plan for item in items}.values())

    results = []
    for item in items:
        plan = item.plan
        results.append(
            SearchResult(
                item=item,
                plan=plan,
                reference=refs.get(item.pk, ""),
                label=plan.label_for(item.kind),
                plan_trail=plan_trails[plan.pk],
                item_trail=[
                    (f"{refs.get(pk, '')} {titles.get(pk, '')}".strip(), _item_url(plan, pk))
                    for pk in ancestors[item.pk]
                ],
            )
        )
    return SearchResults(results, limit=limit, truncated=truncated)


def _tree(items: QuerySet[PlanItem]) -> list[_Node]:
    """Ids only, in reading order: enough to number every item and walk to its ancestors."""
    return [_Node(*row) for row in items.in_tree_order().values_list("id", "parent_id", "plan_id")]


def _ancestor_ids(pk: int, parents: dict[int, int | None]) -> list[int]:
    """The item's ancestors from the top down, leaving out the plan's vision (the plan
    itself stands for it in the breadcrumb, as on the item pages)."""
    chain = []
    parent = parents.get(pk)
    while parent is not None and parents.get(parent) is not None:
        chain.append(parent)
        parent = parents.get(parent)
    return chain[::-1]


def _item_url(plan: Plan, pk: int) -> str:
    return reverse("planning:item-detail", args=[plan.slug, pk])


def _plan_trails(user: User, plans: Iterable[Plan]) -> dict[int, list[tuple[str, str]]]:
    """Each plan's ancestor plans that ``user`` may read, top first: one query for the
    visible plans in the same trees (a council's tree of plans is tens, not thousands)."""
    plans = list(plans)
    rows = list(
        plans_for(user)
        .filter(tree_id__in={plan.tree_id for plan in plans})
        .in_tree_order()
        .values("slug", "title", "tree_id", "lft", "rght")
    )
    return {
        plan.pk: [
            (row["title"], reverse("planning:plan-detail", args=[row["slug"]]))
            for row in rows
            if row["tree_id"] == plan.tree_id and row["lft"] < plan.lft and row["rght"] > plan.rght
        ]
        for plan in plans
    }


def _reference_first(ids_by_term: dict[str, set[int]]):
    ids = set().union(*ids_by_term.values()) if ids_by_term else set()
    if not ids:
        return Value(0)
    return Case(When(pk__in=ids, then=Value(1)), default=Value(0), output_field=IntegerField())


class _Contains:
    """Every term appears, case-insensitively, in the title, description (either language)
    or a lead's name."""

    FIELDS = (
        "title",
        "title_cy",
        "description",
        "description_cy",
        "lead_officer__first_name",
        "lead_officer__last_name",
        "lead_organisation__name",
    )

    def _term(self, term: str) -> Q:
        return reduce(or_, (Q(**{f"{name}__icontains": term}) for name in self.FIELDS))

    def matching(self, items: QuerySet[PlanItem], words: list[str]) -> QuerySet[PlanItem]:
        return items.filter(*(self._term(word) for word in words))

    def ranked(self, items: QuerySet[PlanItem], words: list[str], refs: dict[str, set[int]]) -> QuerySet[PlanItem]:
        conditions = [self._term(word) for word in words]
        conditions += [self._term(term) | Q(pk__in=ids) for term, ids in refs.items()]
        in_title = [
            Case(
                When(Q(title__icontains=term) | Q(title_cy__icontains=term), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
            for term in [*words, *refs]
        ]
        return (
            items.filter(reduce(and_, conditions))
            .annotate(reference_match=_reference_first(refs), title_hits=sum(in_title[1:], in_title[0]))
            .order_by("-reference_match", "-title_hits", "plan__title", "tree_id", "lft")
        )


class _FullText:
    """PostgreSQL full-text search with weights: title A, lead names B, description C."""

    def _vector(self) -> SearchVector:
        return (
            SearchVector("title", "title_cy", weight="A", config=CONFIG)
            + SearchVector(
                "lead_officer__first_name",
                "lead_officer__last_name",
                "lead_organisation__name",
                weight="B",
                config=CONFIG,
            )
            + SearchVector("description", "description_cy", weight="C", config=CONFIG)
        )

    def _query(self, words: list[str]) -> SearchQuery:
        return SearchQuery(" ".join(words), search_type="websearch", config=CONFIG)

    def matching(self, items: QuerySet[PlanItem], words: list[str]) -> QuerySet[PlanItem]:
        return items.annotate(document=self._vector()).filter(document=self._query(words))

    def ranked(self, items: QuerySet[PlanItem], words: list[str], refs: dict[str, set[int]]) -> QuerySet[PlanItem]:
        conditions = [Q(document=self._query(words))] if words else []
        conditions += [
            Q(document=SearchQuery(term, search_type="plain", config=CONFIG)) | Q(pk__in=ids)
            for term, ids in refs.items()
        ]
        rank_query = self._query(words or list(refs))
        return (
            items.annotate(document=self._vector())
            .filter(reduce(and_, conditions))
            .annotate(reference_match=_reference_first(refs), rank=SearchRank(F("document"), rank_query))
            .order_by("-reference_match", "-rank", "plan__title", "tree_id", "lft")
        )
