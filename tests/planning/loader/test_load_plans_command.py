"""``manage.py load_plans``: a valid file loads whole, with a valid tree and one history
row per row; a second load is refused without writing; ``--replace`` reloads the plan."""

from collections import defaultdict

import pytest

from partners.models import Organisation, User
from planning.models import Indicator, ItemSupporter, Link, Plan, PlanItem, PlanShare
from tests.factories import IndicatorFactory
from tests.planning.loader.support import VALID, history_counts, load_plans, table_counts, valid_objects, write_json

REASON = "loaded from valid_plan.json"
# the items of valid_plan.json in reading order: (file pk, kind, title)
READING_ORDER = [
    (1, "vision", "A reading borough"),
    (2, "priority", "More people use libraries"),
    (4, "action", "Open on Sundays"),
    (5, "target", "Visits rise to 5,200 per 1,000 residents"),
    (6, "milestone", "Sunday opening starts in the central library"),
    (3, "priority", "Every child reads by seven"),
]
CREATED = {
    Organisation: 2,
    User: 1,
    Indicator: 1,
    Plan: 1,
    PlanItem: 6,
    ItemSupporter: 1,
    PlanShare: 1,
    Link: 1,
}


def loaded_rows():
    plan = Plan.objects.get(slug="eastvale-libraries-2013")
    return {
        Organisation: list(Organisation.objects.filter(slug__in=["eastvale", "eastvale-libraries"])),
        User: [User.objects.get(username="libby")],
        Indicator: [Indicator.objects.get(code="library-visits")],
        Plan: [plan],
        PlanItem: list(PlanItem.objects.filter(plan=plan)),
        ItemSupporter: list(ItemSupporter.objects.filter(item__plan=plan)),
        PlanShare: list(PlanShare.objects.filter(plan=plan)),
        Link: list(Link.objects.filter(source__plan=plan)),
    }


def tree_columns(items):
    return {item.pk: (item.tree_id, item.lft, item.rght, item.level) for item in items}


def assert_item_tree_is_valid(plan: Plan) -> list[PlanItem]:
    items = list(PlanItem.objects.filter(plan=plan).order_by("lft"))
    assert len({item.tree_id for item in items}) == 1
    positions = defaultdict(list)
    for item in items:
        positions[item.parent_id].append(item.position)
    for parent_id, numbers in positions.items():
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), parent_id
    # the reading order (lft) agrees with the positions
    for parent_id, numbers in positions.items():
        assert numbers == sorted(numbers), parent_id
    before = tree_columns(items)
    PlanItem.objects.partial_rebuild(items[0].tree_id)
    assert tree_columns(PlanItem.objects.filter(plan=plan)) == before
    for item in items:
        item.full_clean()
    return items


@pytest.mark.django_db
def test_a_valid_file_loads_everything_with_a_valid_tree_and_one_history_row_each():
    run = load_plans(VALID)

    assert run.error is None, run.stderr
    assert run.stderr == ""
    assert "Loaded" in run.stdout
    rows = loaded_rows()
    assert {model: len(found) for model, found in rows.items()} == CREATED

    plan = rows[Plan][0]
    libby = rows[User][0]
    assert plan.owner == libby
    assert plan.organisation.slug == "eastvale-libraries"
    assert plan.organisation.parent.slug == "eastvale"
    assert libby.organisation.slug == "eastvale-libraries"
    assert not libby.has_usable_password()  # no password in the file: nobody can sign in as libby yet
    assert plan.version == 1

    items = assert_item_tree_is_valid(plan)
    assert [(item.kind, item.title) for item in items] == [(kind, title) for _, kind, title in READING_ORDER]
    vision, priority, action, target, milestone, second_priority = items
    assert vision.parent is None and vision.position == 1
    assert (priority.parent, priority.position) == (vision, 1)
    assert (second_priority.parent, second_priority.position) == (vision, 2)
    assert action.parent == priority
    assert (str(action.cost_amount), action.cost_type, action.lead_officer) == ("12000.00", "revenue", libby)
    assert target.parent == action
    assert (target.unit, target.direction, str(target.target_value)) == ("number", "higher", "5200.00")
    assert target.indicator == rows[Indicator][0]
    assert milestone.parent == target
    assert [(s.item, s.organisation.slug) for s in rows[ItemSupporter]] == [(action, "eastvale")]
    assert [s.organisation.slug for s in rows[PlanShare]] == ["eastvale"]
    [link] = rows[Link]
    assert (link.source, link.target, link.relation) == (action, second_priority, Link.Relation.CONTRIBUTES_TO)
    assert link.note == "Sunday story times bring families with young children in"

    for found in rows.values():
        for row in found:
            history = list(row.history.all())
            assert len(history) == 1, row
            assert history[0].history_type == "+"
            assert history[0].history_change_reason == REASON


