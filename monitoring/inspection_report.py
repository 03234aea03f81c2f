"""The progress-against-recommendations report (issue 18, decision 0030): the shape of
Caerphilly's cabinet report on its Estyn recommendations. Per recommendation: the
recommendation, the actions taken (the linked actions with their plan, lead and their
return for the quarter: RAG and narrative), the evidence, and the lead's judgement for the
quarter beside the judgement before it.

``build`` reads plain data. For a locked quarter it reads every row as it stood when the
quarter was locked (django-simple-history's ``as_of`` the lock's moment): the report of a
locked quarter is what was reported, whatever changes after (a recommendation reworded,
an action linked or unlinked, a return corrected). A live quarter reads the rows as they
are. Either way a fixed number of queries, whatever the number of recommendations and actions.

``view`` then leaves out the actions of plans the reader may not read, counting them
instead (``planning.access``). The same template makes the page and the PDF, which the
background worker produces (``monitoring.documents``, ``monitoring.tasks``).
"""

from datetime import datetime

from django.conf import settings
from django.db.models import Model, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from config import pdf
from config.history import history_stamp
from config.pdf import Entry, produced_on
from monitoring.models import (
    Inspection,
    KeyQuestionJudgement,
    ProgressReturn,
    Recommendation,
    RecommendationAction,
    RecommendationProgress,
    ReportingPeriod,
)
from partners.models import Organisation, User
from planning.models import Plan, PlanItem

# the rows a report reads: a change to any of them gives a live report's PDF a new key
READS = [
    Inspection,
    KeyQuestionJudgement,
    Recommendation,
    RecommendationAction,
    RecommendationProgress,
    ProgressReturn,
    PlanItem,
    Plan,
]


def _rows(model: type[Model], when: datetime | None) -> QuerySet:
    """``model``'s rows now, or as they stood at ``when``: each row's latest history record
    up to then, unless that record is its deletion (what ``history.as_of`` finds, read as
    the records themselves: an item of the plan tree made from one would read its tree
    columns, which history does not keep, one query per item). Rows are read by ``id``."""
    if when is None:
        return model._default_manager.all()  # type: ignore[attr-defined]
    history = model.history.filter(history_date__lte=when)  # type: ignore[attr-defined]
    return history.latest_of_each().exclude(history_type="-")


def _name(user: User | None) -> str:
    return str(user) if user is not None else ""


def build(inspection: Inspection, period: ReportingPeriod) -> dict:
    """The report's data for ``period`` (a quarter), as locked or as it is now."""
    when = period.locked_at
    header = inspection
    if when is not None:
        header = _rows(Inspection, when).filter(id=inspection.pk).first() or inspection
    judgements = list(_rows(KeyQuestionJudgement, when).filter(inspection_id=inspection.pk).order_by("position", "id"))
    recommendations = list(_rows(Recommendation, when).filter(inspection_id=inspection.pk).order_by("number"))
    ids = [r.id for r in recommendations]
    links = list(_rows(RecommendationAction, when).filter(recommendation_id__in=ids).order_by("id"))
    items = {i.id: i for i in _rows(PlanItem, when).filter(id__in=[link.item_id for link in links])}
    plans = {
        p.pk: p
        for p in Plan.objects.filter(pk__in={i.plan_id for i in items.values()}).only("pk", "title", "title_cy", "slug")
    }
    # the quarter itself and those before it: the judgement before this quarter's
    periods = {
        p.pk: p
        for p in ReportingPeriod.objects.filter(ends_on__lte=period.ends_on).only(
            "pk", "cadence", "start_year", "quarter", "starts_on", "ends_on"
        )
    }
    quarters = [pk for pk, p in periods.items() if p.cadence == period.cadence]
    progress = list(_rows(RecommendationProgress, when).filter(recommendation_id__in=ids, period_id__in=quarters))
    # each action's return for a period that ends in this quarter: the quarter's own, or the
    # term or month that ends in it for plans reporting termly or monthly; received ones only
    ending_here = [pk for pk, p in periods.items() if p.ends_on >= period.starts_on]
    returns: dict[int, ProgressReturn] = {}
    received = _rows(ProgressReturn, when).filter(
        item_id__in=list(items), period_id__in=ending_here, state__in=ProgressReturn.RECEIVED
    )  # whole rows: a historical row read in part would read each deferred column again (as_of)
    for ret in sorted(received, key=lambda r: periods[r.period_id].ends_on):
        returns[ret.item_id] = ret  # the latest period ending in the quarter
    people = {
        u.pk: u
        for u in User.objects.filter(
            pk__in={r.lead_id for r in recommendations}
            | {i.lead_officer_id for i in items.values()}
            | {p.recorded_by_id for p in progress}
        ).only("pk", "username", "first_name", "last_name")
    }
    organisations = dict(
        Organisation.objects.filter(pk__in={i.lead_organisation_id for i in items.values()}).values_list("pk", "name")
    )

    def judged(row: RecommendationProgress) -> dict:
        return {
            "judgement": row.judgement,
            "label": RecommendationProgress.Judgement(row.judgement).label,
            "period": periods[row.period_id].label,
            "narrative": row.narrative,
            "evidence": row.evidence,
            "links": [line.strip() for line in row.evidence_links.splitlines() if line.strip()],
            "recorded_by": _name(people.get(row.recorded_by_id)),
        }

    rows = []
    for rec in recommendations:
        mine = sorted(
            (p for p in progress if p.recommendation_id == rec.id), key=lambda p: periods[p.period_id].starts_on
        )
        now = next((p for p in mine if p.period_id == period.pk), None)
        before = [p for p in mine if periods[p.period_id].starts_on < period.starts_on]
        actions = []
        for link in (link for link in links if link.recommendation_id == rec.id and link.item_id in items):
            item = items[link.item_id]
            ret = returns.get(item.id)
            plan = plans.get(item.plan_id)
            actions.append(
                {
                    "title": item.title,
                    "title_cy": item.title_cy,
                    "plan_id": item.plan_id,
                    "plan": plan.title if plan else "",
                    "plan_cy": plan.title_cy if plan else "",
                    "url": reverse("planning:item-detail", args=[plan.slug, item.id]) if plan else "",
                    "lead": _name(people.get(item.lead_officer_id)) or organisations.get(item.lead_organisation_id, ""),
                    "rag": ret.rag if ret else "",
                    "rag_label": ProgressReturn.Rag(ret.rag).label if ret and ret.rag else "",
                    "narrative": ret.narrative if ret else "",
                    "returned": ret is not None,
                }
            )
        rows.append(
            {
                "id": rec.id,
                "number": rec.number,
                "text": rec.text,
                "lead": _name(people.get(rec.lead_id)),
                "target_date": rec.target_date,
                "actions": actions,
                "progress": judged(now) if now else None,
                "previous": judged(before[-1]) if before else None,
            }
        )
    counts = dict.fromkeys(RecommendationProgress.Judgement.values, 0)
    for row in rows:
        if row["progress"]:
            counts[row["progress"]["judgement"]] += 1
    return {
        "inspection": {
            "id": inspection.pk,
            "title": header.title,
            "inspectorate": Inspection.Inspectorate(header.inspectorate).label,
            "inspected_on": header.inspected_on,
            "organisation": inspection.organisation.name,
            "report_url": header.report_url,
            "summary": header.summary,
        },
        "period": {"label": period.label, "slug": period.slug, "starts": period.starts_on, "ends": period.ends_on},
        "locked_at": when,
        "judgements": [{"key_question": j.key_question, "judgement": j.judgement} for j in judgements],
        "recommendations": rows,
        "counts": [
            {"judgement": value, "label": label, "count": counts[value]}
            for value, label in RecommendationProgress.Judgement.choices
        ],
        "unjudged": sum(1 for row in rows if row["progress"] is None),
    }


