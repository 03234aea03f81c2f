"""The plan page's outline, kept in the cache until anything it shows changes.

A plan is read far more often than it is changed, and a 2,000-item outline costs some
150 ms to build however it is formatted (the rows themselves, docs/performance.md). So
the rendered outline is cached under a key that changes whenever anything it can show
changes. Every such change writes a history row (the project's rule: no write without
its history), so the key holds, for each table the outline draws on, the newest history
row's id and time: one query of indexed one-row lookups. Ids alone could repeat after a
rollback (SQLite reuses them); with the time they cannot.

What the outline draws on: the plan (labels, title, address), its items, the links to
and from them (and so other plans' titles and items), supporters, indicators, and the
names of people and organisations. A change anywhere in those tables makes a new key,
which is coarser than needed but cannot miss a change; old entries age out of the cache.

The move buttons need the reader's CSRF token, which must not be cached: the cached HTML
holds a marker that is replaced on each request.
"""

import hashlib
from collections.abc import Callable, Iterable

from django.core.cache import cache
from django.db.models import Subquery
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from partners.models import Organisation, User
from planning import outline_html
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem

TIMEOUT = 60 * 60  # seconds; a changed plan gets a new key at once, this only frees memory
_CSRF_MARKER = "<!--csrf-field-->"  # user text is escaped, so it can never contain this
_SOURCES = (Plan, PlanItem, Link, ItemSupporter, Indicator, User, Organisation)


def _stamp(plan: Plan) -> str:
    """Newest history row (id and time) of every table the outline draws on, in one query."""
    columns = {}
    for model in _SOURCES:
        history = model.history.model.objects.order_by("-history_id")
        name = model._meta.model_name
        columns[f"stamp_{name}_id"] = Subquery(history.values("history_id")[:1])
        columns[f"stamp_{name}_at"] = Subquery(history.values("history_date")[:1])
    stamps = Plan.objects.filter(pk=plan.pk).annotate(**columns).values(*columns).first() or {}
    text = ";".join(f"{stamps.get(key)}" for key in columns)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


def plan_outline_html(
    request: HttpRequest, plan: Plan, *, variant: str, can_change: bool, rows: Callable[[], Iterable]
) -> SafeString:
    """The outline of ``plan`` for this reader; ``rows`` builds its rows on a cache miss.

    ``variant`` names what else decides the rows shown (the levels chosen)."""
    key = f"plan-outline:{plan.pk}:{variant}:{int(can_change)}:{_stamp(plan)}"
    html = cache.get(key)
    if html is None:
        html = outline_html.outline(rows(), plan_title=plan.title, can_change=can_change, csrf_input=_CSRF_MARKER)
        cache.set(key, str(html), TIMEOUT)
    if can_change:
        field = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(request))
        html = html.replace(_CSRF_MARKER, field)
    return mark_safe(html)  # nosec B308, B703
    # the cached text came from outline_html.outline (every value escaped); the field is format_html's
