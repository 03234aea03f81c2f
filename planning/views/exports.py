"""A plan as a spreadsheet (CSV or Excel), one row per item, for whoever may read the plan.

It goes through ``config.spreadsheets``, which escapes text that a spreadsheet would run
as a formula, as the quarter's returns export does (``monitoring.views.exports``). Rows
come in the plan's reading order with their references, as on the plan page. The URL
stays ``monitoring:plan-export`` (registered in ``monitoring/urls.py``): the pages and
links that name it keep working unchanged (docs/decisions/0011-house-in-order.md).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from config import bilingual
from config.spreadsheets import FORMATS, spreadsheet_response
from planning import budgets
from planning.access import get_plan_for_user
from planning.formatting import choice_label, pounds
from planning.models import ItemSupporter, Plan, PlanItem, financial_year
from planning.selectors import items_with_references

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
# an action's evidence (issue 18, decision 0031): read by the plan import when present, so a
# spreadsheet downloaded before these columns existed still imports (and leaves them alone)
EVIDENCE_HEADINGS = ["Success criteria", "Outcome or output"]
# the Welsh of the title and description (decision 0033): exported where the council writes
# its plans in Welsh as well, and read by the plan import when present, like the evidence
WELSH_HEADINGS = ["Title in Welsh", "Description in Welsh"]
# the export's last column (decision 0023): an action's budget profile, read-only — the plan
# import reads PLAN_HEADINGS and leaves it alone; profiles are edited on the action's page
PROFILE_HEADING = "Budget profile"
COST_TYPES = dict(PlanItem.CostType.choices)


@login_required
@require_safe
def plan_export(request: HttpRequest, slug: str, fmt: str) -> HttpResponse:
    """The whole plan, one row per item: for anyone who may read the plan."""
    if fmt not in FORMATS:
        raise Http404(_("No such format"))
    plan = get_plan_for_user(request.user, slug)
    items, refs = items_with_references(plan)
    supporters: dict[int, list[str]] = {}
    for row in ItemSupporter.objects.filter(item__plan=plan).select_related("organisation"):
        supporters.setdefault(row.item_id, []).append(row.organisation.name)
    profiles = budgets.profiles_for([plan])
    welsh = bilingual.welsh_content()
    rows = [[*PLAN_HEADINGS, *EVIDENCE_HEADINGS, *(WELSH_HEADINGS if welsh else []), PROFILE_HEADING]]
    rows.extend(
        [
            *item_cells(plan, item, refs[item.pk], supporters.get(item.pk, [])),
            item.success_criteria,
            choice_label(item, "result_kind"),
            *welsh_cells(item, welsh),
            profile_text(profiles.get(item.pk, [])),
        ]
        for item in items
    )
    return spreadsheet_response(fmt, plan.slug, "Plan", rows)


def profile_text(lines: list[budgets.CostLine]) -> str:
    """ "2013/14 revenue, Dedicated Schools Grant: £40,000; 2014/15 capital: £5,000"."""
    return "; ".join(
        f"{financial_year(line.year)} {COST_TYPES.get(line.cost_type, line.cost_type).lower()}"
        f"{', ' + line.funding_source if line.funding_source else ''}: {pounds(line.amount)}"
        for line in lines
        if line.year is not None
    )


def welsh_cells(item: PlanItem, welsh: bool) -> list[str]:
    """One item's cells under ``WELSH_HEADINGS`` where the council writes Welsh (``welsh``);
    none where it does not. The app's export and the public downloads write the same."""
    return [item.title_cy, item.description_cy] if welsh else []


def item_cells(plan: Plan, item: PlanItem, reference: str, supporters: list[str]) -> list:
    """One item's row under ``PLAN_HEADINGS``: the app's export and the public downloads
    (public/downloads.py, which leaves out the lead officer) write the same cells."""
    return [
        reference,
        plan.label_for(item.kind),
        item.get_kind_display(),
        item.title,
        item.description,
        item.get_status_display(),
        item.lead_officer,
        item.lead_organisation,
        "; ".join(sorted(str(name) for name in supporters)),
        item.start_date,
        item.due_date,
        item.cost_amount,
        choice_label(item, "cost_type"),
        item.funding_source,
        item.indicator,
        choice_label(item, "unit"),
        item.baseline_value,
        item.baseline_date,
        item.target_value,
        item.target_date,
        choice_label(item, "direction"),
        choice_label(item, "target_type"),
        item.amber_tolerance,
    ]
