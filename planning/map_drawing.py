"""The map of plans drawn as a diagram (issue 17): plans as boxes in the columns of the plan
tree (corporate on the left, the plans beneath to the right), the tree's lines between a plan
and the plans beneath it, and the links between plans as curves whose thickness says how many
items they carry.

Only geometry is worked out here; the markup is a template
(``planning/includes/plan_map.svg.html``), so every title is escaped there like any other
text. The layout is the tidy layered tree: each plan without plans beneath takes the next
row, and a plan sits level with the middle of the plans beneath it, so the drawing is as
tall as the tree has leaves (40 plans of a council: about 33 rows) and no two boxes overlap.
"""

import math
from dataclasses import dataclass

from config.bilingual import shown
from planning.overview import MapEntry

BOX_WIDTH = 250
BOX_HEIGHT = 40
ROW = 52  # a box and the gap below it
COLUMN_GAP = 90
MARGIN = 12
TITLE_CHARACTERS = 28  # what fits a box at the drawing's font size; the full title is its name
MAX_STROKE = 12


@dataclass
class Box:
    entry: MapEntry
    x: int
    y: int
    label: str

    @property
    def middle(self) -> int:
        return self.y + BOX_HEIGHT // 2

    @property
    def text_y(self) -> int:
        return self.y + 17

    @property
    def detail_y(self) -> int:
        return self.y + 33


@dataclass
class Line:
    path: str
    width: float = 1.5
    count: int = 0
    source: str = ""
    target: str = ""


@dataclass
class MapDrawing:
    boxes: list[Box]
    tree_lines: list[Line]
    link_lines: list[Line]
    width: int
    height: int
    box_width: int = BOX_WIDTH
    box_height: int = BOX_HEIGHT
    text_x: int = 10  # from a box's left edge

    @property
    def links(self) -> list[Line]:
        """The links for the table beside the drawing: most items first."""
        return sorted(self.link_lines, key=lambda line: (-line.count, line.source, line.target))


def stroke_for(count: int) -> float:
    """A line's thickness for the items a link between two plans carries: 1.5 for one, then
    growing with the logarithm (a link of 100 items should not hide the drawing), at most 12."""
    return round(min(MAX_STROKE, 1.5 + 2 * math.log2(max(count, 1))), 1)


def shorten(title: str) -> str:
    """The title as it fits a box: cut at a word, so that what a box shows is the start of
    its link's name, word for word (WCAG 2.5.3, label in name; axe checks it)."""
    if len(title) <= TITLE_CHARACTERS:
        return title
    cut = title[: TITLE_CHARACTERS - 1]
    words = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return words.rstrip(" ,;:–-") + "…"


def draw(entries: list[MapEntry]) -> MapDrawing:
    """Lay the map's plans out (``entries`` in tree order, as ``overview.plan_map`` gives them)."""
    rows = _rows(entries)
    boxes = {
        entry.plan.pk: Box(
            entry=entry,
            x=MARGIN + entry.depth * (BOX_WIDTH + COLUMN_GAP),
            y=MARGIN + round(rows[entry.plan.pk] * ROW),
            label=shorten(shown(entry.plan, "title").text),
        )
        for entry in entries
    }
    tree_lines = [
        Line(path=_elbow(boxes[entry.plan.parent_id], box))
        for entry in entries
        if (box := boxes[entry.plan.pk]) and entry.plan.parent_id in boxes
    ]
    link_lines = [
        Line(
            path=_curve(boxes[entry.plan.pk], boxes[target.pk]),
            width=stroke_for(count),
            count=count,
            source=shown(entry.plan, "title").text,
            target=shown(target, "title").text,
        )
        for entry in entries
        for target, count in entry.links_to
        if target.pk in boxes
    ]
    depth = max((entry.depth for entry in entries), default=0)
    leaves = max(rows.values(), default=-1) + 1
    bows = any(
        boxes[entry.plan.pk].x == boxes[target.pk].x
        for entry in entries
        for target, _ in entry.links_to
        if target.pk in boxes
    )
    return MapDrawing(
        boxes=list(boxes.values()),
        tree_lines=tree_lines,
        link_lines=link_lines,
        # a link within a column bows out to the right of it: room for that in the last one
        width=2 * MARGIN + (depth + 1) * BOX_WIDTH + (depth + bows) * COLUMN_GAP,
        height=2 * MARGIN + max(leaves - 1, 0) * ROW + BOX_HEIGHT,
    )


def _rows(entries: list[MapEntry]) -> dict[int, float]:
    """Each plan's row: the next free row for a plan with nothing beneath it on the map, the
    middle of its first and last child's rows for the others (entries are in tree order, so
    a plan's children follow it)."""
    children: dict[int | None, list[int]] = {}
    shown = {entry.plan.pk for entry in entries}
    roots = []
    for entry in entries:
        parent = entry.plan.parent_id if entry.plan.parent_id in shown else None
        children.setdefault(parent, []).append(entry.plan.pk)
        if parent is None:
            roots.append(entry.plan.pk)
    rows: dict[int, float] = {}
    free = 0

    def place(pk: int) -> None:
        nonlocal free
        beneath = children.get(pk, [])
        for child in beneath:
            place(child)
        if beneath:
            rows[pk] = (rows[beneath[0]] + rows[beneath[-1]]) / 2
        else:
            rows[pk] = free
            free += 1

    for root in roots:
        place(root)
    return rows


def _elbow(parent: Box, child: Box) -> str:
    """The tree's line: out of the parent's right edge, across half the gap, down or up to the
    child's row and into its left edge."""
    start, end = parent.x + BOX_WIDTH, child.x
    turn = start + (end - start) // 2
    return f"M{start} {parent.middle} H{turn} V{child.middle} H{end}"


def _curve(source: Box, target: Box) -> str:
    """A link: from the contributing plan to the plan it contributes to. Between columns it
    runs from the facing edges; within one column it bows out to the right of both boxes."""
    if source.x == target.x:
        edge = source.x + BOX_WIDTH
        bow = edge + COLUMN_GAP // 2 + min(abs(source.middle - target.middle) // 8, COLUMN_GAP // 3)
        return f"M{edge} {source.middle} C{bow} {source.middle} {bow} {target.middle} {edge} {target.middle}"
    left, right = (source, target) if source.x < target.x else (target, source)
    start, end = left.x + BOX_WIDTH, right.x
    bend = (end - start) // 2
    return f"M{start} {left.middle} C{start + bend} {left.middle} {end - bend} {right.middle} {end} {right.middle}"
