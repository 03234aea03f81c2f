"""The rows of "My returns", written in Python.

A lead organisation's people can owe hundreds of returns a quarter; with template
lookups and filters per cell the page took half a second at council scale
(docs/performance.md). These functions write the rows with ``config.html``: constant
markup around values it escapes, so what anyone typed can never become markup.
``templatetags/due_rows`` makes them a template tag.
"""

from django.utils.translation import gettext as _

from config.bilingual import shown_html
from config.html import ID, IdUrl, Pattern, SafeHtml, html, join
from monitoring.models import ProgressReturn
from monitoring.selectors import Due
from planning.formatting import short_date

_NOT_LATE_BUCKETS = {"done", "awaiting"}
_NOTHING = html("")


def due_rows(dues: list[Due], bucket: str) -> SafeHtml:
    """One table row per return owed or made: quarter, item (linked), plan, due date.

    Rows of one plan and quarter differ only in their item, title and note, so each such
    row is a ``Pattern`` made once: its address reversed once (``IdUrl``), the quarter, the
    plan's title and the due date escaped and formatted once, not once per row."""
    patterns: dict[tuple[int, int, bool], Pattern] = {}
    out = []
    late_tag = html(' <strong class="govuk-tag govuk-tag--red">{}</strong>', _("Late"))
    returned_words = _("Returned:")
    for due in dues:
        item, period = due.item, due.period
        late = due.is_late and bucket not in _NOT_LATE_BUCKETS
        key = (item.plan_id, period.pk, late)
        pattern = patterns.get(key)
        if pattern is None:
            pattern = patterns[key] = Pattern(
                '<tr class="govuk-table__row"><td class="govuk-table__cell">{quarter}</td>'
                '<td class="govuk-table__cell"><a class="govuk-link" href="{url}">{title}</a>{returned}</td>'
                '<td class="govuk-table__cell">{plan}</td>'
                '<td class="govuk-table__cell"><time datetime="{datetime}">{due}</time>{late}</td></tr>',
                quarter=period.label,
                url=IdUrl("monitoring:return-detail", item.plan.slug, ID, period.slug),
                plan=shown_html(item.plan, "title", note=False),
                datetime=period.due_on.isoformat(),
                due=short_date(period.due_on),
                late=late_tag if late else _NOTHING,
            )
        ret = due.progress_return
        out.append(
            pattern(
                pk=int(item.pk),
                title=shown_html(item, "title"),
                returned=html('<br><span class="govuk-body-s">{} {}</span>', returned_words, ret.review_note)
                if ret is not None and ret.state == ProgressReturn.State.RETURNED
                else _NOTHING,
            )
        )
    return join(out, "\n")
