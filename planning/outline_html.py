"""The plan outline and an item's facts as HTML, formatted in Python.

A plan of 2,000 items has some 60 values per item to show; through template tags and
filters each value costs a context lookup, a filter call and an escape, which made the
plan page grow to 50 times a plain 500-row page (docs/performance.md). Here each value is
formatted once by plain functions and every piece of user text goes through
``html.escape`` with quotes (what Django's ``escape`` calls; descriptions through the sanitising Markdown renderer), so
the page is safe by construction: constant markup plus escaped values. The outline,
the item page, the past views and the PDF all use these functions, so they agree.
"""

from collections.abc import Iterable
from datetime import date
from html import escape  # Django's escape is this plus a SafeString wrapper, at twice the cost

from django.utils.safestring import SafeString, mark_safe

from config.markdown import cached_markdown
from planning.formatting import measure, number, pounds
from planning.models import PlanItem
from planning.wording import in_sentence

_STATUS = dict(PlanItem.Status.choices)
_COST_TYPE = {value: label.lower() for value, label in PlanItem.CostType.choices}
_DIRECTION = dict(PlanItem.Direction.choices)
_TARGET_TYPE = {value: label.lower() for value, label in PlanItem.TargetType.choices}


def day(value: date) -> str:
    """As the ``date:"j M Y"`` filter: 1 Apr 2013."""
    return f"{value:%-d %b %Y}"


def month(value: date) -> str:
    """As the ``date:"M Y"`` filter: Apr 2013."""
    return f"{value:%b %Y}"


def _fact(term: str, definition: str) -> str:
    return f"<div><dt>{term}</dt><dd>{definition}</dd></div>"


def facts(item: PlanItem, supporters: Iterable) -> str:
    """The item's facts list (lead, dates, status, cost, target): escaped HTML."""
    parts = ['<dl class="app-facts">']
    if item.lead_officer_id and item.lead_officer:
        parts.append(_fact("Lead officer", escape(str(item.lead_officer))))
    if item.lead_organisation_id and item.lead_organisation:
        parts.append(_fact("Lead organisation", escape(item.lead_organisation.name)))
    names = ", ".join(escape(str(organisation)) for organisation in supporters)
    if names:
        parts.append(_fact("Supported by", names))
    if item.start_date:
        parts.append(_fact("Start", day(item.start_date)))
    if item.due_date:
        parts.append(_fact("Due", day(item.due_date)))
    if item.kind != PlanItem.Kind.VISION:
        parts.append(_fact("Status", escape(_STATUS.get(item.status, item.status))))
    if item.cost_amount is not None:
        cost = f"{pounds(item.cost_amount)} {_COST_TYPE.get(item.cost_type, escape(item.cost_type))}".rstrip()
        if item.funding_source:
            cost += f" ({escape(item.funding_source)})"
        parts.append(_fact("Cost", cost))
    if item.kind == PlanItem.Kind.TARGET:
        parts.append(_target_facts(item))
    parts.append("</dl>")
    return "".join(parts)


def _target_facts(item: PlanItem) -> str:
    parts = []
    if item.indicator_id and item.indicator:
        parts.append(_fact("Indicator", escape(item.indicator.name)))
    if item.baseline_value is not None:
        baseline = measure(item.baseline_value, item.unit)
        if item.baseline_date:
            baseline += f" ({month(item.baseline_date)})"
        parts.append(_fact("Baseline", baseline))
    target = measure(item.target_value, item.unit) or "Not set"
    if item.target_date:
        target += f" by {day(item.target_date)}"
    parts.append(_fact("Target", target))
    how = escape(_DIRECTION.get(item.direction, item.direction))
    if item.target_type:
        how += f"; {escape(_TARGET_TYPE.get(item.target_type, item.target_type))}"
    if item.amber_tolerance is not None:
        how += f"; amber within {number(item.amber_tolerance)}"
    parts.append(_fact("Measure", how))
    return "".join(parts)


