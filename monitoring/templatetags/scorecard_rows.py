"""The long tables of a scorecard, written in Python.

A large plan's scorecard has thousands of rows (every target, every exception); made
with template tags and filters per cell, rendering them was most of the page's time.
These tags write the same markup directly. Every value from the data is escaped here
(``escape``), so what a lead typed can never become markup: the result is marked safe
only after that.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from monitoring.scorecards import RAG_LABELS

register = template.Library()

# plain cells: the table's class styles them (app.css, print.css), which keeps a
# 2,000-row scorecard a third smaller than a class on every cell
NUMERIC = '<td class="app-num">'
CELL = "<td>"
ROW = "<tr>"


def _rating(rag: str) -> str:
    """A rating's words ("Not started"), never its code."""
    return RAG_LABELS.get(rag, rag)


def _tag(rag: str, label: str) -> str:
    if not rag:
        return '<span class="app-muted">No return</span>'
    return f'<strong class="govuk-tag app-rag app-rag--{escape(rag)}">{escape(label)}</strong>'


def _item(row: dict, extra: str) -> str:
    return (
        f'<th scope="row"><a class="govuk-link" href="{escape(row["url"])}">'
        f"{escape(row['reference'])} {escape(row['title'])}</a>{extra}</th>"
    )


def _in_plan(card: dict, row: dict) -> str:
    """In a rolled-up scorecard, the plan an item belongs to (two plans both have a 1.3)."""
    return f'<br><span class="govuk-body-s">{escape(row["plan"])}</span>' if card["include_children"] else ""


@register.simple_tag
def target_rows(card: dict) -> str:
    out = []
    for row in card["targets"]:
        unit = escape(row["unit"]) + (f", {escape(row['direction'].lower())}" if row["direction"] else "")
        unit += f" · {escape(row['plan'])}" if card["include_children"] else ""
        target = escape(row["target"]) + (f" by {escape(row['target_date'])}" if row["target_date"] else "")
        derived = (
            _tag(row["derived"], row.get("derived_label") or row["derived"].capitalize()) if row["derived"] else ""
        )
        differs = ' <span class="govuk-body-s">differs</span>' if row["differs"] else ""
        out.append(
            ROW
            + _item(row, f'<br><span class="govuk-body-s">{unit}</span>')
            + f"{NUMERIC}{escape(row['baseline'])}</td>{NUMERIC}{escape(row['expected'])}</td>"
            + f"{NUMERIC}{escape(row['actual'])}</td>{NUMERIC}{target}</td>"
            + f"{CELL}{derived}</td>{CELL}{_tag(row['rag'], row['rag_label'])}{differs}</td></tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()


@register.simple_tag
def exception_rows(card: dict) -> str:
    out = []
    for row in card["exceptions"]:
        where = escape(row["lead"]) + (f" · {escape(row['plan'])}" if card["include_children"] else "")
        was = f"; was {escape(_rating(row['previous_rag']).lower())}" if row["previous_rag"] else ""
        out.append(
            ROW
            + _item(row, f'<br><span class="govuk-body-s">{where}</span>')
            + f'{CELL}{_tag(row["rag"], row["rag_label"])}<br><span class="govuk-body-s">{escape(row["why"])}{was}</span></td>'
            + f'<td class="app-pre">{escape(row["narrative"])}</td></tr>'
        )
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()


@register.simple_tag
def outstanding_rows(card: dict) -> str:
    out = [
        ROW
        + _item(row, _in_plan(card, row))
        + f"{CELL}{escape(row['lead'])}</td>{CELL}{escape(row['state'])}</td></tr>"
        for row in card["outstanding"]
    ]
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()


@register.simple_tag
def change_rows(card: dict) -> str:
    out = [
        ROW
        + _item(row, _in_plan(card, row))
        + f"{CELL}{escape(row['change'].capitalize())}</td>"
        + f"{CELL}{_tag(row['previous_rag'], _rating(row['previous_rag']))}</td>"
        + f"{CELL}{_tag(row['rag'], row['rag_label'])}</td></tr>"
        for row in card.get("changes", [])
    ]
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()


# a funding source's name under its priority: regular weight and set in (app.css makes every
# row header bold; the GOV.UK override classes do this on screen, print.css on paper)
SOURCE = '<th scope="row" class="app-cost-source govuk-!-font-weight-regular govuk-!-padding-left-4">'


@register.simple_tag
def cost_rows(card: dict) -> str:
    """The costs as a long table, one group of rows (a ``tbody``) per priority: each
    funding source it draws on with its amount, then its total; and last, when there is
    more than one priority, every source's total across them. More sources make the table
    longer, never wider, so it fits the page and the screen whatever their number."""
    costs = card["costs"]
    groups = [
        (
            f"{escape(row['reference'])} {escape(row['title'])}".strip() + _in_plan(card, row),
            list(zip(costs["sources"], row["amounts"], strict=True)),
            row["total"],
        )
        for row in costs["rows"]
    ]
    if len(groups) > 1:
        groups.append(
            (
                escape(card["words"]["all_priorities"]),
                list(zip(costs["sources"], costs["totals"], strict=True)),
                costs["total"],
            )
        )
    out = []
    for name, amounts, total in groups:
        rows = [
            f'<tr class="app-cost-group"><th scope="rowgroup" colspan="2">{name}</th></tr>',
            *(
                f"{ROW}{SOURCE}{escape(source)}</th>{NUMERIC}{escape(amount)}</td></tr>"
                for source, amount in amounts
                if amount
            ),
            f'<tr class="app-cost-total"><th scope="row">Total</th>{NUMERIC}{escape(total)}</td></tr>',
        ]
        out.append('<tbody class="govuk-table__body">' + "".join(rows) + "</tbody>")
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()
