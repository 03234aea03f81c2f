"""The plan page's cached outline shows every change at once, and each reader's own token
and actions (planning/outline_cache.py)."""

import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from partners.models import Organisation
from planning import outline_cache, outline_fragments, outline_html, selectors, services
from planning.models import Plan, PlanItem
from tests.factories import IndicatorFactory, add_item, make_plan, vision_of

pytestmark = pytest.mark.django_db

EDIT = 'edit/">Edit<span class="govuk-visually-hidden">'  # an item's own Edit link in the outline
MOVE_TOKEN = re.compile(
    r'<form id="move-form" method="post" class="app-inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
)


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), "priority", user=alice, title="Raise attainment")


def _page(client, plan, query: str = "") -> str:
    response = client.get(plan.get_absolute_url() + query)
    assert response.status_code == 200
    return response.content.decode()


def test_an_item_edit_shows_on_the_next_view(client, alice, plan, priority):
    client.force_login(alice)
    assert "Raise attainment" in _page(client, plan)
    services.item_update(
        item_id=priority.pk, user=alice, change=services.ItemChange({"title": "Raise attainment for all"}),
        expected_version=priority.version,
    )  # fmt: skip
    assert "Raise attainment for all" in _page(client, plan)


def test_a_renamed_item_in_another_plan_shows_in_the_link(client, alice, bob, plan, priority):
    other = make_plan(owner=bob, slug="corporate", title="Corporate plan")
    theirs = add_item(other, vision_of(other), "priority", user=bob, title="Children have the best start")
    services.link_add(source_id=priority.pk, target_id=theirs.pk, relation="contributes_to", user=alice)
    client.force_login(alice)
    assert "Children have the best start" in _page(client, plan)
    services.item_update(
        item_id=theirs.pk, user=bob, change=services.ItemChange({"title": "Every child has the best start"}),
        expected_version=theirs.version,
    )  # fmt: skip
    page = _page(client, plan)
    assert "Every child has the best start" in page and "Children have the best start" not in page


def test_a_renamed_lead_officer_and_a_new_supporter_show(client, alice, bob, plan, priority, college):
    services.item_update(
        item_id=priority.pk, user=alice, change=services.ItemChange({"lead_officer": bob}),
        expected_version=priority.version,
    )  # fmt: skip
    client.force_login(alice)
    assert str(bob) in _page(client, plan)
    bob.first_name, bob.last_name = "Robert", "Renamed"
    bob.save()
    assert "Robert Renamed" in _page(client, plan)
    college.name = "Northfield Sixth Form College"
    college.save()
    priority.refresh_from_db()
    services.item_update(
        item_id=priority.pk, user=alice, change=services.ItemChange({}, supporting_organisations=[college]),
        expected_version=priority.version,
    )  # fmt: skip
    assert "Northfield Sixth Form College" in _page(client, plan)
    Organisation.objects.filter(pk=college.pk).get().save()  # a save with no change still makes a new key
    assert "Northfield Sixth Form College" in _page(client, plan)


def test_readers_who_may_not_change_never_get_the_change_links(client, alice, carol, plan, priority):
    client.force_login(alice)
    assert EDIT in _page(client, plan)  # the owner's copy is now cached
    elsewhere = Client()
    elsewhere.force_login(carol)  # an officer of another service reads the plan but may not change it
    page = _page(elsewhere, plan)
    assert "Raise attainment" in page and EDIT not in page and not MOVE_TOKEN.search(page)


def test_each_reader_gets_their_own_csrf_token_in_the_move_buttons(alice, bob, plan, priority):
    add_item(plan, vision_of(plan), "priority", user=alice, title="Second")
    tokens = []
    for person in (alice, bob):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(person)
        page = _page(browser, plan)
        found = set(MOVE_TOKEN.findall(page))
        assert len(found) == 1  # one token for the page, not a cached stranger's
        tokens.append(found.pop())
        move = browser.post(f"{plan.get_absolute_url()}items/{priority.pk}/move/", {
            "direction": "down", "csrfmiddlewaretoken": tokens[-1]
        })  # fmt: skip
        assert move.status_code == 302, "the token on the cached page is accepted"
    assert tokens[0] != tokens[1]


# --- per plan and per run (planning/outline_fragments.py) ---------------------------------------


def _whole(plan, can_change=True) -> bytes:
    """The outline as built whole, with no cache: what the cached one must equal byte for byte."""
    rows = selectors.plan_outline(plan)
    return str(outline_html.outline(rows, plan_title=plan.title, plan_slug=plan.slug, can_change=can_change)).encode()


