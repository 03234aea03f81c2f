"""The shared formatters every page, the PDF and the scorecards use for numbers, money,
dates and the plan's own level names (exports keep raw numbers)."""

from datetime import date
from decimal import Decimal

import pytest

from planning import wording
from planning.formatting import expected_measure, long_date, measure, number, pounds


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("12500.00"), "£12,500"),
        (Decimal("12500.50"), "£12,500.50"),
        (Decimal("12500.05"), "£12,500.05"),
        (Decimal("0.00"), "£0"),
        (Decimal("1850000"), "£1,850,000"),
        (25000, "£25,000"),
        (None, ""),
    ],
)
def test_money_is_shown_without_pence_unless_the_amount_has_them(value, shown):
    assert pounds(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (Decimal("2250.00"), "2,250"),
        (Decimal("85.00"), "85"),
        (Decimal("12.50"), "12.5"),
        (Decimal("2224.91"), "2,224.91"),
        (Decimal("1234567.5"), "1,234,567.5"),
        (Decimal("0"), "0"),
        (Decimal("-3.20"), "-3.2"),
        (1180, "1,180"),
        (None, ""),
    ],
)
def test_numbers_have_thousands_separators_and_no_trailing_zeros(value, shown):
    assert number(value) == shown


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (Decimal("2224.91"), "count", "2,225"),  # a trajectory between counts is a whole count
        (Decimal("2250.00"), "count", "2,250"),
        (Decimal("77.33"), "percentage", "77.33%"),
        (Decimal("85.00"), "percentage", "85%"),
        (Decimal("45000000.00"), "pounds", "£45,000,000"),
        (Decimal("12.5"), "days", "12.5 days"),
        (Decimal("1"), "days", "1 day"),
        (Decimal("5200.00"), "number", "5,200"),
        (Decimal("5200.00"), "", "5,200"),
        (None, "count", ""),
    ],
)
def test_a_measure_is_shown_in_its_unit(value, unit, shown):
    assert measure(value, unit) == shown


def test_a_trajectory_in_pounds_is_shown_to_the_pound():
    assert expected_measure(Decimal("2773972.60"), "pounds") == "£2,773,973"
    assert expected_measure(Decimal("2224.91"), "count") == "2,225"
    assert expected_measure(Decimal("77.33"), "percentage") == "77.33%"
    assert measure(Decimal("45700.50"), "pounds") == "£45,700.50"  # an amount someone gave keeps its pence


def test_dates_read_as_elsewhere():
    assert long_date(date(2026, 12, 5)) == "5 December 2026"
    assert long_date(None) == ""


@pytest.mark.parametrize(
    ("label", "in_sentence", "with_article", "plural"),
    [
        ("Action", "action", "an action", "Actions"),
        ("Priority", "priority", "a priority", "Priorities"),
        ("Themed outcome", "themed outcome", "a themed outcome", "Themed outcomes"),
        ("KPI", "KPI", "a KPI", "KPIs"),
        ("SEN target", "SEN target", "an SEN target", "SEN targets"),
        ("Outcome", "outcome", "an outcome", "Outcomes"),
        ("Milestone", "milestone", "a milestone", "Milestones"),
        ("Recommendation", "recommendation", "a recommendation", "Recommendations"),
        ("Unit of work", "unit of work", "a unit of work", "Units of work"),
        ("Hour of need", "hour of need", "an hour of need", "Hours of need"),
    ],
)
def test_a_level_name_reads_as_part_of_a_sentence(label, in_sentence, with_article, plural):
    assert wording.in_sentence(label) == in_sentence
    assert wording.with_article(wording.in_sentence(label)) == with_article
    assert wording.plural(label) == plural
