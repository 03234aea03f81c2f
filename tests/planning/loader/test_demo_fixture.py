"""``fixtures/demo_council.json``: it loads with ``loaddata`` into valid trees, the
validating loader accepts it too, and ``load_demo`` loads it once and names the demo
sign-ins."""

import io
import json
from collections import defaultdict

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command

from partners.models import Organisation, User
from planning.models import Plan, PlanItem
from tests.planning.loader.support import history_counts, load_plans, table_counts

DEMO = settings.BASE_DIR / "fixtures" / "demo_council.json"
PERSONAS = ["officer", "owner", "partner", "member", "admin"]
PASSWORD = "golden-thread-demo"
MODEL_LABELS = [
    "partners.organisation",
    "partners.user",
    "planning.indicator",
    "planning.plan",
    "planning.planshare",
    "planning.planitem",
    "planning.itemsupporter",
]


@pytest.fixture(scope="module")
def demo_objects() -> list[dict]:
    return json.loads(DEMO.read_text(encoding="utf-8"))


def count_in_file(objects: list[dict], label: str) -> int:
    return sum(1 for o in objects if o["model"] == label)


def reading_order_in_file(objects: list[dict]) -> dict[str, list[tuple[int, str, str]]]:
    """Plan slug -> its items as (depth, kind, title), depth first, siblings by position
    and then by their order in the file: the order the file asks for."""
    slugs = {o["pk"]: o["fields"]["slug"] for o in objects if o["model"] == "planning.plan"}
    children = defaultdict(list)
    for number, o in enumerate(objects):
        if o["model"] == "planning.planitem":
            children[(o["fields"]["plan"], o["fields"]["parent"])].append((o["fields"]["position"], number, o))
    order: dict[str, list[tuple[int, str, str]]] = {}

    def walk(plan_pk, parent_pk, depth, rows):
        for _, _, o in sorted(children[(plan_pk, parent_pk)], key=lambda entry: entry[:2]):
            rows.append((depth, o["fields"]["kind"], o["fields"]["title"]))
            walk(plan_pk, o["pk"], depth + 1, rows)

    for plan_pk, slug in slugs.items():
        walk(plan_pk, None, 0, order.setdefault(slug, []))
    return order


def reading_order_in_database() -> dict[str, list[tuple[int, str, str]]]:
    order: dict[str, list[tuple[int, str, str]]] = {}
    for plan in Plan.objects.all():
        items = PlanItem.objects.filter(plan=plan).order_by("lft")
        order[plan.slug] = [(item.level, item.kind, item.title) for item in items]
    return order


def tree_columns(model) -> dict[int, tuple[int, int, int, int]]:
    return {row.pk: (row.tree_id, row.lft, row.rght, row.level) for row in model.objects.all()}


def assert_trees_are_valid() -> None:
    """Rebuilding any tree changes nothing; siblings are numbered 1..n; every item is valid."""
    for model in (Organisation, Plan, PlanItem):
        before = tree_columns(model)
        for tree_id in set(model.objects.values_list("tree_id", flat=True)):
            model.objects.partial_rebuild(tree_id)
        assert tree_columns(model) == before, model
    for model in (Organisation, Plan):  # each tree of organisations or plans has a single root
        roots = model.objects.filter(parent__isnull=True)
        assert len({root.tree_id for root in roots}) == roots.count(), model
    positions = defaultdict(list)
    for item in PlanItem.objects.order_by("tree_id", "lft"):
        positions[(item.plan_id, item.parent_id)].append(item.position)
        item.full_clean()
    for parent, numbers in positions.items():
        assert numbers == list(range(1, len(numbers) + 1)), parent
    for plan in Plan.objects.all():
        assert PlanItem.objects.filter(plan=plan, parent__isnull=True).count() == 1, plan
        assert len(set(PlanItem.objects.filter(plan=plan).values_list("tree_id", flat=True))) == 1, plan
        plan.full_clean()


@pytest.mark.django_db
def test_loaddata_produces_valid_trees(demo_objects):
    call_command("loaddata", str(DEMO), stdout=io.StringIO())

    for label in MODEL_LABELS:
        assert apps.get_model(label).objects.count() == count_in_file(demo_objects, label), label
    assert_trees_are_valid()
    assert reading_order_in_database() == reading_order_in_file(demo_objects)


@pytest.mark.django_db
def test_load_plans_accepts_the_demo_file_and_writes_history(demo_objects):
    run = load_plans(DEMO)

    assert run.error is None, run.stderr
    for label in MODEL_LABELS:
        assert apps.get_model(label).objects.count() == count_in_file(demo_objects, label), label
    assert_trees_are_valid()
    assert reading_order_in_database() == reading_order_in_file(demo_objects)

    # one history row for every row written, each with the loader's reason
    counts = table_counts()
    for label, n in history_counts().items():
        assert n == counts[label.replace(".Historical", ".")], label
    for model in (Organisation, User, Plan, PlanItem):
        reasons = set(model.history.values_list("history_change_reason", flat=True))
        assert reasons == {"loaded from demo_council.json"}, model

    for username in PERSONAS:
        user = User.objects.get(username=username)
        assert user.is_active, username
        assert check_password(PASSWORD, user.password), username


@pytest.mark.django_db
def test_load_demo_loads_once_and_names_the_demo_sign_ins(demo_objects):
    out = io.StringIO()
    call_command("load_demo", stdout=out)

    printed = out.getvalue()
    assert "Loaded the demo council from demo_council.json" in printed
    assert PASSWORD in printed
    lines = printed.splitlines()
    for username in PERSONAS:
        assert any(line.strip().startswith(username + " ") for line in lines), (username, printed)
    assert Plan.objects.count() == count_in_file(demo_objects, "planning.plan")
    assert PlanItem.objects.count() == count_in_file(demo_objects, "planning.planitem")
    counts = table_counts()

    again = io.StringIO()
    call_command("load_demo", stdout=again)

    assert "already exist" in again.getvalue()
    assert "Loaded the demo council" not in again.getvalue()
    assert table_counts() == counts
