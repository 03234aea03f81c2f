"""The risk register: risks to a plan or to one of its items, their quarterly reviews,
and the 5×5 heat map.

A risk's score is likelihood × impact, each 1–5, as UK public bodies score them; the
score falls in a band (low 1–4, medium 5–9, high 10–16, very high 20–25). Each quarter
someone reviews the risk: the review keeps that quarter's scores (one review per risk
per quarter; reviewing the same quarter again corrects it), and the risk takes them on
as its current scores unless a later quarter has already been reviewed.

Writes lock the risk row and carry its version, so two people saving at once get
``EditConflict`` rather than a lost edit, and run inside ``change_context`` so every
history row says who changed the risk and why. A locked quarter takes no reviews.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.history import change_context
from monitoring.models import ReportingPeriod, Risk, RiskReview
from partners.models import User
from planning.conflicts import check_version, share_lock
from planning.models import Plan, PlanItem
from planning.selectors import FieldChange, HistoryEntry

RISK_FIELDS = [
    "item",
    "title",
    "cause",
    "consequence",
    "owner",
    "likelihood",
    "impact",
    "mitigations",
    "target_likelihood",
    "target_impact",
    "status",
]
SCORES = range(1, 6)
LIKELIHOOD_LABELS = {
    1: gettext_lazy("Rare"),
    2: gettext_lazy("Unlikely"),
    3: gettext_lazy("Possible"),
    4: gettext_lazy("Likely"),
    5: gettext_lazy("Almost certain"),
}
IMPACT_LABELS = {
    1: gettext_lazy("Negligible"),
    2: gettext_lazy("Minor"),
    3: gettext_lazy("Moderate"),
    4: gettext_lazy("Major"),
    5: gettext_lazy("Severe"),
}
# each score's problem, said whole
_SCORE_NAMES = {
    "likelihood": gettext_lazy("Likelihood must be a whole number from 1 to 5."),
    "impact": gettext_lazy("Impact must be a whole number from 1 to 5."),
    "target_likelihood": gettext_lazy("Target likelihood must be a whole number from 1 to 5."),
    "target_impact": gettext_lazy("Target impact must be a whole number from 1 to 5."),
}


# --- scores and bands ------------------------------------------------------------------------


@dataclass(frozen=True)
class Band:
    """A range of scores, with the colours the heat map paints it (the text colour has
    at least 4.5:1 contrast on the fill) and the GOV.UK tag the tables use."""

    key: str
    label: str  # lazy: in the reader's language
    low: int
    high: int
    fill: str
    text: str
    tag: str

    @property
    def range(self) -> str:
        return _("%(low)s to %(high)s") % {"low": self.low, "high": self.high}


BANDS = [
    Band("low", gettext_lazy("Low"), 1, 4, "#00703c", "#ffffff", "govuk-tag--green"),
    Band("medium", gettext_lazy("Medium"), 5, 9, "#ffdd00", "#0b0c0c", "govuk-tag--yellow"),
    Band("high", gettext_lazy("High"), 10, 16, "#f47738", "#0b0c0c", "govuk-tag--orange"),
    Band("very_high", gettext_lazy("Very high"), 20, 25, "#942514", "#ffffff", "govuk-tag--red"),
]


def band_for(score: int) -> Band:
    """The band of a score (1–25). Scores are products of 1–5, so 17–19 never occur."""
    return next(band for band in BANDS if score <= band.high)


def _check_scores(fields: dict) -> None:
    problems = {}
    for name, message in _SCORE_NAMES.items():
        value = fields.get(name)
        if value is None and name.startswith("target_"):
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value not in SCORES:
            problems[name] = str(message)
    if (fields.get("target_likelihood") is None) != (fields.get("target_impact") is None):
        missing = "target_impact" if fields.get("target_impact") is None else "target_likelihood"
        problems.setdefault(missing, _("Give both a target likelihood and a target impact, or neither."))
    if problems:
        raise ValidationError(problems)


# --- writes ----------------------------------------------------------------------------------


def _check_item(plan_id: int, item: PlanItem | None) -> None:
    if item is not None and item.plan_id != plan_id:
        raise ValidationError({"item": _("That item is not part of this plan. Choose one of the plan's own items.")})


def _check_owner(owner: User | None) -> None:
    if owner is not None and (not owner.is_active or owner.role == User.Role.MEMBER):
        raise ValidationError(
            {"owner": _("A risk's owner must be an active officer or partner, not an elected member.")}
        )


def _apply(risk: Risk, fields: dict) -> None:
    for name in RISK_FIELDS:
        if name in fields:
            setattr(risk, name, fields[name])
    current = {name: getattr(risk, name) for name in _SCORE_NAMES}
    _check_scores(current)
    _check_item(risk.plan_id, risk.item)
    _check_owner(risk.owner)
    risk.full_clean()


@transaction.atomic
def risk_create(*, plan: Plan, user: User | None, fields: dict) -> Risk:
    """Add a risk to ``plan`` (or to one of its items, ``fields["item"]``)."""
    with change_context(reason="Risk added", user=user):
        risk = Risk(plan=plan)
        _apply(risk, fields)
        risk.save()
    return risk


@transaction.atomic
def risk_update(*, risk_id: int, user: User | None, fields: dict, expected_version: int, reason: str = "") -> Risk:
    """Save new content; refuse (``EditConflict``) if someone saved the risk since it was loaded."""
    risk = Risk.objects.select_for_update(of=("self",)).select_related("item").get(pk=risk_id)
    check_version(risk, expected_version)
    with change_context(reason=reason.strip() or "Risk changed", user=user):
        _apply(risk, fields)
        risk.version += 1
        risk.save()
    return risk


def _period_for_write(period_id: int) -> ReportingPeriod:
    """The period, read under a share lock so that it cannot be locked while a review is
    written (as ``monitoring.services`` does for returns)."""
    share_lock(ReportingPeriod, period_id)
    return ReportingPeriod.objects.get(pk=period_id)


@transaction.atomic
def risk_review(
    *, risk_id: int, period: ReportingPeriod, user: User | None, likelihood: int, impact: int, note: str = ""
) -> RiskReview:
    """Record the risk's scores for ``period``; a second review of the same quarter
    replaces the first. The risk's current scores become the reviewed ones, unless a
    later quarter has been reviewed already (a late review of an earlier quarter)."""
    risk = Risk.objects.select_for_update().select_related("plan").get(pk=risk_id)
    period = _period_for_write(period.pk)
    if period.is_locked:
        raise ValidationError(
            {
                "period": _("%(period)s is locked: it has been reported to members, so its reviews cannot change.")
                % {"period": period.label}
            }
        )
    if not period.covers_plan(risk.plan):
        raise ValidationError(
            {"period": _("%(period)s is not one of this plan's reporting periods.") % {"period": period.label}}
        )
    if risk.status == Risk.Status.CLOSED:
        raise ValidationError({NON_FIELD_ERRORS: _("This risk is closed. Reopen it before reviewing it.")})
    _check_scores({"likelihood": likelihood, "impact": impact})
    reason = f"Reviewed for {period.english_label}"
    with change_context(reason=reason, user=user):
        review = RiskReview.objects.filter(risk=risk, period=period).first() or RiskReview(risk=risk, period=period)
        review.likelihood, review.impact, review.note = likelihood, impact, note.strip()
        review.reviewed_by, review.reviewed_at = user, timezone.now()
        review.full_clean()
        review.save()
        if not RiskReview.objects.filter(risk=risk, period__starts_on__gt=period.starts_on).exists():
            risk.likelihood, risk.impact = likelihood, impact
            risk.version += 1
            risk.full_clean()
            risk.save()
    return review


# --- reads -----------------------------------------------------------------------------------


def plan_risks(plan: Plan, status: str | None = Risk.Status.OPEN) -> QuerySet[Risk]:
    """The plan's risks, highest score first (``status`` None: open and closed)."""
    risks = Risk.objects.filter(plan=plan)
    if status:
        risks = risks.filter(status=status)
    return (
        risks.select_related("owner__organisation", "item")
        .annotate(current_score=F("likelihood") * F("impact"))
        .order_by("-current_score", "-impact", "title", "pk")
    )


