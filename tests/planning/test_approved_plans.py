"""An approved plan can still be updated, but every change needs a reason."""

import pytest
from django.urls import reverse

from planning.models import Plan, PlanItem
from tests.factories import add_item, vision_of


@pytest.fixture
def approved(plan):
    plan.status = Plan.Status.APPROVED
    plan.save()
    return plan


def test_an_edit_without_a_reason_is_refused_next_to_the_reason_field(client, alice, approved):
    item = add_item(approved, vision_of(approved), "priority", title="Before")
    client.force_login(alice)
    url = reverse("planning:item-edit", args=[approved.slug, item.pk])
    response = client.post(url, {"title": "After", "status": "not_started", "version": 1})
    assert response.status_code == 200 and 'id="id_reason-error"' in response.content.decode()
    assert PlanItem.objects.get(pk=item.pk).title == "Before"
    response = client.post(url, {"title": "After", "status": "not_started", "version": 1, "reason": "Cabinet asked"})
    assert response.status_code == 302
    assert PlanItem.history.filter(id=item.pk).latest("history_date").history_change_reason == "Cabinet asked"


def test_adding_to_an_approved_plan_needs_a_reason(client, alice, approved):
    client.force_login(alice)
    url = reverse("planning:item-add", args=[approved.slug, vision_of(approved).pk, "priority"])
    assert client.post(url, {"title": "New", "status": "not_started"}).status_code == 200
    assert not PlanItem.objects.filter(title="New").exists()
    assert client.post(url, {"title": "New", "status": "not_started", "reason": "Scrutiny"}).status_code == 302


def test_move_buttons_on_an_approved_plan_ask_for_a_reason(client, alice, approved):
    vision = vision_of(approved)
    add_item(approved, vision, "priority", title="One")
    two = add_item(approved, vision, "priority", title="Two")
    client.force_login(alice)
    response = client.post(reverse("planning:item-move", args=[approved.slug, two.pk]), {"direction": "up"})
    assert response["Location"] == reverse("planning:item-move", args=[approved.slug, two.pk])
    assert PlanItem.objects.get(pk=two.pk).position == 2


def test_a_draft_needs_no_reason(client, alice, plan):
    item = add_item(plan, vision_of(plan), "priority", title="Before")
    client.force_login(alice)
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "After", "status": "not_started", "version": 1},
    )
    assert response.status_code == 302
