"""The writers of HTML in Python (the plan outline and item facts, the scorecard's long
tables, "My returns", the alignment report's tables) put every value they show through
config/html.py: with a hostile text in every field each can show, none of it comes out
as markup, and each field's text is there, escaped. (tests/test_xss_corpus.py sends
payloads through the pages; this reaches the fields the corpus cannot type: level names,
names of people and organisations, funding sources, a rolled-up scorecard's plans.)"""

from datetime import date, datetime
from decimal import Decimal
from html import escape

import pytest
from django.utils import timezone

from monitoring import due_html, scorecard_html
from monitoring.models import ProgressReturn, ReportingPeriod
from monitoring.selectors import Due
from partners.models import Organisation, User
from planning import outline_html
from planning.models import Indicator, Plan, PlanItem
from planning.selectors import LinkEnd, OutlineRow

HOSTILE = "\"'><script>alert(1)</script><img src=x onerror=alert(2)>&amp;"
SHOWN = escape(HOSTILE)


def _no_markup_from(out: str, times: int) -> None:
    assert "<script" not in out and "<img" not in out and "onerror=alert(2)>" not in out
    assert out.count(SHOWN) == times, f"{out.count(SHOWN)} of {times} fields shown"


def _hostile_target() -> PlanItem:
    item = PlanItem(
        pk=11, kind=PlanItem.Kind.TARGET, title=HOSTILE, status=HOSTILE, parent_id=5,
        start_date=date(2013, 4, 1), due_date=date(2014, 3, 31),
        cost_amount=Decimal("12500.50"), cost_type=HOSTILE, funding_source=HOSTILE,
        unit=PlanItem.Unit.PERCENTAGE, baseline_value=Decimal("60"), baseline_date=date(2013, 3, 1),
        target_value=Decimal("85"), target_date=date(2016, 3, 31), direction=HOSTILE, target_type=HOSTILE,
        amber_tolerance=Decimal("2.5"),
    )  # fmt: skip
    item.lead_officer = User(pk=1, username="lead", first_name=HOSTILE)
    item.lead_organisation = Organisation(pk=2, name=HOSTILE)
    item.indicator = Indicator(pk=3, name=HOSTILE)
    return item


def _row(item: PlanItem) -> OutlineRow:
    return OutlineRow(
        item=item, reference=HOSTILE, depth=2, label=HOSTILE, supporters=[Organisation(pk=4, name=HOSTILE)],
        child_kinds=[("milestone", HOSTILE)], url=f"/plans/a-plan/items/{item.pk}/?{HOSTILE}",
        links_out=[LinkEnd(relation=HOSTILE, title=HOSTILE, plan_title=HOSTILE, url=HOSTILE)],
        links_in=[LinkEnd(relation=HOSTILE, title=HOSTILE, plan_title=HOSTILE, url="", hidden=True)],
    )  # fmt: skip


@pytest.mark.parametrize("can_change", [False, True])
def test_every_value_of_the_outline_is_text(can_change):
    out = outline_html.outline([_row(_hostile_target())], plan_title=HOSTILE, plan_slug="a-plan", can_change=can_change)
    # plan title, label, reference, address, title; 9 facts (lead, organisation, supporters,
    # status, cost, indicator, measure twice); two links (relation, title, plan, address;
    # relation); with change links the label, reference, title and the level to add again
    _no_markup_from(out, 20 + (10 if can_change else 0))
    assert 'href="/plans/a-plan/items/11/edit/"' in out if can_change else "edit/" not in out


def test_every_fact_of_an_item_is_text():
    _no_markup_from(outline_html.facts(_hostile_target(), [Organisation(pk=4, name=HOSTILE)]), 9)


