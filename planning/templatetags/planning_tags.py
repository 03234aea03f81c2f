"""Template helpers for plans. ``markdown`` is the only way user text becomes HTML; numbers,
money and dates are written by ``planning.formatting``."""

from django import template
from django.utils.safestring import SafeString

from config.markdown import cached_markdown
from planning import formatting, wording

register = template.Library()


@register.filter(name="markdown")
def markdown_filter(text: str) -> SafeString:
    return cached_markdown(text or "")


register.filter("pounds", formatting.pounds)
register.filter("number", formatting.number)
register.filter("measure", formatting.measure)
register.filter("expected_measure", formatting.expected_measure)
register.filter("long_date", formatting.long_date)
register.filter("in_sentence", wording.in_sentence)
register.filter("with_article", wording.with_article)
register.filter("plural", wording.plural)


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
