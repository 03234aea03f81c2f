"""What the public pages of a plan's results read (issue 16): its scorecards for locked
quarters as they were reported to members, its editions and quarters as PDFs, and its
accepted returns as open data.

A public scorecard is the stored copy made when the quarter was locked
(``ScorecardSnapshot``, decision 0005), never a live recomputation: what the public reads is
what members were told. Only the plan's own scorecard is shown, not the one rolled up with
the plans beneath it (those may not be published). Its rows lose their links into the
signed-in app; an item links to the plan's public item page where there is one.
"""

from decimal import Decimal

from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from monitoring.access import REPORTED_KINDS, get_period
from monitoring.models import ProgressReturn, ReportingPeriod
from monitoring.scorecards import stored_scorecard
from planning.models import Edition, Plan
from planning.selectors import items_with_references

# the public page of one item of a published plan (the plan pages of issue 16), if the
# project has one; without it the public scorecard names items without linking them
PUBLIC_ITEM_ROUTE = "public:item-detail"
CARD_ROW_LISTS = ("rows", "targets", "exceptions", "outstanding", "changes")


def locked_quarters(plan: Plan) -> list[ReportingPeriod]:
    """The quarters whose scorecard of ``plan`` was reported to members (locked, with the
    plan's stored scorecard), newest first."""
    return list(
        ReportingPeriod.objects.filter(
            locked_at__isnull=False,
            scorecard_snapshots__plan=plan,
            scorecard_snapshots__include_children=False,
        ).order_by("-ends_on", "cadence")
    )


def locked_quarter(plan: Plan, slug: str) -> ReportingPeriod:
    """The quarter ``slug`` if ``plan``'s scorecard for it was reported to members; 404
    for a quarter unknown, not locked, or locked before the plan was approved."""
    period = get_period(slug)
    if not period.is_locked or not period.scorecard_snapshots.filter(plan=plan, include_children=False).exists():
        raise Http404(_("No scorecard has been reported for this quarter"))
    return period


def public_scorecard(plan: Plan, period: ReportingPeriod) -> dict:
    """The scorecard of ``plan`` for locked ``period`` exactly as stored when it was locked,
    with its links pointed at public pages (or dropped)."""
    card = stored_scorecard(plan, period)
    if card is None:
        raise Http404(_("No scorecard has been reported for this quarter"))
    item_url = _item_url_maker(plan)
    for name in CARD_ROW_LISTS:
        for row in card.get(name, []):
            row["url"] = item_url(row.get("id"))
    for row in card.get("milestones", {}).get("rows", []):  # schema 2 (issue 17)
        row["url"] = item_url(row.get("id"))
    for row in card.get("priorities", []):
        row["url"] = ""
    for row in (card.get("spend") or {}).get("rows", []):  # budget and spend (decision 0023)
        row["url"] = item_url(row.get("id"))
    return card


def _item_url_maker(plan: Plan):
    try:
        reverse(PUBLIC_ITEM_ROUTE, args=[plan.slug, 1])
    except NoReverseMatch:
        return lambda pk: ""
    return lambda pk: reverse(PUBLIC_ITEM_ROUTE, args=[plan.slug, pk]) if pk else ""


def public_edition(plan: Plan, edition_id: int) -> Edition:
    edition = plan.editions.filter(pk=edition_id).first()
    if edition is None:
        raise Http404(_("No such edition"))
    return edition


# --- results as open data -------------------------------------------------------------------

RESULT_FIELDS = [
    ("reference", "Reference"),
    ("level", "Level"),
    ("item", "Item"),
    ("quarter", "Quarter"),
    ("quarter_starts", "Quarter starts"),
    ("rag", "RAG"),
    ("narrative", "Narrative"),
    ("actual_value", "Actual value"),
    ("target_value", "Target value"),
    ("unit", "Unit"),
    ("target_date", "Target date"),
]


def accepted_results(plan: Plan) -> list[dict]:
    """Every accepted return of ``plan`` in a locked quarter, by quarter then in the plan's
    reading order: raw numbers and dates (the formatters of the exports write them)."""
    items, refs = items_with_references(plan)
    reported = {item.pk: item for item in items if item.kind in REPORTED_KINDS}
    order = {pk: n for n, pk in enumerate(reported)}
    returns = ProgressReturn.objects.filter(
        item_id__in=reported, state=ProgressReturn.State.ACCEPTED, period__locked_at__isnull=False
    ).select_related("period")
    rows = []
    for ret in sorted(returns, key=lambda r: (r.period.starts_on, order[r.item_id])):
        item = reported[ret.item_id]
        rows.append(
            {
                "reference": refs[item.pk],
                "level": plan.label_for(item.kind),
                "item": item.title,
                "quarter": ret.period.label,
                "quarter_starts": ret.period.starts_on,
                "rag": ret.get_rag_display() if ret.rag else "",
                "narrative": ret.narrative,
                "actual_value": ret.actual_value,
                "target_value": item.target_value,
                "unit": item.get_unit_display() if item.unit else "",
                "target_date": item.target_date,
            }
        )
    return rows


def json_value(value):
    """A value as JSON writes it: numbers as numbers (not text), dates in ISO form."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
