"""The scorecard pack on paper (issue 12 item 19): the costs table fits the page whatever
the number of funding sources, a rolled-up pack names the plan of every item it lists,
table captions and list markers are read where they stand (not clipped out of sight or
drawn apart and extracted out of order), and the trend chart draws "no return" as what
it is, with a legend, in step with the table beside it."""

import re
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from pypdf import PdfReader

from config import pdf
from monitoring import scorecard_pack, scorecards
from planning import plan_document
from planning.models import Plan
from tests.factories import add_item, make_plan, make_return, vision_of

RIGHT_MARGIN = 18 / 25.4 * 72  # print.css: @page margin 18mm either side


@pytest.fixture
def rolled_up(reported, periods, alice, bob):
    """``reported`` with an approved plan beneath it whose own action 1.1 is red in Q2,
    like the parent's action 1.1, and whose target 1.1.1 has no return."""
    child = make_plan(
        owner=alice, parent=reported, title="Maths service plan", slug="maths", status=Plan.Status.APPROVED
    )
    priority = add_item(child, vision_of(child), "priority", title="Numeracy for all")
    child.action = add_item(child, priority, "action", title="Run maths clubs", lead_officer=bob)
    make_return(child.action, periods[1], bob, {"rag": "red", "narrative": "No rooms"}, submit=True)
    add_item(child, child.action, "target", title="Pupils in a maths club")
    reported.child = child
    return reported


def _costed_by(plan, sources: int) -> None:
    for n in range(sources):
        add_item(
            plan,
            plan.priority,
            "action",
            title=f"Costed action {n}",
            cost_amount=Decimal(1000 + n),
            cost_type="capital",
            funding_source=f"Funding source number {n}",
        )


def _reader(content: bytes) -> PdfReader:
    return PdfReader(BytesIO(content))


def _text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in _reader(content).pages)


def _report_section(text: str, number: int) -> str:
    """Section ``number`` of the report, on one line (the contents list names it too)."""
    start = re.search(rf"^{number}\. .*$", text[text.index("1. Purpose of the report\n") :], re.M)
    body = text[text.index("1. Purpose of the report\n") + start.start() :]
    return " ".join(body[: re.search(rf"^{number + 1}\. ", body, re.M).start()].split())


