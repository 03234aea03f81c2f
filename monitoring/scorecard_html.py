"""The long tables of a scorecard, written in Python.

A large plan's scorecard has thousands of rows (every target, every exception); made
with template tags and filters per cell, rendering them was most of the page's time.
These functions write the same markup directly, with ``config.html``: constant markup
around values it escapes, so what a lead typed can never become markup. The rows come
from ``monitoring.scorecards.build`` (or a locked quarter's stored copy of it), addresses
included; ``templatetags/scorecard_rows`` makes them template tags.
"""

from functools import cache

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.html import IdUrl, SafeHtml, html, join
from monitoring.scorecards import RAG_LABELS

# plain cells: the table's class styles them (app.css, print.css), which keeps a
# 2,000-row scorecard a third smaller than a class on every cell
_NOTHING = html("")
# how a rating moved since the last quarter (scorecards._change's codes)
CHANGES = {
    "improved": gettext_lazy("Improved"),
    "worsened": gettext_lazy("Worsened"),
    "same": gettext_lazy("Same"),
    "new": gettext_lazy("New"),
}


@cache
def _constant(name: str, language: str | None) -> SafeHtml:
    """The fixed pieces of markup with words in them, made once per language."""
    if name == "no return":
        return html('<span class="app-muted">{}</span>', _("No return"))
    if name == "differs":
        return html(' <span class="govuk-body-s">{}</span>', _("differs"))
    return html('<strong class="govuk-tag govuk-tag--orange app-variance-flag">{}</strong>', _("Past threshold"))


def _words(name: str) -> SafeHtml:
    return _constant(name, translation.get_language())


class AskUrl(IdUrl):
    """The address of the form to ask about a row (decision 0022), passed to the row tags
    through a template's context: Django calls what is callable there unless told not to."""

    __slots__ = ()
    do_not_call_in_templates = True


def _rating(rag: str) -> str:
    """A rating's words ("Not started"), never its code."""
    return str(RAG_LABELS.get(rag, rag))


def _tag(rag: str, label: str) -> SafeHtml:
    if not rag:
        return _words("no return")
    return html('<strong class="govuk-tag app-rag app-rag--{}">{}</strong>', rag, label)


def _item(row: dict, extra: SafeHtml, ask: IdUrl | None = None) -> SafeHtml:
    """The row's heading cell: the item, linked to its return, with ``extra`` under it, and
    for a member (``ask``: the address of the form, decision 0022) a link to ask about it."""
    if ask is not None:
        extra = html(
            '{}<br><a class="govuk-link govuk-body-s" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>',
            extra,
            ask(row["id"]),
            _("Ask a question"),
            _("about %(reference)s %(title)s") % {"reference": row["reference"], "title": row["title"]},
        )
    if not row["url"]:  # no page to link to (the public scorecard of a locked quarter)
        return html('<th scope="row">{} {}{}</th>', row["reference"], row["title"], extra)
    return html(
        '<th scope="row"><a class="govuk-link" href="{}">{} {}</a>{}</th>',
        row["url"],
        row["reference"],
        row["title"],
        extra,
    )


def _under(text: str) -> SafeHtml:
    """A line of small print under the item (its unit, lead, plan)."""
    return html('<br><span class="govuk-body-s">{}</span>', text)


def _in_plan(card: dict, row: dict) -> SafeHtml:
    """In a rolled-up scorecard, the plan an item belongs to (two plans both have a 1.3)."""
    return _under(row["plan"]) if card["include_children"] else _NOTHING


def target_rows(card: dict, rows: list[dict] | None = None, ask: IdUrl | None = None) -> SafeHtml:
    """The targets' rows: ``rows`` (one priority's, on a folded page) or all of them."""
    out = []
    for row in card["targets"] if rows is None else rows:
        unit = row["unit"] + (f", {row['direction'].lower()}" if row["direction"] else "")
        unit += f" · {row['plan']}" if card["include_children"] else ""
        target = (
            _("%(target)s by %(date)s") % {"target": row["target"], "date": row["target_date"]}
            if row["target_date"]
            else row["target"]
        )
        derived = (
            _tag(row["derived"], row.get("derived_label") or row["derived"].capitalize())
            if row["derived"]
            else _NOTHING
        )
        out.append(
            html(
                '<tr>{}<td class="app-num">{}</td><td class="app-num">{}</td><td class="app-num">{}</td>'
                '<td class="app-num">{}</td><td>{}</td><td>{}{}</td></tr>',
                _item(row, _under(unit), ask),
                row["baseline"],
                row["expected"],
                row["actual"],
                target,
                derived,
                _tag(row["rag"], row["rag_label"]),
                _words("differs") if row["differs"] else _NOTHING,
            )
        )
    return join(out, "\n")


