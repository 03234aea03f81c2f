"""Plan and item pages through the HTTP client: responses and what lands in the database."""

import pytest
from django.urls import reverse

from planning import services
from planning.models import Plan, PlanItem
from tests.factories import add_item, sized_plan, vision_of


def test_creating_a_plan_creates_its_vision_and_history(client, alice, service):
    client.force_login(alice)
    response = client.post(
        reverse("planning:plan-create"),
        {
            "title": "Inclusion Business Plan 2013-14",
            "slug": "inclusion-2013",
            "kind": "service",
            "organisation": service.pk,
            "owner": alice.pk,
            "start_year": 2013,
            "end_year": 2013,
            "summary": "Our plan.",
            "label_vision": "Vision",
            "label_priority": "Themed outcome",
            "label_action": "Action",
            "label_target": "Target",
            "label_milestone": "Milestone",
        },
    )
    plan = Plan.objects.get(slug="inclusion-2013")
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    assert plan.items.get().kind == PlanItem.Kind.VISION
    assert plan.history.get().history_user == alice
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Add themed outcome" in page


def test_a_bad_plan_form_says_what_is_wrong_and_saves_nothing(client, alice, service):
    client.force_login(alice)
    response = client.post(
        reverse("planning:plan-create"),
        {"title": "", "slug": "x", "kind": "service", "organisation": service.pk, "owner": alice.pk,
         "start_year": 2015, "end_year": 2013},
    )  # fmt: skip
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "This field is required." in page
    assert "The plan must end in or after the year it starts." in page
    assert not Plan.objects.exists()


def test_adding_an_action_with_a_cost(client, alice, plan):
    priority = add_item(plan, vision_of(plan), "priority")
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-add", args=[plan.slug, priority.pk, "action"]),
        {"title": "Train governors", "status": "not_started", "cost_amount": "12500.50", "cost_type": "revenue",
         "funding_source": "Dedicated Schools Grant"},
    )  # fmt: skip
    assert response.status_code == 302
    action = PlanItem.objects.get(title="Train governors")
    assert (action.parent, action.position, str(action.cost_amount)) == (priority, 1, "12500.50")
    assert "£12,500.50" in client.get(plan.get_absolute_url()).content.decode()


def test_a_negative_cost_is_refused_next_to_the_field(client, alice, plan):
    priority = add_item(plan, vision_of(plan), "priority")
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-add", args=[plan.slug, priority.pk, "action"]),
        {"title": "Train governors", "status": "not_started", "cost_amount": "-1", "cost_type": "revenue"},
    )
    assert response.status_code == 200
    assert 'id="id_cost_amount-error"' in response.content.decode()
    assert not PlanItem.objects.filter(title="Train governors").exists()


def test_a_kind_that_cannot_go_there_is_not_found(client, alice, plan):
    client.force_login(alice)
    url = reverse("planning:item-add", args=[plan.slug, vision_of(plan).pk, "milestone"])
    assert client.get(url).status_code == 404


def test_a_stale_edit_gets_the_conflict_page_and_overwrites_nothing(client, alice, bob, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Original")
    client.force_login(alice)
    client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "Alice's version", "status": "not_started", "version": 1},
    )
    client.force_login(bob)
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "Bob's version", "status": "not_started", "version": 1},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Alice&#x27;s version" in page and "Bob&#x27;s version" in page
    item.refresh_from_db()
    assert item.title == "Alice's version"


def test_the_history_page_shows_field_differences_and_the_reason(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Old title")
    client.force_login(alice)
    client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "New title", "status": "in_progress", "version": 1, "reason": "Agreed at steering group"},
    )
    page = client.get(reverse("planning:item-history", args=[plan.slug, item.pk])).content.decode()
    assert '<del class="app-diff-old">Old title</del>' in page
    assert '<ins class="app-diff-new">New title</ins>' in page
    assert "Agreed at steering group" in page
    assert "Alice Owner" in page