@pytest.mark.django_db
def test_the_organisation_tree_stays_valid():
    load_plans(VALID)
    council = Organisation.objects.get(slug="eastvale")
    before = tree_columns(Organisation.objects.filter(tree_id=council.tree_id))
    Organisation.objects.partial_rebuild(council.tree_id)
    assert tree_columns(Organisation.objects.filter(tree_id=council.tree_id)) == before
    assert [o.slug for o in council.get_descendants(include_self=True)] == ["eastvale", "eastvale-libraries"]


@pytest.mark.django_db
def test_loading_the_same_file_again_is_refused_and_writes_nothing():
    assert load_plans(VALID).error is None
    counts = table_counts()
    histories = history_counts()

    run = load_plans(VALID)

    assert run.error is not None
    assert "Nothing was loaded" in str(run.error)
    lines = run.stderr.splitlines()
    for expected in [
        "valid_plan.json: object 1 (partners.organisation): slug: 'eastvale' already exists",
        "valid_plan.json: object 2 (partners.organisation): slug: 'eastvale-libraries' already exists",
        "valid_plan.json: object 3 (partners.user): username: 'libby' already exists",
        "valid_plan.json: object 4 (planning.indicator): code: 'library-visits' already exists",
        "valid_plan.json: object 5 (planning.plan): slug: 'eastvale-libraries-2013' already exists",
    ]:
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert "Traceback" not in run.stderr
    assert table_counts() == counts
    assert history_counts() == histories


@pytest.mark.django_db
def test_replace_deletes_the_plans_old_items_with_history_and_loads_them_afresh():
    load_plans(VALID)
    plan = Plan.objects.get(slug="eastvale-libraries-2013")
    old_items = set(PlanItem.objects.filter(plan=plan).values_list("pk", flat=True))
    old_supporters = set(ItemSupporter.objects.filter(item__plan=plan).values_list("pk", flat=True))
    old_shares = set(PlanShare.objects.filter(plan=plan).values_list("pk", flat=True))
    old_links = set(Link.objects.filter(source__plan=plan).values_list("pk", flat=True))
    counts = table_counts()

    run = load_plans(VALID, "--replace")

    assert run.error is None, run.stderr
    assert "replaced 1 planning.plan" in run.stdout
    # the same rows for organisations, people, indicators and the plan, rewritten in place
    for model, n in CREATED.items():
        assert model.objects.count() == counts[model._meta.label] == n
    plan.refresh_from_db()
    assert plan.version == 2
    assert [h.history_type for h in plan.history.order_by("history_id")] == ["+", "~"]
    assert plan.history.latest("history_id").history_change_reason == REASON
    for org in Organisation.objects.all():
        assert [h.history_type for h in org.history.order_by("history_id")] == ["+", "~"]

    # the old content is gone, each row with a '-' history row stamped with the reason
    new_items = set(PlanItem.objects.filter(plan=plan).values_list("pk", flat=True))
    assert len(new_items) == 6 and not new_items & old_items
    for model, old in [
        (PlanItem, old_items),
        (ItemSupporter, old_supporters),
        (PlanShare, old_shares),
        (Link, old_links),
    ]:
        deletions = model.history.filter(id__in=old, history_type="-")
        assert {h.id for h in deletions} == old, model
        assert {h.history_change_reason for h in deletions} == {REASON}
    for item in PlanItem.objects.filter(plan=plan):
        assert [h.history_type for h in item.history.all()] == ["+"]

    items = assert_item_tree_is_valid(plan)
    assert [(item.kind, item.title) for item in items] == [(kind, title) for _, kind, title in READING_ORDER]
    assert ItemSupporter.objects.get(item__plan=plan).item.title == "Open on Sundays"
    assert PlanShare.objects.get(plan=plan).organisation.slug == "eastvale"
    link = Link.objects.get(source__plan=plan)
    assert (link.source.title, link.target.title) == ("Open on Sundays", "Every child reads by seven")


