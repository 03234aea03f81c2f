"""python -m benchmarks.returns_burst: a quarter-end burst of progress returns on PostgreSQL.

500 returns (100 actions and 400 targets of one approved plan, led by 20 officers) are
submitted through the return form's view (``monitoring:return-edit``, action=submit) by
8 threads at once, each thread with its own database connection and one test client
per lead (``BENCHMARK_THREADS``, default 8), and, for comparison, by one thread. The time
per return (wall time ÷ 500) is printed as a ratio to a plain ``ProgressReturn(...).save()``
of the same 500 rows measured in the same run, and the result is checked: exactly one
submitted return per item, none lost or duplicated, one history row each, every response
a redirect. Any failed check exits nonzero.

The database: ``BENCHMARK_DATABASE_URL`` (default: the local development server,
postgres://golden_thread:golden_thread@127.0.0.1:5432/golden_thread) names a PostgreSQL
server and a role allowed to CREATE DATABASE; the benchmark creates a uniquely named
database there and drops it at the end, so it can be run again. Figures go into
docs/performance.md.
"""

import os
import queue
import random
import statistics
import sys
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.throwaway_db import ThrowawayDatabase  # noqa: E402

DATABASE = ThrowawayDatabase("gt_bench_returns", "benchmarks.returns_burst")

THREADS = int(os.environ.get("BENCHMARK_THREADS", "8"))
OFFICERS = 20
PRIORITIES, ACTIONS, TARGETS = 10, 10, 4  # 100 actions + 400 targets = 500 returns


os.environ["DATABASE_URL"] = DATABASE.create().url
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader
os.environ["ALLOWED_HOSTS"] = "testserver"
warnings.filterwarnings("ignore", "No directory at", UserWarning)  # whitenoise: static files not collected

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from monitoring import services as monitoring  # noqa: E402
from monitoring.models import ProgressReturn  # noqa: E402
from partners.models import Organisation, User  # noqa: E402
from planning import services  # noqa: E402
from planning.models import Plan, PlanItem  # noqa: E402

State = ProgressReturn.State
History = ProgressReturn.history.model


def build() -> tuple[Plan, list[PlanItem], list[User]]:
    """An approved plan whose 500 actions and targets are led, in turn, by 20 officers."""
    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    service = Organisation.objects.create(name="Education", slug="education", kind="service")
    owner = User.objects.create(username="owner", organisation=council, role=User.Role.OFFICER)
    officers = [
        User.objects.create(username=f"officer{n}", organisation=service, role=User.Role.OFFICER)
        for n in range(OFFICERS)
    ]
    plan = services.plan_create(
        user=owner,
        fields={"title": "Burst plan", "slug": "burst", "kind": "service", "organisation": council, "owner": owner,
                "start_year": 2013, "end_year": 2015},
    )  # fmt: skip
    vision = plan.items.get()
    reported = []

    def add(parent: PlanItem, kind: str, fields: dict) -> PlanItem:
        fields = {**fields, "lead_officer": officers[len(reported) % OFFICERS]}
        item = services.item_add(
            plan=plan, parent_id=parent.pk, kind=kind, user=owner, change=services.ItemChange(fields)
        )
        reported.append(item)
        return item

    for p in range(PRIORITIES):
        priority = services.item_add(plan=plan, parent_id=vision.pk, kind="priority", user=owner,
                                     change=services.ItemChange({"title": f"Priority {p}"}))  # fmt: skip
        for a in range(ACTIONS):
            action = add(priority, "action", {"title": f"Action {p}.{a}", "cost_amount": 1000, "cost_type": "revenue"})
            for t in range(TARGETS):
                add(action, "target", {"title": f"Target {p}.{a}.{t}", "unit": "percentage", "direction": "higher",
                                       "target_value": 85})  # fmt: skip
    plan.status = Plan.Status.APPROVED
    plan.save()
    return plan, reported, officers


def fields_for(item: PlanItem) -> dict:
    """What the lead reports for ``item``: the same in the baseline and in the burst."""
    fields = {"rag": "green", "narrative": f"Quarter-end return for item {item.pk}"}
    if item.kind == PlanItem.Kind.TARGET:
        fields["actual_value"] = str(60 + item.pk % 40)
    return fields


def plain_saves(items: list[PlanItem], period) -> float:
    """The baseline: ``ProgressReturn(...).save()`` of each submitted row in turn, as a
    plain Django save does it (autocommit; simple_history's signal writes its history row)."""
    now = timezone.now()
    start = time.perf_counter()
    for item in items:
        ProgressReturn(item=item, period=period, state=State.SUBMITTED, author=item.lead_officer,
                       submitted_at=now, submitted_by=item.lead_officer, **fields_for(item)).save()  # fmt: skip
    return time.perf_counter() - start


