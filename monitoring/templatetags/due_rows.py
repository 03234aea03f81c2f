"""The rows of "My returns" as a template tag: written by ``monitoring.due_html`` (built
with ``config.html``); this only registers it."""

from django import template
from django.utils.safestring import SafeString

from config.html import as_safe_string
from monitoring import due_html
from monitoring.selectors import Due

register = template.Library()


@register.simple_tag
def due_rows(dues: list[Due], bucket: str) -> SafeString:
    """One table row per return owed or made: quarter, item (linked), plan, due date."""
    return as_safe_string(due_html.due_rows(dues, bucket))
