"""Template tags for the plan outline and item facts, formatted in Python (planning.outline_html)."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from planning import outline_html

register = template.Library()


@register.simple_tag(takes_context=True)
def outline(context, rows, plan, can_change=False) -> SafeString:
    """The plan's items in reading order; the CSRF field for the move buttons is made once."""
    csrf_input = ""
    if can_change and "request" in context:
        csrf_input = format_html(
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(context.request)
        )
    return outline_html.outline(rows, plan_title=plan.title, can_change=bool(can_change), csrf_input=csrf_input)


@register.simple_tag
def item_facts(item, supporters=()) -> SafeString:
    return mark_safe(outline_html.facts(item, supporters))  # nosec B308, B703
    # outline_html.facts escapes every value it shows