@dataclass
class Cell:
    likelihood: int
    impact: int
    risks: list[Risk] = field(default_factory=list)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def band(self) -> Band:
        return band_for(self.score)

    @property
    def count(self) -> int:
        return len(self.risks)

    @property
    def likelihood_label(self) -> str:
        return LIKELIHOOD_LABELS[self.likelihood]

    @property
    def impact_label(self) -> str:
        return IMPACT_LABELS[self.impact]


@dataclass
class HeatMap:
    """Rows by likelihood 5 (top) down to 1; columns by impact 1 (left) to 5."""

    rows: list[list[Cell]]

    @property
    def total(self) -> int:
        return sum(cell.count for row in self.rows for cell in row)

    def cell(self, likelihood: int, impact: int) -> Cell:
        return self.rows[5 - likelihood][impact - 1]

    def counts(self) -> list[list[int]]:
        return [[cell.count for cell in row] for row in self.rows]

    def band_counts(self) -> list[tuple[Band, int]]:
        totals = dict.fromkeys(BANDS, 0)
        for row in self.rows:
            for cell in row:
                totals[cell.band] += cell.count
        return list(totals.items())


def heat_map(risks: Iterable[Risk]) -> HeatMap:
    """The 5×5 grid of ``risks`` by their current likelihood and impact."""
    grid = HeatMap([[Cell(likelihood, impact) for impact in SCORES] for likelihood in reversed(SCORES)])
    for risk in risks:
        grid.cell(risk.likelihood, risk.impact).risks.append(risk)
    return grid


