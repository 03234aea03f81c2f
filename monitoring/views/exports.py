"""Plans and a quarter's returns as spreadsheets (CSV or Excel), for whoever may read them.

Both formats go through ``config.spreadsheets``, which escapes text that a spreadsheet
would run as a formula. Rows come in the plan's reading order with their references,
as on the plan page.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from config.spreadsheets import csv_response, xlsx_response
from monitoring.access import REPORTED_KINDS, get_monitored_plan, get_period, shown_return
from monitoring.models import ProgressReturn
from planning.access import get_plan_for_user
from planning.models import ItemSupporter, Plan, PlanItem
from planning.selectors import references

FORMATS = {"csv", "xlsx"}

PLAN_HEADINGS = [
    "Reference",
    "Level",
    "Kind",
    "Title",
    "Description",
    "Status",
    "Lead officer",
    "Lead organisation",
    "Supporting organisations",
    "Start date",
    "Due date",
    "Cost (£)",
    "Cost type",
    "Funding source",
    "Indicator",
    "Unit",
    "Baseline value",
    "Baseline date",
    "Target value",
    "Target date",
    "Direction",
    "Target type",
    "Amber tolerance",
]

RETURN_HEADINGS = [
    "Reference",
    "Level",
    "Item",
    "Lead",
    "Unit",
    "Target value",
    "Due date",
    "State",
    "RAG",
    "Actual value",
    "Narrative",
    "Soft outcomes",
    "Next steps",
    "Evidence link",
    "Evidence file",
    "Revised due date",
    "Reason for new date",
    "Author",
    "Submitted at",
    "Submitted by",
    "Reviewed at",
    "Reviewed by",
    "Reviewer's reason",
]


def _respond(fmt: str, filename: str, title: str, rows: list[list]) -> HttpResponse:
    if fmt == "csv":
        return csv_response(f"{filename}.csv", rows)
    return xlsx_response(f"{filename}.xlsx", {title: rows})


def _ordered_items(plan: Plan) -> tuple[list[PlanItem], dict[int, str]]:
    items = list(
        PlanItem.objects.filter(plan=plan)
        .select_related("lead_officer", "lead_organisation", "indicator")
        .in_tree_order()
    )
    return items, references(items)


def _display(item: PlanItem, name: str) -> str:
    value = getattr(item, name)
    return getattr(item, f"get_{name}_display")() if value else ""


@login_required
@require_safe
def plan_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The whole plan, one row per item: for anyone who may read the plan."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    plan = get_plan_for_user(request.user, slug)
    items, refs = _ordered_items(plan)
    supporters: dict[int, list[str]] = {}
    for row in ItemSupporter.objects.filter(item__plan=plan).select_related("organisation"):
        supporters.setdefault(row.item_id, []).append(row.organisation.name)
    rows = [PLAN_HEADINGS]
    for item in items:
        rows.append(
            [
                refs[item.pk],
                plan.label_for(item.kind),
                item.get_kind_display(),
                item.title,
                item.description,
                item.get_status_display(),
                item.lead_officer,
                item.lead_organisation,
                "; ".join(sorted(supporters.get(item.pk, []))),
                item.start_date,
                item.due_date,
                item.cost_amount,
                _display(item, "cost_type"),
                item.funding_source,
                item.indicator,
                _display(item, "unit"),
                item.baseline_value,
                item.baseline_date,
                item.target_value,
                item.target_date,
                _display(item, "direction"),
                _display(item, "target_type"),
                item.amber_tolerance,
            ]
        )
    return _respond(fmt, plan.slug, "Plan", rows)


@login_required
@require_safe
def returns_export(request: HttpRequest, slug: str, period: str, fmt: str) -> HttpResponse:
    """Every action and target of an approved plan with its return for the quarter
    (blank where none has been made): for anyone who may read the plan."""
    if fmt not in FORMATS:
        raise Http404("No such format")
    plan = get_monitored_plan(request.user, slug, "view")
    quarter = get_period(period)
    if not quarter.covers_plan(plan):
        raise Http404("The plan does not run in that quarter")
    items, refs = _ordered_items(plan)
    reported = [item for item in items if item.kind in REPORTED_KINDS]
    saved = {
        ret.item_id: ret
        for ret in ProgressReturn.objects.filter(period=quarter, item__plan=plan).select_related(
            "author", "submitted_by", "reviewed_by"
        )
    }
    rows = [RETURN_HEADINGS]
    for item in reported:
        item.plan = plan
        ret = shown_return(request.user, item, saved.get(item.pk))  # drafts stay with their authors and reviewers
        lead = ", ".join(str(lead) for lead in (item.lead_officer, item.lead_organisation) if lead is not None)
        facts = [refs[item.pk], plan.label_for(item.kind), item.title, lead, _display(item, "unit")]
        facts += [item.target_value, item.due_date]
        if ret is None:
            rows.append([*facts, "Not started"])
            continue
        rows.append(
            [
                *facts,
                ret.get_state_display(),
                ret.get_rag_display() if ret.rag else "",
                ret.actual_value,
                ret.narrative,
                ret.soft_outcomes,
                ret.next_steps,
                ret.evidence_url,
                ret.evidence_name,
                ret.revised_due_date,
                ret.revision_reason,
                ret.author,
                ret.submitted_at,
                ret.submitted_by,
                ret.reviewed_at,
                ret.reviewed_by,
                ret.review_note,
            ]
        )
    return _respond(fmt, f"{plan.slug}-returns-{quarter.slug}", f"Returns {quarter.label}", rows)
