"""Which rows of a scorecard's two longest tables the web page shows.

A large plan's scorecard has a row for every target (954 in the generated council's
largest plan) and for every return not yet received (675): 620 KB of the page's 860 KB,
most of its time to write, and more than anyone reads from the top. On the page, when
such a table has more than ``FOLDED_OVER`` rows, it is folded: each top-level priority
with its count of rows (and, for targets, their statuses against the trajectory), and a
link that lists one priority's rows, or all of them, without JavaScript (``?targets=``,
``?outstanding=``). The PDF (the scorecard pack) and the stored copy of a locked quarter
keep every row; nothing here changes what the scorecard holds, only what one page shows.

Rows are grouped by the first part of their reference (a top-level priority is "3", all
beneath it "3.…") within their plan, so a stored scorecard from before the grouping was
written folds the same way.
"""

from collections import Counter
from dataclasses import dataclass, field

FOLDED_OVER = 50
TABLES = ("targets", "outstanding")
ALL = "all"
DERIVED = ("red", "amber", "green")  # statuses against the trajectory, as the folded targets count them


@dataclass
class Group:
    """The rows under one top-level priority."""

    key: str
    reference: str
    title: str
    plan: str
    rows: list[dict] = field(default_factory=list)

    @property
    def derived_counts(self) -> list[int]:
        """Targets by status against the trajectory: red, amber, green, none derived."""
        counts = Counter(row.get("derived") or "" for row in self.rows)
        return [counts[status] for status in DERIVED] + [len(self.rows) - sum(counts[s] for s in DERIVED)]


@dataclass
class Fold:
    """What the page shows of one table: every row, one priority's rows, or the groups."""

    total: int
    rows: list[dict]  # the rows listed (none when folded)
    groups: list[Group]  # every priority, for the folded summary and the "list" links
    opened: Group | None = None  # the priority whose rows are listed, if one is
    folded: bool = False
    showing_all: bool = False  # every row listed although the table is long


def fold(card: dict, name: str, opened: str = "") -> Fold:
    """The table ``name`` of ``card`` as the page shows it; ``opened`` is a group's key,
    ``all``, or empty."""
    rows = card.get(name, [])
    if len(rows) <= FOLDED_OVER:
        return Fold(len(rows), rows, [])
    groups = _groups(card, rows)
    if opened == ALL:
        return Fold(len(rows), rows, groups, showing_all=True)
    chosen = next((group for group in groups if group.key == opened), None)
    if chosen is not None:
        return Fold(len(rows), chosen.rows, groups, opened=chosen)
    return Fold(len(rows), [], groups, folded=True)


def _groups(card: dict, rows: list[dict]) -> list[Group]:
    """The rows grouped by top-level priority, in the order the rows come (reading order)."""
    titles = {(p["plan"] or card["plan"]["title"], p["reference"]): p for p in card.get("priorities", [])}
    plan_numbers = {p["title"]: n for n, p in enumerate(card.get("plans", []))}
    groups: dict[tuple[str, str], Group] = {}
    for row in rows:
        top = row["reference"].split(".")[0]
        group = groups.get((row["plan"], top))
        if group is None:
            priority = titles.get((row["plan"], top)) or titles.get((card["plan"]["title"], top)) or {}
            group = groups[(row["plan"], top)] = Group(
                key=f"{plan_numbers.get(row['plan'], 0)}-{top}",
                reference=top,
                title=priority.get("title", ""),
                plan=row["plan"],
            )
        group.rows.append(row)
    return list(groups.values())