def test_a_deleted_items_history_stays_readable(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Short-lived")
    client.force_login(alice)
    client.get(reverse("planning:item-delete", args=[plan.slug, item.pk]))
    response = client.post(reverse("planning:item-delete", args=[plan.slug, item.pk]), {"reason": "Duplicate"})
    assert response.status_code == 302
    page = client.get(reverse("planning:item-history", args=[plan.slug, item.pk])).content.decode()
    assert "This item has been deleted" in page and "Duplicate" in page
    recent = client.get(reverse("planning:plan-history", args=[plan.slug])).content.decode()
    assert "Deleted" in recent and "Short-lived" in recent


def test_the_delete_confirmation_lists_everything_that_goes(client, alice, plan):
    priority = add_item(plan, vision_of(plan), "priority", title="Going")
    add_item(plan, priority, "action", title="Also going")
    client.force_login(alice)
    page = client.get(reverse("planning:item-delete", args=[plan.slug, priority.pk])).content.decode()
    assert "These 2 items will be deleted together." in page and "Also going" in page


def test_move_up_and_down_buttons(client, alice, plan):
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", title="First")
    second = add_item(plan, vision, "priority", title="Second")
    client.force_login(alice)
    client.post(reverse("planning:item-move", args=[plan.slug, second.pk]), {"direction": "up"})
    children = PlanItem.objects.filter(parent=vision).order_by("position")
    assert list(children.values_list("title", flat=True)) == ["Second", "First"]
    response = client.post(reverse("planning:item-move", args=[plan.slug, first.pk]), {"parent": "0", "position": 1})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert PlanItem.objects.get(pk=first.pk).position == 2


def test_descriptions_are_rendered_as_sanitised_markdown(client, alice, plan):
    add_item(
        plan,
        vision_of(plan),
        "priority",
        title="<b>Bold</b> title",
        description="**Raise standards**\n\n<script>alert(1)</script><img src=x onerror=alert(2)>[x](javascript:alert(3))",
    )
    client.force_login(alice)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "<strong>Raise standards</strong>" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; title" in page
    assert "<script>alert" not in page and "onerror" not in page and "javascript:" not in page


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_plan_page_query_count_does_not_grow_with_the_plan(client, alice, size, django_assert_num_queries):
    plan = sized_plan(size, owner=alice)
    assert plan.items.count() == (21 if size == "small" else 501)
    first = plan.items.filter(kind="priority").order_by("lft").first()
    services.item_update(
        item_id=first.pk,
        user=alice,
        change=services.ItemChange({"lead_officer": alice}),
        expected_version=first.version,
    )  # a lead to name: the names are read in one query however many
    client.force_login(alice)
    with django_assert_num_queries(PLAN_PAGE_QUERIES):
        response = client.get(plan.get_absolute_url())
    assert response.status_code == 200
    with django_assert_num_queries(PLAN_PAGE_QUERIES_CACHED):  # the outline comes from the cache
        response = client.get(plan.get_absolute_url())
    assert response.status_code == 200


# session, user, plan, the outline's cache stamp, items, the leads and indicators they name,
# supporters, links, unanswered comments
PLAN_PAGE_QUERIES = 9
PLAN_PAGE_QUERIES_CACHED = 5  # the same without items, names, supporters and links


def test_a_stale_plan_edit_gets_the_conflict_page(client, alice, bob, plan, service):
    fields = {"title": "", "slug": plan.slug, "kind": "service", "organisation": service.pk, "owner": alice.pk,
              "start_year": 2013, "end_year": 2015, "label_vision": "Vision", "label_priority": "Priority",
              "label_action": "Action", "label_target": "Target", "label_milestone": "Milestone", "version": 1}  # fmt: skip
    client.force_login(alice)
    assert client.post(reverse("planning:plan-edit", args=[plan.slug]), {**fields, "title": "Alice"}).status_code == 302
    client.force_login(bob)
    response = client.post(reverse("planning:plan-edit", args=[plan.slug]), {**fields, "title": "Bob"})
    assert response.status_code == 409
    plan.refresh_from_db()
    assert (plan.title, plan.version) == ("Alice", 2)