def bulk_saves(items: list[PlanItem], period) -> float:
    now = timezone.now()
    start = time.perf_counter()
    ProgressReturn.objects.bulk_create(
        ProgressReturn(item=item, period=period, state=State.SUBMITTED, author=item.lead_officer,
                       submitted_at=now, submitted_by=item.lead_officer, **fields_for(item))
        for item in items
    )  # fmt: skip
    return time.perf_counter() - start


def edit_url(plan: Plan, item: PlanItem, period) -> str:
    return reverse("monitoring:return-edit", args=[plan.slug, item.pk, period.slug])


def burst(plan: Plan, items: list[PlanItem], officers: list[User], period, threads: int) -> dict:
    """Every item's return submitted through the view by ``threads`` threads at once."""
    work: queue.Queue[PlanItem] = queue.Queue()
    order = list(items)
    random.Random(5).shuffle(order)  # the leads' returns arrive interleaved
    for item in order:
        work.put(item)
    clients = []
    for _ in range(threads):
        mine = {}
        for officer in officers:
            mine[officer.pk] = Client()
            mine[officer.pk].force_login(officer)
        clients.append(mine)
    # warm up (the URL resolver, the cached templates): open the form of an action and a target
    for item in items[:2]:
        page = clients[0][item.lead_officer_id].get(edit_url(plan, item, period))
        if page.status_code != 200:
            raise SystemExit(f"warm-up: the return form answered {page.status_code}")
    results: list[tuple[int, int, str, float]] = []  # item, status, location, seconds
    errors: list[str] = []
    queries = Counter()
    ready = threading.Barrier(threads + 1)
    lock = threading.Lock()

    def worker(mine: dict[int, Client]) -> None:
        counted = [0]

        def count(execute, sql_, params, many, context):
            counted[0] += 1
            return execute(sql_, params, many, context)

        mine_results = []
        try:
            connection.ensure_connection()  # this thread's own connection, opened before the clock starts
            ready.wait()
            with connection.execute_wrapper(count):
                while True:
                    try:
                        item = work.get_nowait()
                    except queue.Empty:
                        break
                    data = {**fields_for(item), "version": 0, "action": "submit"}
                    start = time.perf_counter()
                    try:
                        response = mine[item.lead_officer_id].post(edit_url(plan, item, period), data)
                    except Exception as error:  # a view that raised: record it, carry on with the burst
                        mine_results.append((item.pk, 500, repr(error), time.perf_counter() - start))
                        continue
                    mine_results.append(
                        (item.pk, response.status_code, response.get("Location", ""), time.perf_counter() - start)
                    )
        except Exception as error:
            with lock:
                errors.append(repr(error))
        finally:
            with lock:
                results.extend(mine_results)
                queries["queries"] += counted[0]
            connections.close_all()

    workers = [threading.Thread(target=worker, args=(mine,)) for mine in clients]
    for thread in workers:
        thread.start()
    ready.wait()
    start = time.perf_counter()
    for thread in workers:
        thread.join()
    wall = time.perf_counter() - start
    return {"wall": wall, "results": results, "errors": errors, "queries": queries["queries"]}