def exception_rows(card: dict, ask: IdUrl | None = None) -> SafeHtml:
    out = []
    for row in card["exceptions"]:
        where = row["lead"] + (f" · {row['plan']}" if card["include_children"] else "")
        why = (
            _("%(why)s; was %(rating)s") % {"why": row["why"], "rating": _rating(row["previous_rag"]).lower()}
            if row["previous_rag"]
            else row["why"]
        )
        out.append(
            html(
                '<tr>{}<td>{}<br><span class="govuk-body-s">{}</span></td><td class="app-pre">{}</td></tr>',
                _item(row, _under(where), ask),
                _tag(row["rag"], row["rag_label"]),
                why,
                row["narrative"],
            )
        )
    return join(out, "\n")


def outstanding_rows(card: dict, rows: list[dict] | None = None, ask: IdUrl | None = None) -> SafeHtml:
    """The returns not received: ``rows`` (one priority's, on a folded page) or all of them."""
    return join(
        [
            html("<tr>{}<td>{}</td><td>{}</td></tr>", _item(row, _in_plan(card, row), ask), row["lead"], row["state"])
            for row in (card["outstanding"] if rows is None else rows)
        ],
        "\n",
    )


def change_rows(card: dict, ask: IdUrl | None = None) -> SafeHtml:
    return join(
        [
            html(
                "<tr>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
                _item(row, _in_plan(card, row), ask),
                str(CHANGES.get(row["change"], row["change"].capitalize())),
                _tag(row["previous_rag"], _rating(row["previous_rag"])),
                _tag(row["rag"], row["rag_label"]),
            )
            for row in card.get("changes", [])
        ],
        "\n",
    )


def spend_rows(card: dict) -> SafeHtml:
    """Each action's budget for the year, profile and spend to date and the variance, its
    rating beside them and a flag where the variance is past the threshold."""
    return join(
        [
            html(
                '<tr>{}<td>{}</td><td class="app-num">{}</td><td class="app-num">{}</td><td class="app-num">{}</td>'
                '<td class="app-num">{}{}</td><td>{}</td></tr>',
                _item(row, _in_plan(card, row)),
                _tag(row["rag"], row["rag_label"]),
                row["budget"],
                row["to_date"],
                row["spend"],
                row["variance"],
                html('<br><span class="govuk-body-s">{}</span>', row["percent"]) if row["percent"] else _NOTHING,
                _words("past threshold") if row["flagged"] else _NOTHING,
            )
            for row in card["spend"]["rows"]
        ],
        "\n",
    )


def cost_rows(card: dict) -> SafeHtml:
    """The costs as a long table, one group of rows (a ``tbody``) per priority: each
    funding source it draws on with its amount, then its total; and last, when there is
    more than one priority, every source's total across them. More sources make the table
    longer, never wider, so it fits the page and the screen whatever their number."""
    costs = card["costs"]
    groups = [
        (
            html("{}{}", f"{row['reference']} {row['title']}".strip(), _in_plan(card, row)),
            list(zip(costs["sources"], row["amounts"], strict=True)),
            row["total"],
        )
        for row in costs["rows"]
    ]
    if len(groups) > 1:
        groups.append(
            (
                html("{}", card["words"]["all_priorities"]),
                list(zip(costs["sources"], costs["totals"], strict=True)),
                costs["total"],
            )
        )
    out = []
    total_words = _("Total")
    for name, amounts, total in groups:
        # a funding source's name under its priority: regular weight and set in (app.css makes every
        # row header bold; the GOV.UK override classes do this on screen, print.css on paper)
        sources = [
            html(
                '<tr><th scope="row" class="app-cost-source govuk-!-font-weight-regular govuk-!-padding-left-4">{}</th>'
                '<td class="app-num">{}</td></tr>',
                source,
                amount,
            )
            for source, amount in amounts
            if amount
        ]
        out.append(
            html(
                '<tbody class="govuk-table__body"><tr class="app-cost-group"><th scope="rowgroup" colspan="2">{}</th></tr>'
                '{}<tr class="app-cost-total"><th scope="row">{}</th><td class="app-num">{}</td></tr></tbody>',
                name,
                join(sources),
                total_words,
                total,
            )
        )
    return join(out, "\n")


def milestone_rows(card: dict) -> SafeHtml:
    """The milestones due in the quarter: what their leads said (done, on track, late with
    the new date and its reason), or that no return has come."""
    out = []
    for row in card["milestones"]["rows"]:
        if row["status"] == "done":
            said = html("{}", _("Done on %(date)s") % {"date": row["done_on"]})
        elif row["status"] == "late":
            said = html("{}", _("New date %(date)s: %(reason)s") % {"date": row["revised"], "reason": row["reason"]})
        else:
            said = _NOTHING
        out.append(
            html(
                "<tr>{}<td>{}</td><td>{}</td><td>{}</td></tr>",
                _item(row, _in_plan(card, row)),
                row["due_date"],
                _tag(row["rag"], row["status_label"]),
                said,
            )
        )
    return join(out, "\n")
