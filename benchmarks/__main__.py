"""python -m benchmarks (make benchmark): the app's main pages on a generated council, in one run.

Generates a small council and then the large one (``manage.py generate_council``: 40 plans,
20,000 items, 8 quarters, 300 people; BENCHMARK_SCALE=small for a quick run) into a
throwaway SQLite database (or BENCHMARK_DATABASE_URL, emptied first), and for each prints
every page's median time as a ratio to baselines measured in the same run on the same data:

- pages, against a plain Django view rendering 500 rows from one query (benchmarks/urls.py);
- the PDF, against bare WeasyPrint rendering the very same HTML.

Pages: the plan page of the largest plan (about 2,000 items; the outline served from its
cache, and built afresh), an item page, the plan's alignment report, its past view and
comparison (its approved edition against now), search, the plan's scorecard for the latest
quarter, a lead officer's "my returns", and the scorecard pack PDF. Query counts are
printed for both sizes; the targets (issue 7) are checked at the end and any miss is listed
(the exit status stays 0: a benchmark reports, CI does not run it).
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
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, F  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.measure import median, page, timed  # noqa: E402
from monitoring import scorecard_pack  # noqa: E402
from monitoring.models import ProgressReturn, ReportingPeriod  # noqa: E402
from partners.models import User  # noqa: E402
from planning.models import Edition, Plan, PlanItem  # noqa: E402

PDF_REPEAT = int(os.environ.get("BENCHMARK_PDF_REPEAT", "3"))
SIZES = {
    "small": {"plans": 4, "items": 500, "quarters": 2, "people": 30},
    "large": {"plans": 40, "items": 20000, "quarters": 8, "people": 300},
}
PLAN_PAGE_TARGET, PDF_TARGET, MAX_QUERIES = 1.5, 1.2, 10


def _generate(size: str) -> tuple[float, dict]:
    call_command("flush", interactive=False, verbosity=0)
    cache.clear()
    start = time.perf_counter()
    call_command("generate_council", seed=1, verbosity=0, **SIZES[size])
    return time.perf_counter() - start, SIZES[size]


def _subjects() -> dict:
    """What each page is measured on: the largest service plan and things in it."""
    # a service plan (no plans below it) at both sizes, so that query counts compare like with like
    leaves = Plan.objects.filter(rght=F("lft") + 1)
    plan = leaves.annotate(n=Count("items")).order_by("-n", "pk").first()
    action = plan.items.filter(kind="action").order_by("tree_id", "lft")[len(plan.items.all()) // 40]
    lead = (
        User.objects.filter(led_items__kind__in=["action", "target"], is_active=True)
        .annotate(n=Count("led_items"))
        .order_by("-n", "pk")
        .first()
    )
    period = ReportingPeriod.objects.filter(returns__item__plan=plan).order_by("-starts_on").first()
    edition = Edition.objects.filter(plan=plan).order_by("-moment").first()
    word = plan.items.filter(kind="priority").order_by("lft").first().title.split()[0]
    return {"plan": plan, "items": plan.n, "action": action, "lead": lead, "period": period, "edition": edition,
            "word": word}  # fmt: skip


def _measure(size: str) -> dict:
    built, asked = _generate(size)
    s = _subjects()
    plan, period = s["plan"], s["period"]
    reader = Client()
    reader.force_login(plan.owner)
    lead = Client()
    lead.force_login(s["lead"])
    slug = plan.slug
    urls = {
        "plan page (outline cached)": reverse("planning:plan-detail", args=[slug]),
        "item page": reverse("planning:item-detail", args=[slug, s["action"].pk]),
        "alignment report": reverse("planning:plan-alignment", args=[slug]),
        "past view (its edition)": reverse("planning:plan-as-of", args=[slug]) + f"?edition={s['edition'].pk}",
        "comparison (edition with now)": reverse("planning:plan-compare", args=[slug])
        + f"?from=edition-{s['edition'].pk}&to=now",
        "search": reverse("planning:search") + f"?q={s['word']}",
        "scorecard (latest quarter)": reverse("monitoring:scorecard", args=[slug, period.slug]),
    }
    results = {}
    sizes = {"baseline: plain view, 500 rows": _kb(reader, "/baseline/")}
    base, base_q = timed(lambda: page(reader, "/baseline/"))
    results["baseline: plain view, 500 rows"] = (base, base_q, base)
    for name, url in urls.items():
        sizes[name] = _kb(reader, url)
        results[name] = (*timed(lambda u=url: page(reader, u)), base)
        if name.startswith("plan page"):

            def afresh(u=url):
                cache.clear()
                page(reader, u)

            results["plan page (outline built afresh)"] = (*timed(afresh), base)
    sizes["my returns (busiest lead)"] = _kb(lead, reverse("monitoring:my-returns"))
    results["my returns (busiest lead)"] = (*timed(lambda: page(lead, reverse("monitoring:my-returns"))), base)
    html = scorecard_pack.scorecard_pack_html(plan, period, False)
    bare = median(lambda: weasyprint.HTML(string=html, base_url=settings.SITE_URL).write_pdf(), PDF_REPEAT)
    results["baseline: bare WeasyPrint, same HTML"] = (bare, 0, bare)
    pack_queries = []
    with connection.execute_wrapper(lambda run, sql, *a: pack_queries.append(sql) or run(sql, *a)):
        scorecard_pack.render_scorecard(plan, period, False)
    ours = median(lambda: scorecard_pack.render_scorecard(plan, period, False), PDF_REPEAT)
    results["scorecard pack PDF"] = (ours, len(pack_queries), bare)
    returns = ProgressReturn.objects.count()
    print(
        f"\n{size}: generated {PlanItem.objects.count()} items in {Plan.objects.count()} plans, {returns} returns, "
        f"{User.objects.count()} people in {built:.1f} s ({asked}); largest plan {slug}: {s['items']} items; "
        f"quarter {period.slug}; database {connection.vendor}"
    )
    print(f"{'measurement':<40} {'ms':>9} {'ratio':>7} {'queries':>8} {'KB':>7}")
    for name, (seconds, queries, against) in results.items():
        kb = sizes.get(name.replace("built afresh", "cached"), "")
        print(f"{name:<40} {seconds * 1000:>9.1f} {seconds / against:>7.2f} {queries:>8} {kb:>7}")
    return results


def _kb(client: Client, url: str) -> int:
    """The page's size in KB (how much a reader's browser receives)."""
    return len(page(client, url).content) // 1024


def _verdict(small: dict, large: dict) -> list[str]:
    misses = []
    seconds, _, base = large["plan page (outline cached)"]
    if seconds / base > PLAN_PAGE_TARGET:
        misses.append(f"plan page {seconds / base:.2f}x the 500-row baseline (target {PLAN_PAGE_TARGET}x)")
    seconds, _, bare = large["scorecard pack PDF"]
    if seconds / bare > PDF_TARGET:
        misses.append(f"PDF {seconds / bare:.2f}x bare WeasyPrint (target {PDF_TARGET}x)")
    for name, (_, queries, _) in large.items():
        if name.startswith("baseline"):
            continue
        if queries != small[name][1]:
            misses.append(f"{name}: {small[name][1]} queries small, {queries} large")
        if queries > MAX_QUERIES and "PDF" not in name:  # a page's target; the PDF is not a page
            misses.append(f"{name}: {queries} queries (target at most {MAX_QUERIES})")
    return misses


def main() -> None:
    call_command("migrate", verbosity=0)
    scale = os.environ.get("BENCHMARK_SCALE", "large")
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"], TEMPLATES=[
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]):  # fmt: skip
        small = _measure("small")
        large = _measure("large") if scale == "large" else small
    misses = _verdict(small, large)
    print("\ntargets: " + ("all met" if not misses else "missed:\n  " + "\n  ".join(misses)))


if __name__ == "__main__":
    main()