def _cached(plan, can_change=True) -> bytes:
    return outline_cache.plan_outline(plan, level="all", can_change=can_change).html


@pytest.fixture
def built(monkeypatch):
    """The items each outline check had to build rows for (``selectors.outline_rows``)."""
    found: list[int] = []
    real = selectors.outline_rows

    def spy(plan, shape, pks, *rest):
        found.extend(pks)
        return real(plan, shape, pks, *rest)

    monkeypatch.setattr(selectors, "outline_rows", spy)
    return found


@pytest.fixture
def two_parts(plan, alice):
    """A plan whose two priorities each have more rows beneath them than one run holds."""
    vision = vision_of(plan)
    parts = []
    for name in ("X", "Y"):
        priority = add_item(plan, vision, "priority", user=alice, title=f"Priority {name}")
        actions = [add_item(plan, priority, "action", user=alice, title=f"Action {name}{n}") for n in range(3)]
        for action in actions:
            for n in range(outline_fragments.ROWS // 3):
                add_item(plan, action, "target", user=alice, title=f"Target {action.title} {n}")
        parts.append((priority, actions))
    return parts


def _retitle(item, user, title):
    item.refresh_from_db()
    services.item_update(
        item_id=item.pk, user=user, change=services.ItemChange({"title": title}), expected_version=item.version
    )


def test_an_edit_in_one_plan_rebuilds_nothing_of_another(alice, bob, plan, priority, built):
    other = make_plan(owner=bob, slug="corporate", title="Corporate plan")
    theirs = add_item(other, vision_of(other), "priority", user=bob, title="Children have the best start")
    assert b"Raise attainment" in _cached(plan) and b"Children have the best start" in _cached(other)
    built.clear()
    _retitle(theirs, bob, "Every child has the best start")
    assert _cached(plan) == _whole(plan)
    assert built == [], "plan A's outline was served from the cache after an edit in plan B"
    assert b"Every child has the best start" in _cached(other)
    assert built == [theirs.pk]


def test_an_edit_in_one_part_rebuilds_that_part_and_serves_the_other_from_the_cache(alice, plan, two_parts, built):
    (x, x_actions), (y, y_actions) = two_parts
    assert _cached(plan) == _whole(plan)
    built.clear()
    _retitle(x_actions[1], alice, "Action X1 renamed")
    page = _cached(plan)
    assert b"Action X1 renamed" in page and page == _whole(plan)
    y_part = set(PlanItem.objects.get(pk=y.pk).get_descendants(include_self=True).values_list("pk", flat=True))
    assert x_actions[1].pk in built and not y_part & set(built)
    assert len(built) <= outline_fragments.ROWS


@pytest.mark.parametrize(
    "change",
    ["move up", "move to the other part", "delete", "link added", "link removed", "supporter", "indicator renamed",
     "lead renamed", "plan labels"],
)  # fmt: skip
def test_every_kind_of_change_shows_at_once_as_the_whole_outline_would(
    change, alice, bob, plan, two_parts, college, built
):
    (x, x_actions), (y, y_actions) = two_parts
    target = PlanItem.objects.filter(parent=x_actions[2]).order_by("position").first()
    other = make_plan(owner=bob, slug="corporate", title="Corporate plan")
    theirs = add_item(other, vision_of(other), "priority", user=bob, title="Theirs")
    link = services.link_add(source_id=target.pk, target_id=theirs.pk, relation="contributes_to", user=alice)
    indicator = IndicatorFactory(name="Attendance")
    target.refresh_from_db()
    services.item_update(
        item_id=target.pk, user=alice, change=services.ItemChange({"indicator": indicator, "lead_officer": bob}),
        expected_version=target.version,
    )  # fmt: skip
    assert _cached(plan) == _whole(plan)
    if change == "move up":
        services.item_move(item_id=x_actions[2].pk, user=alice, new_parent_id=x.pk, new_position=1)
    elif change == "move to the other part":
        services.item_move(item_id=x_actions[0].pk, user=alice, new_parent_id=y.pk, new_position=2)
    elif change == "delete":
        services.item_delete(item_id=x_actions[0].pk, user=alice)
    elif change == "link added":
        services.link_add(source_id=theirs.pk, target_id=y_actions[0].pk, relation="depends_on", user=bob)
    elif change == "link removed":
        services.link_delete(link_id=link.pk, user=alice)
    elif change == "supporter":
        item = PlanItem.objects.get(pk=y_actions[1].pk)
        services.item_update(
            item_id=item.pk, user=alice, change=services.ItemChange({}, supporting_organisations=[college]),
            expected_version=item.version,
        )  # fmt: skip
    elif change == "indicator renamed":
        indicator.name = "Attendance at school"
        indicator.save()
    elif change == "lead renamed":
        bob.first_name = "Robert"
        bob.save()
    else:
        plan.refresh_from_db()
        services.plan_update(
            plan_id=plan.pk, user=alice, expected_version=plan.version,
            fields={name: getattr(plan, name) for name in Plan.EDITABLE_FIELDS} | {"label_action": "Project"},
        )  # fmt: skip
        plan.refresh_from_db()
    built.clear()
    assert _cached(plan) == _whole(plan)
    assert built, "the change rebuilt nothing"
    assert _cached(plan, can_change=False) == _whole(plan, can_change=False)


def _held_after_a_fresh_build(plan) -> int:
    held = outline_cache.held_bytes()
    cache.clear()
    _cached(plan)
    assert outline_cache.held_bytes() > 0
    return held - outline_cache.held_bytes()


def test_the_cache_holds_one_copy_of_each_outline_however_many_edits(alice, plan, two_parts):
    (x, x_actions), _ = two_parts
    cache.clear()  # each process's cache outlives a test
    _cached(plan)
    for n in range(10):
        _retitle(x_actions[0], alice, f"Action X0, edit {n}")
        _cached(plan)
    assert _held_after_a_fresh_build(plan) == 0  # each run's slot overwritten, not piled up
    services.item_delete(item_id=x.pk, user=alice)
    _cached(plan)
    assert _held_after_a_fresh_build(plan) == 0  # the deleted part's runs freed at once


# --- a long plan opens at its top items (outline_cache.CLOSED_OVER) -----------------------------


@pytest.fixture
def long_plan(monkeypatch, two_parts):
    monkeypatch.setattr(outline_cache, "CLOSED_OVER", 10)
    return two_parts


def test_a_long_plan_opens_at_its_top_items_each_opened_by_a_link(client, alice, plan, long_plan):
    (x, x_actions), (y, y_actions) = long_plan
    client.force_login(alice)
    page = _page(client, plan)
    assert "Priority X" in page and "Priority Y" in page and "Action X0" not in page
    beneath = PlanItem.objects.get(pk=x.pk).get_descendant_count()
    assert f'href="?open={x.pk}#item-{x.pk}">Show the {beneath} items under 1<' in page
    opened = client.get(f"{plan.get_absolute_url()}?open={x_actions[1].pk}").content.decode()
    assert "Action X0" in opened and "Action Y0" not in opened and f'href="?open={y.pk}#item-{y.pk}"' in opened
    whole = _whole(plan).decode()
    x_rows = whole[whole.index(f'<li class="app-item app-item--priority app-depth-1" id="item-{x.pk}"') :]
    x_rows = x_rows[: x_rows.index(f'<li class="app-item app-item--priority app-depth-1" id="item-{y.pk}"')]
    assert x_rows in opened, "an opened part reads as it does in the whole outline"
    everything = _page(client, plan, "?show=all")
    assert "Action X0" in everything and "Action Y0" in everything and "?open=" not in everything


def test_an_edit_in_an_opened_part_shows_at_once(client, alice, plan, long_plan):
    (x, x_actions), _ = long_plan
    client.force_login(alice)
    _page(client, plan, f"?open={x_actions[0].pk}")
    _retitle(x_actions[0], alice, "Action X0 renamed")
    assert "Action X0 renamed" in _page(client, plan, f"?open={x_actions[0].pk}")
    assert "Action X0" not in _page(client, plan, "?open=not-a-number")  # closed again, no error


def test_a_short_plan_shows_everything(client, alice, plan, priority):
    add_item(plan, priority, "action", user=alice, title="Tutoring")
    client.force_login(alice)
    page = _page(client, plan)
    assert "Tutoring" in page and "?open=" not in page


def test_after_an_edit_a_long_plan_opens_at_the_part_that_holds_the_item_without_javascript(
    client, alice, plan, long_plan
):
    """The edit form sends the officer back to the plan at the item: on a long plan, whose
    page opens closed, the address itself must open the item's part (the script that opens
    it from ``#item-N`` does not run without JavaScript)."""
    (x, x_actions), _ = long_plan
    client.force_login(alice)
    item = x_actions[1]
    url = reverse("planning:item-edit", args=[plan.slug, item.pk])
    item.refresh_from_db()
    response = client.post(url, {"title": "Action X1 retitled", "status": item.status, "version": item.version})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert response.url.endswith(f"?open={item.pk}#item-{item.pk}")
    assert "Action X1 retitled" in client.get(response.url.split("#")[0]).content.decode()
