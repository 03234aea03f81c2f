"""The plan outline and an item's facts as HTML, formatted in Python.

A plan of 2,000 items has some 60 values per item to show; through template tags and
filters each value costs a context lookup, a filter call and an escape, which made the
plan page grow to 50 times a plain 500-row page (docs/performance.md). Here each value is
formatted once by plain functions and put into constant markup by ``config.html``, which
escapes every value that is not already markup (descriptions come as markup from the
sanitising Markdown renderer). Addresses come from patterns reversed once per outline. The
outline, the item page, the past views and the PDF all use these functions, so they agree.

Every word is in the reader's language (decision 0029), worked out once per outline (the
outline cache keeps one per language); a sentence with a row's own values in it becomes a
``Pattern`` through ``_holes``.
"""

from collections.abc import Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config.bilingual import markdown_html, shown, shown_html
from config.html import ID, IdUrl, Pattern, SafeHtml, html, join, sentence
from planning.formatting import measure, month_year, number, pounds, short_date
from planning.models import PlanItem
from planning.wording import in_sentence

_STATUS = dict(PlanItem.Status.choices)
_COST_TYPE = dict(PlanItem.CostType.choices)
_DIRECTION = dict(PlanItem.Direction.choices)
_TARGET_TYPE = dict(PlanItem.TargetType.choices)
_NOTHING = html("")
_END_OF_LIST = html("</ol>")


# the terms of an item's facts, by the key each fact is made under
_TERM_WORDS = {
    "Lead officer": gettext_lazy("Lead officer"),
    "Lead organisation": gettext_lazy("Lead organisation"),
    "Supported by": gettext_lazy("Supported by"),
    "Start": gettext_lazy("Start"),
    "Due": gettext_lazy("Due"),
    "Status": gettext_lazy("Status"),
    "Cost": gettext_lazy("Cost"),
    "Indicator": gettext_lazy("Indicator"),
    "Baseline": gettext_lazy("Baseline"),
    "Target": gettext_lazy("Target"),
    "Measure": gettext_lazy("Measure"),
}


def _terms() -> dict[str, SafeHtml]:
    """Each term as markup once per outline, in the reader's language, not escaped again
    for every item."""
    return {key: html("{}", str(words)) for key, words in _TERM_WORDS.items()}


_FACTS_START = html('<dl class="app-facts">')
_FACTS_END = html("</dl>")
_FACTS_LINE_START = html('<p class="pdf-facts">')
_FACTS_LINE_END = html("</p>")


def _cost(item: PlanItem) -> str:
    cost_type = str(_COST_TYPE.get(item.cost_type, item.cost_type)).lower()
    cost = f"{pounds(item.cost_amount)} {cost_type}".rstrip()
    return f"{cost} ({item.funding_source})" if item.funding_source else cost


def _baseline(item: PlanItem) -> str:
    baseline = measure(item.baseline_value, item.unit)
    return f"{baseline} ({month_year(item.baseline_date)})" if item.baseline_date else baseline


def _target(item: PlanItem) -> str:
    target = measure(item.target_value, item.unit) or _("Not set")
    if item.target_date:
        return _("%(target)s by %(date)s") % {"target": target, "date": short_date(item.target_date)}
    return target


def _how(item: PlanItem) -> str:
    how = str(_DIRECTION.get(item.direction, item.direction))
    if item.target_type:
        how += f"; {str(_TARGET_TYPE.get(item.target_type, item.target_type)).lower()}"
    if item.amber_tolerance is not None:
        how += "; " + _("amber within %(number)s") % {"number": number(item.amber_tolerance)}
    return how


_FACTS_LINE_SEPARATOR = "\u00a0· "  # between the facts of one line of text (FactsLine)


