"""Publishing a plan to the public and withdrawing it (issue 16): from the status page, by
the owner or an administrator, only once it is approved, with history keeping who and why."""

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle
from planning.models import Plan


def url(plan: Plan, name: str) -> str:
    return reverse(f"planning:{name}", args=[plan.slug])


@pytest.fixture
def approved(plan, alice):
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    plan.refresh_from_db()
    return plan


def test_the_owner_publishes_an_approved_plan_and_history_says_who_and_why(client, approved, alice):
    client.force_login(alice)
    page = client.get(url(approved, "plan-status")).content.decode()
    assert "Publish to the public" in page
    assert "No: only people who sign in can read it" in page

    response = client.post(url(approved, "plan-publish"), {"reason": "Cabinet agreed to publish"})

    assert response.status_code == 302
    approved.refresh_from_db()
    assert approved.is_public and approved.published_at is not None
    assert Plan.objects.public().filter(pk=approved.pk).exists()
    latest = approved.history.latest()
    assert (latest.history_user, latest.history_change_reason) == (alice, "Cabinet agreed to publish")
    assert "anyone can read it without signing in" in client.get(url(approved, "plan-status")).content.decode()


def test_withdrawing_needs_a_reason_next_to_the_field_and_then_takes_the_plan_off(client, approved, alice):
    lifecycle.plan_publish(plan=approved, user=alice)
    client.force_login(alice)

    refused = client.post(url(approved, "plan-withdraw"), {"reason": " "})
    assert refused.status_code == 200
    assert "Give a reason" in refused.content.decode()
    approved.refresh_from_db()
    assert approved.is_public

    assert client.post(url(approved, "plan-withdraw"), {"reason": "Superseded by the new plan"}).status_code == 302
    approved.refresh_from_db()
    assert approved.published_at is None and not Plan.objects.public().exists()
    reasons = list(approved.history.values_list("history_change_reason", flat=True)[:2])
    assert reasons == ["Superseded by the new plan", "Published to the public"]


def test_a_draft_cannot_be_published_and_nothing_changes(client, plan, alice):
    client.force_login(alice)
    response = client.post(url(plan, "plan-publish"), {"reason": ""})
    assert response.status_code == 200
    assert lifecycle.NOT_PUBLISHABLE in response.content.decode()
    plan.refresh_from_db()
    assert plan.published_at is None
    assert "Publish to the public" not in client.get(url(plan, "plan-status")).content.decode()


def test_an_officer_who_may_edit_the_plan_may_not_publish_it(client, approved, bob):
    client.force_login(bob)
    assert client.post(url(approved, "plan-publish"), {}).status_code == 403
    assert "Publish to the public" not in client.get(url(approved, "plan-status")).content.decode()
    approved.refresh_from_db()
    assert approved.published_at is None


def test_an_administrator_may_publish(client, approved, ada):
    client.force_login(ada)
    assert client.post(url(approved, "plan-publish"), {}).status_code == 302
    approved.refresh_from_db()
    assert approved.is_public


def test_archiving_a_published_plan_takes_it_off_the_public_pages_without_unpublishing(approved, alice):
    lifecycle.plan_publish(plan=approved, user=alice)
    lifecycle.plan_status_set(plan=approved, user=alice, status=Plan.Status.ARCHIVED, reason="Ended")
    approved.refresh_from_db()
    assert approved.published_at is not None and not approved.is_public
    assert not Plan.objects.public().exists()


def test_publishing_twice_is_refused(approved, alice):
    lifecycle.plan_publish(plan=approved, user=alice)
    with pytest.raises(Exception, match="already published"):
        lifecycle.plan_publish(plan=approved, user=alice)