def _card() -> dict:
    row = {
        "url": f"/x/?{HOSTILE}", "reference": HOSTILE, "title": HOSTILE, "plan": HOSTILE, "lead": HOSTILE,
        "rag": HOSTILE, "rag_label": HOSTILE, "previous_rag": HOSTILE, "change": HOSTILE, "narrative": HOSTILE,
    }  # fmt: skip
    target = {
        **row, "unit": HOSTILE, "direction": HOSTILE, "target": HOSTILE, "target_date": HOSTILE,
        "baseline": HOSTILE, "expected": HOSTILE, "actual": HOSTILE, "derived": HOSTILE,
        "derived_label": HOSTILE, "differs": True,
    }  # fmt: skip
    costs = {
        "sources": [HOSTILE],
        "rows": [{"reference": HOSTILE, "title": HOSTILE, "plan": HOSTILE, "amounts": [HOSTILE], "total": HOSTILE}] * 2,
        "totals": [HOSTILE],
        "total": HOSTILE,
    }
    return {
        "include_children": True,
        "targets": [target],
        "exceptions": [{**row, "why": HOSTILE}],
        "outstanding": [{**row, "state": HOSTILE}],
        "changes": [row],
        "costs": costs,
        "words": {"all_priorities": HOSTILE},
    }


@pytest.mark.parametrize(
    ("table", "fields"),
    [("target_rows", 15), ("exception_rows", 10), ("outstanding_rows", 6), ("change_rows", 9), ("cost_rows", 16)],
)
def test_every_value_of_a_scorecard_table_is_text(table, fields):
    _no_markup_from(getattr(scorecard_html, table)(_card()), fields)


@pytest.mark.django_db
def test_every_value_of_my_returns_is_text():
    plan = Plan(pk=1, slug="a-plan", title=HOSTILE)
    item = PlanItem(pk=3, kind=PlanItem.Kind.ACTION, title=HOSTILE, plan=plan)
    period = ReportingPeriod(
        pk=1,
        start_year=2013,
        quarter=1,
        starts_on=date(2013, 4, 1),
        ends_on=date(2013, 6, 30),
        due_on=date(2013, 7, 31),
    )
    returned = ProgressReturn(
        state=ProgressReturn.State.RETURNED, review_note=HOSTILE, submitted_at=timezone.make_aware(datetime(2013, 8, 2))
    )
    out = due_html.due_rows(
        [Due(item=item, period=period, progress_return=returned, today=date(2013, 9, 1))], "returned"
    )
    _no_markup_from(out, 3)  # title, the reviewer's note, plan title
    assert 'href="/plans/a-plan/items/3/returns/2013-q1/"' in out
    assert (
        '<time datetime="2013-07-31">31 Jul 2013</time> <strong class="govuk-tag govuk-tag--red">Late</strong>' in out
    )


def _hostile_plan(pk: int) -> Plan:
    return Plan(pk=pk, slug=f"plan-{pk}", title=HOSTILE, label_action=HOSTILE, label_target=HOSTILE, tree_id=pk, lft=1)


def test_every_value_of_the_alignment_report_is_text():
    from planning import alignment, alignment_html

    plans = [_hostile_plan(1), _hostile_plan(2)]
    action = alignment.Node(pk=7, plan_id=1, parent_id=5, kind="action", title=HOSTILE, lft=3)
    links = alignment_html._Links()
    out = alignment_html.item_rows([alignment.ItemRow(item=action, reference=HOSTILE, plan=plans[0])], links)
    _no_markup_from(out, 4)  # label, reference, title, plan title
    assert 'href="/plans/plan-1/items/7/"' in out

    def target(pk, plan, value):
        return alignment.Node(pk=pk, plan_id=plan.pk, parent_id=7, kind="target", title=HOSTILE, lft=pk,
                              indicator_id=3, indicator_name=HOSTILE, target_value=Decimal(value),
                              target_date=date(2015, 3, 31), unit="percentage")  # fmt: skip

    [group] = alignment._disagreements(
        [target(20, plans[0], 85), target(21, plans[1], 80)], {p.pk: p for p in plans}, {20: "1", 21: "2"}, {1}
    )
    _no_markup_from(alignment_html.target_rows(group, links), 2 * 3)  # plan title, label, title
    _no_markup_from(alignment_html.plan_value_rows(group, links), 2)  # plan title
