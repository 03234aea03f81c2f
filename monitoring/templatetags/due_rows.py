"""The rows of "My returns", written in Python.

A lead organisation's people can owe hundreds of returns a quarter; with template
lookups and filters per cell the page took half a second at council scale
(docs/performance.md). Every value from the data is escaped here, so what anyone typed
can never become markup: the result is marked safe only after that.
"""

from html import escape  # what Django's escape calls, without its SafeString wrapper

from django import template
from django.utils.safestring import SafeString, mark_safe

from monitoring.models import ProgressReturn
from monitoring.selectors import Due
from planning.outline_html import day

register = template.Library()

_NOT_LATE_BUCKETS = {"done", "awaiting"}


@register.simple_tag
def due_rows(dues: list[Due], bucket: str) -> SafeString:
    """One table row per return owed or made: quarter, item (linked), plan, due date."""
    plan_urls: dict[int, str] = {}  # each plan's address once, not once per row
    out = []
    for due in dues:
        item, period = due.item, due.period
        if item.plan_id not in plan_urls:
            plan_urls[item.plan_id] = item.plan.get_absolute_url()
        url = f"{plan_urls[item.plan_id]}items/{item.pk}/returns/{period.slug}/"  # monitoring:return-detail
        returned = ""
        ret = due.progress_return
        if ret is not None and ret.state == ProgressReturn.State.RETURNED:
            returned = f'<br><span class="govuk-body-s">Returned: {escape(ret.review_note)}</span>'
        late = (
            ' <strong class="govuk-tag govuk-tag--red">Late</strong>'
            if due.is_late and bucket not in _NOT_LATE_BUCKETS
            else ""
        )
        out.append(
            f'<tr class="govuk-table__row"><td class="govuk-table__cell">{escape(period.label)}</td>'
            f'<td class="govuk-table__cell"><a class="govuk-link" href="{escape(url)}">{escape(item.title)}</a>{returned}</td>'
            f'<td class="govuk-table__cell">{escape(item.plan.title)}</td>'
            f'<td class="govuk-table__cell"><time datetime="{period.due_on.isoformat()}">{day(period.due_on)}</time>{late}</td></tr>'
        )
    return mark_safe("\n".join(out))  # nosec B308, B703
    # every value above went through escape(); dates are formatted from date objects
