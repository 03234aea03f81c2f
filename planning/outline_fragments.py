"""The plan outline cut into runs of rows that are cached apart, and what each run shows.

An edit changes one item, or a few siblings (a move, a delete), so an outline cached whole
had to be rebuilt whole: some 150 ms at 2,000 items for one changed row. Cut into runs of
at most ``ROWS`` rows, an edit rebuilds the runs whose rows it changed and the rest come
from the cache (planning/outline_cache.py).

A run is a whole subtree, or several whole subtrees side by side under one parent, of at
most ``ROWS`` rows; an item with more rows beneath it is a run of its own row and its
children are cut in turn. So runs are made from the plan's shape alone, and a change to one
subtree moves no boundary outside its parent's children.

A run's fingerprint is made from everything its rows show that is not in the rows' own
columns, and from the rows' versions (every write of an item raises its ``version``): the
reference ("1.3.2", from the ranks of its ancestors among their siblings), first or last
among its siblings (the move buttons), depth, today's names of the plan's leads and
indicators, the supporters and their names, each link's other end (its title and plan, in
both languages, and address), and the plan's level names and address. Any change to what the
run shows changes its fingerprint.
"""

import hashlib
from collections.abc import Collection

from django.utils import translation

from config import bilingual
from partners.models import Organisation, User
from planning.models import Indicator, Plan
from planning.selectors import PlanShape, ShapeRow

ROWS = 48  # rows in a run at most: ~3 ms to build, ~110 KB of page; 2,000 items make ~80 runs


def subtree_sizes(rows: list[ShapeRow]) -> dict[int, int]:
    """Each item's number of rows: itself and everything beneath it."""
    sizes: dict[int, int] = {}
    for row in reversed(rows):  # children come after their parent: sizes add up backwards
        sizes[row.pk] = sizes.get(row.pk, 0) + 1
        if row.parent_id is not None:
            sizes[row.parent_id] = sizes.get(row.parent_id, 0) + sizes[row.pk]
    return sizes


def runs(shape: PlanShape, limit: int = ROWS) -> list[list[ShapeRow]]:
    """The plan's rows in reading order cut into runs (see the module's docstring). The top
    items (the vision's children) are never packed together, so each begins a run of its
    own: the page that shows them closed can leave out everything beneath them by runs."""
    rows = shape.rows
    sizes = subtree_sizes(rows)
    found: list[list[ShapeRow]] = []
    current: list[ShapeRow] = []
    current_parent = None
    index = 0
    while index < len(rows):
        row = rows[index]
        size = sizes[row.pk]
        if size > limit or row.depth == 0:  # too big to be one run: its own row, then its children's runs
            if current:
                found.append(current)
            found.append([row])
            current, index = [], index + 1
            continue
        if not current or row.depth <= 1 or current_parent != row.parent_id or len(current) + size > limit:
            if current:
                found.append(current)
            current, current_parent = [], row.parent_id
        current.extend(rows[index : index + size])
        index += size
    if current:
        found.append(current)
    return found


class Fingerprints:
    """Each run's fingerprint (see the module's docstring) for its rows of ``kinds``; what
    the reader may see (hidden link ends, change links) is in the cache key instead.

    What all runs share is made once: the plan's level names and address, and today's names
    of every lead and indicator the plan names (so renaming one rebuilds the plan's runs;
    renames are rare, and this keeps the check of 2,000 rows to one pass). Supporters and
    link ends, which few rows have, are looked up for those rows alone."""

    def __init__(self, plan: Plan, shape: PlanShape) -> None:
        found = shape.names.found
        self.common = repr((
            plan.slug, translation.get_language(), bilingual.has_welsh(plan), plan.label_vision, plan.label_priority, plan.label_action, plan.label_target,
            plan.label_milestone,
            sorted((pk, str(person)) for pk, person in found[User].items()),
            sorted((pk, str(organisation)) for pk, organisation in found[Organisation].items()),
            sorted((pk, str(indicator)) for pk, indicator in found[Indicator].items()),
        )).encode()  # fmt: skip
        self.extras: dict[int, tuple] = {}
        for pk in {*shape.supporters, *shape.links_out, *shape.links_in}:
            self.extras[pk] = (
                [(organisation.pk, organisation.name) for organisation in shape.supporters.get(pk, ())],
                [(end.link_id, end.relation, end.title, end.title_cy, end.plan_id, end.plan_title, end.plan_title_cy,
                  end.url)
                 for end in (*shape.links_out.get(pk, ()), *shape.links_in.get(pk, ()))],
            )  # fmt: skip

    def __call__(self, run: list[ShapeRow], kinds: Collection[str]) -> str:
        extras = self.extras
        shown = [row for row in run if row.kind in kinds]
        digest = hashlib.blake2b(self.common, digest_size=16)
        digest.update("".join(map(tuple.__repr__, shown)).encode())  # a named tuple's own repr is slower
        digest.update(repr([extras[row.pk] for row in shown if row.pk in extras]).encode())
        return digest.hexdigest()
