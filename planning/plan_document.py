"""The plan document: a plan (as it is now, or as at an edition) printed as a PDF, with a
contents list, its vision and items in reading order, a costs summary, the plans linked
with it and a glossary of the terms and acronyms it uses.

It reads only the plan (``planning``), so it lives with the plan; turning its HTML into a
PDF is ``config.pdf``, which the quarterly scorecard pack (``monitoring.scorecard_pack``)
shares. Asking for it, producing it in the background and storing it is
``monitoring.documents`` and ``monitoring.tasks``, the one home of stored PDFs of both
kinds (docs/decisions/0011-house-in-order.md, "One home for PDFs and exports").
"""

import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import bilingual, pdf
from config.context_processors import council_name
from config.html import as_safe_string
from config.pdf import Entry, RenderError, produced_on
from planning import budgets, evaluation, outline_html, snapshots, thread
from planning.formatting import pounds
from planning.models import Edition, Plan, PlanItem, SelfEvaluation, financial_year
from planning.selectors import OutlineRow, hide_link_ends, plan_outline
from planning.wording import in_sentence, with_article


def render_plan(plan: Plan, edition: Edition | None = None, hidden: frozenset[int] = frozenset()) -> bytes:
    return pdf.html_to_pdf(plan_document_html(plan, edition, hidden=hidden))


@dataclass
class PrintRow:
    """An item as the plan document prints it: an outline row and the heading it gets."""

    row: OutlineRow
    heading: int  # 2 for a top-level priority, 3 beneath it, … at most 6
    anchor: str
    facts: SafeString  # one run of text (outline_html.FactsLine): cheap to lay out
    carried: SelfEvaluation | None = None  # last year's self-evaluation, in a revised draft


def plan_document_html(plan: Plan, edition: Edition | None = None, *, hidden: frozenset[int] = frozenset()) -> str:
    return render_to_string("planning/print/plan_document.html", plan_document_context(plan, edition, hidden=hidden))


def plan_document_context(plan: Plan, edition: Edition | None = None, *, hidden: frozenset[int] = frozenset()) -> dict:
    """``hidden``: plans whose items linked with this plan's are shown without their title
    (the readers this document is for may not read them)."""
    if edition is not None:
        snapshot = snapshots.plan_at(plan, edition.moment)
        if snapshot is None:
            raise RenderError("the plan did not exist yet at the moment of this edition")
        shown, rows = snapshot.plan, snapshot.rows
        showing = _("Edition: %(edition)s") % {"edition": edition.name}
    else:
        shown, rows = plan, plan_outline(plan)
        showing = _("The plan as it stands (not a named edition)")
    hide_link_ends(rows, hidden)
    vision = rows[0] if rows and rows[0].depth == 0 else None
    facts = outline_html.FactsLine()
    # a revised draft's priorities carry last year's self-evaluation (decision 0032)
    carried = evaluation.carried_for([row.item.pk for row in rows]) if shown.revision_of_id else {}
    body = [
        PrintRow(
            row=row,
            heading=min(row.depth + 1, 6),
            anchor=f"item-{row.item.pk}",
            facts=as_safe_string(facts(row.item, row.supporters)),
            carried=carried.get(row.item.pk),
        )
        for row in rows
        if row is not vision
    ]
    item_ids = [row.item.pk for row in rows]
    profiles = budgets.profiles_at(item_ids, edition.moment) if edition is not None else budgets.profiles_for([plan])
    costs = plan_costs(rows, plan, profiles)
    # the thread's costs as it stands now: an edition prints its own costs only
    readable = Plan.objects.exclude(pk__in=hidden)
    across = thread.thread_costs(plan, readable) if edition is None else None
    linked = linked_plans(plan, shown, rows, hidden)
    contents = [Entry("About this plan", "about")] if shown.summary or shown.summary_cy else []
    contents += [Entry(shown.label_vision, "vision")] if vision else []
    contents += [
        Entry(
            f"{entry.row.reference} {bilingual.shown(entry.row.item, 'title').text}",
            entry.anchor,
            indent=entry.row.depth - 1,
        )
        for entry in body
        if entry.row.item.kind == PlanItem.Kind.PRIORITY
    ]
    # the equality impact screening as it stood at the edition, or as it stands (decision 0032)
    equality = evaluation.assessment_at(plan, edition.moment) if edition is not None else evaluation.screening(plan)
    contents += [Entry(_("Equality impact assessment"), "equality")]
    contents += [Entry("Costs summary", "costs")]
    contents += [Entry("Costs across the thread", "thread-costs")] if across is not None else []
    contents += [Entry("Linked plans", "linked-plans"), Entry("Glossary", "glossary")]
    return {
        "plan": shown,
        "live_plan": plan,
        "edition": edition,
        "showing": showing,
        "produced": produced_on(),
        "vision": vision,
        "vision_facts": as_safe_string(facts(vision.item, vision.supporters)) if vision else "",
        "rows": body,
        "contents": contents,
        "costs": costs,
        "thread_costs": across,
        "linked": linked,
        "glossary": glossary(shown, rows, edition=edition),
        "council_name": council_name(),
        # English and Welsh side by side, as the council chooses (decision 0033)
        "both_languages": settings.PDF_LANGUAGES == "both",
        "screening": equality,
    }


