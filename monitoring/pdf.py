"""PDFs rendered by WeasyPrint from the app's own templates: the plan document (the plan
now, or as at an edition) and the quarterly scorecard pack (a committee report with the
scorecard page's own sections as its appendix).

Every PDF is tagged (PDF/UA-1), has bookmarks that follow its headings (h1 > h2 > h3…),
a contents list whose page numbers and links are the PDF's own, and "Page N of M" with
what it shows (the edition or the quarter) and the day it was produced on every page.

Nothing is fetched over the network: the print stylesheet is parsed once per process
and handed to WeasyPrint, and the URL fetcher serves ``/static/`` from the app's own
static files and refuses everything else. Relative links in the pages (``/plans/…``)
resolve against ``SITE_URL``, so a link in the PDF opens the app.
"""

import mimetypes
import os
import re
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from urllib.parse import unquote, urlsplit

import weasyprint
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from django.utils import timezone

from monitoring import scorecards
from monitoring.models import ReportingPeriod
from planning import snapshots
from planning.formatting import pounds
from planning.models import Edition, Plan, PlanItem
from planning.selectors import OutlineRow, hide_link_ends, plan_outline
from planning.wording import in_sentence, with_article

PRINT_CSS = "app/print.css"
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1"}  # tagged, with the document's language and title
# the trend chart's colours: WeasyPrint draws inline SVG with the SVG's own styles only
SVG_STYLE = (
    "<style>.app-rag-fill--red{fill:#d4351c}.app-rag-fill--amber{fill:#f47738}"
    ".app-rag-fill--green{fill:#00703c}.app-rag-fill--complete{fill:#1d70b8}"
    ".app-rag-fill--not_started{fill:#505a5f}</style>"
)
_SVG_OPEN = re.compile(r"(<svg\b[^>]*>)")


class RenderError(Exception):
    """A PDF that cannot be produced for a reason the reader can be told."""


# --- rendering -------------------------------------------------------------------------------


class LocalFetcher(weasyprint.URLFetcher):
    """Serves ``<SITE_URL>/static/…`` (what ``/static/…`` in a print page resolves to) from
    the static files on disk; refuses every other address, so rendering never reaches the
    network, the media files or anything outside the static files."""

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        site = urlsplit(settings.SITE_URL)
        local = parts.scheme in {"http", "https"} and parts.netloc == site.netloc
        if local and parts.path.startswith(settings.STATIC_URL):
            path = _static_path(unquote(parts.path[len(settings.STATIC_URL) :]))
            if path:
                with open(path, "rb") as file:
                    body = file.read()
                content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
                return weasyprint.urls.URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise ValueError(f"Not fetched while rendering a PDF: {url}")


def _static_path(name: str) -> str | None:
    """The file behind a static name: collected (production) or in the app (development);
    None for a name outside the static files ("../settings.py")."""
    try:
        if staticfiles_storage.exists(name):
            return staticfiles_storage.path(name)
        return finders.find(name)
    except (SuspiciousFileOperation, NotImplementedError, ValueError):
        return None


def _print_stylesheet() -> weasyprint.CSS:
    """The print stylesheet, parsed once (it is the same for every PDF) and again only
    when the file changes."""
    path = _static_path(PRINT_CSS)
    return _parsed_stylesheet(path, os.stat(path).st_mtime_ns)


@lru_cache(maxsize=2)
def _parsed_stylesheet(path: str, modified: int) -> weasyprint.CSS:
    return weasyprint.CSS(filename=path, url_fetcher=LocalFetcher())


def html_to_pdf(html: str) -> bytes:
    """The PDF of a print page's HTML."""
    html = _SVG_OPEN.sub(lambda match: match.group(1) + SVG_STYLE, html)
    document = weasyprint.HTML(string=html, base_url=settings.SITE_URL, url_fetcher=LocalFetcher())
    return document.write_pdf(stylesheets=[_print_stylesheet()], **PDF_OPTIONS)


def render_plan(plan: Plan, edition: Edition | None = None, hidden: frozenset[int] = frozenset()) -> bytes:
    return html_to_pdf(plan_document_html(plan, edition, hidden=hidden))


def render_scorecard(plan: Plan, period: ReportingPeriod, include_children: bool) -> bytes:
    return html_to_pdf(scorecard_pack_html(plan, period, include_children))


def _produced() -> str:
    return f"{timezone.localdate():%-d %B %Y}"


# --- the plan document -----------------------------------------------------------------------


@dataclass
class Entry:
    """A line of a contents list: its text, the heading it links to, how far it is indented."""

    text: str
    anchor: str
    indent: int = 0


@dataclass
class PrintRow:
    """An item as the plan document prints it: an outline row and the heading it gets."""

    row: OutlineRow
    heading: int  # 2 for a top-level priority, 3 beneath it, … at most 6
    anchor: str