# the heat map's drawing: cells of CELL units, the grid's top left corner at (LEFT, TOP)
CELL, LEFT, TOP = 64, 76, 8


def drawing(grid: HeatMap, cell_url: Callable[[Cell], str], chosen: Cell | None = None) -> dict:
    """Where each cell of the heat map and each axis label is drawn, and where cells link
    (``cell_url``): the register's page and the scorecard's draw the same map."""
    cells, rows = [], []
    for row_index, row in enumerate(grid.rows):
        for col_index, cell in enumerate(row):
            x, y = LEFT + col_index * CELL, TOP + row_index * CELL
            cells.append(
                {
                    "cell": cell,
                    "x": x,
                    "y": y,
                    "cx": x + CELL // 2,
                    "cy": y + CELL // 2,
                    "href": cell_url(cell),
                    "chosen": cell is chosen,
                }
            )
        rows.append({"n": row[0].likelihood, "x": LEFT - 10, "y": TOP + row_index * CELL + CELL // 2})
    bottom = TOP + 5 * CELL
    columns = [{"n": n, "x": LEFT + (n - 1) * CELL + CELL // 2, "y": bottom + 20} for n in SCORES]
    return {
        "cells": cells,
        "rows": rows,
        "columns": columns,
        "size": CELL,
        "width": LEFT + 5 * CELL + 8,
        "height": bottom + 56,
        "x_title": {"x": LEFT + 5 * CELL // 2, "y": bottom + 46},
        "y_title": {"x": 18, "y": TOP + 5 * CELL // 2},
    }


def open_periods(plan: Plan) -> QuerySet[ReportingPeriod]:
    """The periods a risk of ``plan`` may be reviewed in: unlocked, of the plan's cadence,
    within its years."""
    return ReportingPeriod.objects.filter(
        locked_at__isnull=True, cadence=plan.cadence, start_year__gte=plan.start_year, start_year__lte=plan.end_year
    ).order_by("starts_on")


def risk_history(risk: Risk) -> list[HistoryEntry]:
    """Every recorded version of the risk, newest first, with what changed (three queries)."""
    rows = list(Risk.history.filter(id=risk.pk).order_by("history_date", "history_id").values())
    item_ids = {row["item_id"] for row in rows if row["item_id"]}
    user_ids = {row[name] for row in rows for name in ("owner_id", "history_user_id") if row[name]}
    items = dict(PlanItem.objects.filter(pk__in=item_ids).values_list("pk", "title")) if item_ids else {}
    users = {user.pk: str(user) for user in User.objects.filter(pk__in=user_ids)} if user_ids else {}
    statuses = dict(Risk.Status.choices)

    def show(name: str, row: dict) -> str:
        if name == "item":
            value = row["item_id"]
            return items.get(value, _("(a deleted item)")) if value else _("The plan as a whole")
        if name == "owner":
            return users.get(row["owner_id"], "") if row["owner_id"] else ""
        if name == "status":
            return str(statuses.get(row["status"], row["status"]))
        value = row[name]
        return "" if value is None else str(value)

    entries, before = [], None
    for row in rows:
        changes = []
        for name in RISK_FIELDS:
            old, new = (show(name, before) if before else ""), show(name, row)
            if old != new and (before is not None or new):
                label = str(Risk._meta.get_field(name).verbose_name).capitalize()
                changes.append(FieldChange(name, label, old, new))
        entries.append(
            HistoryEntry(
                when=row["history_date"],
                who=users.get(row["history_user_id"], _("System")) if row["history_user_id"] else _("System"),
                action={"+": _("Added"), "~": _("Changed"), "-": _("Deleted")}[row["history_type"]],
                reason=row["history_change_reason"] or "",
                object_id=row["id"],
                title=row["title"],
                changes=changes,
            )
        )
        before = row
    return list(reversed(entries))
