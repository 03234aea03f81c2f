"""The long tables of the alignment report, written in Python.

A large plan's report lists hundreds of actions and targets; with template lookups,
filters and ``get_absolute_url`` per cell the rows were half of the page's time. These
functions write the same markup with ``config.html``: constant markup around values it
escapes, so what anyone typed can never become markup; each plan's item address is
reversed once (``IdUrl``). ``templatetags/alignment_rows`` makes them template tags.
"""

from django.utils.translation import gettext as _

from config.bilingual import shown_html
from config.html import ID, IdUrl, SafeHtml, html, join
from planning.alignment import Alignment, Disagreement, ItemRow, shown_value
from planning.duplicates import DuplicateGroup, Duplicates
from planning.formatting import long_date
from planning.models import Plan


def _differs() -> SafeHtml:
    """The tag beside a value that differs from the group's usual one."""
    return html(' <strong class="govuk-tag govuk-tag--orange app-tag">{}</strong>', _("Differs"))


_NOTHING = html("")


class _Links:
    """Each plan's address and item address pattern, made once per table."""

    def __init__(self) -> None:
        self._plans: dict[int, SafeHtml] = {}
        self._items: dict[int, IdUrl] = {}

    def shown_plan(self, plan: Plan) -> SafeHtml:
        """The plan's link with its title in the reader's language (decision 0033)."""
        link = self._plans.get(plan.pk)
        if link is None:
            link = self._plans[plan.pk] = html(
                '<a class="govuk-link" href="{}">{}</a>', plan.get_absolute_url(), shown_html(plan, "title", note=False)
            )
        return link

    def item(self, row: ItemRow) -> str:
        return self.item_url(row.plan, row.item.pk)

    def item_url(self, plan: Plan, pk: int) -> str:
        url = self._items.get(plan.pk)
        if url is None:
            url = self._items[plan.pk] = IdUrl("planning:item-detail", plan.slug, ID)
        return url(pk)


def links_for(report: Alignment | Duplicates) -> _Links:
    """The page's links, made once for all its tables (a plan is in many of them)."""
    if report.links is None:
        report.links = _Links()
    return report.links


def item_rows(rows: list[ItemRow], links: _Links) -> SafeHtml:
    """Reference, item (linked) and plan (linked): the rows of sections 1 and 2."""
    return join(
        [
            html(
                '<tr class="govuk-table__row"><td class="govuk-table__cell">{} {}</td>'
                '<th scope="row" class="govuk-table__header"><a class="govuk-link" href="{}">{}</a></th>'
                '<td class="govuk-table__cell">{}</td></tr>',
                row.label,
                row.reference,
                links.item(row),
                shown_html(row.item, "title"),
                links.shown_plan(row.plan),
            )
            for row in rows
        ],
        "\n",
    )


def target_rows(group: Disagreement, links: _Links) -> SafeHtml:
    """Every target of a group that disagrees, its differing values marked."""
    out = []
    for row in group.rows:
        item = row.item
        out.append(
            html(
                '<tr class="govuk-table__row"><td class="govuk-table__cell">{}</td>'
                '<td class="govuk-table__cell">{} {}</td>'
                '<th scope="row" class="govuk-table__header"><a class="govuk-link" href="{}">{}</a></th>'
                '<td class="govuk-table__cell govuk-table__cell--numeric">{}{}</td>'
                '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}{}</td></tr>',
                links.shown_plan(row.plan),
                row.label,
                row.reference,
                links.item(row),
                shown_html(item, "title"),
                shown_value(item),
                _differs() if row.value_differs else _NOTHING,
                long_date(item.target_date) if item.target_date else _("Not set (by the end of the plan)"),
                item.get_unit_display() or _("Not set"),
                _differs() if row.unit_differs else _NOTHING,
            )
        )
    return join(out, "\n")


def plan_value_rows(group: Disagreement, links: _Links) -> SafeHtml:
    """A folded group: each plan with how many of its targets are in the group and the
    values and units they use, marked where they are not the group's usual ones."""
    out = []
    for found in group.by_plan:
        out.append(
            html(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
                '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td>'
                '<td class="govuk-table__cell govuk-table__cell--numeric">{}</td><td class="govuk-table__cell">{}</td></tr>',
                links.shown_plan(found.plan),
                found.targets,
                _values(found.values),
                _values(found.units),
            )
        )
    return join(out, "\n")


def _values(values: list[tuple[str, bool]]) -> SafeHtml:
    return join([html("{}{}", text, _differs() if differs else _NOTHING) for text, differs in values], "<br>")


def duplicate_rows(group: DuplicateGroup, links: _Links) -> SafeHtml:
    """A group of near-duplicate items: each item's kind and title (linked) and its plan (linked)."""
    out = []
    for item in group.shown:
        out.append(
            html(
                '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{} '
                '<a class="govuk-link" href="{}">{}</a></th><td class="govuk-table__cell">{}</td></tr>',
                item.plan.label_for(item.kind),
                links.item_url(item.plan, item.pk),
                shown_html(item, "title"),
                links.shown_plan(item.plan),
            )
        )
    return join(out, "\n")