def _text_starts(page) -> list[tuple[float, str]]:
    """Where each piece of text on ``page`` starts, across the page, with the text."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            found.append((tm[4] * cm[0] + tm[5] * cm[2] + cm[4], text.strip()))

    page.extract_text(visitor_text=visit)
    return found


# --- (a) costs ------------------------------------------------------------------------------


def test_the_costs_table_fits_the_page_at_twenty_funding_sources(reported, periods):
    _costed_by(reported, 20)
    content = scorecard_pack.render_scorecard(reported, periods[1], False)
    for number, page in enumerate(_reader(content).pages, start=1):
        edge = float(page.mediabox.width) - RIGHT_MARGIN
        beyond = [text for x, text in _text_starts(page) if x > edge]
        assert not beyond, f"page {number}: text starts beyond the right margin: {beyond[:5]}"
    # each source on a line of its own with its amount: a long table, not a wide one
    text = _text(content)
    assert re.search(r"Funding source number 19\s+£1,019", text)
    assert re.search(r"Total\s+£20,190", text)


def test_the_costs_table_gives_each_priority_its_sources_and_each_source_its_total(client, rolled_up, periods, mel):
    add_item(
        rolled_up.child,
        rolled_up.child.action.parent,
        "action",
        title="Abacuses",
        cost_amount=Decimal("300"),
        cost_type="capital",
        funding_source="Capital grant",
    )
    _costed_by(rolled_up, 1)
    add_item(
        rolled_up,
        rolled_up.priority,
        "action",
        title="Laptops",
        cost_amount=Decimal("200"),
        cost_type="capital",
        funding_source="Capital grant",
    )
    html = scorecard_pack.scorecard_pack_html(rolled_up, periods[1], True)
    costs = html[html.index('id="costs-heading"') :]
    cells = [re.sub(r"<[^>]+>", " ", cell).split() for cell in re.findall(r"<tr[^>]*>(.*?)</tr>", costs, re.S)]
    lines = [" ".join(words) for words in cells]
    assert lines == [
        "Priority and funding source Cost",
        "1 Raise attainment School Improvement Business Plan 2013-14",
        "Capital grant £200",
        "Funding source number 0 £1,000",
        "Total £1,200",
        "1 Numeracy for all Maths service plan",
        "Capital grant £300",
        "Total £300",
        "All priorities",
        "Capital grant £500",
        "Funding source number 0 £1,000",
        "Total £1,500",
    ]
    assert costs.count('scope="rowgroup"') == 3
    # the scorecard page shows the same table
    client.force_login(mel)
    url = reverse("monitoring:scorecard", args=[rolled_up.slug, periods[1].slug]) + "?children=1"
    page = client.get(url).content.decode()
    assert "Priority and funding source" in page and page.count('scope="rowgroup"') == 3


# --- (b) which plan --------------------------------------------------------------------------


def test_a_rolled_up_pack_names_the_plan_of_every_exception(rolled_up, periods):
    flat = _report_section(_text(scorecard_pack.render_scorecard(rolled_up, periods[1], True)), 4)
    assert "1.1 Train every maths teacher (School Improvement Business Plan 2013-14): red" in flat
    assert "1.1 Run maths clubs (Maths service plan): red" in flat


def test_a_pack_of_one_plan_does_not_repeat_its_name_on_every_line(reported, periods):
    report = _report_section(_text(scorecard_pack.render_scorecard(reported, periods[1], False)), 4)
    assert "1.1 Train every maths teacher: red" in report


def test_a_rolled_up_scorecard_names_the_plan_in_every_table_of_items(client, rolled_up, periods, mel):
    html = scorecard_pack.scorecard_pack_html(rolled_up, periods[1], True)
    appendix = html[html.index('id="appendix"') :]
    for heading, end in (
        ("changes-heading", "targets-heading"),
        ("targets-heading", "outstanding-heading"),
        ("outstanding-heading", "costs-heading"),
        ("exceptions-heading", "changes-heading"),
    ):
        section = appendix[appendix.index(heading) : appendix.index(end)]
        rows = re.findall(r'<tr><th scope="row">(.*?)</th>', section, re.S)
        assert rows, heading
        for row in rows:
            assert "School Improvement Business Plan 2013-14" in row or "Maths service plan" in row, (heading, row)


# --- (c) captions ----------------------------------------------------------------------------


def test_table_captions_are_read_in_place_above_their_tables(reported, periods):
    text = _text(scorecard_pack.render_scorecard(reported, periods[1], False))
    for caption, header in (
        ("Number of actions and targets with each rating, by priority", "Priority Red"),
        ("Actions and targets rated red, or amber for the first time, with what their leads said", "Item Rating"),
        ("Actions and targets whose rating improved or worsened since the quarter before", "Item Change"),
    ):
        assert re.search(re.escape(caption) + r"\s+" + re.escape(header), " ".join(text.split())), caption


def test_list_markers_are_read_with_the_items_they_mark(reported, periods):
    """WeasyPrint draws a list's outside markers after the page's text: they came out as
    stray bullets and numbers at the foot of the page."""
    text = _text(scorecard_pack.render_scorecard(reported, periods[1], False))
    assert "• 1.1 Train every maths teacher: red" in text
    assert re.search(r"^1\. note progress in Q2 2013/14", text, re.M)
    assert not re.search(r"^(•|\d+\.)\s*$", text, re.M)  # no marker on a line of its own


def test_nothing_in_the_pdfs_is_clipped_out_of_sight(reported, periods):
    """Text hidden by clipping (the screen's visually hidden pattern) would still be
    copied and extracted, out of order: on paper nothing is hidden that way."""
    html = scorecard_pack.scorecard_pack_html(reported, periods[1], False) + plan_document.plan_document_html(reported)
    document = pdf.weasyprint.HTML(string=html, base_url="http://testserver/", url_fetcher=pdf.LocalFetcher())
    rendered = document.render(stylesheets=[pdf._print_stylesheet()])

    def tiny(box):
        """Elements with text laid out in a box of at most 1pt by 1pt (WeasyPrint's boxes)."""
        text = "".join(box.element.itertext()).strip() if getattr(box, "element", None) is not None else ""
        if text and box.width is not None and box.width <= 1 and box.height <= 1:
            yield box.element_tag, text
        for child in getattr(box, "children", []):
            yield from tiny(child)

    clipped = [found for page in rendered.pages for found in tiny(page._page_box)]
    assert clipped == []


# --- (d) the trend chart ---------------------------------------------------------------------


def test_the_trend_chart_draws_no_return_hatched_with_a_legend_in_step_with_its_table(reported, periods):
    add_item(reported, reported.action, "target", title="Not reported on")
    card = scorecards.build(reported, periods[1])
    chart = scorecards.chart(card["trend"])
    html = scorecard_pack.scorecard_pack_html(reported, periods[1], False)
    svg = html[html.index("<svg") : html.index("</svg>")]
    # no white segment standing for missing returns
    assert "app-rag-fill--none" not in svg
    no_return = re.findall(r'<rect class="app-trend__no-return"[^>]*>', svg)
    assert no_return and all('fill="url(#trend-no-return)"' in rect for rect in no_return)
    assert '<pattern id="trend-no-return"' in svg
    # a legend entry for each rating the bars show, named as the table's columns are
    table = html[html.index("app-trend__table") :]
    columns = re.findall(r'<th scope="col"[^>]*>([^<]+)</th>', table[: table.index("</thead>")])[1:]
    legend = [entry["label"] for entry in chart["legend"]]
    shown = {segment["rag"] for bar in chart["bars"] for segment in bar["segments"]}
    assert legend == [
        label for label, rag in zip(columns, [*scorecards.RAG_ORDER, "none"], strict=True) if rag in shown
    ]
    assert "No return" in legend
    for label in legend:
        assert f">{label}</text>" in svg


def test_a_quarter_with_no_returns_is_an_outlined_bar_the_legend_explains(monitored, periods):
    card = scorecards.build(monitored, periods[0])
    chart = scorecards.chart(card["trend"])
    [bar] = chart["bars"]
    assert [segment["rag"] for segment in bar["segments"]] == ["none"]
    assert [entry["label"] for entry in chart["legend"]] == ["No return"]
    text = " ".join(_text(scorecard_pack.render_scorecard(monitored, periods[0], False)).split())
    assert "No return" in text[text.index("Trend across the year") :]


def test_the_packs_contents_name_the_plans_own_levels(reported, periods):
    """The headings use the plan's level names, and so do the contents that list them."""
    reported.label_priority = "Themed outcome"
    reported.save()
    contents = scorecard_pack.scorecard_pack_context(reported, periods[1], include_children=False)["contents"]
    titles = [entry.text for entry in contents]
    assert "Ratings by themed outcome" in titles and "Costs by themed outcome and funding source" in titles
    assert not any("by priority" in title for title in titles)
