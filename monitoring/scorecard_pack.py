"""The quarterly scorecard pack: a committee report on a plan's quarter (purpose, summary,
RAG summary, exceptions, financial implications, recommendations) with the scorecard
page's own sections as its appendix, printed as a PDF.

Turning its HTML into a PDF is ``config.pdf``, shared with the plan document
(``planning.plan_document``). Asking for either, producing it in the background and
storing it stays in monitoring (``monitoring.documents``, ``monitoring.tasks``, the
``Document`` model), the one home of stored PDFs of both kinds.
"""

from django.template.loader import render_to_string

from config import pdf
from config.context_processors import council_name
from config.pdf import Entry, RenderError, produced_on
from monitoring import questions as member_questions
from monitoring import scorecard_risks, scorecard_thread, scorecards
from monitoring.models import ReportingPeriod
from planning.models import Plan


def render_scorecard(
    plan: Plan,
    period: ReportingPeriod,
    include_children: bool,
    hidden: frozenset[int] = frozenset(),
    *,
    questions: bool = True,
) -> bytes:
    return pdf.html_to_pdf(scorecard_pack_html(plan, period, include_children, hidden, questions=questions))


def scorecard_pack_html(
    plan: Plan,
    period: ReportingPeriod,
    include_children: bool,
    hidden: frozenset[int] = frozenset(),
    *,
    questions: bool = True,
) -> str:
    return render_to_string(
        "monitoring/print/scorecard_pack.html",
        scorecard_pack_context(plan, period, include_children, hidden, questions=questions),
    )


def scorecard_pack_context(
    plan: Plan,
    period: ReportingPeriod,
    include_children: bool,
    hidden: frozenset[int] = frozenset(),
    *,
    questions: bool = True,
) -> dict:
    """The pack's context. ``hidden``: plans the pack's readers may not read; the thread view
    counts nothing of them. ``questions``: with the members' questions (decision 0022) — the
    members' pack; the public's pack of a published plan has none."""
    if not period.covers_plan(plan):
        raise RenderError("the plan does not run in this quarter")
    card = scorecards.scorecard_data(plan, period, include_children=include_children)
    thread = scorecard_thread.view(
        card.get("thread"), scorecard_thread.plan_ids(card.get("thread")) - hidden, card["period"]["slug"]
    )
    asked = (
        member_questions.for_scorecard(scorecards.plans_in_scope(plan, include_children), period) if questions else None
    )
    counts = {row["rag"] or "none": row["count"] for row in card["rag_counts"]}
    rated = sum(count for rag, count in counts.items() if rag != "none")
    differs = [row for row in card["targets"] if row.get("differs")]
    risks = scorecard_risks.view(card.get("risks"), plan.slug)
    appendix = [
        Entry("Summary", "summary-heading", 1),
        Entry(f"Ratings by {card['words']['by_priority']}", "priorities-heading", 1),
        *([Entry(f"What contributes to each {card['words']['by_priority']}", "thread-heading", 1)] if thread else []),
        Entry("Trend across the year", "trend-heading", 1),
        Entry("Exceptions: red and newly amber", "exceptions-heading", 1),
        Entry("Targets", "targets-heading", 1),
        Entry("Returns outstanding", "outstanding-heading", 1),
        Entry(f"Costs by {card['words']['by_priority']} and funding source", "costs-heading", 1),
        Entry("Budget and spend", "spend-heading", 1),
        *([Entry("Risks", "risks-heading", 1)] if risks else []),
    ]
    contents = [
        Entry("1. Purpose of the report", "purpose"),
        Entry("2. Summary", "report-summary"),
        Entry("3. RAG summary", "rag-summary"),
        Entry("4. Exceptions", "report-exceptions"),
        Entry("5. Financial implications", "financial-implications"),
        *([Entry("6. Members’ questions", "members-questions")] if asked is not None else []),
        Entry(f"{7 if asked is not None else 6}. Recommendations", "recommendations"),
        Entry(f"Appendix A: the {card['period']['label']} scorecard", "appendix"),
        *appendix,
    ]
    return {
        "plan": plan,
        "period": period,
        "card": card,
        "thread": thread,
        "risks": risks,
        "chart": scorecards.chart(card["trend"]),
        "contents": contents,
        "produced": produced_on(),
        "starts": f"{period.starts_on:%-d %B %Y}",
        "ends": f"{period.ends_on:%-d %B %Y}",
        "counts": counts,
        "rated": rated,
        "red": counts.get("red", 0),
        "amber": counts.get("amber", 0),
        "green": counts.get("green", 0) + counts.get("complete", 0),
        "differs": differs,
        # the actions whose spend is past the threshold (a scorecard stored before decision 0023 has none)
        "flagged_spend": [row for row in (card["spend"] or {}).get("rows", []) if row["flagged"]],
        "funding": list(zip(card["costs"]["sources"], card["costs"]["totals"], strict=True)),
        "recommendations": recommendations(card, differs),
        "council_name": council_name(),
        "questions": asked,
        "pdf": True,
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
