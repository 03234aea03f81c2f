"""History entries (an item's history, a plan's recent changes) as HTML, written in Python.

A plan's recent changes are 200 entries, most of them an item's creation with every field
it was given: some 3,000 field rows, which through the template's tags and filters took
twice as long as the rest of the page (decision 0012). Here each entry is put into constant
markup by ``config.html``, which escapes every value; the markup is what
``planning/includes/history_entries.html`` wrote.
"""

from collections.abc import Iterable

from django.utils import timezone
from django.utils.dates import MONTHS_3
from django.utils.translation import gettext as _

from config.html import SafeHtml, html, join, sentence
from planning.selectors import FieldChange, HistoryEntry


def _table_start() -> SafeHtml:
    """The field table's head, in the reader's language (once per page)."""
    return html(
        '<table class="govuk-table app-diff-table">'
        '<caption class="govuk-visually-hidden">{}</caption>'
        '<thead class="govuk-table__head"><tr class="govuk-table__row">'
        '<th scope="col" class="govuk-table__header">{}</th><th scope="col" class="govuk-table__header">{}</th>'
        '<th scope="col" class="govuk-table__header">{}</th>'
        '</tr></thead><tbody class="govuk-table__body">',
        _("Fields changed"),
        _("Field"),
        _("Before"),
        _("After"),
    )


_TABLE_END = html("</tbody></table>")
_NOTHING = html("")


def _change(change: FieldChange) -> SafeHtml:
    """One field's row (before and after)."""
    return html(
        '<tr class="govuk-table__row"><th scope="row" class="govuk-table__header">{}</th>'
        '<td class="govuk-table__cell">{}</td><td class="govuk-table__cell">{}</td></tr>',
        change.label,
        html('<del class="app-diff-old">{}</del>', change.old) if change.old else _NOTHING,
        html('<ins class="app-diff-new">{}</ins>', change.new) if change.new else _NOTHING,
    )


class _Changes:
    """The field rows of one page: items are created with the same statuses, leads and
    units, so each distinct row is written once and reused (2,300 rows, a few hundred
    distinct, on a 2,000-item plan's recent changes)."""

    def __init__(self) -> None:
        self.written: dict[tuple[str, str, str], SafeHtml] = {}
        self.table_start = _table_start()

    def __call__(self, change: FieldChange) -> SafeHtml:
        key = (change.label, change.old, change.new)
        row = self.written.get(key)
        if row is None:
            row = self.written[key] = _change(change)
        return row


def _entry(entry: HistoryEntry, show_titles: bool, changes: _Changes) -> SafeHtml:
    when = timezone.localtime(entry.when) if timezone.is_aware(entry.when) else entry.when
    return html(
        '<div class="app-history-entry"><h2 class="govuk-heading-s app-history-entry__heading">{}{} '
        '<span class="govuk-body-s app-muted">{}</span></h2>{}{}</div>',
        str(entry.action),
        html(" {} “{}”", str(entry.object_kind).lower(), entry.title) if show_titles else _NOTHING,
        html(
            sentence(_("by %(person)s, %(when)s"), "person", "when"),
            person=entry.who,
            when=html(
                '<time datetime="{}">{}</time>',
                when.isoformat(),  # the date filter's "c"
                f"{when.day} {str(MONTHS_3[when.month]).title()} {when:%Y, %H:%M:%S}",  # its "j M Y, H:i:s"
            ),
        ),
        html('<p class="govuk-body-s">{}</p>', html(sentence(_("Reason: %(reason)s"), "reason"), reason=entry.reason))
        if entry.reason
        else _NOTHING,
        join([changes.table_start, *map(changes, entry.changes), _TABLE_END]) if entry.changes else _NOTHING,
    )


def history_entries(entries: Iterable[HistoryEntry], *, show_titles: bool) -> SafeHtml:
    """Each entry's heading (what, by whom, when), its reason and its fields changed."""
    changes = _Changes()
    written = [_entry(entry, show_titles, changes) for entry in entries]
    return join(written) if written else html('<p class="govuk-body">{}</p>', _("No changes recorded yet."))
