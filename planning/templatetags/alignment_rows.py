"""The alignment report's long tables as template tags: written by
``planning.alignment_html`` (built with ``config.html``); these only register them."""

from django import template
from django.utils.safestring import SafeString

from config.html import as_safe_string
from planning import alignment_html
from planning.alignment import Alignment, Disagreement, ItemRow
from planning.duplicates import DuplicateGroup, Duplicates

register = template.Library()


@register.simple_tag
def item_rows(report: Alignment, rows: list[ItemRow]) -> SafeString:
    return as_safe_string(alignment_html.item_rows(rows, alignment_html.links_for(report)))


@register.simple_tag
def target_rows(report: Alignment, group: Disagreement) -> SafeString:
    return as_safe_string(alignment_html.target_rows(group, alignment_html.links_for(report)))


@register.simple_tag
def plan_value_rows(report: Alignment, group: Disagreement) -> SafeString:
    return as_safe_string(alignment_html.plan_value_rows(group, alignment_html.links_for(report)))


@register.simple_tag
def duplicate_rows(found: Duplicates, group: DuplicateGroup) -> SafeString:
    return as_safe_string(alignment_html.duplicate_rows(group, alignment_html.links_for(found)))
