"""The benchmark's pairing (benchmarks/measure.py): each page sample sits beside a baseline
sample, the order alternates pair by pair, a cold view's edit is untimed and comes right
before the page, and the ratio is the median of the pairs' ratios (issue 14)."""

import pytest

from benchmarks.measure import Pairs, pair_orders, paired


def test_the_order_alternates_starting_with_the_baseline():
    assert pair_orders(4) == [("baseline", "page"), ("page", "baseline"), ("baseline", "page"), ("page", "baseline")]


class FakeClock:
    """Each timed call takes the seconds its function last set; the clock moves only then."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_samples_are_paired_in_alternating_order_with_the_edit_untimed_before_each_page():
    clock = FakeClock()
    calls = []
    base_seconds = iter([0.5, 1.0, 2.0, 1.0, 10.0])  # the first is the warm-up's
    page_seconds = iter([0.5, 2.0, 6.0, 3.0, 30.0])

    def baseline():
        calls.append("baseline")
        clock.now += next(base_seconds)

    def page():
        calls.append("page")
        clock.now += next(page_seconds)

    def edit():
        calls.append("edit")
        clock.now += 100.0  # an edit's time must not count

    result = paired(baseline, page, 4, prepare=edit, clock=clock)

    warm_up = ["baseline", "edit", "page"]
    assert calls == [
        *warm_up,
        *["baseline", "edit", "page"],
        *["edit", "page", "baseline"],
        *["baseline", "edit", "page"],
        *["edit", "page", "baseline"],
    ]
    assert result.page == [2.0, 6.0, 3.0, 30.0]
    assert result.baseline == [1.0, 2.0, 1.0, 10.0]


def test_the_ratio_is_the_median_of_the_pairs_ratios():
    pairs = Pairs(baseline=[1.0, 2.0, 1.0, 10.0, 4.0], page=[2.0, 6.0, 3.0, 30.0, 1.0])
    # ratios 2, 3, 3, 3, 0.25: median 3; the ratio of the medians would be 3 / 2 = 1.5
    assert pairs.ratio == pytest.approx(3.0)
    assert pairs.page_median / pairs.baseline_median == pytest.approx(1.5)


def test_without_an_edit_the_page_is_only_warmed_once():
    calls = []
    paired(lambda: calls.append("b"), lambda: calls.append("p"), 3, warm=False)
    assert calls == ["b", "p", "p", "b", "b", "p"]
