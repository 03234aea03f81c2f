"""Every page of the plan renders for its owner (a guard against template errors)."""

from django.urls import reverse

from tests.factories import add_item, vision_of


def test_every_plan_page_renders_for_the_owner(client, alice, plan):
    vision = vision_of(plan)
    priority = add_item(plan, vision, "priority", title="Every child in a good school")
    action = add_item(plan, priority, "action", cost_amount=25000, cost_type="capital", funding_source="EFA")
    target = add_item(plan, action, "target", target_value=85)
    add_item(plan, target, "milestone")
    client.force_login(alice)
    urls = [
        reverse("planning:plan-list"),
        reverse("planning:plan-create"),
        reverse("planning:plan-detail", args=[plan.slug]),
        reverse("planning:plan-edit", args=[plan.slug]),
        reverse("planning:plan-history", args=[plan.slug]),
        reverse("planning:item-detail", args=[plan.slug, action.pk]),
        reverse("planning:item-add", args=[plan.slug, action.pk, "target"]),
        reverse("planning:item-edit", args=[plan.slug, target.pk]),
        reverse("planning:item-move", args=[plan.slug, action.pk]),
        reverse("planning:item-delete", args=[plan.slug, priority.pk]),
        reverse("planning:item-history", args=[plan.slug, target.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(reverse("planning:plan-detail", args=[plan.slug])).content.decode()
    assert "Every child in a good school" in page
    assert "£25,000" in page