def plan_costs(rows: list[OutlineRow], plan: Plan, profiles: budgets.Profiles | None = None) -> dict:
    """Costs of actions and milestones by top-level priority (revenue, capital, total), by
    funding source and by financial year, with the plan's total; an item's cost is its
    budget profile where it has one (``budgets.cost_lines``, ``profiles``); money as the
    pages write it (``pounds``: pence only where an amount has them)."""
    profiles = profiles or {}
    outside = _("Not under %(a_priority)s") % {"a_priority": with_article(in_sentence(plan.label_for("priority")))}
    by_priority: dict[int, dict[str, Decimal]] = {}
    titles: dict[int, str] = {}
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    by_year: dict[int | None, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    totals: dict[str, Decimal] = defaultdict(Decimal)
    current = 0
    for row in rows:
        item = row.item
        if row.depth == 1:
            current = item.pk
            titles[current] = f"{row.reference} {item.title}"
        for line in budgets.cost_lines(item, profiles):
            if not line.amount:
                continue
            kind = line.cost_type or "not_stated"
            cell = by_priority.setdefault(current, defaultdict(Decimal))
            cell[kind] += line.amount
            totals[kind] += line.amount
            by_source[line.funding_source or _("Not stated")] += line.amount
            by_year[line.year][kind] += line.amount
    types = [(key, label) for key, label in PlanItem.CostType.choices if totals.get(key)]
    if totals.get("not_stated"):
        types.append(("not_stated", _("Type not stated")))
    table = [
        {
            "title": titles.get(priority, outside),
            "amounts": [pounds(amounts[key]) if amounts.get(key) else "" for key, _ in types],
            "total": pounds(sum(amounts.values(), Decimal(0))),
        }
        for priority, amounts in by_priority.items()
    ]
    return {
        "types": [label for _, label in types],
        "rows": table,
        "totals": [pounds(totals[key]) for key, _ in types],
        "total": pounds(sum(totals.values(), Decimal(0))),
        "sources": [{"name": name, "amount": pounds(amount)} for name, amount in sorted(by_source.items())],
        # only where some item has a budget profile: single costs name no year
        "years": [
            {
                "year": financial_year(year) if year is not None else _("Year not profiled"),
                "amounts": [pounds(amounts[key]) if amounts.get(key) else "" for key, _ in types],
                "total": pounds(sum(amounts.values(), Decimal(0))),
            }
            for year, amounts in sorted(by_year.items(), key=lambda pair: (pair[0] is None, pair[0] or 0))
        ]
        if any(year is not None for year in by_year)
        else [],
        "any": bool(table),
    }


def linked_plans(plan: Plan, shown: Plan, rows: list[OutlineRow], hidden: frozenset[int] = frozenset()) -> dict:
    """The plan's place in the thread: the plan it delivers, the published plans that
    deliver it, and each link between one of its items and an item of another plan.
    Drafts beneath it are left out. A plan in ``hidden`` (its readers may not read it) is
    not named: the plan it delivers is said to exist, those that deliver it are counted."""
    beneath = list(
        plan.get_children().filter(status__in=Plan.PUBLISHED_STATUSES).select_related("organisation").order_by("title")
    )
    children = [child for child in beneath if child.pk not in hidden]
    parent = plan.parent if plan.parent_id else None
    links = []
    for row in rows:
        for end in [*row.links_out, *row.links_in]:
            if end.plan_title and end.plan_title != shown.title:
                links.append(
                    {
                        "reference": row.reference,
                        # in the reader's language, a fallback marked (decision 0033)
                        "title": bilingual.shown_html(row.item, "title"),
                        "anchor": f"item-{row.item.pk}" if row.depth else "vision",
                        "relation": end.relation,
                        "other": end.title if end.hidden else bilingual.shown_html(end, "title"),
                        "other_plan": bilingual.shown_html(end, "plan_title"),
                        "url": end.url,
                        "note": end.note,
                        "hidden": end.hidden,
                    }
                )
    return {
        "parent": parent,
        "parent_hidden": parent is not None and parent.pk in hidden,
        "children": children,
        "children_hidden": len(beneath) - len(children),
        "links": links,
    }


# --- the glossary ---------------------------------------------------------------------------

LEVELS = {
    PlanItem.Kind.VISION: gettext_lazy(
        "The single statement of what the plan is for; everything in the plan serves it."
    ),
    PlanItem.Kind.PRIORITY: gettext_lazy("One of the few things the plan sets out to change. Its actions say how."),
    PlanItem.Kind.ACTION: gettext_lazy("Something a named lead will do, by a date, at a cost where one is given."),
    PlanItem.Kind.TARGET: gettext_lazy(
        "A measure of success, with a baseline, a value to reach and a date to reach it by."
    ),
    PlanItem.Kind.MILESTONE: gettext_lazy(
        "A step on the way to finishing an action or meeting a target, with its date."
    ),
}
TERM_NAMES = {
    "Lead officer": gettext_lazy("Lead officer"),
    "Lead organisation": gettext_lazy("Lead organisation"),
    "Supported by": gettext_lazy("Supported by"),
    "RAG rating": gettext_lazy("RAG rating"),
}
TERMS = {
    "Lead officer": gettext_lazy("The person answerable for an item and for reporting progress on it each quarter."),
    "Lead organisation": gettext_lazy("The organisation answerable for an item: the council or one of its partners."),
    "Supported by": gettext_lazy("Organisations that help deliver an item without leading it."),
    "RAG rating": gettext_lazy(
        "Red, amber or green: how the lead rates progress on an action or target in a quarterly "
        "return (also complete, or not started)."
    ),
}
COST_TERMS = {
    PlanItem.CostType.REVENUE: (
        gettext_lazy("Revenue cost"),
        gettext_lazy("Day-to-day spending, such as staff time and services."),
    ),
    PlanItem.CostType.CAPITAL: (
        gettext_lazy("Capital cost"),
        gettext_lazy("Spending on buildings, equipment and other lasting assets."),
    ),
}
MEASURE_TERMS = {
    "baseline_value": (gettext_lazy("Baseline"), gettext_lazy("Where a target's measure stood when the plan began.")),
    "amber_tolerance": (
        gettext_lazy("Amber tolerance"),
        gettext_lazy("How far short of the trajectory a target may be and still be amber."),
    ),
}
TARGET_TYPE_TERMS = {
    PlanItem.TargetType.FLOOR: (gettext_lazy("Floor target"), gettext_lazy("The least the plan will accept.")),
    PlanItem.TargetType.ASPIRATIONAL: (
        gettext_lazy("Aspirational target"),
        gettext_lazy("What could be achieved if every action goes to plan."),
    ),
}
UNIT_TERMS = {
    PlanItem.Unit.PERCENTAGE: gettext_lazy("A share of a whole, out of 100."),
    PlanItem.Unit.COUNT: gettext_lazy("A whole number of people, places or things."),
    PlanItem.Unit.NUMBER: gettext_lazy("A measured quantity that may have decimals."),
    PlanItem.Unit.POUNDS: gettext_lazy("An amount of money in pounds sterling."),
    PlanItem.Unit.DAYS: gettext_lazy("A length of time in days."),
}
# acronyms met in council plans, found in a plan's own text and explained in its glossary
ACRONYMS = {
    "14–19": gettext_lazy("Education and training for young people aged 14 to 19"),
    "BSF": gettext_lazy("Building Schools for the Future"),
    "CAF": gettext_lazy("Common Assessment Framework"),
    "CAMHS": gettext_lazy("Child and Adolescent Mental Health Services"),
    "CPD": gettext_lazy("Continuing professional development"),
    "CYPP": gettext_lazy("Children and Young People's Plan"),
    "DCSF": gettext_lazy("Department for Children, Schools and Families"),
    "DfE": gettext_lazy("Department for Education"),
    "DfES": gettext_lazy("Department for Education and Skills"),
    "DWP": gettext_lazy("Department for Work and Pensions"),
    "EAL": gettext_lazy("English as an additional language"),
    "EHCP": gettext_lazy("Education, health and care plan"),
    "EYFS": gettext_lazy("Early Years Foundation Stage"),
    "FE": gettext_lazy("Further education"),
    "FSM": gettext_lazy("Free school meals"),
    "FTE": gettext_lazy("Full-time equivalent"),
    "GCSE": gettext_lazy("General Certificate of Secondary Education"),
    "HE": gettext_lazy("Higher education"),
    "ICT": gettext_lazy("Information and communications technology"),
    "KPI": gettext_lazy("Key performance indicator"),
    "KS1": gettext_lazy("Key Stage 1 (ages 5 to 7)"),
    "KS2": gettext_lazy("Key Stage 2 (ages 7 to 11)"),
    "KS3": gettext_lazy("Key Stage 3 (ages 11 to 14)"),
    "KS4": gettext_lazy("Key Stage 4 (ages 14 to 16)"),
    "LA": gettext_lazy("Local authority"),
    "LAC": gettext_lazy("Looked-after children"),
    "LAA": gettext_lazy("Local Area Agreement"),
    "LEA": gettext_lazy("Local education authority"),
    "LSC": gettext_lazy("Learning and Skills Council"),
    "LSP": gettext_lazy("Local Strategic Partnership"),
    "MTFS": gettext_lazy("Medium-term financial strategy"),
    "NEET": gettext_lazy("Not in education, employment or training"),
    "NHS": gettext_lazy("National Health Service"),
    "NI": gettext_lazy("National indicator"),
    "NVQ": gettext_lazy("National Vocational Qualification"),
    "Ofsted": gettext_lazy("Office for Standards in Education, Children's Services and Skills"),
    "PCT": gettext_lazy("Primary care trust"),
    "PRU": gettext_lazy("Pupil referral unit"),
    "PSA": gettext_lazy("Public service agreement"),
    "RAG": gettext_lazy("Red, amber, green: the rating of progress in a quarterly return"),
    "SEN": gettext_lazy("Special educational needs"),
    "SEND": gettext_lazy("Special educational needs and disabilities"),
    "SENCO": gettext_lazy("Special educational needs co-ordinator"),
    "SIP": gettext_lazy("School improvement partner"),
    "VCS": gettext_lazy("Voluntary and community sector"),
    "YOT": gettext_lazy("Youth offending team"),
}
_ACRONYM = re.compile(
    r"(?<![\w–-])(" + "|".join(re.escape(key) for key in sorted(ACRONYMS, key=len, reverse=True)) + r")s?(?![\w])"
)


def acronyms_in(texts) -> list[tuple[str, str]]:
    """The acronyms of ``ACRONYMS`` that occur in ``texts`` ("GCSEs" counts as GCSE;
    "14-19" written with a hyphen as 14–19)."""
    found = set()
    for text in texts:
        if text:
            found.update(match.group(1) for match in _ACRONYM.finditer(text.replace("14-19", "14–19")))
    return [(key, ACRONYMS[key]) for key in found]


def glossary(plan: Plan, rows: list[OutlineRow], *, edition: Edition | None = None) -> list[tuple[str, str]]:
    """The terms and acronyms the plan document uses, alphabetically."""
    items = [row.item for row in rows]
    kinds = {item.kind for item in items}
    entries: dict[str, str] = {}
    for kind, meaning in LEVELS.items():
        if kind in kinds:
            label = plan.label_for(kind)
            standard = PlanItem.Kind(kind).label
            entries[label] = (
                str(meaning)
                if label == standard
                else _("%(meaning)s (Elsewhere called a %(kind)s.)") % {"meaning": meaning, "kind": standard.lower()}
            )
    entries.update({str(TERM_NAMES[term]): str(meaning) for term, meaning in TERMS.items()})
    for cost_type, (term, meaning) in COST_TERMS.items():
        if any(item.cost_type == cost_type for item in items):
            entries[str(term)] = str(meaning)
    if any(item.funding_source for item in items):
        entries[_("Funding source")] = _("Where the money for an action or milestone comes from, such as a grant.")
    targets = [item for item in items if item.kind == PlanItem.Kind.TARGET]
    if targets:
        entries[_("Trajectory")] = _(
            "Where a target's measure should be at a date, on a straight line from baseline to target."
        )
    for name, (term, meaning) in MEASURE_TERMS.items():
        if any(getattr(item, name) is not None for item in targets):
            entries[str(term)] = str(meaning)
    for target_type, (term, meaning) in TARGET_TYPE_TERMS.items():
        if any(item.target_type == target_type for item in targets):
            entries[str(term)] = str(meaning)
    for unit, meaning in UNIT_TERMS.items():
        if any(item.unit == unit for item in targets):
            meaning = str(meaning)
            entries[str(PlanItem.Unit(unit).label)] = _("A unit of measure: %(meaning)s") % {
                "meaning": f"{meaning[0].lower()}{meaning[1:]}"
            }
    if edition is not None:
        entries[_("Edition")] = _("A named moment in the plan's life; this document shows the plan as it stood then.")
    texts = [plan.title, plan.summary]
    for row in rows:
        item = row.item
        texts += [item.title, item.description, item.funding_source, str(item.lead_organisation or "")]
        texts += [end.title for end in [*row.links_out, *row.links_in]]
    for acronym, meaning in acronyms_in(texts):
        entries.setdefault(acronym, str(meaning))
    return sorted(entries.items(), key=lambda entry: entry[0].casefold())
