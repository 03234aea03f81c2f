"""HTML written in Python: one builder that escapes by construction, and addresses reversed once.

The long parts of the largest pages (a plan's outline, a scorecard's tables, "My returns")
are written in Python, because template tags and filters per value made a 2,000-item plan
page 50 times a plain page (docs/performance.md). They are built here, in the manner of
Django's ``format_html``: markup is a constant template (a string literal, which
``tests/test_html_builder.py`` checks at every call), and every value put into it is
escaped unless it is already safe: built here (``SafeHtml``) or marked safe by Django.
So what anyone typed can only ever be text, whichever writer shows it.

``format_html`` itself costs too much for thousands of rows (``keep_lazy`` and
``conditional_escape`` around every value, ``mark_safe`` around every result); here a value
costs ``html.escape`` (what Django's ``escape`` calls) and a fragment one ``str`` subclass.

``SafeHtml`` is trusted by this module only: Django sees a plain string and would escape
it. A writer hands its finished markup to Django through ``as_safe_string``, once per
table or outline, and the Markdown renderer its sanitised output through ``sanitised``:
both call ``_trust``, the one ``mark_safe`` of the application (docs/security.md).
"""

from collections.abc import Iterable
from html import escape
from string import Formatter

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.safestring import SafeData, SafeString, mark_safe


class SafeHtml(str):
    """Markup made by ``html`` or ``join``: constant templates around escaped values."""

    __slots__ = ()


def _escaped(value) -> str:
    """``value`` as markup: kept if it is markup already, otherwise escaped (a whole number
    needs no escaping). ``html`` and ``join`` test for the commonest values themselves,
    which spares a call for each: a 2,000-item outline puts some 100,000 values in."""
    if type(value) is SafeHtml or isinstance(value, SafeData):
        return value
    if type(value) is int:
        return str(value)
    return escape(str(value))


def sentence(text: str, *names: str) -> str:
    """A translated sentence as template markup (issue 18): escaped, its ``%(name)s``
    placeholders made the template's ``{name}`` holes. A translation is the catalogue's
    text, not markup: escaping it here lets a Welsh sentence with its words in another order
    be a template like any constant one (tests/test_one_place_for_markup.py)."""
    marked = text % {name: f"\x00{name}\x01" for name in names}
    marked = str(escape(marked)).replace("{", "{{").replace("}", "}}")
    for name in names:
        marked = marked.replace(f"\x00{name}\x01", "{" + name + "}")
    return marked


def html(template: str, /, *values, **named) -> SafeHtml:
    """``template`` (constant markup with ``str.format`` fields) with each value escaped:
    ``html('<a href="{}">{}</a>', url, title)``. Values already safe are kept as they are."""
    if named:
        named = {key: _escaped(value) for key, value in named.items()}
    return SafeHtml(
        template.format(
            *[
                value if type(value) is SafeHtml else escape(value) if type(value) is str else _escaped(value)
                for value in values
            ],
            **named,
        )
    )


def join(parts: Iterable, separator: str = "") -> SafeHtml:
    """The parts one after another, ``separator`` (constant markup) between them; parts not
    already safe are escaped."""
    return SafeHtml(
        separator.join(
            [
                part if type(part) is SafeHtml else escape(part) if type(part) is str else _escaped(part)
                for part in parts
            ]
        )
    )


class _Hole(str):
    """Where a pattern's row value goes (its name); a ``str`` only so parts are one type."""

    __slots__ = ()


