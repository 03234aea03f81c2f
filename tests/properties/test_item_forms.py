"""Property tests of the item forms (``ItemForm``, ``ItemEditForm``, ``MoveForm``,
``ReasonForm``, ``LinkForm``) through their views, as alice who owns the plan: hostile
input never gives a server error, a refusal changes nothing, and whatever is saved
keeps the item rules (nesting, dates in order, costs ≥ 0 on costed kinds only, a
target's measure fitting its unit, siblings numbered 1..n)."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from planning import lifecycle
from planning.forms import ItemForm
from planning.models import Link, Plan, PlanItem
from tests.properties.invariants import submit
from tests.properties.support import (
    as_query,
    bad_choices,
    choices,
    dates,
    decimals,
    examples,
    ids,
    nasty,
    nul_refused,
    optional,
    posts,
    rolled_back,
    set_status,
    text,
)

Kind = PlanItem.Kind
STATUSES = st.sampled_from([Plan.Status.DRAFT, Plan.Status.APPROVED])


def _numbered(plan: Plan) -> None:
    """Every item's children are numbered 1..n."""
    for parent in PlanItem.objects.filter(plan=plan):
        positions = sorted(parent.get_children().values_list("position", flat=True))
        assert positions == list(range(1, len(positions) + 1))


def item_fields(world, kind: str) -> tuple[dict, dict]:
    """(valid, hostile) strategies for the item form of ``kind``."""
    people = world.people
    valid = {
        "title": text(300),
        "description": optional(text(300)),
        "status": choices(PlanItem.Status.values),
        "lead_officer": optional(st.sampled_from([people.alice.pk, people.bob.pk, people.pat.pk]).map(str)),
        "lead_organisation": optional(st.just(str(world.college.pk))),
        "supporting_organisations": st.lists(
            st.sampled_from([str(world.college.pk), str(world.police.pk)]), max_size=2
        ),
        "start_date": optional(dates()),
        "due_date": optional(dates()),
        "reason": optional(text(250)),
    }
    bad = {
        "lead_officer": ids(people.mel.pk, people.gone.pk),
        "lead_organisation": ids(world.closed_school.pk),
        "supporting_organisations": st.lists(ids(world.closed_school.pk), min_size=1, max_size=2),
        "status": bad_choices(PlanItem.Status.values),
        "title": st.sampled_from(["", "   ", "x" * 301]),
    }
    if kind in PlanItem.COSTED_KINDS:
        valid |= {
            "cost_amount": optional(decimals("0", "9999999999.99")),
            "cost_type": choices(PlanItem.CostType.values, blank=True),
            "funding_source": optional(text(200)),
        }
        bad |= {"cost_amount": st.sampled_from(["-0.01", "-5", "1e20", "0.001", "NaN", "-inf", "10000000000.00"])}
    if kind == Kind.TARGET:
        valid |= {
            "indicator": optional(st.just(str(world.indicator.pk))),
            "unit": choices(PlanItem.Unit.values),
            "baseline_value": optional(decimals("-1000", "1000")),
            "baseline_date": optional(dates()),
            "target_value": decimals("0", "120"),
            "target_date": optional(dates()),
            "direction": choices(PlanItem.Direction.values),
            "target_type": choices(PlanItem.TargetType.values, blank=True),
            "amber_tolerance": optional(decimals("0", "50")),
        }
        bad |= {
            "target_value": st.sampled_from(["-1", "100.01", "2.5", "1e13", "NaN"]),
            "amber_tolerance": st.sampled_from(["-1", "-0.01"]),
            "unit": bad_choices(PlanItem.Unit.values),
        }
    return valid, bad


