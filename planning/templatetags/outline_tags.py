"""Template tags for the plan outline and item facts, formatted in Python (planning.outline_html)."""

from django import template
from django.middleware.csrf import get_token
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from planning import outline_html

register = template.Library()


@register.simple_tag(takes_context=True)
def outline(context, rows, plan, can_change=False) -> SafeString:
    """The plan's items in reading order, and the form their move buttons submit."""
    html = outline_html.outline(rows, plan_title=plan.title, can_change=bool(can_change))
    if can_change:
        return html + outline_move_form(context)
    return html


@register.simple_tag(takes_context=True)
def outline_move_form(context) -> SafeString:
    """The one form the outline's move buttons submit, with this reader's CSRF token."""
    token = format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', get_token(context.request))
    return mark_safe(outline_html.move_form(token))  # nosec B308, B703
    # format_html escaped the token; the rest is constant markup


@register.simple_tag
def item_facts(item, supporters=()) -> SafeString:
    return mark_safe(outline_html.facts(item, supporters))  # nosec B308, B703
    # outline_html.facts escapes every value it shows
