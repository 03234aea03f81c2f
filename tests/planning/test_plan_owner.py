"""Who may hand a plan to a new owner (issue 12, item 5).

The owner may approve the plan and review its returns, so naming the owner confers those
rights: only the owner or an administrator may change it. An officer who may edit the
plan's other details (bob, in the owning service) may not take it over."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from planning import services
from planning.models import Plan


def _form(plan, **changes) -> dict:
    fields = {
        "title": plan.title,
        "slug": plan.slug,
        "kind": plan.kind,
        "organisation": plan.organisation_id,
        "owner": plan.owner_id,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "summary": plan.summary,
        "label_vision": plan.label_vision,
        "label_priority": plan.label_priority,
        "label_action": plan.label_action,
        "label_target": plan.label_target,
        "label_milestone": plan.label_milestone,
        "version": plan.version,
    }
    fields.update(changes)
    return fields


def _edit(client, plan, **changes):
    return client.post(reverse("planning:plan-edit", args=[plan.slug]), _form(plan, **changes))


@pytest.mark.django_db
def test_an_officer_who_is_not_the_owner_cannot_make_themselves_owner(client, plan, bob):
    client.force_login(bob)
    response = _edit(client, plan, owner=bob.pk, title="Taken over")
    assert response.status_code == 200
    assert "Only the plan’s owner or an administrator can change its owner." in response.content.decode()
    plan.refresh_from_db()
    assert (plan.owner.username, plan.title, plan.version) == ("alice", "School Improvement Business Plan 2013-14", 1)


@pytest.mark.django_db
def test_an_officer_who_is_not_the_owner_then_cannot_approve(client, plan, bob):
    client.force_login(bob)
    _edit(client, plan, owner=bob.pk)
    response = client.post(
        reverse("planning:plan-approve", args=[plan.slug]),
        {"approved_by": "Cabinet", "approved_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 403
    plan.refresh_from_db()
    assert plan.status == Plan.Status.DRAFT


@pytest.mark.django_db
def test_an_officer_who_is_not_the_owner_cannot_hand_the_plan_to_someone_else(client, plan, bob, director):
    client.force_login(bob)
    response = _edit(client, plan, owner=director.pk)
    assert response.status_code == 200
    plan.refresh_from_db()
    assert plan.owner.username == "alice"


@pytest.mark.django_db
def test_an_officer_who_is_not_the_owner_still_edits_the_other_details(client, plan, bob):
    client.force_login(bob)
    response = _edit(client, plan, title="Renamed by Bob")
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.title, plan.owner.username) == ("Renamed by Bob", "alice")


@pytest.mark.django_db
def test_the_owner_field_is_shown_but_not_offered_to_an_officer_who_is_not_the_owner(client, plan, bob, alice):
    client.force_login(bob)
    form = client.get(reverse("planning:plan-edit", args=[plan.slug])).context["form"]
    assert form.fields["owner"].disabled
    client.force_login(alice)
    form = client.get(reverse("planning:plan-edit", args=[plan.slug])).context["form"]
    assert not form.fields["owner"].disabled


@pytest.mark.django_db
def test_the_owner_hands_the_plan_to_another_officer(client, plan, alice, bob):
    client.force_login(alice)
    assert _edit(client, plan, owner=bob.pk).status_code == 302
    plan.refresh_from_db()
    assert plan.owner == bob


@pytest.mark.django_db
def test_an_administrator_changes_the_owner(client, plan, ada, bob):
    client.force_login(ada)
    assert _edit(client, plan, owner=bob.pk).status_code == 302
    plan.refresh_from_db()
    assert plan.owner == bob


@pytest.mark.django_db
def test_the_new_owner_may_approve_and_the_old_one_no_longer_may(client, plan, alice, bob):
    client.force_login(alice)
    _edit(client, plan, owner=bob.pk)
    approve = reverse("planning:plan-approve", args=[plan.slug])
    form = {"approved_by": "Cabinet", "approved_on": timezone.localdate().isoformat()}
    assert client.post(approve, form).status_code == 403
    client.force_login(bob)
    assert client.post(approve, form).status_code == 302
    plan.refresh_from_db()
    assert plan.status == Plan.Status.APPROVED


@pytest.mark.django_db
def test_the_service_itself_refuses_an_owner_change_by_anyone_but_the_owner_or_an_admin(plan, alice, bob, ada):
    """Whatever calls it: the check is made under the plan's lock, not only in the form."""
    with pytest.raises(ValidationError) as refused:
        services.plan_update(plan_id=plan.pk, user=bob, fields={"owner": bob}, expected_version=plan.version)
    assert refused.value.message_dict == {"owner": [services.OWNER_REFUSED]}
    plan.refresh_from_db()
    assert plan.owner == alice and plan.history.count() == 1
    # the same owner posted back is no change; the owner and an admin may hand it over
    services.plan_update(plan_id=plan.pk, user=bob, fields={"owner": alice, "title": "Renamed"}, expected_version=1)
    services.plan_update(plan_id=plan.pk, user=ada, fields={"owner": bob}, expected_version=2)
    plan.refresh_from_db()
    assert (plan.title, plan.owner) == ("Renamed", bob)
