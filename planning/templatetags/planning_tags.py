"""Template helpers for plans. ``markdown`` is the only way user text becomes HTML."""

from django import template
from django.utils.safestring import SafeString

from config.markdown import cached_markdown

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return cached_markdown(text or "")


@register.filter
def pounds(value) -> str:
    """12500.5 -> "£12,500.50"."""
    if value is None or value == "":
        return ""
    return f"£{value:,.2f}"


@register.filter
def number(value) -> str:
    """Decimal values without trailing zeros: 85.00 -> "85", 12.50 -> "12.5"."""
    if value is None:
        return ""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


@register.filter
def plan_ancestors(plan) -> list:
    """The plan's ancestors from the top (for breadcrumbs). Walks ``parent`` while it was
    loaded with the plan (``get_plan_for_user`` loads three levels, deeper than councils'
    plan trees go), so breadcrumbs cost no query; otherwise asks the tree (one query)."""
    parent_field = type(plan)._meta.get_field("parent")
    chain = []
    node = plan
    while node.parent_id:
        if not parent_field.is_cached(node):
            return [*node.get_ancestors(), *reversed(chain)]
        node = node.parent
        chain.append(node)
    return chain[::-1]
