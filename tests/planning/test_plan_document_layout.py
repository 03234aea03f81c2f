"""What the plan document costs to lay out (issue 14): WeasyPrint's time and memory grow with
the boxes it lays out, and a box per fact (``inline-block``: 12,000 of them at 2,000 items)
made a 2,000-item plan's PDF take 66 s of CPU and 1.4 GB. An item's facts are one paragraph
of plain text, a box per line; these tests count the boxes, so a box per fact cannot come
back unnoticed, and check that the reader still gets every fact."""

import datetime
from decimal import Decimal
from io import BytesIO

import pytest
from pypdf import PdfReader
from weasyprint.formatting_structure import boxes

from config import pdf
from planning import plan_document
from tests.factories import add_item, vision_of


def _descendants(box):
    for child in getattr(box, "children", ()):
        yield child
        yield from _descendants(child)


def _classes(box) -> set[str]:
    return set((box.element.get("class") or "").split()) if box.element is not None else set()


@pytest.fixture
def full_plan(plan, bob):
    """Items with every kind of fact: leads, dates, status, cost, and a target's measures."""
    for n in range(1, 3):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Priority {n}", lead_officer=bob)
        for m in range(1, 4):
            action = add_item(
                plan,
                priority,
                "action",
                title=f"Action {n}.{m}",
                lead_officer=bob,
                lead_organisation=bob.organisation,
                start_date=datetime.date(2013, 4, 1),
                due_date=datetime.date(2014, 3, 31),
                cost_amount=Decimal(1000),
                cost_type="revenue",
                funding_source="Dedicated Schools Grant",
            )
            add_item(
                plan,
                action,
                "target",
                title=f"Pupils reaching the expected standard {n}.{m}",
                lead_officer=bob,
                unit="percentage",
                direction="higher",
                baseline_value=Decimal(70),
                baseline_date=datetime.date(2013, 3, 31),
                target_value=Decimal(85),
                target_date=datetime.date(2016, 3, 31),
            )
    return plan


def test_an_items_facts_are_laid_out_as_one_run_of_text_not_a_box_per_fact(full_plan):
    document = pdf.layout(plan_document.plan_document_html(full_plan))
    laid_out = [box for page in document.pages for box in _descendants(page._page_box)]
    facts = [box for box in laid_out if isinstance(box, boxes.BlockBox) and "pdf-facts" in _classes(box)]
    assert len(facts) == 2 + 6 + 6  # every item has its facts: priorities, actions, targets
    for paragraph in facts:
        inside = list(_descendants(paragraph))
        # lines of text, nothing else: no box per fact, per term or per value
        assert all(isinstance(box, (boxes.LineBox, boxes.TextBox)) for box in inside), {type(b) for b in inside}
        lines = [box for box in inside if isinstance(box, boxes.LineBox)]
        assert len([box for box in inside if isinstance(box, boxes.TextBox)]) == len(lines) <= 3
    items = [box for box in laid_out if isinstance(box, boxes.BlockBox) and "pdf-item" in _classes(box)]
    assert items
    assert not [box for item in items for box in _descendants(item) if isinstance(box, boxes.InlineBlockBox)]


def test_the_reader_still_gets_every_fact_of_an_item(full_plan):
    text = (
        "\n".join(page.extract_text() for page in PdfReader(BytesIO(plan_document.render_plan(full_plan))).pages)
        .replace("\n", " ")
        .replace("\u00a0", " ")
    )
    for fact in (
        "Lead officer: Bob Officer",
        "Start: 1 Apr 2013",
        "Due: 31 Mar 2014",
        "Cost: £1,000 revenue (Dedicated Schools Grant)",
        "Baseline: 70% (Mar 2013)",
        "Target: 85% by 31 Mar 2016",
        "Measure: Higher is better",
    ):
        assert fact in text
    assert " · Status: " in text  # the facts are told apart by a separator, not by boxes
    assert "Lead officer: Bob Officer · Lead organisation: " in text