def _link_list(row) -> str:
    if not (row.links_out or row.links_in):
        return ""
    entries = "".join(
        f'<li><span class="app-muted">{escape(end.relation[:1].upper() + end.relation[1:])}</span> '
        + (
            f"{escape(end.title)}</li>"  # in a plan the reader may not read: no address, no plan
            if end.hidden
            else f'<a class="govuk-link" href="{escape(end.url)}">{escape(end.title)}</a> '
            f'<span class="app-muted">({escape(end.plan_title)})</span></li>'
        )
        for end in (*row.links_out, *row.links_in)
    )
    return f'<ul class="govuk-list app-links">{entries}</ul>'


MOVE_FORM_ID = "move-form"  # the page's one form for the move buttons (outline_move_form)


def move_form(csrf_input: str) -> str:
    """The one form every "Move up/down" button of the outline submits (``form=`` and
    ``formaction`` on the button): the CSRF token is on the page once, not in every row,
    so the rows hold nothing that belongs to one reader."""
    return f'<form id="{MOVE_FORM_ID}" method="post" class="app-inline-form">{csrf_input}</form>'


def _change_links(row) -> str:
    item = row.item
    title = escape(item.title)
    url = escape(row.url)
    label = escape(in_sentence(row.label))
    parts = [
        f'<ul class="govuk-list app-actions" aria-label="Change {label} {escape(row.reference)}">',
        f'<li><a class="govuk-link" href="{url}edit/">Edit<span class="govuk-visually-hidden"> {title}</span></a></li>',
    ]
    for add_url, kind_label in row.add_links:
        parts.append(
            f'<li><a class="govuk-link" href="{escape(add_url)}">Add {escape(in_sentence(kind_label))}'
            f'<span class="govuk-visually-hidden"> under {title}</span></a></li>'
        )
    if item.parent_id:
        for shown, direction, text in ((not row.is_first, "up", "Move up"), (not row.is_last, "down", "Move down")):
            if shown:
                parts.append(
                    f'<li><button class="app-link-button" form="{MOVE_FORM_ID}" formaction="{url}move/" '
                    f'name="direction" value="{direction}">{text}'
                    f'<span class="govuk-visually-hidden"> {title}</span></button></li>'
                )
        parts.append(
            f'<li><a class="govuk-link" href="{url}move/">Move to…<span class="govuk-visually-hidden"> {title}</span></a></li>'
            f'<li><a class="govuk-link app-link-warning" href="{url}delete/">Delete'
            f'<span class="govuk-visually-hidden"> {title}</span></a></li>'
        )
    parts.append(
        f'<li><a class="govuk-link" href="{url}history/">History<span class="govuk-visually-hidden"> of {title}</span></a></li>'
        "</ul>"
    )
    return "".join(parts)


def outline(rows: Iterable, *, plan_title: str, can_change: bool) -> SafeString:
    """The whole outline list; with ``can_change``, each item's change links and move
    buttons (which need ``move_form`` on the page)."""
    parts = [f'<ol class="app-tree" aria-label="{escape(plan_title)}: items in reading order">']
    for row in rows:
        item = row.item
        parts.append(
            f'<li class="app-item app-item--{escape(item.kind)} app-depth-{int(row.depth)}" id="item-{int(item.pk)}">'
            f'<h3 class="govuk-heading-s app-item__heading"><span class="app-item__kind">{escape(row.label)}</span> '
        )
        if row.reference:
            parts.append(f'<span class="app-item__ref">{escape(row.reference)}</span> ')
        parts.append(
            f'<a class="govuk-link govuk-link--no-visited-state" href="{escape(row.url)}">{escape(item.title)}</a></h3>'
        )
        if item.description:
            parts.append(f'<div class="app-markdown app-item__description">{cached_markdown(item.description)}</div>')
        parts.append(facts(item, row.supporters))
        parts.append(_link_list(row))
        if can_change:
            parts.append(_change_links(row))
        parts.append("</li>")
    parts.append("</ol>")
    # Constant markup around values that were each escaped above (or sanitised Markdown).
    return mark_safe("".join(parts))  # nosec B308, B703