def plan_ids(data: dict) -> set[int]:
    return {action["plan_id"] for row in data["recommendations"] for action in row["actions"]}


def view(data: dict, hidden: frozenset[int]) -> dict:
    """``data`` with the actions of the ``hidden`` plans taken out and counted instead."""
    if not hidden:
        return data | {"recommendations": [row | {"hidden": 0} for row in data["recommendations"]]}
    rows = []
    for row in data["recommendations"]:
        shown = [action for action in row["actions"] if action["plan_id"] not in hidden]
        rows.append(row | {"actions": shown, "hidden": len(row["actions"]) - len(shown)})
    return data | {"recommendations": rows}


def ever_linked_plan_ids(inspection: Inspection) -> set[int]:
    """Every plan whose actions have ever been linked to the inspection's recommendations
    (from history, so a locked quarter's report is covered): what a PDF's key says of the
    plans its reader may not read. One query."""
    recommendations = Recommendation.history.filter(inspection_id=inspection.pk).values("id")
    linked = RecommendationAction.history.filter(recommendation_id__in=recommendations).values("item_id")
    return set(PlanItem.history.filter(id__in=linked).order_by().values_list("plan_id", flat=True).distinct())


def report_key(inspection: Inspection, period: ReportingPeriod) -> str:
    """What a report PDF shows: a locked quarter's never changes; a live one is named by the
    newest history row of the tables it reads."""
    base = f"inspection:{inspection.pk}:{period.slug}"
    if period.is_locked:
        return f"{base}:locked"
    stamp = history_stamp(READS, Inspection.objects.filter(pk=inspection.pk))
    return f"{base}:v{period.version}:live@{stamp.key}"


def contents(data: dict) -> list[Entry]:
    return [
        Entry(_("1. Purpose of the report"), "purpose"),
        Entry(_("2. Summary"), "summary"),
        Entry(_("3. The inspection’s judgements"), "judgements"),
        Entry(_("4. Progress against each recommendation"), "recommendations"),
        *[
            Entry(_("Recommendation %(number)s") % {"number": row["number"]}, f"recommendation-{row['number']}", 1)
            for row in data["recommendations"]
        ],
    ]


def report_context(inspection: Inspection, period: ReportingPeriod, hidden: frozenset[int]) -> dict:
    data = view(build(inspection, period), hidden)
    return {
        "report": data,
        "contents": contents(data),
        "produced": produced_on(),
        "council_name": settings.COUNCIL_NAME,
        "pdf": True,
    }


def report_html(inspection: Inspection, period: ReportingPeriod, hidden: frozenset[int]) -> str:
    return render_to_string("monitoring/print/inspection_report.html", report_context(inspection, period, hidden))


def render_report(inspection: Inspection, period: ReportingPeriod, hidden: frozenset[int]) -> bytes:
    return pdf.html_to_pdf(report_html(inspection, period, hidden))
