"""python -m benchmarks.duplicates: near-duplicate actions and targets on the large council (issue 18).

On a generated council (``BENCHMARK_DATABASE_URL``, for example a SQLite file made by
``manage.py generate_council --seed 1 --plans 40 --items 20000 --quarters 8 --people 300``,
or a PostgreSQL database holding one), prints what the duplicates part of the alignment
report reads and finds (items compared, distinct texts, pairs, groups), how long it takes
(median of 5 after a warm-up), and the council and largest plan's alignment and
near-duplicates pages as an administrator reads them: time (the near-duplicates searched
afresh, as after a change, and from the cache) and query count. Nothing is written. Decision 0031 and
docs/performance.md ("Near-duplicates across plans") hold the figures.
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"
if "BENCHMARK_DATABASE_URL" in os.environ:
    os.environ["DATABASE_URL"] = os.environ["BENCHMARK_DATABASE_URL"]

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from benchmarks.measure import count_queries, median  # noqa: E402
from partners.models import User  # noqa: E402
from planning import duplicates  # noqa: E402
from planning.models import Plan, PlanItem  # noqa: E402


def _pairs(keys) -> set:
    try:
        return duplicates._similar(keys)
    except duplicates._Stopped as stopped:
        return stopped.found


def main() -> None:
    plans = {p.pk: p for p in Plan.objects.in_tree_order()}
    rows = PlanItem.objects.filter(plan_id__in=list(plans), kind__in=sorted(PlanItem.MERGEABLE_KINDS))
    titles = list(rows.values_list("kind", "title"))
    texts = {(kind, duplicates.trigrams(title)) for kind, title in titles}
    print(f"database {connection.vendor}; {len(plans)} plans; {len(titles)} actions and targets; "
          f"{len(texts)} distinct texts")  # fmt: skip
    found = duplicates.find_duplicates(plans)
    print(f"groups {found.total_groups} holding {found.total_items} items; shown {len(found.groups)}; "
          f"search stopped by its bounds: {found.stopped}")  # fmt: skip
    print(f"similar pairs of texts (Python): {len(_pairs(list(texts)))}")
    print(f"find_duplicates, all plans: {median(lambda: duplicates.find_duplicates(plans)) * 1000:.0f} ms")
    print(f"  of which the pairs (Python): {median(lambda: _pairs(list(texts))) * 1000:.0f} ms")
    largest = Plan.objects.annotate(n=Count("items")).order_by("-n", "pk").values_list("pk", "slug", "n").first()
    print(f"find_duplicates, within {largest[1]} ({largest[2]} items): "
          f"{median(lambda: duplicates.find_duplicates(plans, within=largest[0])) * 1000:.0f} ms")  # fmt: skip
    admin = User.objects.filter(role=User.Role.ADMIN, is_active=True).first()
    client = Client()
    client.force_login(admin)
    for name, url in (
        ("council alignment page", reverse("planning:council-alignment")),
        ("plan alignment page", reverse("planning:plan-alignment", args=[largest[1]])),
        ("council near-duplicates page", reverse("planning:council-duplicates")),
        ("plan near-duplicates page", reverse("planning:plan-duplicates", args=[largest[1]])),
    ):
        response = client.get(url)
        assert response.status_code == 200, response.status_code
        # as after a change (the cache's key moved on: the search is made again), then cached
        cold = median(lambda url=url: (cache.clear(), client.get(url)), repeat=3)
        seconds = median(lambda url=url: client.get(url), repeat=3)
        queries = len(count_queries(lambda url=url: client.get(url)))
        print(f"{name}: {cold * 1000:.0f} ms searched afresh, {seconds * 1000:.0f} ms cached, "
              f"{queries} queries cached, {len(response.content) // 1024} KB")  # fmt: skip


if __name__ == "__main__":
    from django.test.utils import override_settings

    with override_settings(ALLOWED_HOSTS=["testserver"]):
        main()