class _Facts:
    """The facts lists of one outline's items. Items share their leads, dates, statuses and
    measures, so each fact is made once per outline, keyed by what it is made from, and
    reused: 2,000 items make a few thousand facts, not some 12,000."""

    start, end, omit_empty = _FACTS_START, _FACTS_END, False

    def __init__(self) -> None:
        self._made: dict[tuple, SafeHtml] = {}
        self._terms = _terms()

    def _make(self, key: tuple, text: str) -> SafeHtml:
        made = self._made[key] = html("<div><dt>{}</dt><dd>{}</dd></div>", self._terms[key[0]], text)
        return made

    def __call__(self, item: PlanItem, supporters: Iterable) -> SafeHtml:
        # each fact: found by its key, or made from its text (worked out only then)
        made, make = self._made, self._make
        parts: list[SafeHtml] = []
        if item.lead_officer_id and item.lead_officer:
            key = ("Lead officer", item.lead_officer_id)
            parts.append(made.get(key) or make(key, str(item.lead_officer)))
        if item.lead_organisation_id and item.lead_organisation:
            key = ("Lead organisation", item.lead_organisation_id)
            parts.append(made.get(key) or make(key, item.lead_organisation.name))
        if supporters:
            names = ", ".join(str(organisation) for organisation in supporters)
            if names:
                key = ("Supported by", names)
                parts.append(made.get(key) or make(key, names))
        if item.start_date:
            key = ("Start", item.start_date)
            parts.append(made.get(key) or make(key, short_date(item.start_date)))
        if item.due_date:
            key = ("Due", item.due_date)
            parts.append(made.get(key) or make(key, short_date(item.due_date)))
        if item.kind != PlanItem.Kind.VISION:
            key = ("Status", item.status)
            parts.append(made.get(key) or make(key, str(_STATUS.get(item.status, item.status))))
        if item.cost_amount is not None:
            key = ("Cost", item.cost_amount, item.cost_type, item.funding_source)
            parts.append(made.get(key) or make(key, _cost(item)))
        if item.kind == PlanItem.Kind.TARGET:
            if item.indicator_id and item.indicator:
                key = ("Indicator", item.indicator_id)
                parts.append(made.get(key) or make(key, item.indicator.name))
            if item.baseline_value is not None:
                key = ("Baseline", item.baseline_value, item.unit, item.baseline_date)
                parts.append(made.get(key) or make(key, _baseline(item)))
            key = ("Target", item.target_value, item.unit, item.target_date)
            parts.append(made.get(key) or make(key, _target(item)))
            key = ("Measure", item.direction, item.target_type, item.amber_tolerance)
            parts.append(made.get(key) or make(key, _how(item)))
        if not parts and self.omit_empty:
            return _NOTHING
        return join([self.start, self._between(parts), self.end])

    def _between(self, parts: list) -> SafeHtml:
        return join(parts)


def facts(item: PlanItem, supporters: Iterable) -> SafeHtml:
    """The item's facts list (lead, dates, status, cost, target)."""
    return _Facts()(item, supporters)


class FactsLine(_Facts):
    """The items' facts as the plan document prints them: one paragraph of plain text per
    item, "Lead officer: Zoe Clarke · Status: In progress · …", the same facts as the
    page's list. A box per fact (``inline-block``; even ``dt`` and ``dd`` inline) made
    12,000 boxes at 2,000 items, most of WeasyPrint's layout and tagging time; one run of
    text is a box per line (docs/decisions/0012). A short fact's spaces do not break, so
    "Status: In progress" stays on one line; a long one wraps as text. One per document,
    so each fact is made once."""

    start, end, omit_empty = _FACTS_LINE_START, _FACTS_LINE_END, True

    def _between(self, parts: list) -> SafeHtml:
        return join(parts, _FACTS_LINE_SEPARATOR)

    KEEP_TOGETHER = 32  # characters: dates, statuses, names, amounts; not lists or measures

    def _make(self, key: tuple, text: str) -> SafeHtml:
        fact = f"{_TERM_WORDS[key[0]]}: {text}"
        if len(fact) <= self.KEEP_TOGETHER:
            fact = fact.replace(" ", "\u00a0")
        made = self._made[key] = html("{}", fact)
        return made


