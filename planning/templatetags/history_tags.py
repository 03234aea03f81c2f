"""The history entries' tag: the markup is written by ``planning.history_html``."""

from django import template
from django.utils.safestring import SafeString

from config.html import as_safe_string
from planning import history_html

register = template.Library()


@register.simple_tag
def history_entries(entries, show_titles=False) -> SafeString:
    return as_safe_string(history_html.history_entries(entries, show_titles=bool(show_titles)))
