"""python -m benchmarks.plan_pages: plan pages built through the services, and moves, in one run.

Builds its own data in a throwaway SQLite database (or the database in
BENCHMARK_DATABASE_URL), then prints each measurement as a ratio to the baseline
measured in the same run, with its query count. Figures go into docs/performance.md.
"""

import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
_tmp = tempfile.mkdtemp(prefix="gt-bench-")
os.environ["DATABASE_URL"] = os.environ.get("BENCHMARK_DATABASE_URL", f"sqlite:///{_tmp}/bench.sqlite3")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ["DEBUG"] = "false"  # as in production: cached template loader

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from api import services as api_services  # noqa: E402
from benchmarks.measure import REPEAT, build, page, timed  # noqa: E402
from partners.models import Organisation, User  # noqa: E402
from planning import services  # noqa: E402
from planning.models import PlanItem  # noqa: E402


def main() -> None:
    call_command("migrate", verbosity=0)
    council = Organisation.objects.create(name="Council", slug="council", kind="council")
    owner = User.objects.create(username="bench", organisation=council)
    t0 = time.perf_counter()
    small = build(owner, "p500", priorities=10, actions=9, per_action=4)
    big = build(owner, "p2000", priorities=20, actions=19, per_action=4)  # 20 + 380 + 1520 + 1 = 1921
    built = time.perf_counter() - t0
    sizes = {plan.slug: plan.items.count() for plan in (small, big)}
    client = Client()
    client.force_login(owner)
    results = []
    with override_settings(ROOT_URLCONF="benchmarks.urls", ALLOWED_HOSTS=["testserver"], TEMPLATES=[
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], Path(__file__).parent / "templates"]}
    ]):  # fmt: skip
        base, base_q = timed(lambda: page(client, "/baseline/"))
        results.append(("baseline: plain view, 500 rows", base, base_q))
        for plan in (small, big):
            url = reverse("planning:plan-detail", args=[plan.slug])
            results.append((f"plan page, {sizes[plan.slug]} items", *timed(lambda u=url: page(client, u))))
        # the read API (issue 16): the big plan's items in one page, with the owner's token
        _, secret = api_services.token_create(
            person=owner, name="Benchmark", expires_on=timezone.localdate() + timedelta(days=1)
        )
        api = Client(headers={"Authorization": f"Bearer {secret}"})
        url = reverse("api:item-list", args=[big.slug]) + "?page_size=2000"
        results.append((f"API page of items, {sizes[big.slug]} items", *timed(lambda u=url: page(api, u))))
        some_item = PlanItem.objects.filter(plan=big, kind="action").order_by("lft")[5]
        url = reverse("planning:item-detail", args=[big.slug, some_item.pk])
        results.append((f"item page in {sizes[big.slug]}-item plan", *timed(lambda u=url: page(client, u))))
        url = reverse("planning:plan-history", args=[big.slug])
        results.append((f"recent changes, {sizes[big.slug]}-item plan", *timed(lambda u=url: page(client, u))))
        draft = services.edition_create(plan=big, name="Draft", user=owner)
        for action in PlanItem.objects.filter(plan=big, kind="action").order_by("lft")[:20]:
            services.item_update(item_id=action.pk, user=owner, change=services.ItemChange({"title": action.title + "!"}),
                                 expected_version=action.version)  # fmt: skip
        for action in PlanItem.objects.filter(plan=big, kind="action").order_by("lft")[20:40]:
            services.link_add(source_id=action.pk, target_id=small.items.get(parent__isnull=True).pk,
                              relation="contributes_to", user=owner)  # fmt: skip
        url = reverse("planning:plan-as-of", args=[big.slug]) + f"?edition={draft.pk}"
        results.append((f"past view (edition), {sizes[big.slug]} items", *timed(lambda u=url: page(client, u))))
        url = reverse("planning:plan-compare", args=[big.slug]) + f"?from=edition-{draft.pk}&to=now"
        results.append((f"compare edition with now, {sizes[big.slug]}", *timed(lambda u=url: page(client, u))))
        url = reverse("planning:plan-alignment", args=[big.slug])
        results.append((f"alignment report, {sizes[big.slug]} items", *timed(lambda u=url: page(client, u))))
        url = reverse("planning:council-alignment")
        results.append((f"council alignment, {sum(sizes.values())} items", *timed(lambda u=url: page(client, u))))
        url = reverse("planning:search") + "?q=target"
        results.append(("search 'target' (50 shown)", *timed(lambda u=url: page(client, u))))
        target = PlanItem.objects.filter(plan=big, kind="priority").order_by("lft")[10]

        def move_up_and_back():
            services.item_move(item_id=target.pk, user=owner, new_parent_id=target.parent_id, new_position=10)
            services.item_move(item_id=target.pk, user=owner, new_parent_id=target.parent_id, new_position=11)

        move_time, move_q = timed(move_up_and_back)
        results.append(("move a priority up and back (2 moves)", move_time, move_q))
    print(f"database: {connection.vendor}; built {sum(sizes.values())} items in {built:.1f} s; median of {REPEAT}")
    print(f"{'measurement':<44} {'ms':>9} {'x baseline':>11} {'queries':>8}")
    for name, seconds, queries in results:
        print(f"{name:<44} {seconds * 1000:>9.1f} {seconds / base:>11.2f} {queries:>8}")


if __name__ == "__main__":
    main()