def _link_list(row) -> SafeHtml:
    if not (row.links_out or row.links_in):
        return _NOTHING
    entries = [
        html(
            '<li><span class="app-muted">{}</span> {}</li>',
            end.relation[:1].upper() + end.relation[1:],
            # in a plan the reader may not read: no address, no plan
            end.title
            if end.hidden
            else html(
                '<a class="govuk-link" href="{}">{}</a> <span class="app-muted">({})</span>',
                end.url,
                shown_html(end, "title"),
                shown_html(end, "plan_title"),
            ),
        )
        for end in (*row.links_out, *row.links_in)
    ]
    return html('<ul class="govuk-list app-links">{}</ul>', join(entries))


MOVE_FORM_ID = "move-form"  # the page's one form for the move buttons (outline_move_form)


def move_form(csrf_token: str) -> SafeHtml:
    """The one form every "Move up/down" button of the outline submits (``form=`` and
    ``formaction`` on the button): the CSRF token is on the page once, not in every row,
    so the rows hold nothing that belongs to one reader."""
    return html(
        '<form id="{}" method="post" class="app-inline-form">'
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}"></form>',
        MOVE_FORM_ID,
        csrf_token,
    )


class _ChangeLinks:
    """Each item's change links and move buttons. Items of one level in the same place
    among their siblings have the same links but for their id, title and reference, so
    each such set is made into a ``Pattern`` once per outline, its addresses reversed once
    (``IdUrl``) and its level's words made once, then filled in for every item."""

    def __init__(self, slug: str) -> None:
        self.urls = {name: IdUrl(f"planning:item-{name}", slug, ID) for name in ("edit", "move", "delete", "history")}
        self.add_urls = {kind: IdUrl("planning:item-add", slug, ID, kind) for kind in PlanItem.Kind.values}
        self.patterns: dict[tuple, Pattern] = {}

    def _pattern(self, row) -> Pattern:
        # the rows of one plan: its level names, so a level's children and their names, are the same
        key = (row.item.kind, row.label, bool(row.item.parent_id), row.is_first, row.is_last)
        found = self.patterns.get(key)
        if found is None:
            found = self.patterns[key] = self._make(row.label, row.child_kinds, *key[2:])
        return found

    def _make(self, label: str, child_kinds: list, has_parent: bool, is_first: bool, is_last: bool) -> Pattern:
        links = Pattern(
            '<ul class="govuk-list app-actions" aria-label="' + sentence(_("Change %(label)s %(reference)s"), "label", "reference") + '">'
            '<li><a class="govuk-link" href="{edit}">' + sentence(_("Edit")) + '<span class="govuk-visually-hidden"> {title}</span></a></li>',
            label=in_sentence(label),
            edit=self.urls["edit"],
        )  # fmt: skip
        for kind, kind_label in child_kinds:
            links += Pattern(
                '<li><a class="govuk-link" href="{add}">' + sentence(_("Add %(label)s"), "label") +
                '<span class="govuk-visually-hidden"> ' + sentence(_("under %(title)s"), "title") + "</span></a></li>",
                add=self.add_urls[kind],
                label=in_sentence(kind_label),
            )  # fmt: skip
        if has_parent:
            moves = ((not is_first, "up", _("Move up")), (not is_last, "down", _("Move down")))
            for shown, direction, text in moves:
                if shown:  # the move buttons submit the page's one move form
                    links += Pattern(
                        '<li><button class="app-link-button" form="{form}" formaction="{move}" name="direction" '
                        'value="{direction}">{text}<span class="govuk-visually-hidden"> {title}</span></button></li>',
                        form=MOVE_FORM_ID,
                        move=self.urls["move"],
                        direction=direction,
                        text=text,
                    )
            links += Pattern(
                '<li><a class="govuk-link" href="{move}">' + sentence(_("Move to…")) + '<span class="govuk-visually-hidden"> {title}</span></a></li>'
                '<li><a class="govuk-link app-link-warning" href="{delete}">' + sentence(_("Delete")) +
                '<span class="govuk-visually-hidden"> {title}</span></a></li>',
                move=self.urls["move"],
                delete=self.urls["delete"],
            )  # fmt: skip
        return links + Pattern(
            '<li><a class="govuk-link" href="{history}">' + sentence(_("History")) +
            '<span class="govuk-visually-hidden"> ' + sentence(_("of %(title)s"), "title") + "</span></a></li></ul>",
            history=self.urls["history"],
        )  # fmt: skip

    def __call__(self, row) -> SafeHtml:
        return self._pattern(row)(pk=int(row.item.pk), title=shown(row.item, "title").text, reference=row.reference)


