"""A monitored plan: alice's approved plan with an action led by bob and a percentage
target led by the college (pat reports on it), and the quarters of 2013/14."""

from datetime import date

import pytest

from monitoring import services as monitoring
from planning.models import Plan, PlanItem
from tests.factories import add_item, make_return, vision_of


@pytest.fixture
def periods(db):
    return monitoring.financial_year_create(start_year=2013, user=None)


@pytest.fixture
def q1(periods):
    return periods[0]


def make_monitored(plan, bob, college):
    """``plan`` approved, with a priority, an action led by bob and a percentage target
    led by the college, as ``priority``, ``action`` and ``target`` attributes. A plain
    function too, for data built once for several tests (tests/test_xss_corpus.py)."""
    priority = add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    plan.action = add_item(
        plan,
        priority,
        "action",
        title="Train every maths teacher",
        lead_officer=bob,
        start_date=date(2013, 4, 1),
        due_date=date(2013, 12, 31),
    )
    plan.target = add_item(
        plan,
        plan.action,
        "target",
        title="Pupils reaching level 4 in maths",
        lead_organisation=college,
        unit=PlanItem.Unit.PERCENTAGE,
        baseline_value=70,
        baseline_date=date(2013, 3, 31),
        target_value=80,
        target_date=date(2014, 3, 31),
        direction=PlanItem.Direction.HIGHER,
        amber_tolerance=2,
    )
    plan.priority = priority
    plan.status = Plan.Status.APPROVED
    plan.save()
    return plan


@pytest.fixture
def monitored(plan, bob, college, pat):
    """Returns the plan, approved, with ``priority``, ``action`` and ``target`` attributes."""
    return make_monitored(plan, bob, college)


@pytest.fixture
def reported(monitored, periods, bob, pat):
    """Q1: action green, target amber 71; Q2: action red (worsened), target green 76."""
    q1, q2 = periods[0], periods[1]
    for period, action_rag, target_rag, value in ((q1, "green", "amber", 71), (q2, "red", "green", 76)):
        make_return(
            monitored.action, period, bob, {"rag": action_rag, "narrative": f"Action in {period.label}"}, submit=True
        )
        make_return(
            monitored.target,
            period,
            pat,
            {"rag": target_rag, "narrative": "Target", "actual_value": value},
            submit=True,
        )
    return monitored