def plan_document_html(plan: Plan, edition: Edition | None = None, *, hidden: frozenset[int] = frozenset()) -> str:
    return render_to_string("monitoring/print/plan_document.html", plan_document_context(plan, edition, hidden=hidden))


def plan_document_context(plan: Plan, edition: Edition | None = None, *, hidden: frozenset[int] = frozenset()) -> dict:
    """``hidden``: plans whose items linked with this plan's are shown without their title
    (the readers this document is for may not read them)."""
    if edition is not None:
        snapshot = snapshots.plan_at(plan, edition.moment)
        if snapshot is None:
            raise RenderError("the plan did not exist yet at the moment of this edition")
        shown, rows = snapshot.plan, snapshot.rows
        showing = f"Edition: {edition.name}"
    else:
        shown, rows = plan, plan_outline(plan)
        showing = "The plan as it stands (not a named edition)"
    hide_link_ends(rows, hidden)
    vision = rows[0] if rows and rows[0].depth == 0 else None
    body = [
        PrintRow(row=row, heading=min(row.depth + 1, 6), anchor=f"item-{row.item.pk}")
        for row in rows
        if row is not vision
    ]
    costs = plan_costs(rows, plan)
    linked = linked_plans(plan, shown, rows)
    contents = [Entry("About this plan", "about")] if shown.summary else []
    contents += [Entry(shown.label_vision, "vision")] if vision else []
    contents += [
        Entry(f"{entry.row.reference} {entry.row.item.title}", entry.anchor, indent=entry.row.depth - 1)
        for entry in body
        if entry.row.item.kind == PlanItem.Kind.PRIORITY
    ]
    contents += [Entry("Costs summary", "costs"), Entry("Linked plans", "linked-plans"), Entry("Glossary", "glossary")]
    return {
        "plan": shown,
        "live_plan": plan,
        "edition": edition,
        "showing": showing,
        "produced": _produced(),
        "vision": vision,
        "rows": body,
        "contents": contents,
        "costs": costs,
        "linked": linked,
        "glossary": glossary(shown, rows, edition=edition),
        "council_name": settings.COUNCIL_NAME,
    }


def plan_costs(rows: list[OutlineRow], plan: Plan) -> dict:
    """Costs of actions and milestones by top-level priority (revenue, capital, total) and
    by funding source, with the plan's total; money as the pages write it (``pounds``:
    pence only where an amount has them)."""
    outside = f"Not under {with_article(in_sentence(plan.label_for('priority')))}"
    by_priority: dict[int, dict[str, Decimal]] = {}
    titles: dict[int, str] = {}
    by_source: dict[str, Decimal] = defaultdict(Decimal)
    totals: dict[str, Decimal] = defaultdict(Decimal)
    current = 0
    for row in rows:
        item = row.item
        if row.depth == 1:
            current = item.pk
            titles[current] = f"{row.reference} {item.title}"
        if not item.cost_amount:
            continue
        kind = item.cost_type or "not_stated"
        cell = by_priority.setdefault(current, defaultdict(Decimal))
        cell[kind] += item.cost_amount
        totals[kind] += item.cost_amount
        by_source[item.funding_source or "Not stated"] += item.cost_amount
    types = [(key, label) for key, label in PlanItem.CostType.choices if totals.get(key)]
    if totals.get("not_stated"):
        types.append(("not_stated", "Type not stated"))
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
        "any": bool(table),
    }


def linked_plans(plan: Plan, shown: Plan, rows: list[OutlineRow]) -> dict:
    """The plan's place in the thread: the plan it delivers, the published plans that
    deliver it, and each link between one of its items and an item of another plan.
    Drafts beneath it are left out: the same PDF is served to every reader."""
    children = list(
        plan.get_children().filter(status__in=Plan.PUBLISHED_STATUSES).select_related("organisation").order_by("title")
    )
    links = []
    for row in rows:
        for end in [*row.links_out, *row.links_in]:
            if end.plan_title and end.plan_title != shown.title:
                links.append(
                    {
                        "reference": row.reference,
                        "title": row.item.title,
                        "anchor": f"item-{row.item.pk}" if row.depth else "vision",
                        "relation": end.relation,
                        "other": end.title,
                        "other_plan": end.plan_title,
                        "url": end.url,
                        "note": end.note,
                        "hidden": end.hidden,
                    }
                )
    return {"parent": plan.parent, "children": children, "links": links}


# --- the glossary ---------------------------------------------------------------------------

