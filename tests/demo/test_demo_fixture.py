"""``fixtures/demo_council.json``: it loads with ``loaddata`` into valid trees and the
validating loader accepts it too. That ``load_demo`` loads it once (then tells the demo
story) and names the demo sign-ins is tested in ``tests/demo/test_planning_story.py``,
with the one load of the demo that module shares."""

import io
import json
from collections import defaultdict

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from demo.management.commands.build_demo_fixture import SOURCE, FixtureBuilder, load_content
from partners.models import Organisation, User
from planning.models import Link, Plan, PlanItem
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
    "planning.link",
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
    for item in PlanItem.objects.in_tree_order():
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


@pytest.fixture(scope="class")
def load_plans_run(django_db_setup, django_db_blocker):
    """``load_plans`` run once on the demo file for the tests that read what it loaded
    (each in its own savepoint), rolled back after them."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield load_plans(DEMO)
        transaction.set_rollback(True)


@pytest.fixture
def run(load_plans_run, db):
    assert load_plans_run.error is None, load_plans_run.stderr
    return load_plans_run


class TestTheValidatingLoader:
    """Both tests read the one ``load_plans`` of the demo file (``load_plans_run``)."""

    def test_load_plans_accepts_the_demo_file_and_writes_history(self, demo_objects, run):
        for label in MODEL_LABELS:
            assert apps.get_model(label).objects.count() == count_in_file(demo_objects, label), label
        assert_trees_are_valid()
        assert reading_order_in_database() == reading_order_in_file(demo_objects)

        # one history row for every row written, each with the loader's reason
        counts = table_counts()
        for label, n in history_counts().items():
            assert n == counts[label.replace(".Historical", ".")], label
        for model in (Organisation, User, Plan, PlanItem, Link):
            reasons = set(model.history.values_list("history_change_reason", flat=True))
            assert reasons == {"loaded from demo_council.json"}, model

        for username in PERSONAS:
            user = User.objects.get(username=username)
            assert user.is_active, username
            assert check_password(PASSWORD, user.password), username

    def test_links_load_between_the_right_items_and_leave_the_planted_gaps(self, demo_objects, run):
        """The loader gives items new keys; each link must still join the items the file
        names. The demo deliberately leaves an orphan action, an empty priority nothing
        contributes to, and one target that disagrees with Bold Steps (see demo/content.py, LINKS)."""
        items = {o["pk"]: o["fields"] for o in demo_objects if o["model"] == "planning.planitem"}
        slugs = {o["pk"]: o["fields"]["slug"] for o in demo_objects if o["model"] == "planning.plan"}

        def end(fields):
            return (slugs[fields["plan"]], fields["title"])

        in_file = sorted(
            (end(items[o["fields"]["source"]]), o["fields"]["relation"], end(items[o["fields"]["target"]]))
            for o in demo_objects
            if o["model"] == "planning.link"
        )
        assert "key" not in {name for fields in items.values() for name in fields}

        loaded = sorted(
            ((link.source.plan.slug, link.source.title), link.relation, (link.target.plan.slug, link.target.title))
            for link in Link.objects.select_related("source__plan", "target__plan")
        )
        assert loaded == in_file
        assert {relation for _, relation, _ in loaded} == {"contributes_to", "depends_on", "same_indicator"}

        orphan = PlanItem.objects.get(
            plan__slug="standards-school-improvement-2013-14",
            title="Strengthen the Early Years Foundation Stage in private and voluntary settings",
        )
        assert not orphan.links_out.exists()
        empty = PlanItem.objects.get(
            plan__slug="bold-steps-for-education-2013-16",
            title="Recruit, develop and keep good teachers and school leaders",
        )
        assert (empty.kind, empty.get_children().count(), empty.links_in.count()) == ("priority", 0, 0)
        summer_2015 = PlanItem.objects.filter(
            indicator__code="schools-good-outstanding-primary", target_date="2015-08-31"
        ).values_list("plan__slug", "target_value")
        assert {(slug, int(value)) for slug, value in summer_2015 if value != 85} == {
            ("standards-school-improvement-2013-14", 80)
        }


def test_the_builder_refuses_a_link_to_an_unknown_key():
    content = load_content(SOURCE)
    content.LINKS = [*content.LINKS, {"source": "ssi.challenge", "target": "nowhere.at-all", "relation": "depends_on"}]

    expected = r"link \d+ \('ssi.challenge' -> 'nowhere.at-all'\) \(target\): unknown item key 'nowhere.at-all'"
    with pytest.raises(CommandError, match=expected):
        FixtureBuilder(content).build()
