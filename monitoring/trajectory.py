"""Where a target should be by a given date, and whether the measured value is on track.

The trajectory is the straight line from the baseline (value and date) to the target
(value and date): a plan states those two points, and officers read the interim
expectation off the line. Without both dates there is no line, and the target value
itself is the expectation.

Derived status, for a measured ``actual`` against the ``expected`` value:
- green: on or better than the trajectory (higher-is-better: ``actual >= expected``);
- amber: short of it by no more than the amber tolerance;
- red: short by more than that.
The final target met counts as green whatever the line says.
"""

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from planning.models import PlanItem

GREEN, AMBER, RED = "green", "amber", "red"


def expected_at(item: PlanItem, on: date) -> Decimal | None:
    """The trajectory's value for ``item`` on ``on`` (None if the target has no value)."""
    if item.target_value is None:
        return None
    start, end = item.baseline_date, item.target_date
    if item.baseline_value is None or start is None or end is None or end <= start:
        return item.target_value
    if on <= start:
        return item.baseline_value
    if on >= end:
        return item.target_value
    share = Decimal((on - start).days) / Decimal((end - start).days)
    value = item.baseline_value + (item.target_value - item.baseline_value) * share
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def derived_status(item: PlanItem, actual: Decimal | None, on: date, expected: Decimal | None = None) -> str | None:
    """green, amber or red for ``actual`` measured on ``on``; None without a value.
    ``expected`` is the trajectory's value on ``on`` when the caller has worked it out."""
    if actual is None:
        return None
    if expected is None:
        expected = expected_at(item, on)
    if expected is None or not item.direction:
        return None
    higher = item.direction == PlanItem.Direction.HIGHER
    shortfall = (expected - actual) if higher else (actual - expected)
    met_target = actual >= item.target_value if higher else actual <= item.target_value
    if shortfall <= 0 or met_target:
        return GREEN
    if shortfall <= (item.amber_tolerance or Decimal(0)):
        return AMBER
    return RED


def disagrees(given: str, derived: str | None) -> bool:
    """The lead's RAG and the derived status differ ("complete" and "not started" are not
    compared: they say nothing about the measure)."""
    return bool(derived and given in {GREEN, AMBER, RED} and given != derived)


@dataclass
class Point:
    """One quarter of a target's progress, as the trajectory table shows it."""

    period: object
    expected: Decimal | None
    actual: Decimal | None
    derived: str | None
    given: str  # the author's RAG, "" if none
    progress_return: object | None

    @property
    def differs(self) -> bool:
        """The author's RAG and the derived one disagree (complete/not started aside)."""
        return disagrees(self.given, self.derived)


def series(item: PlanItem, periods, returns_by_period: dict) -> list[Point]:
    """The target's expected and actual values, quarter by quarter, for ``periods``."""
    points = []
    for period in periods:
        ret = returns_by_period.get(period.pk)
        actual = ret.actual_value if ret else None
        expected = expected_at(item, period.ends_on)
        points.append(
            Point(
                period=period,
                expected=expected,
                actual=actual,
                derived=derived_status(item, actual, period.ends_on, expected),
                given=ret.rag if ret else "",
                progress_return=ret,
            )
        )
    return points
