"""Plan content in Welsh and English (docs/decisions/0033).

A council that works bilingually writes a Welsh version beside the English of a plan's
title and summary, an item's title and description and a return's narrative, in fields
named ``<field>_cy``. A reader sees the version in the interface's language; where that
version is empty the other is shown, marked: its ``lang`` names its language (so a screen
reader speaks it right, WCAG 3.1.2) and a note says it is in the other language. The
English is the one every plan must have; the Welsh is optional.

``shown`` answers which text a reader gets; the template filters (planning_tags
``shown``, ``shown_text``, ``shown_lang``) and the HTML written in Python use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from django.conf import settings
from django.utils import translation
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from config.html import SafeHtml, as_safe_string, html
from config.markdown import cached_markdown

WELSH = "cy"
ENGLISH_TAG = "en-GB"  # the HTML lang of English text


class Shown(NamedTuple):
    text: str
    lang: str  # the HTML lang attribute of the text: "cy" or "en-GB"
    fell_back: bool  # the reader's language had no version: this is the other one


def reading_welsh() -> bool:
    return translation.get_language() == WELSH


def welsh_content() -> bool:
    """Does the council write its plans in Welsh as well (the forms offer the Welsh fields)?"""
    return settings.WELSH_CONTENT


def _read(obj, field: str) -> str:
    """An object's field, or a plain row's key (rows built for a page or a scorecard are dicts)."""
    return (obj.get(field) if isinstance(obj, Mapping) else getattr(obj, field, "")) or ""


def shown(obj, field: str, *, welsh: bool | None = None) -> Shown:
    """``obj``'s ``field`` in the reader's language (``welsh`` to ask for one), else the other.
    ``obj`` is a model, a named tuple or a dict holding ``field`` and ``<field>_cy``."""
    english = _read(obj, field)
    cymraeg = _read(obj, f"{field}_cy")
    if reading_welsh() if welsh is None else welsh:
        return Shown(cymraeg, WELSH, False) if cymraeg else Shown(english, ENGLISH_TAG, bool(english))
    return Shown(english, ENGLISH_TAG, False) if english else Shown(cymraeg, WELSH, bool(cymraeg))


def text(obj, field: str = "title") -> str:
    """Only the text of ``shown``, unmarked: a notification's subject or body names a plan or
    an item in its reader's language (it is composed inside the recipient's language)."""
    return shown(obj, field).text


def both(obj, field: str) -> tuple[str, str]:
    """The English and the Welsh, for a page or PDF that prints them side by side."""
    return _read(obj, field), _read(obj, f"{field}_cy")


def fallback_note(lang: str) -> str:
    return gettext("(in English)") if lang == ENGLISH_TAG else gettext("(in Welsh)")


def shown_html(obj, field: str, *, note: bool = True) -> SafeString:
    """``shown`` as HTML: the text escaped; a fallback wrapped in its ``lang``, with the note
    unless ``note`` is false (a page that says once, at its top, that it has no Welsh)."""
    text, lang, fell_back = shown(obj, field)
    if not fell_back:
        return as_safe_string(html("{}", text))
    if not note:
        return as_safe_string(html('<span lang="{}">{}</span>', lang, text))
    return as_safe_string(
        html('<span lang="{}">{}</span> <span class="app-fallback-note">{}</span>', lang, text, fallback_note(lang))
    )


def markdown_html(text: Shown, *, note: bool = True) -> SafeHtml:
    """Markdown shown in the reader's language, or in the other one inside its ``lang``
    with the note after it (unless ``note`` is false): the item page, the outline, the PDF."""
    rendered = cached_markdown(text.text)
    if not text.fell_back:
        return html("{}", rendered)
    after = html('<p class="govuk-body-s app-fallback-note">{}</p>', fallback_note(text.lang)) if note else html("")
    return html('<div lang="{}">{}</div>{}', text.lang, rendered, after)


def has_welsh(plan) -> bool:
    """A plan someone has begun to put into Welsh (its title is): items without Welsh are
    then marked one by one; a plan with no Welsh at all says so once."""
    return bool(getattr(plan, "title_cy", ""))