# --- add ---------------------------------------------------------------------------------------


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_adding_an_item_never_fails_and_saves_only_valid_items(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        set_status(plan, data.draw(STATUSES, label="status"))
        parent = data.draw(st.sampled_from(outline.items), label="parent")
        allowed = PlanItem.child_kinds(parent.kind)
        kind = data.draw(
            st.one_of(st.sampled_from(allowed or ["bogus"]), st.sampled_from([*Kind.values, "bogus"])), label="kind"
        )
        valid, bad = item_fields(outline, kind)
        payload = data.draw(posts(valid, bad=bad), label="payload")
        url = reverse("planning:item-add", args=[plan.slug, parent.pk, kind])
        response, saved = submit(client, url, payload, plan, parent)
        if kind not in PlanItem.child_kinds(parent.kind):
            assert response.status_code == 404 or nul_refused(response, payload)
        if saved is not None:
            added = [obj for obj in saved if isinstance(obj, PlanItem)]
            assert len(added) == 1 and (added[0].kind, added[0].parent_id) == (kind, parent.pk)
            _numbered(plan)


# --- edit --------------------------------------------------------------------------------------


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_editing_an_item_never_fails_and_saves_only_valid_items(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        comment = lifecycle.comment_add(plan=plan, user=outline.people.alice, body="Say more", item=outline.action)
        set_status(plan, data.draw(STATUSES, label="status"))
        item = PlanItem.objects.get(pk=data.draw(st.sampled_from(outline.items), label="item").pk)
        valid, bad = item_fields(outline, item.kind)
        valid |= {"version": st.just(str(item.version))}
        bad |= {"version": st.sampled_from(["0", str(item.version + 1), "99999999999999999999", "1.5"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        if data.draw(st.booleans(), label="in reply"):
            payload["comment"] = data.draw(st.sampled_from([str(comment.pk), "999999", "²", "-1", ""]))
        url = reverse("planning:item-edit", args=[plan.slug, item.pk])
        response, saved = submit(client, url, payload, item, comment)
        if saved is not None:
            assert PlanItem.objects.get(pk=item.pk).version == item.version + 1


# --- move --------------------------------------------------------------------------------------


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_moving_an_item_never_fails_and_keeps_the_outline_numbered(client, outline, data):
    plan = outline.plan
    everything = [*outline.items, outline.far_action]
    with rolled_back(client, outline.people.alice):
        set_status(plan, data.draw(STATUSES, label="status"))
        item = data.draw(st.sampled_from(everything), label="item")
        valid = {
            "parent": st.sampled_from([str(i.pk) for i in everything]),
            "position": st.integers(-2, 12).map(str),
            "reason": optional(text(250)),
        }
        bad = {"position": st.sampled_from(["0", "99999999999999999999", "1.5", "-99999999999999999999"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        if data.draw(st.integers(0, 3), label="arrows") == 0:
            payload["direction"] = data.draw(st.one_of(st.sampled_from(["up", "down"]), nasty()))
        url = reverse("planning:item-move", args=[plan.slug, item.pk])
        response, saved = submit(client, url, payload, refused=(200, 403, 404))
        if item == outline.far_action:
            assert response.status_code == 404 or nul_refused(response, payload)
        if saved is not None:
            _numbered(plan)
            moved = PlanItem.objects.get(pk=item.pk)
            assert moved.plan_id == plan.pk and moved.parent.plan_id == plan.pk


# --- delete ------------------------------------------------------------------------------------


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_deleting_an_item_never_fails_and_keeps_the_outline_numbered(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        set_status(plan, data.draw(STATUSES, label="status"))
        item = data.draw(st.sampled_from([*outline.items, outline.far_action]), label="item")
        payload = data.draw(posts({"reason": optional(text(250))}), label="payload")
        subtree = {i.pk for i in PlanItem.objects.get(pk=item.pk).get_descendants(include_self=True)}
        count = PlanItem.objects.count()
        url = reverse("planning:item-delete", args=[plan.slug, item.pk])
        response, saved = submit(client, url, payload, refused=(200, 403, 404))
        if saved is not None:
            assert PlanItem.objects.count() == count - len(subtree)
            assert not PlanItem.objects.filter(pk__in=subtree).exists()
            _numbered(plan)


# --- links -------------------------------------------------------------------------------------


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_linking_never_fails_and_saves_only_valid_links(client, outline, data):
    plan = outline.plan
    targets = [*outline.items, outline.far_action]
    with rolled_back(client, outline.people.alice):
        item = data.draw(st.sampled_from(outline.items), label="item")
        valid = {
            "target": st.sampled_from([str(i.pk) for i in targets]),
            "relation": choices(Link.Relation.values),
            "note": optional(text(300)),
        }
        bad = {"target": ids(), "relation": bad_choices(Link.Relation.values)}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        url = reverse("planning:link-add", args=[plan.slug, item.pk])
        response, saved = submit(client, url, payload)
        if saved is not None:
            (link,) = (obj for obj in saved if isinstance(obj, Link))
            assert link.source_id == item.pk and link.target_id != item.pk


@pytest.mark.django_db
@examples(0.4)
@given(data=st.data())
def test_unlinking_never_fails(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        item = data.draw(st.sampled_from([outline.action, outline.first]), label="item")
        link_id = data.draw(st.sampled_from([outline.link.pk, 999999]), label="link")
        payload = data.draw(posts({"reason": optional(text(250))}), label="payload")
        url = reverse("planning:link-delete", args=[plan.slug, item.pk, link_id])
        response, saved = submit(client, url, payload, refused=(404,))
        owned = item == outline.action and link_id == outline.link.pk
        assert (saved is not None) == owned
        if owned:
            assert not Link.objects.filter(pk=link_id).exists()


# --- the form alone: cheaper, so more examples ---------------------------------------------------


@pytest.mark.django_db
@examples(2)
@given(data=st.data())
def test_the_item_form_never_raises_and_its_cleaned_data_keeps_the_rules(outline, data):
    kind = data.draw(st.sampled_from([Kind.PRIORITY, Kind.ACTION, Kind.TARGET, Kind.MILESTONE]), label="kind")
    parent = {Kind.PRIORITY: outline.vision, Kind.ACTION: outline.first}.get(kind, outline.action)
    valid, bad = item_fields(outline, kind)
    payload = data.draw(posts(valid, bad=bad), label="payload")
    form = ItemForm(as_query(payload), kind=kind, instance=PlanItem(plan=outline.plan, parent=parent, kind=kind))
    if form.is_valid():
        item = form.instance  # the form has already run the model's clean() on it
        assert item.title.strip() and len(item.title) <= 300
        assert not (item.start_date and item.due_date and item.due_date < item.start_date)
        if kind in PlanItem.COSTED_KINDS:
            assert item.cost_amount is None or (item.cost_amount >= 0 and item.cost_type)
        else:
            assert "cost_amount" not in form.cleaned_data
        if kind == Kind.TARGET:
            assert item.unit and item.direction and item.target_value is not None
            if item.unit == PlanItem.Unit.PERCENTAGE:
                assert 0 <= item.target_value <= 100
        assert all(org.is_active for org in form.cleaned_data["supporting_organisations"])
        lead = form.cleaned_data["lead_officer"]
        assert lead is None or (lead.is_active and lead.role != lead.Role.MEMBER)