LEVELS = {
    PlanItem.Kind.VISION: "The single statement of what the plan is for; everything in the plan serves it.",
    PlanItem.Kind.PRIORITY: "One of the few things the plan sets out to change. Its actions say how.",
    PlanItem.Kind.ACTION: "Something a named lead will do, by a date, at a cost where one is given.",
    PlanItem.Kind.TARGET: "A measure of success, with a baseline, a value to reach and a date to reach it by.",
    PlanItem.Kind.MILESTONE: "A step on the way to finishing an action or meeting a target, with its date.",
}
TERMS = {
    "Lead officer": "The person answerable for an item and for reporting progress on it each quarter.",
    "Lead organisation": "The organisation answerable for an item: the council or one of its partners.",
    "Supported by": "Organisations that help deliver an item without leading it.",
    "RAG rating": "Red, amber or green: how the lead rates progress on an action or target in a quarterly "
    "return (also complete, or not started).",
}
COST_TERMS = {
    PlanItem.CostType.REVENUE: ("Revenue cost", "Day-to-day spending, such as staff time and services."),
    PlanItem.CostType.CAPITAL: ("Capital cost", "Spending on buildings, equipment and other lasting assets."),
}
MEASURE_TERMS = {
    "baseline_value": ("Baseline", "Where a target's measure stood when the plan began."),
    "amber_tolerance": ("Amber tolerance", "How far short of the trajectory a target may be and still be amber."),
}
TARGET_TYPE_TERMS = {
    PlanItem.TargetType.FLOOR: ("Floor target", "The least the plan will accept."),
    PlanItem.TargetType.ASPIRATIONAL: ("Aspirational target", "What could be achieved if every action goes to plan."),
}
UNIT_TERMS = {
    PlanItem.Unit.PERCENTAGE: "A share of a whole, out of 100.",
    PlanItem.Unit.COUNT: "A whole number of people, places or things.",
    PlanItem.Unit.NUMBER: "A measured quantity that may have decimals.",
    PlanItem.Unit.POUNDS: "An amount of money in pounds sterling.",
    PlanItem.Unit.DAYS: "A length of time in days.",
}
# acronyms met in council plans, found in a plan's own text and explained in its glossary
ACRONYMS = {
    "14–19": "Education and training for young people aged 14 to 19",
    "BSF": "Building Schools for the Future",
    "CAF": "Common Assessment Framework",
    "CAMHS": "Child and Adolescent Mental Health Services",
    "CPD": "Continuing professional development",
    "CYPP": "Children and Young People's Plan",
    "DCSF": "Department for Children, Schools and Families",
    "DfE": "Department for Education",
    "DfES": "Department for Education and Skills",
    "DWP": "Department for Work and Pensions",
    "EAL": "English as an additional language",
    "EHCP": "Education, health and care plan",
    "EYFS": "Early Years Foundation Stage",
    "FE": "Further education",
    "FSM": "Free school meals",
    "FTE": "Full-time equivalent",
    "GCSE": "General Certificate of Secondary Education",
    "HE": "Higher education",
    "ICT": "Information and communications technology",
    "KPI": "Key performance indicator",
    "KS1": "Key Stage 1 (ages 5 to 7)",
    "KS2": "Key Stage 2 (ages 7 to 11)",
    "KS3": "Key Stage 3 (ages 11 to 14)",
    "KS4": "Key Stage 4 (ages 14 to 16)",
    "LA": "Local authority",
    "LAC": "Looked-after children",
    "LAA": "Local Area Agreement",
    "LEA": "Local education authority",
    "LSC": "Learning and Skills Council",
    "LSP": "Local Strategic Partnership",
    "MTFS": "Medium-term financial strategy",
    "NEET": "Not in education, employment or training",
    "NHS": "National Health Service",
    "NI": "National indicator",
    "NVQ": "National Vocational Qualification",
    "Ofsted": "Office for Standards in Education, Children's Services and Skills",
    "PCT": "Primary care trust",
    "PRU": "Pupil referral unit",
    "PSA": "Public service agreement",
    "RAG": "Red, amber, green: the rating of progress in a quarterly return",
    "SEN": "Special educational needs",
    "SEND": "Special educational needs and disabilities",
    "SENCO": "Special educational needs co-ordinator",
    "SIP": "School improvement partner",
    "VCS": "Voluntary and community sector",
    "YOT": "Youth offending team",
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
            entries[label] = meaning if label == standard else f"{meaning} (Elsewhere called a {standard.lower()}.)"
    entries.update(TERMS)
    for cost_type, (term, meaning) in COST_TERMS.items():
        if any(item.cost_type == cost_type for item in items):
            entries[term] = meaning
    if any(item.funding_source for item in items):
        entries["Funding source"] = "Where the money for an action or milestone comes from, such as a grant."
    targets = [item for item in items if item.kind == PlanItem.Kind.TARGET]
    if targets:
        entries["Trajectory"] = (
            "Where a target's measure should be at a date, on a straight line from baseline to target."
        )
    for name, (term, meaning) in MEASURE_TERMS.items():
        if any(getattr(item, name) is not None for item in targets):
            entries[term] = meaning
    for target_type, (term, meaning) in TARGET_TYPE_TERMS.items():
        if any(item.target_type == target_type for item in targets):
            entries[term] = meaning
    for unit, meaning in UNIT_TERMS.items():
        if any(item.unit == unit for item in targets):
            entries[PlanItem.Unit(unit).label] = f"A unit of measure: {meaning[0].lower()}{meaning[1:]}"
    if edition is not None:
        entries["Edition"] = "A named moment in the plan's life; this document shows the plan as it stood then."
    texts = [plan.title, plan.summary]
    for row in rows:
        item = row.item
        texts += [item.title, item.description, item.funding_source, str(item.lead_organisation or "")]
        texts += [end.title for end in [*row.links_out, *row.links_in]]
    for acronym, meaning in acronyms_in(texts):
        entries.setdefault(acronym, meaning)
    return sorted(entries.items(), key=lambda entry: entry[0].casefold())


# --- the scorecard pack ----------------------------------------------------------------------


def scorecard_pack_html(plan: Plan, period: ReportingPeriod, include_children: bool) -> str:
    return render_to_string(
        "monitoring/print/scorecard_pack.html", scorecard_pack_context(plan, period, include_children)
    )


def scorecard_pack_context(plan: Plan, period: ReportingPeriod, include_children: bool) -> dict:
    if not period.covers_plan(plan):
        raise RenderError("the plan does not run in this quarter")
    card = scorecards.scorecard_data(plan, period, include_children=include_children)
    counts = {row["rag"] or "none": row["count"] for row in card["rag_counts"]}
    rated = sum(count for rag, count in counts.items() if rag != "none")
    differs = [row for row in card["targets"] if row.get("differs")]
    appendix = [
        Entry("Summary", "summary-heading", 1),
        Entry(f"Ratings by {card['words']['by_priority']}", "priorities-heading", 1),
        Entry("Trend across the year", "trend-heading", 1),
        Entry("Exceptions: red and newly amber", "exceptions-heading", 1),
        Entry("Targets", "targets-heading", 1),
        Entry("Returns outstanding", "outstanding-heading", 1),
        Entry(f"Costs by {card['words']['by_priority']} and funding source", "costs-heading", 1),
    ]
    contents = [
        Entry("1. Purpose of the report", "purpose"),
        Entry("2. Summary", "report-summary"),
        Entry("3. RAG summary", "rag-summary"),
        Entry("4. Exceptions", "report-exceptions"),
        Entry("5. Financial implications", "financial-implications"),
        Entry("6. Recommendations", "recommendations"),
        Entry(f"Appendix A: the {card['period']['label']} scorecard", "appendix"),
        *appendix,
    ]
    return {
        "plan": plan,
        "period": period,
        "card": card,
        "chart": scorecards.chart(card["trend"]),
        "contents": contents,
        "produced": _produced(),
        "starts": f"{period.starts_on:%-d %B %Y}",
        "ends": f"{period.ends_on:%-d %B %Y}",
        "counts": counts,
        "rated": rated,
        "red": counts.get("red", 0),
        "amber": counts.get("amber", 0),
        "green": counts.get("green", 0) + counts.get("complete", 0),
        "differs": differs,
        "funding": list(zip(card["costs"]["sources"], card["costs"]["totals"], strict=True)),
        "recommendations": recommendations(card, differs),
        "council_name": settings.COUNCIL_NAME,
    }


def recommendations(card: dict, differs: list[dict]) -> list[str]:
    """What members are asked to do, composed from the scorecard."""
    label = card["period"]["label"]
    asks = [
        f"note progress in {label}: {card['received']} of {card['reported']} returns received, "
        f"{card['movement']['improved']} improved and {card['movement']['worsened']} worsened since last quarter;"
    ]
    if card["exceptions"]:
        count = len(card["exceptions"])
        asks.append(
            f"scrutinise the {count} exception{'s' if count != 1 else ''} in section 4 and ask the leads "
            "concerned what will bring them back on track, and by when;"
        )
    else:
        asks.append("note that nothing is red or newly amber this quarter;")
    if differs:
        asks.append(
            f"ask why the rating given differs from the status its figures show for {len(differs)} "
            f"target{'s' if len(differs) != 1 else ''};"
        )
    if card["outstanding"]:
        count = len(card["outstanding"])
        asks.append(
            f"ask that the {count} outstanding return{'s' if count != 1 else ''} be received before the next meeting;"
        )
    asks.append("agree any changes to the plan that members wish to see, to be brought back as a revision of the plan.")
    return asks
