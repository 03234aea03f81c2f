"""Markdown written by people, as HTML that is safe to show: the only way user text becomes HTML.

Rendered by cmark-gfm (``cmarkgfm``), the C reference implementation of CommonMark with
GitHub's table and autolink extensions: its time is linear in its input, so no text a
person can type (``[`` ten thousand times, ``[a](`` repeated) makes a page slow
(docs/performance.md, "Hostile Markdown"). Python-Markdown, used before, took 12 s for
10,000 ``[`` and built its output with ``xml.etree``, which defusedxml briefly swaps in
``sys.modules`` (decision 0007). cmark's safe mode drops raw HTML; nh3 then keeps only
the tags and link schemes listed here, whatever the parser produced.
"""

import functools
import re

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from django.utils.safestring import SafeString

from config.html import sanitised

_EXTENSIONS = ["table", "autolink"]
_OPTIONS = Options.CMARK_OPT_VALIDATE_UTF8  # safe mode (raw HTML omitted) is cmark's default

_ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "code", "pre",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
_CLASSES = {"p": "govuk-body", "ul": "govuk-list govuk-list--bullet", "ol": "govuk-list govuk-list--number"}
# Containers nested deeper than this lose their extra tags (their text stays): ten thousand
# ">" are ten thousand nested quotes, and the HTML parser in nh3 takes time that grows with
# the square of the depth (250 ms for 10 KB). cmark's output is well formed and holds no
# "<" of the text (it is "&lt;"), so its tags are found by a pattern in one pass.
MAX_DEPTH = 16
_CONTAINER_TAG = re.compile(r"<(/?)(?:blockquote|ul|ol|li)\b[^>]*>")
_OPENING_TAG = re.compile(r"<(p|ul|ol)([ >])")  # after nh3, so every "<" of the text is "&lt;"


def sanitised_markdown(text: str) -> str:
    """Markdown rendered, then cleaned by nh3: no script, no event handlers, safe links."""
    html = cmarkgfm.markdown_to_html_with_extensions(text or "", options=_OPTIONS, extensions=_EXTENSIONS)
    clean = nh3.clean(
        _within_depth(html),
        tags=_ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return _OPENING_TAG.sub(lambda match: f'<{match[1]} class="{_CLASSES[match[1]]}"{match[2]}', clean)


def _within_depth(html: str) -> str:
    """``html`` with the container tags beyond ``MAX_DEPTH`` levels left out."""
    kept: list[bool] = []  # one entry per open container: whether its tag was kept

    def tag(match: re.Match) -> str:
        if match[1]:  # a closing tag closes the innermost open container
            return match[0] if kept and kept.pop() else ""
        kept.append(len(kept) < MAX_DEPTH)
        return match[0] if kept[-1] else ""

    return _CONTAINER_TAG.sub(tag, html)


@functools.lru_cache(maxsize=4096)
def cached_markdown(text: str) -> SafeString:
    """``sanitised_markdown`` remembered per text: a plan page shows every item's
    description, and rendering plus nh3 is most of the cost of each (docs/performance.md).
    Keyed by the text itself, so an edited description is simply a new entry."""
    return sanitised(sanitised_markdown(text))  # nh3 has removed everything unsafe (config.html's one mark_safe)
