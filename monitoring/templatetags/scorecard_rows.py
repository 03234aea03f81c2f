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


@register.simple_tag
def target_rows(card: dict) -> str:
    out = []
    for row in card["targets"]:
        unit = escape(row["unit"]) + (f", {escape(row['direction'].lower())}" if row["direction"] else "")
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
        ROW + _item(row, "") + f"{CELL}{escape(row['lead'])}</td>{CELL}{escape(row['state'])}</td></tr>"
        for row in card["outstanding"]
    ]
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()


@register.simple_tag
def change_rows(card: dict) -> str:
    out = [
        ROW
        + _item(row, "")
        + f"{CELL}{escape(row['change'].capitalize())}</td>"
        + f"{CELL}{_tag(row['previous_rag'], _rating(row['previous_rag']))}</td>"
        + f"{CELL}{_tag(row['rag'], row['rag_label'])}</td></tr>"
        for row in card.get("changes", [])
    ]
    return mark_safe("\n".join(out))  # noqa: S308  # nosec B308, B703  # every value above went through escape()
