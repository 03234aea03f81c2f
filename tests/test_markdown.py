"""Markdown: what people write becomes safe HTML, whatever else the process is doing.

The first tests reproduce, deterministically, the race that served 500 on every plan page
in about one ``make run`` in twenty (issue 12, item 1): defusedxml swaps the pure-Python
ElementTree into ``sys.modules`` for a moment at its first import, and a module imported
by another thread in that moment keeps the pure-Python classes.
"""

import subprocess
import sys
import textwrap

import pytest
from django.conf import settings

from config.markdown import sanitised_markdown

SAMPLE = "Some *text*, a [link](https://example.org) and\n\n- one\n- two\n\n| a | b |\n|---|---|\n| 1 | 2 |\n"

# Opens "defusedxml's window" (the pure-Python ElementTree in sys.modules) when the module
# named in argv[1] is imported, and closes it at the next import, as another thread would.
_WINDOW = textwrap.dedent(
    """
    import importlib, importlib.abc, sys
    import xml.etree.ElementTree  # the C-accelerated module, as every process has it

    class Window(importlib.abc.MetaPathFinder):
        def __init__(self, target):
            self.target, self.saved = target, None

        def find_spec(self, name, path, target=None):
            if name == self.target and self.saved is None:
                self.saved = (sys.modules.pop("xml.etree.ElementTree"), sys.modules.pop("_elementtree", None))
                sys.modules["_elementtree"] = None
                importlib.import_module("xml.etree.ElementTree")  # the pure-Python module
            elif self.saved and not name.startswith("xml"):
                pymod, cmod = self.saved
                sys.modules["xml.etree.ElementTree"] = pymod
                sys.modules["_elementtree"] = cmod
                sys.modules["xml.etree"].ElementTree = pymod
                self.saved = ()
            return None

    sys.meta_path.insert(0, Window(sys.argv[1]))
    from config.markdown import sanitised_markdown
    sys.stdout.write(sanitised_markdown(sys.argv[2]))
    """
)


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  # the test's own interpreter and script
        [sys.executable, *args], capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=60
    )


# the modules the renderer's import loads, each with whether its source names ElementTree
_IMPORTED = textwrap.dedent(
    """
    import sys
    before = set(sys.modules)
    import config.markdown
    for name in sorted(set(sys.modules) - before):
        path = getattr(sys.modules[name], "__file__", None) or ""
        source = open(path, encoding="utf-8", errors="replace").read() if path.endswith(".py") else ""
        print(name, int("etree" in source or "ElementTree" in source))
    """
)


def _modules_the_renderer_imports(naming_element_tree: bool = False) -> list[str]:
    """With ``naming_element_tree``, only those whose source names it: a module that never
    names ElementTree cannot take the window's classes when it is imported, and a window for
    each of the 400 modules took two minutes of the suite."""
    lines = [line.split() for line in _run("-c", _IMPORTED).stdout.splitlines()]
    return [
        name
        for name, names_it in lines
        if not name.startswith(("xml.", "_elementtree")) and (names_it == "1" or not naming_element_tree)
    ]  # xml.* and _elementtree: the window's own


def test_the_renderer_loads_modules_of_its_own():
    """The check below is only as good as this list: it must not be empty, and it holds
    the modules that could take ElementTree's classes (the renderer's own module says why it
    uses none; defusedxml swaps them)."""
    assert "cmarkgfm" in _modules_the_renderer_imports()
    assert {"config.markdown", "defusedxml.ElementTree"} <= set(_modules_the_renderer_imports(naming_element_tree=True))


def test_rendering_survives_defusedxml_swapping_element_tree_during_any_of_its_imports():
    expected = sanitised_markdown(SAMPLE)
    broken = {}
    for module in _modules_the_renderer_imports(naming_element_tree=True):
        result = _run("-c", _WINDOW, module, SAMPLE)
        if result.returncode != 0 or result.stdout != expected:
            broken[module] = result.stderr.strip().splitlines()[-1:] or result.stdout
    assert broken == {}


def test_defusedxml_has_made_its_swap_before_django_starts_any_thread():
    script = (
        "import sys, config.settings, xml.etree.ElementTree as ET, _elementtree; "
        "print('defusedxml.ElementTree' in sys.modules, ET.Element is _elementtree.Element)"
    )
    assert _run("-c", script).stdout.split() == ["True", "True"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello *world*", '<p class="govuk-body">Hello <em>world</em></p>'),
        ("- one\n- two", '<ul class="govuk-list govuk-list--bullet">\n<li>one</li>\n<li>two</li>\n</ul>'),
        ("3. three\n4. four", '<ol class="govuk-list govuk-list--number" start="3">'),
        ("| a |\n|---|\n| 1 |", "<td>1</td>"),
        ("See https://example.org/plan", '<a href="https://example.org/plan" rel="noopener noreferrer nofollow">'),
    ],
)
def test_markdown_becomes_govuk_html(text, expected):
    assert expected in sanitised_markdown(text)


@pytest.mark.parametrize(
    ("text", "absent"),
    [
        ("<script>alert(1)</script>", "<script"),
        ("[x](javascript:alert(1))", "javascript:"),
        ('<img src=x onerror="alert(1)">', "onerror"),
        ("<b>bold</b>", "<b>"),
        ("# Big heading", "<h1"),
    ],
)
def test_what_is_not_allowed_never_reaches_the_page(text, absent):
    assert absent not in sanitised_markdown(text)


def test_raw_html_keeps_its_text_but_not_its_tags():
    assert sanitised_markdown("<span>kept</span> text").strip() == '<p class="govuk-body">kept text</p>'


def test_quotes_nested_past_the_limit_keep_their_text_without_their_tags():
    from config.markdown import MAX_DEPTH

    html = sanitised_markdown(">" * 10_000 + " deep")
    assert html.count("<blockquote>") == MAX_DEPTH == html.count("</blockquote>")
    assert "deep" in html


def test_nesting_within_the_limit_is_kept_whole():
    html = sanitised_markdown("> quote\n>\n> - item\n>   - inner\n")
    assert html.count("<blockquote>") == 1 and html.count("<ul") == 2 and html.count("</li>") == 2
