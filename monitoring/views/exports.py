"""A quarter's returns as a spreadsheet (CSV or Excel), for whoever may read the plan.

It goes through ``config.spreadsheets``, which escapes text that a spreadsheet would run
as a formula, as the plan export does (``planning.views.exports``). Rows come in the
plan's reading order with their references, as on the plan page.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from config.spreadsheets import FORMATS, spreadsheet_response
from monitoring import milestones
from monitoring.access import get_monitored_plan, get_period, shown_return
from monitoring.models import ProgressReturn
from planning.formatting import choice_label
from planning.selectors import items_with_references

RETURN_HEADINGS = [
    gettext_lazy("Reference"),
    gettext_lazy("Level"),
    gettext_lazy("Item"),
    gettext_lazy("Lead"),
    gettext_lazy("Unit"),
    gettext_lazy("Target value"),
    gettext_lazy("Due date"),
    gettext_lazy("State"),
    gettext_lazy("RAG"),
    gettext_lazy("Milestone status"),
    gettext_lazy("Done on"),
    gettext_lazy("Actual value"),
    gettext_lazy("Spend to date (£)"),
    gettext_lazy("Narrative"),
    gettext_lazy("Soft outcomes"),
    gettext_lazy("Next steps"),
    gettext_lazy("Evidence link"),
    gettext_lazy("Evidence file"),
    gettext_lazy("Revised due date"),
    gettext_lazy("Reason for new date"),
    gettext_lazy("Author"),
    gettext_lazy("Submitted at"),
    gettext_lazy("Submitted by"),
    gettext_lazy("Reviewed at"),
    gettext_lazy("Reviewed by"),
    gettext_lazy("Reviewer's reason"),
]


@login_required
@require_safe
def returns_export(request: HttpRequest, slug: str, period: str, fmt: str) -> HttpResponse:
    """Every action and target of an approved plan, and every milestone due in or before
    the quarter and not done before it, with its return for the quarter (blank where none
    has been made): for anyone who may read the plan."""
    if fmt not in FORMATS:
        raise Http404(_("No such format"))
    plan = get_monitored_plan(request.user, slug, "view")
    quarter = get_period(period)
    if not quarter.covers_plan(plan):
        raise Http404(_("The plan does not run in that quarter"))
    items, refs = items_with_references(plan)
    saved = {
        ret.item_id: ret
        for ret in ProgressReturn.objects.filter(period=quarter, item__plan=plan).select_related(
            "author", "submitted_by", "reviewed_by"
        )
    }
    reported = milestones.reported_of(items, quarter, returned=saved, plan=plan)
    rows = [[str(heading) for heading in RETURN_HEADINGS]]
    for item in reported:
        item.plan = plan
        ret = shown_return(request.user, item, saved.get(item.pk))  # drafts stay with their authors and reviewers
        lead = ", ".join(str(lead) for lead in (item.lead_officer, item.lead_organisation) if lead is not None)
        facts = [refs[item.pk], plan.label_for(item.kind), item.title, lead, choice_label(item, "unit")]
        facts += [item.target_value, item.due_date]
        if ret is None:
            rows.append([*facts, str(ProgressReturn.Rag.NOT_STARTED.label)])
            continue
        rows.append(
            [
                *facts,
                ret.get_state_display(),
                ret.get_rag_display() if ret.rag else "",
                ret.get_milestone_state_display() if ret.milestone_state else "",
                ret.completed_on,
                ret.actual_value,
                ret.spend_to_date,
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
    return spreadsheet_response(
        fmt, f"{plan.slug}-returns-{quarter.slug}", _("Returns %(period)s") % {"period": quarter.label}, rows
    )
