"""Links: the golden thread followed both ways, with history, through the access helper."""

import pytest
from django.urls import reverse

from planning import services
from planning.models import Link, PlanShare
from tests.factories import add_item, make_plan, vision_of


@pytest.fixture
def corporate(alice, council):
    plan = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan", kind="corporate")
    return plan


@pytest.fixture
def thread(plan, corporate, alice):
    priority = add_item(corporate, vision_of(corporate), "priority", title="Every child in a good school")
    local = add_item(plan, vision_of(plan), "priority", title="Raise standards")
    action = add_item(plan, local, "action", title="Challenge programme")
    link = services.link_add(
        source_id=action.pk, target_id=priority.pk, relation="contributes_to", note="Q1", user=alice
    )
    return priority, action, link


def test_an_item_page_shows_links_out_and_back(client, alice, plan, corporate, thread):
    priority, action, _ = thread
    client.force_login(alice)
    out = client.get(reverse("planning:item-detail", args=[plan.slug, action.pk])).content.decode()
    assert "Contributes to" in out and "Every child in a good school" in out
    back = client.get(reverse("planning:item-detail", args=[corporate.slug, priority.pk])).content.decode()
    assert "Is contributed to by" in back and "Challenge programme" in back
    assert plan.title in back  # grouped under the contributing plan


def test_adding_a_link_through_the_picker(client, alice, plan, corporate):
    priority = add_item(corporate, vision_of(corporate), "priority", title="Safer communities")
    action = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action", title="Youth work")
    client.force_login(alice)
    url = reverse("planning:link-add", args=[plan.slug, action.pk])
    page = client.get(url, {"q": "Safer"}).content.decode()
    assert "Safer communities" in page
    response = client.post(url, {"target": priority.pk, "relation": "contributes_to", "note": "Diversion"})
    assert response.status_code == 302
    link = Link.objects.get(source=action, target=priority)
    assert link.history.get().history_user == alice


def test_a_duplicate_link_is_refused_with_a_message(client, alice, plan, thread):
    priority, action, _ = thread
    client.force_login(alice)
    response = client.post(
        reverse("planning:link-add", args=[plan.slug, action.pk]), {"target": priority.pk, "relation": "contributes_to"}
    )
    assert response.status_code == 200 and "That link already exists." in response.content.decode()
    assert Link.objects.count() == 1


def test_only_people_who_may_change_the_plan_add_or_remove_links(client, carol, plan, thread):
    priority, action, link = thread
    client.force_login(carol)
    assert client.get(reverse("planning:link-add", args=[plan.slug, action.pk])).status_code == 403
    response = client.post(reverse("planning:link-delete", args=[plan.slug, action.pk, link.pk]))
    assert response.status_code == 403
    assert Link.objects.filter(pk=link.pk).exists()


def test_removing_a_link_keeps_its_history(client, alice, plan, thread):
    _, action, link = thread
    client.force_login(alice)
    response = client.post(reverse("planning:link-delete", args=[plan.slug, action.pk, link.pk]))
    assert response.status_code == 302
    assert not Link.objects.filter(pk=link.pk).exists()
    assert Link.history.filter(id=link.pk, history_type="-").count() == 1


def test_a_link_target_the_user_cannot_see_is_refused(client, pat, plan, college, alice, corporate, thread):
    priority, action, _ = thread
    PlanShare.objects.create(plan=plan, organisation=college)
    client.force_login(pat)
    page = client.get(reverse("planning:item-detail", args=[plan.slug, action.pk]))
    assert page.status_code == 200  # partners read shared plans...
    assert client.get(reverse("planning:link-add", args=[plan.slug, action.pk])).status_code == 403  # ...not change


def test_permalinks_survive_a_renamed_plan(client, alice, plan, thread):
    _, action, _ = thread
    plan.slug = "renamed"
    plan.save()
    client.force_login(alice)
    response = client.get(reverse("planning:item-permalink", args=[action.pk]))
    assert response.status_code == 302 and response["Location"] == f"/plans/renamed/items/{action.pk}/"
    assert client.get(reverse("planning:plan-permalink", args=[plan.pk]))["Location"] == "/plans/renamed/"


def test_permalinks_respect_permissions(client, mel, plan, thread):
    _, action, _ = thread
    client.force_login(mel)
    assert client.get(reverse("planning:item-permalink", args=[action.pk])).status_code == 404
    assert client.get(reverse("planning:plan-permalink", args=[plan.pk])).status_code == 404


@pytest.mark.parametrize("links", [1, 12])
def test_the_item_page_query_count_is_fixed(client, alice, plan, corporate, links, django_assert_num_queries):
    target = add_item(corporate, vision_of(corporate), "priority")
    priority = add_item(plan, vision_of(plan), "priority")
    for n in range(links):
        action = add_item(plan, priority, "action", title=f"A{n}")
        services.link_add(source_id=action.pk, target_id=target.pk, relation="contributes_to", user=alice)
    client.force_login(alice)
    with django_assert_num_queries(ITEM_PAGE_QUERIES):
        assert client.get(reverse("planning:item-detail", args=[corporate.slug, target.pk])).status_code == 200


# session, user, plan, item, outline (3), ancestors, breadcrumb plans, themes (issue 17); a
# priority's judgements and findings (decisions 0031, 0032)
ITEM_PAGE_QUERIES = 11