def check(plan: Plan, items: list[PlanItem], period, outcome: dict) -> list[str]:
    """What went wrong, if anything: a lost, duplicated or mis-stated return, a history
    row too many or too few, a response other than the redirect to the return."""
    problems = [f"thread failed: {error}" for error in outcome["errors"]]
    by_item = {item.pk: item for item in items}
    statuses = Counter(status for _, status, _, _ in outcome["results"])
    if len(outcome["results"]) != len(items):
        problems.append(f"{len(outcome['results'])} requests made, expected {len(items)}")
    bad = [(pk, status, where) for pk, status, where, _ in outcome["results"] if status != 302]
    if bad:
        problems.append(f"{len(bad)} non-302 responses {dict(statuses)}; first: {bad[:3]}")
    wrong_place = [
        pk
        for pk, status, where, _ in outcome["results"]
        if status == 302
        and where != reverse("monitoring:return-detail", args=[plan.slug, pk, period.slug])  # fmt: skip
    ]
    if wrong_place:
        problems.append(f"{len(wrong_place)} redirects elsewhere than the return; first items: {wrong_place[:5]}")
    rows = list(ProgressReturn.objects.filter(period=period).values(
        "pk", "item_id", "state", "author_id", "submitted_by_id", "rag", "narrative", "actual_value", "version"))  # fmt: skip
    if len(rows) != len(items):
        problems.append(f"{len(rows)} returns in {period.label}, expected {len(items)}")
    per_item = Counter(row["item_id"] for row in rows)
    duplicated = [pk for pk, n in per_item.items() if n > 1]
    lost = sorted(by_item.keys() - per_item.keys())
    if duplicated:
        problems.append(f"{len(duplicated)} items with more than one return: {duplicated[:5]}")
    if lost:
        problems.append(f"{len(lost)} items with no return: {lost[:5]}")
    for row in rows:
        item = by_item.get(row["item_id"])
        if item is None:
            problems.append(f"return {row['pk']} is for item {row['item_id']}, not one of the plan's")
            continue
        expected = fields_for(item)
        got = {"rag": row["rag"], "narrative": row["narrative"]}
        if "actual_value" in expected:
            got["actual_value"] = str(int(row["actual_value"])) if row["actual_value"] is not None else None
        if (
            row["state"] != State.SUBMITTED
            or row["author_id"] != item.lead_officer_id
            or row["submitted_by_id"] != item.lead_officer_id
            or row["version"] != 1
            or got != expected
        ):
            problems.append(f"return {row['pk']} for item {item.pk} is not the lead's submitted return: {row}")
    history = History.objects.filter(period_id=period.pk)
    per_return = dict(history.values_list("id").annotate(n=Count("history_id")).values_list("id", "n"))
    wrong_history = {pk: n for pk, n in per_return.items() if n != 1}
    missing_history = [row["pk"] for row in rows if row["pk"] not in per_return]
    if wrong_history:
        problems.append(f"{len(wrong_history)} returns without exactly one history row: {list(wrong_history.items())[:5]}")  # fmt: skip
    if missing_history:
        problems.append(f"{len(missing_history)} returns with no history row: {missing_history[:5]}")
    reasons = Counter(history.values_list("history_type", "history_change_reason", "history_user_id"))
    stray = {k: n for k, n in reasons.items() if k[:2] != ("+", "Submitted")}
    if stray:
        problems.append(f"history rows other than the submit: {stray}")
    return problems


def summary(outcome: dict) -> str:
    n = len(outcome["results"])
    latencies = sorted(seconds for *_, seconds in outcome["results"]) or [float("nan")]
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    return (
        f"{n} returns in {outcome['wall']:.2f} s = {n / outcome['wall']:.0f} returns/s; latency per request median "
        f"{statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms; "
        f"{outcome['queries'] / max(n, 1):.1f} queries per submit"
    )


def main() -> int:
    call_command("migrate", verbosity=0)
    t0 = time.perf_counter()
    plan, items, officers = build()
    periods = monitoring.financial_year_create(start_year=2013, user=None)
    built = time.perf_counter() - t0
    items = list(PlanItem.objects.filter(pk__in=[i.pk for i in items]).select_related("lead_officer").order_by("pk"))
    n = len(items)
    # each measurement in a quarter of its own, which starts empty
    save_seconds = plain_saves(items, periods[1])
    bulk_seconds = bulk_saves(items, periods[2])
    one_by_one = burst(plan, items, officers, periods[3], threads=1)
    at_once = burst(plan, items, officers, periods[0], threads=THREADS)
    problems = [f"{periods[3].label}, one thread: {p}" for p in check(plan, items, periods[3], one_by_one)]
    problems += [f"{periods[0].label}, {THREADS} threads: {p}" for p in check(plan, items, periods[0], at_once)]

    per_save = save_seconds / n
    server = connection.cursor().connection.info.server_version
    print(
        f"database: postgresql {server // 10000}.{server % 10000}; built {n} reportable items led by {OFFICERS} "
        f"officers in {built:.1f} s; {os.cpu_count()} cores"
    )
    print(f"{'measurement':<52} {'ms/return':>10} {'x save()':>9}")
    rows = [
        ("baseline: plain save(), one by one (autocommit)", save_seconds),
        ("bulk_create of the same rows (no history rows)", bulk_seconds),
        ("submit through the view, one thread", one_by_one["wall"]),
        (f"burst: submit through the view, {THREADS} threads", at_once["wall"]),
    ]
    for name, seconds in rows:
        print(f"{name:<52} {seconds / n * 1000:>10.2f} {seconds / n / per_save:>9.2f}")
    print(f"one thread:  {summary(one_by_one)}")
    print(f"{THREADS} threads: {summary(at_once)}")
    for label, outcome in ((periods[3].label, one_by_one), (periods[0].label, at_once)):
        statuses = Counter(status for _, status, _, _ in outcome["results"])
        print(f"responses in {label}: {dict(sorted(statuses.items()))}")
    if problems:
        print(f"checks: {len(problems)} FAILED")
        for problem in problems[:20]:
            print(f"  - {problem}")
        return 1
    print(
        f"checks passed: in {periods[3].label} and in {periods[0].label}, {n} returns, one per item, each submitted "
        "by its lead with what was posted and one history row: none lost or duplicated"
    )
    return 0


if __name__ == "__main__":
    try:
        code = main()
    finally:
        connections.close_all()  # then atexit drops the database
    sys.exit(code)
