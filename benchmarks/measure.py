"""What the benchmark scripts share: timing with query counts, a page measured in pairs
interleaved with its baseline, and building a plan through the services (as officers
would, with every history row)."""

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection
from django.test import Client

from partners.models import User
from planning import services

REPEAT = int(os.environ.get("BENCHMARK_REPEAT", "7"))


def build(owner: User, slug: str, priorities: int, actions: int, per_action: int) -> object:
    plan = services.plan_create(
        user=owner,
        fields={"title": f"Benchmark plan {slug}", "slug": slug, "kind": "service", "organisation": owner.organisation,
                "owner": owner, "start_year": 2013, "end_year": 2015},
    )  # fmt: skip
    vision = plan.items.get()
    for p in range(priorities):
        priority = services.item_add(plan=plan, parent_id=vision.pk, kind="priority", user=owner,
                                     change=services.ItemChange({"title": f"Priority {p}", "description": "**Raise** standards"}))  # fmt: skip
        for a in range(actions):
            action = services.item_add(plan=plan, parent_id=priority.pk, kind="action", user=owner,
                                       change=services.ItemChange({"title": f"Action {p}.{a}", "cost_amount": 1000, "cost_type": "revenue"}))  # fmt: skip
            for k in range(per_action):
                fields = {
                    "title": f"Target {p}.{a}.{k}",
                    "unit": "percentage",
                    "direction": "higher",
                    "target_value": 85,
                }
                services.item_add(plan=plan, parent_id=action.pk, kind="target", user=owner, change=services.ItemChange(fields))  # fmt: skip
    return plan


def page(client: Client, url: str, streaming: bool = False):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    if streaming:
        b"".join(response.streaming_content)  # the whole file, as a reader receives it
    return response


def timed(fn) -> tuple[float, int]:
    fn()  # warm up
    samples = []
    queries = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        fn()
    for _ in range(REPEAT):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples), len(queries)


def median(fn, repeat: int = 5) -> float:
    """Median seconds of ``repeat`` calls after one warm-up call (for slow things: PDFs)."""
    fn()
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def interleaved(cases: dict, repeat: int = REPEAT) -> dict[str, float]:
    """Median seconds of each case in ``cases`` (name → function), measured in turns: each
    round runs every case once, in the given order on even rounds and reversed on odd ones,
    so that a machine getting busier or quieter during the run moves every case alike.
    One warm-up round first."""
    for fn in cases.values():
        fn()
    samples: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_ in range(repeat):
        for name in names if round_ % 2 == 0 else reversed(names):
            start = time.perf_counter()
            cases[name]()
            samples[name].append(time.perf_counter() - start)
    return {name: statistics.median(times) for name, times in samples.items()}


# --- pairs: a page against its baseline, interleaved -------------------------------------------
#
# Measuring all of one thing and then all of the other lets a machine that gets busier in
# between decide the ratio (issue 14: a 1.11x PDF read as 1.84x). So each sample of the page is
# paired with a sample of the baseline taken next to it, the order alternating pair by pair,
# and the figure reported is the median of the pairs' ratios: a slow moment spoils one pair,
# not the result.


def pair_orders(pairs: int) -> list[tuple[str, str]]:
    """Which of the two goes first in each pair: the baseline in even pairs, the page in odd ones."""
    return [("baseline", "page") if n % 2 == 0 else ("page", "baseline") for n in range(pairs)]


@dataclass
class Pairs:
    """Seconds of each pair's baseline and page sample (``baseline[n]`` is paired with ``page[n]``)."""

    baseline: list[float] = field(default_factory=list)
    page: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        """Median of the pairs' ratios (page / baseline), not the ratio of the medians."""
        return statistics.median(page / base for base, page in zip(self.baseline, self.page, strict=True))

    @property
    def page_median(self) -> float:
        return statistics.median(self.page)

    @property
    def baseline_median(self) -> float:
        return statistics.median(self.baseline)


def paired(
    baseline: Callable[[], object],
    page: Callable[[], object],
    pairs: int = REPEAT,
    *,
    prepare: Callable[[], object] | None = None,
    warm: bool = True,
    clock: Callable[[], float] = time.perf_counter,
) -> Pairs:
    """``pairs`` samples of ``page`` each beside one of ``baseline``, in the order of
    ``pair_orders``. ``prepare`` runs, untimed, before every sample of the page (and before
    the warm-up): the edit that makes a "cold" view cold. ``warm``: one untimed call of each
    first (imports, template compilation, the database's page cache)."""
    if warm:
        baseline()
        if prepare is not None:
            prepare()
        page()
    result = Pairs()
    cases = {"baseline": (baseline, result.baseline), "page": (page, result.page)}
    for order in pair_orders(pairs):
        for which in order:
            fn, samples = cases[which]
            if which == "page" and prepare is not None:
                prepare()
            start = clock()
            fn()
            samples.append(clock() - start)
    return result


def count_queries(fn: Callable[[], object]) -> list[str]:
    """The SQL of every query ``fn`` runs."""
    queries: list[str] = []
    with connection.execute_wrapper(lambda execute, sql, *args: queries.append(sql) or execute(sql, *args)):
        fn()
    return queries
