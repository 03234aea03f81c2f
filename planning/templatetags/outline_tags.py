"""Template tags for the plan outline and item facts: the markup is written by
``planning.outline_html`` (built with ``config.html``); these only register it."""

from django import template
from django.middleware.csrf import get_token
from django.utils.safestring import SafeString

from config.html import as_safe_string, join
from planning import outline_html

register = template.Library()


@register.simple_tag(takes_context=True)
def outline(context, rows, plan, can_change=False) -> SafeString:
    """The plan's items in reading order, and the form their move buttons submit."""
    html = outline_html.outline(rows, plan_title=plan.title, plan_slug=plan.slug, can_change=bool(can_change))
    if can_change:
        html = join([html, outline_html.move_form(get_token(context.request))])
    return as_safe_string(html)


@register.simple_tag(takes_context=True)
def outline_move_form(context) -> SafeString:
    """The one form the outline's move buttons submit, with this reader's CSRF token."""
    return as_safe_string(outline_html.move_form(get_token(context.request)))


@register.simple_tag
def item_facts(item, supporters=()) -> SafeString:
    return as_safe_string(outline_html.facts(item, supporters))
