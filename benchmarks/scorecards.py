"""python -m benchmarks.scorecards: the members' pages at size (issue 6).

Builds, in a throwaway SQLite database (or BENCHMARK_DATABASE_URL), one approved plan
of about 2,000 items (20 priorities × 19 actions × 4 targets) with four quarters of
returns, then prints, each against a baseline measured in the same run:

(a) the scorecard page, against a plain Django view rendering the same rows (each
    reported item with its rating and narrative) in a plain table;
(b) the scorecard pack PDF, against bare WeasyPrint rendering the very same HTML;
(c) serving a stored PDF (a locked quarter's pack, already produced).

Goals (issue 6): (a) ≤ 1.5, (b) ≤ 1.2, (c) under 100 ms. Figures go into
docs/performance.md.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="gt-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader
os.environ.setdefault("MEDIA_ROOT", f"{_tmp}/media")

import django  # noqa: E402

django.setup()

import weasyprint  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from benchmarks.measure import build, median, page, timed  # noqa: E402
from config.history import change_context  # noqa: E402
from monitoring import documents, scorecard_pack, tasks  # noqa: E402
from monitoring import services as monitoring  # noqa: E402
from monitoring.models import ProgressReturn  # noqa: E402
from partners.models import Organisation, User  # noqa: E402
from planning.models import Plan, PlanItem  # noqa: E402

PDF_REPEAT = int(os.environ.get("BENCHMARK_PDF_REPEAT", "3"))
RAGS = ["green", "green", "amber", "red", "green", "complete", "amber", "green"]


def add_returns(plan: Plan, periods, owner: User) -> int:
    """Four quarters of submitted returns for every action and target, written in bulk
    with their history rows (the rule for bulk writes)."""
    items = list(plan.items.filter(kind__in=["action", "target"]).order_by("pk"))
    now = timezone.now()
    rows = []
    for q, period in enumerate(periods):
        for n, item in enumerate(items):
            rows.append(
                ProgressReturn(
                    item=item,
                    period=period,
                    state="accepted",
                    rag=RAGS[(n + q) % len(RAGS)],
                    actual_value=(60 + (n + 3 * q) % 30) if item.kind == "target" else None,
                    narrative=f"Quarter {q + 1}: progress on {item.title}, with a sentence or two of detail.",
                    author=owner,
                    submitted_at=now,
                    submitted_by=owner,
                    reviewed_at=now,
                    reviewed_by=owner,
                )
            )
    with change_context(reason="Benchmark data", user=owner):
        created = ProgressReturn.objects.bulk_create(rows, batch_size=500)
        ProgressReturn.history.bulk_history_create(created, default_user=owner, default_change_reason="Benchmark data")
    return len(created)


def main() -> None:
    call_command("migrate", verbosity=0)
    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    owner = User.objects.create(username="bench", organisation=council, role="admin")
    t0 = time.perf_counter()
    plan = build(owner, "p2000", priorities=20, actions=19, per_action=4)
    for item in plan.items.filter(kind="target"):
        item.baseline_value, item.target_value = 60, 85
        item.baseline_date, item.target_date = (
            timezone.datetime(2013, 3, 31).date(),
            timezone.datetime(2016, 3, 31).date(),
        )
        item.save()
    plan.status = Plan.Status.APPROVED
    plan.save()
    periods = monitoring.financial_year_create(start_year=2013, user=owner)
    returns = add_returns(plan, periods, owner)
    built = time.perf_counter() - t0
    items = PlanItem.objects.filter(plan=plan).count()
    client = Client()
    client.force_login(owner)
    results = []
    q4 = periods[3]
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"], TEMPLATES=[
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]):  # fmt: skip
        base, base_q = timed(lambda: page(client, f"/baseline-scorecard/{plan.slug}/{q4.slug}/"))
        results.append(("baseline: plain view of the same rows", base, base_q, base))
        url = reverse("monitoring:scorecard", args=[plan.slug, q4.slug])
        seconds, queries = timed(lambda: page(client, url))
        results.append((f"(a) scorecard page, {items} items, Q4", seconds, queries, base))

        if os.environ.get("BENCHMARK_PDF", "1") == "0":  # the page only, for quick runs
            return _print(plan, items, returns, built, results)
        # (b) the scorecard pack: our render against bare WeasyPrint on the very same HTML
        html = scorecard_pack.scorecard_pack_html(plan, q4, False)
        bare = median(lambda: weasyprint.HTML(string=html, base_url=settings.SITE_URL).write_pdf(), repeat=PDF_REPEAT)
        results.append(("baseline: bare WeasyPrint, same HTML", bare, 0, bare))
        ours = median(lambda: scorecard_pack.render_scorecard(plan, q4, False), repeat=PDF_REPEAT)
        results.append(("(b) scorecard pack PDF (tagged PDF/UA)", ours, 0, bare))

        # (c) a locked quarter's pack, produced once, then served from storage
        monitoring.period_lock(period_id=q4.pk, user=owner)
        q4.refresh_from_db()
        document = documents.request_scorecard_pdf(owner, plan, q4, False)
        tasks.render_document.call(document.pk)
        download = reverse("monitoring:document-download", args=[document.pk])
        served, served_q = timed(lambda: page(client, download, streaming=True))
        results.append(("(c) serve the stored PDF", served, served_q, base))
    _print(plan, items, returns, built, results)


def _print(plan, items, returns, built, results) -> None:
    print(f"database: {connection.vendor}; built {items} items and {returns} returns in {built:.1f} s")
    print("ratios: (a) and (c) against the plain view; (b) against bare WeasyPrint")
    print(f"{'measurement':<46} {'ms':>9} {'ratio':>7} {'queries':>8}")
    for name, seconds, queries, against in results:
        print(f"{name:<46} {seconds * 1000:>9.1f} {seconds / against:>7.2f} {queries:>8}")


if __name__ == "__main__":
    main()