class Pattern:
    """Markup filled in many times, as a row's controls on a page of thousands of rows: a
    template whose values known once per page are escaped and put in when it is made,
    leaving named holes for each row's own values, which calling it fills (escaped, a
    value used twice escaped once). Patterns add up to longer ones.

    ``edit = Pattern('<a href="{url}">Edit {label}: {title}</a>', label=label)``, then
    ``edit(url=..., title=item.title)`` for each row. An ``IdUrl`` given when the pattern is
    made leaves a hole named ``pk`` for the row's id in the address: the pattern
    ``Pattern('<a href="{url}">{title}</a>', url=IdUrl(...))`` is filled with
    ``(pk=item.pk, title=item.title)``. The template is parsed once, when the
    pattern is made: a row costs its values' escaping and one join, where ``str.format``
    would parse a long template again for every row."""

    __slots__ = ("_parts", "_holes")

    def __init__(self, template: str, /, **now) -> None:
        parts: list[str] = []  # constant markup, and a _Hole for each row value
        used = set()
        for literal, field, spec, conversion in _FORMATTER.parse(template):
            parts.append(literal)
            if field is None:
                continue
            if not field.isidentifier() or spec or conversion:
                raise ValueError(f"a pattern's holes are plain names, not {{{field}!{conversion}:{spec}}}")
            if field in now and isinstance(now[field], IdUrl):  # its id is the row's: a hole named pk
                parts += [escape(now[field].head), _Hole("pk"), escape(now[field].tail)]
                used.add(field)
            elif field in now:
                parts.append(_escaped(now[field]))
                used.add(field)
            else:
                parts.append(_Hole(field))
        if used != now.keys():
            raise ValueError(f"the template has no place for {sorted(now.keys() - used)}")
        self._set(parts)

    def _set(self, parts: list[str]) -> None:
        """Keep ``parts`` with constant markup side by side made one: fewer to join per row."""
        merged: list[str] = []
        for part in parts:
            if merged and type(part) is not _Hole and type(merged[-1]) is not _Hole:
                merged[-1] += part
            elif part:
                merged.append(part)
        self._parts = merged
        self._holes = [(index, str(part)) for index, part in enumerate(merged) if type(part) is _Hole]

    def __add__(self, other: "Pattern") -> "Pattern":
        joined = Pattern("")
        joined._set(self._parts + other._parts)
        return joined

    def __call__(self, **later) -> SafeHtml:
        values = {
            key: value if type(value) is SafeHtml else escape(value) if type(value) is str else _escaped(value)
            for key, value in later.items()
        }
        parts = self._parts.copy()
        for index, name in self._holes:
            parts[index] = values[name]
        return SafeHtml("".join(parts))


_FORMATTER = Formatter()


def _trust(markup: str) -> SafeString:
    """The one place in the application where a string becomes markup Django shows as it is.
    Its two callers below take only markup built by this module or cleaned by the sanitiser."""
    return mark_safe(markup)  # nosec B308  # reviewed in docs/security.md: only as_safe_string and sanitised call it


def as_safe_string(markup: SafeHtml) -> SafeString:
    """Built markup for a template or a response: Django shows it as it is."""
    if type(markup) is not SafeHtml:
        raise TypeError(f"only markup built by config.html is shown as it is, not {type(markup).__name__}")
    return _trust(markup)


def sanitised(markup: str) -> SafeString:
    """Markup the Markdown renderer has just cleaned with nh3 (``config.markdown``, its only
    caller: ``tests/test_html_builder.py`` checks that)."""
    return _trust(markup)


# --- addresses ---------------------------------------------------------------------------

ID = type("ID", (), {"__repr__": lambda self: "ID", "__slots__": ()})()
"""Where the id goes in an ``IdUrl``'s arguments."""

_MARKERS = (987654321, 918273645, 864297531)  # not in any slug or period the address also holds


class IdUrl:
    """A URL pattern reversed once, with a hole where an object's id goes: a page of
    thousands of rows reverses each pattern once and fills in each row's id, rather than
    reversing thousands of times or joining addresses from hand-written strings.

    ``item_url = IdUrl("planning:item-detail", plan.slug, ID)``, then ``item_url(item.pk)``."""

    __slots__ = ("head", "tail")

    def __init__(self, name: str, *args) -> None:
        if sum(arg is ID for arg in args) != 1:
            raise ImproperlyConfigured(f"IdUrl({name!r}) needs ID once among its arguments")
        for marker in _MARKERS:
            url = reverse(name, args=[marker if arg is ID else arg for arg in args])
            if url.count(str(marker)) == 1:
                self.head, _, self.tail = url.partition(str(marker))  # around the id (for a Pattern)
                return
        raise ImproperlyConfigured(f"IdUrl({name!r}): every marker for the id is already in {url}")

    def __call__(self, pk: int) -> str:
        return f"{self.head}{pk:d}{self.tail}"  # :d refuses anything but an integer