class _Items:
    """Each item's list entry: its heading, description, facts, links and change links.
    Items of one level at one depth share their classes and level name, so their markup is
    made into a ``Pattern`` once per outline and filled in for each item."""

    def __init__(self, change_links: _ChangeLinks | None, notes: bool = True) -> None:
        self.change_links = change_links
        self.notes = notes  # say beside each text shown in the other language (0033)
        self.facts = _Facts()
        self.patterns: dict[tuple, Pattern] = {}

    def _pattern(self, row) -> Pattern:
        key = (row.item.kind, row.depth, row.label, bool(row.reference), bool(shown(row.item, "description").text))
        found = self.patterns.get(key)
        if found is None:
            kind, depth, label, has_reference, has_description = key
            found = Pattern(
                '<li class="app-item app-item--{kind} app-depth-{depth}" id="item-{pk}">'
                '<h3 class="govuk-heading-s app-item__heading"><span class="app-item__kind">{label}</span> ',
                kind=kind,
                depth=int(depth),
                label=label,
            )
            if has_reference:
                found += Pattern('<span class="app-item__ref">{reference}</span> ')
            found += Pattern('<a class="govuk-link govuk-link--no-visited-state" href="{url}">{title}</a></h3>')
            if has_description:
                found += Pattern('<div class="app-markdown app-item__description">{description}</div>')
            found = self.patterns[key] = found + Pattern("{facts}{links}{changes}</li>")
        return found

    def __call__(self, row) -> SafeHtml:
        item = row.item
        description = shown(item, "description")
        return self._pattern(row)(
            pk=int(item.pk),
            reference=row.reference,
            url=row.url,
            title=shown_html(item, "title", note=self.notes),
            description=markdown_html(description, note=self.notes) if description.text else _NOTHING,
            facts=self.facts(item, row.supporters),
            links=_link_list(row),
            changes=self.change_links(row) if self.change_links else _NOTHING,
        )


def outline_start(plan_title: str) -> SafeHtml:
    """The outline list's opening tag (``outline_items`` fill it, ``OUTLINE_END`` closes it)."""
    return html('<ol class="app-tree" aria-label="{}">', _("%(plan)s: items in reading order") % {"plan": plan_title})


OUTLINE_END = _END_OF_LIST


def outline_items(rows: Iterable, *, plan_slug: str, can_change: bool, notes: bool = True) -> SafeHtml:
    """The outline's list entries for ``rows``, a whole plan or a run of it: each row's
    entry depends on that row alone (its reference and place among its siblings are in the
    row), so runs made apart and joined read the same as the whole made at once."""
    entry = _Items(_ChangeLinks(plan_slug) if can_change else None, notes)
    return join([entry(row) for row in rows])


def closed(row, beneath: int) -> SafeHtml:
    """The entry after a closed top item (a long plan's page opens at its top items): the
    link that opens it, server-side (``?open=``), so it works without JavaScript."""
    return html(
        '<li class="app-item app-item--closed app-depth-{}"><a class="govuk-link" href="?open={}#item-{}">'
        '{}<span class="govuk-visually-hidden"> {}</span></a></li>',
        int(row.depth),
        int(row.item.pk),
        int(row.item.pk),
        ngettext("Show the %(count)s item under %(where)s", "Show the %(count)s items under %(where)s", beneath)
        % {"count": f"{beneath:,}", "where": row.reference or shown(row.item, "title").text},
        shown(row.item, "title").text if row.reference else "",
    )


def outline(rows: Iterable, *, plan_title: str, plan_slug: str, can_change: bool) -> SafeHtml:
    """The whole outline list; with ``can_change``, each item's change links and move
    buttons (which need ``move_form`` on the page; ``plan_slug`` gives their addresses)."""
    return join(
        [outline_start(plan_title), outline_items(rows, plan_slug=plan_slug, can_change=can_change), OUTLINE_END]
    )
