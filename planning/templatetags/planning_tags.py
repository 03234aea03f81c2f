"""Template helpers for plans. ``markdown`` is the only way user text becomes HTML."""

import functools

import markdown as markdown_lib
import nh3
from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
_CLASSES = {"p": "govuk-body", "ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number"}


def sanitised_markdown(text: str) -> str:
    """Markdown rendered, then cleaned by nh3: no script, no event handlers, safe links."""
    html = markdown_lib.markdown(text or "", extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    for tag, css in _CLASSES.items():
        clean = clean.replace(f"<{tag}>", f'<{tag} class="{css}">')
    return clean


@functools.lru_cache(maxsize=4096)
def cached_markdown(text: str) -> SafeString:
    """``sanitised_markdown`` remembered per text: a plan page shows every item's
    description, and Markdown plus nh3 is most of the cost of each (docs/performance.md).
    Keyed by the text itself, so an edited description is simply a new entry."""
    return mark_safe(sanitised_markdown(text))  # nosec B308, B703  # nh3 has removed everything unsafe


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
