"""Template helpers for plans. ``markdown`` is the only way user text becomes HTML; numbers,
money and dates are written by ``planning.formatting``."""

from django import template
from django.utils.safestring import SafeString

from config import bilingual
from config.html import as_safe_string
from config.markdown import cached_markdown
from planning import formatting, wording
from planning.access import unreadable_plan_ids

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
def shown(obj, field: str) -> SafeString:
    """``{{ item|shown:"title" }}``: the reader's language, else the other, marked (0033)."""
    return bilingual.shown_html(obj, field)


@register.filter
def shown_plain(obj, field: str) -> SafeString:
    """The same in a place that takes no note (a ``<title>``, a link inside a sentence):
    the fallback keeps its ``lang``, without the note."""
    return bilingual.shown_html(obj, field, note=False)


@register.filter
def shown_markdown(obj, field: str) -> SafeString:
    """``{{ item|shown_markdown:"description" }}``: the reader's language's Markdown as HTML;
    a fallback in a block with its ``lang`` and the note after it."""
    return as_safe_string(bilingual.markdown_html(bilingual.shown(obj, field)))


@register.filter
def shown_text(obj, field: str) -> str:
    """Only the text (an attribute, markdown to be rendered): see ``shown_lang``."""
    return bilingual.text(obj, field)


@register.filter
def shown_lang(obj, field: str) -> str:
    """The ``lang`` to put on the element holding ``shown_text`` when it fell back, else ""."""
    result = bilingual.shown(obj, field)
    return result.lang if result.fell_back else ""


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


@register.simple_tag(takes_context=True)
def plan_trail(context, plan, include_self=True) -> list[tuple]:
    """The plan's ancestors from the top (and the plan, with ``include_self``) as (plan,
    readable) for breadcrumbs and "Delivers": a plan above one the reader may read can be
    one they may not (a partner reads the service plan shared with them, not the corporate
    plan above it), and its title is then not shown (decision 0016, security.md). The page's
    own plan was fetched through ``planning.access`` and is readable; the ones above it cost
    one query for partners and members, none for officers and admins, none at the top."""
    ancestors = plan_ancestors(plan)
    hidden = getattr(plan, "_hidden_above", None)  # asked once a page (breadcrumbs and "Delivers")
    if hidden is None:
        user = context.get("user")
        ids = [ancestor.pk for ancestor in ancestors]
        hidden = frozenset(ids) if user is None else unreadable_plan_ids(user, ids)
        plan._hidden_above = hidden
    trail = [(ancestor, ancestor.pk not in hidden) for ancestor in ancestors]
    return [*trail, (plan, True)] if include_self else trail
