"""The scorecard's long tables as template tags: written by ``monitoring.scorecard_html``
(built with ``config.html``); these only register them."""

from django import template
from django.utils.safestring import SafeString

from config.html import IdUrl, as_safe_string
from monitoring import scorecard_html
from monitoring.scorecard_folds import Fold

register = template.Library()


def _rows(fold) -> list[dict] | None:
    """The rows a folded page lists; ``None`` (every row) where nothing is folded (the PDF)."""
    return fold.rows if isinstance(fold, Fold) else None


def _ask(ask) -> IdUrl | None:
    """The address of the form to ask about a row, for a member (decision 0022); nothing on
    the PDF and the public pages, whose context has none."""
    return ask if isinstance(ask, IdUrl) else None


@register.simple_tag
def target_rows(card: dict, fold: Fold | str = "", ask: IdUrl | str = "") -> SafeString:
    return as_safe_string(scorecard_html.target_rows(card, _rows(fold), _ask(ask)))


@register.simple_tag
def exception_rows(card: dict, ask: IdUrl | str = "") -> SafeString:
    return as_safe_string(scorecard_html.exception_rows(card, _ask(ask)))


@register.simple_tag
def outstanding_rows(card: dict, fold: Fold | str = "", ask: IdUrl | str = "") -> SafeString:
    return as_safe_string(scorecard_html.outstanding_rows(card, _rows(fold), _ask(ask)))


@register.simple_tag
def change_rows(card: dict, ask: IdUrl | str = "") -> SafeString:
    return as_safe_string(scorecard_html.change_rows(card, _ask(ask)))


@register.simple_tag
def cost_rows(card: dict) -> SafeString:
    return as_safe_string(scorecard_html.cost_rows(card))


@register.simple_tag
def milestone_rows(card: dict) -> SafeString:
    return as_safe_string(scorecard_html.milestone_rows(card))


@register.simple_tag
def spend_rows(card: dict) -> SafeString:
    return as_safe_string(scorecard_html.spend_rows(card))
