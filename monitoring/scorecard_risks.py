"""The plan's risks in its scorecard and pack (issue 17, decision 0026): the heat map of
its open risks as they were scored in the quarter, the risks scored ``HIGH_SCORE`` or more,
and those whose score rose this quarter.

A risk's score in a quarter is its review for that quarter, or its latest review before
it, or (never reviewed by then) its scores as they stand. It **rose this quarter** when it
was reviewed in the quarter and scores more than at its previous review; a risk reviewed
for the first time has nothing to rise from. ``build`` is plain data, stored with the
scorecard when the quarter locks (one query); ``view`` turns it back into the heat map
the register draws (``monitoring.risks``), linked to the register.
"""

from datetime import date

from django.urls import reverse

from monitoring import risks as register
from monitoring.models import ReportingPeriod, Risk
from planning.models import Plan

HIGH_SCORE = 15  # "scored high": 15 or more (likely × major, almost certain × moderate and worse)


def build(plan: Plan, period: ReportingPeriod) -> dict:
    at = period.starts_on  # periods of every cadence are ordered by their first day (decision 0028)
    risks: dict[int, dict] = {}
    reviews: dict[int, list[tuple[date, int, int]]] = {}
    # one row per risk and review (a risk never reviewed: one row without one), one query
    for pk, title, likelihood, impact, first, last, username, item, starts_on, reviewed_l, reviewed_i in (
        Risk.objects.filter(plan=plan, status=Risk.Status.OPEN)
        .order_by("title", "pk", "reviews__period__starts_on")
        .values_list(
            "pk",
            "title",
            "likelihood",
            "impact",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "item__title",
            "reviews__period__starts_on",
            "reviews__likelihood",
            "reviews__impact",
        )  # fmt: skip
    ):
        if pk not in risks:
            owner = " ".join(part for part in (first, last) if part) or username or ""
            risks[pk] = {"title": title, "likelihood": likelihood, "impact": impact, "owner": owner, "item": item or ""}
        if starts_on is not None and starts_on <= at:
            reviews.setdefault(pk, []).append((starts_on, reviewed_l, reviewed_i))
    grid = [[0] * 5 for _ in register.SCORES]
    high, rose = [], []
    for pk, risk in risks.items():
        found = reviews.get(pk, [])
        likelihood, impact = (found[-1][1], found[-1][2]) if found else (risk["likelihood"], risk["impact"])
        score = likelihood * impact
        grid[5 - likelihood][impact - 1] += 1
        band = register.band_for(score)
        row = {
            "title": risk["title"],
            "url": reverse("monitoring:risk-detail", args=[plan.slug, pk]),
            "likelihood": likelihood,
            "impact": impact,
            "score": score,
            "band": band.key,
            "band_label": str(band.label),  # named again at render (view), in the reader's language
            "owner": risk["owner"],
            "item": risk["item"],
        }
        if score >= HIGH_SCORE:
            high.append(row)
        if len(found) > 1 and found[-1][0] == at:
            before = found[-2][1] * found[-2][2]
            if score > before:
                rose.append({**row, "before": before})
    return {
        "high_score": HIGH_SCORE,
        "total": len(risks),
        "grid": grid,
        "high": sorted(high, key=_by_score),
        "rose": sorted(rose, key=_by_score),
    }


def _by_score(row: dict) -> tuple:
    return (-row["score"], -row["impact"], row["title"])


def view(risks: dict | None, plan_slug: str) -> dict | None:
    """The stored risks as the page and the pack show them: the heat map (cells linking to
    the register narrowed to them), its bands, and the two lists."""
    if risks is None:  # scorecards stored before schema 2
        return None
    grid = register.HeatMap(
        [
            [
                register.Cell(likelihood, impact, [None] * risks["grid"][5 - likelihood][impact - 1])
                for impact in register.SCORES
            ]
            for likelihood in reversed(register.SCORES)
        ]
    )
    url = reverse("monitoring:risk-register", args=[plan_slug])

    def cell_url(cell: register.Cell) -> str:
        return f"{url}?status=open&likelihood={cell.likelihood}&impact={cell.impact}#risks"

    for row in grid.rows:
        for cell in row:
            cell.url = cell_url(cell)
    bands = {band.key: band for band in register.BANDS}

    def tagged(rows: list[dict]) -> list[dict]:
        return [{**row, "tag": bands[row["band"]].tag, "band_label": str(bands[row["band"]].label)} for row in rows]

    return {
        **risks,
        "high": tagged(risks["high"]),
        "rose": tagged(risks["rose"]),
        "grid": grid,
        "drawing": register.drawing(grid, cell_url),
        "bands": grid.band_counts(),
        "register_url": url,
    }
