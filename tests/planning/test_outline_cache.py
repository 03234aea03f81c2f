"""The plan page's cached outline shows every change at once, and each reader's own token
and actions (planning/outline_cache.py)."""

import re

import pytest
from django.test import Client

from partners.models import Organisation
from planning import services
from tests.factories import add_item, make_plan, vision_of

pytestmark = pytest.mark.django_db

EDIT = 'edit/">Edit<span class="govuk-visually-hidden">'  # an item's own Edit link in the outline
MOVE_TOKEN = re.compile(
    r'<form id="move-form" method="post" class="app-inline-form"><input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"'
)


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), "priority", user=alice, title="Raise attainment")


def _page(client, plan) -> str:
    response = client.get(plan.get_absolute_url())
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