@pytest.mark.django_db
def test_replace_keeps_a_users_password_when_the_file_has_none():
    load_plans(VALID)
    libby = User.objects.get(username="libby")
    libby.set_password("kept-through-replace")
    libby.save()

    assert load_plans(VALID, "--replace").error is None

    libby.refresh_from_db()
    assert libby.check_password("kept-through-replace")


@pytest.mark.django_db
def test_references_by_natural_key_resolve_to_existing_rows(tmp_path, plan, alice, bob, service, council, college):
    indicator = IndicatorFactory(code="ks2-reading")
    objects = [o for o in valid_objects() if o["model"].startswith("planning.") and o["model"] != "planning.indicator"]
    plan_record = next(o for o in objects if o["model"] == "planning.plan")
    plan_record["fields"].update(owner="alice", organisation="school-improvement", parent="sip")
    for o in objects:
        fields = o["fields"]
        if fields.get("lead_officer") is not None:
            fields["lead_officer"] = "bob"
        if fields.get("lead_organisation") is not None:
            fields["lead_organisation"] = "school-improvement"
        if fields.get("indicator") is not None:
            fields["indicator"] = "ks2-reading"
        if o["model"] in {"planning.itemsupporter", "planning.planshare"}:
            fields["organisation"] = "college"
    path = write_json(tmp_path / "natural_keys.json", objects)

    run = load_plans(path)

    assert run.error is None, run.stderr
    loaded = Plan.objects.get(slug="eastvale-libraries-2013")
    assert (loaded.owner, loaded.organisation, loaded.parent) == (alice, service, plan)
    plan.refresh_from_db()  # mptt widened the parent plan in the database
    assert list(plan.get_children()) == [loaded]
    action = PlanItem.objects.get(plan=loaded, kind="action")
    assert (action.lead_officer, action.lead_organisation) == (bob, service)
    assert PlanItem.objects.get(plan=loaded, kind="target").indicator == indicator
    assert [s.organisation for s in action.supporters.all()] == [college]
    assert [s.organisation for s in loaded.shares.all()] == [college]
    assert User.objects.count() == 2 and Indicator.objects.count() == 1  # nothing new besides the plan
    assert_item_tree_is_valid(loaded)
    # the existing rows gained no history: they were only referred to
    assert [h.history_type for h in alice.history.all()] == ["+"]
    assert [h.history_type for h in plan.history.all()] == ["+"]
    assert {h.history_change_reason for h in loaded.history.all()} == {"loaded from natural_keys.json"}


@pytest.mark.django_db
def test_a_natural_key_may_name_an_object_earlier_in_the_same_file(tmp_path):
    objects = valid_objects()
    plan_record = next(o for o in objects if o["model"] == "planning.plan")
    plan_record["fields"].update(owner="libby", organisation="eastvale-libraries")
    path = write_json(tmp_path / "in_file_natural_keys.json", objects)

    assert load_plans(path).error is None

    loaded = Plan.objects.get(slug="eastvale-libraries-2013")
    assert (loaded.owner.username, loaded.organisation.slug) == ("libby", "eastvale-libraries")


@pytest.mark.django_db
def test_the_file_may_list_items_in_any_order(tmp_path):
    objects = valid_objects()
    objects.reverse()  # children before their parents, milestone first
    path = write_json(tmp_path / "reversed.json", objects)

    assert load_plans(path).error is None

    items = assert_item_tree_is_valid(Plan.objects.get())
    assert [(item.kind, item.title) for item in items] == [(kind, title) for _, kind, title in READING_ORDER]


@pytest.mark.django_db
def test_positions_in_the_file_decide_sibling_order_and_are_renumbered(tmp_path):
    objects = valid_objects()
    by_title = {o["fields"].get("title"): o for o in objects}
    by_title["More people use libraries"]["fields"]["position"] = 7
    by_title["Every child reads by seven"]["fields"]["position"] = 3
    path = write_json(tmp_path / "positions.json", objects)

    assert load_plans(path).error is None

    items = assert_item_tree_is_valid(Plan.objects.get())
    priorities = [(item.title, item.position) for item in items if item.kind == "priority"]
    assert priorities == [("Every child reads by seven", 1), ("More people use libraries", 2)]


@pytest.mark.django_db
def test_the_command_itself_reports_what_it_created():
    run = load_plans(VALID)
    assert "created 6 planning.planitem" in run.stdout
    assert "created 2 partners.organisation" in run.stdout
