"""Writing a plan together (issue 15): drafting groups write their part of a draft and only
there, with history; partnership plans are signed off by each owning organisation before
approval, and the edition names the sign-offs."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from partners.models import Invitation, Notification, Organisation, User
from planning import co_writing, lifecycle, services, suggestions
from planning.models import DraftingGroupMember, Plan, PlanItem, SignOff
from tests.factories import OrganisationFactory, UserFactory, add_item, make_partnership, make_plan, vision_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    class World:
        council = OrganisationFactory(name="Caerphilly Council", kind=Organisation.Kind.COUNCIL)
        health = OrganisationFactory(name="Health Board", kind=Organisation.Kind.HEALTH)
        police = OrganisationFactory(name="Gwent Police", kind=Organisation.Kind.POLICE)
        owner = UserFactory(username="owner", organisation=council)
        nurse = UserFactory(username="nurse", organisation=health, role=User.Role.PARTNER)
        sergeant = UserFactory(username="sergeant", organisation=police, role=User.Role.PARTNER)
        charity = OrganisationFactory(name="Age Cymru", kind=Organisation.Kind.VOLUNTARY)
        outsider = UserFactory(username="outsider", organisation=charity, role=User.Role.PARTNER)

    w = World()
    w.board = make_partnership(
        "Local Service Board", {w.council: [w.owner], w.health: [w.nurse], w.police: [w.sergeant]}
    )
    w.plan = make_plan(owner=w.owner, organisation=w.council, kind=Plan.Kind.SINGLE_INTEGRATED, partnership=w.board)
    w.healthy = add_item(w.plan, vision_of(w.plan), "priority", title="Healthy people")
    w.safe = add_item(w.plan, vision_of(w.plan), "priority", title="Safe communities")
    w.action = add_item(w.plan, w.healthy, "action", title="Fewer smokers")
    w.group = co_writing.drafting_group_create(plan=w.plan, user=w.owner, name="Health sub-group", item_id=w.healthy.pk)
    w.membership = co_writing.drafting_member_add(group=w.group, user=w.owner, email=w.outsider.email)
    return w


def _change(title):
    return services.ItemChange({"title": title})


# --- drafting groups -----------------------------------------------------------------------


def test_a_member_adds_edits_moves_and_deletes_inside_their_part_with_history(world):
    member = world.outsider
    added = services.item_add(
        plan=world.plan, parent_id=world.healthy.pk, kind="action", user=member, change=_change("Walking groups")
    )
    services.item_update(item_id=added.pk, user=member, change=_change("Walking groups for all"), expected_version=1)
    services.item_move(item_id=added.pk, user=member, new_parent_id=world.healthy.pk, new_position=1)
    services.item_update(item_id=world.healthy.pk, user=member, change=_change("Healthier people"), expected_version=1)
    history = PlanItem.history.filter(id=added.pk).order_by("history_date", "history_id")
    assert [row.history_user_id for row in history] == [member.pk] * 3
    assert history.last().title == "Walking groups for all"
    services.item_delete(item_id=added.pk, user=member)
    assert PlanItem.history.filter(id=added.pk, history_type="-").get().history_user_id == member.pk


def test_a_member_is_refused_outside_their_part(world):
    member = world.outsider
    with pytest.raises(PermissionDenied):
        services.item_add(
            plan=world.plan, parent_id=world.safe.pk, kind="action", user=member, change=_change("Patrols")
        )
    with pytest.raises(PermissionDenied):
        services.item_update(item_id=world.safe.pk, user=member, change=_change("Safer"), expected_version=1)
    with pytest.raises(ValidationError) as refused:
        services.item_move(item_id=world.action.pk, user=member, new_parent_id=world.safe.pk, new_position=1)
    assert refused.value.message_dict["parent"] == ["You draft “Healthy people”: this change would reach outside it."]
    assert PlanItem.objects.get(pk=world.action.pk).parent_id == world.healthy.pk


def test_the_top_of_the_part_is_the_owners_to_move_or_delete(world):
    for write in (
        lambda: services.item_delete(item_id=world.healthy.pk, user=world.outsider),
        lambda: services.item_move(
            item_id=world.healthy.pk, user=world.outsider, new_parent_id=world.healthy.parent_id, new_position=2
        ),
    ):
        with pytest.raises(PermissionDenied):
            write()
    assert PlanItem.objects.filter(pk=world.healthy.pk, position=1).exists()


def test_members_write_only_while_the_plan_is_a_draft(world):
    lifecycle.plan_consultation_open(
        plan=world.plan,
        user=world.owner,
        opens_on=date.today(),
        closes_on=date.today(),
        note="",
        organisations=[world.health],
        members=[],
    )
    with pytest.raises(PermissionDenied):
        services.item_update(item_id=world.action.pk, user=world.outsider, change=_change("Late"), expected_version=1)
    assert PlanItem.objects.get(pk=world.action.pk).title == "Fewer smokers"


def test_a_removed_member_can_no_longer_write_or_read(world, client):
    co_writing.drafting_member_remove(group=world.group, user=world.owner, membership_id=world.membership.pk)
    with pytest.raises(PermissionDenied):
        services.item_update(item_id=world.action.pk, user=world.outsider, change=_change("After"), expected_version=1)
    client.force_login(world.outsider)
    assert client.get(reverse("planning:item-edit", args=[world.plan.slug, world.action.pk])).status_code == 404
    assert DraftingGroupMember.history.filter(person_id=world.outsider.pk, history_type="-").count() == 1


def test_the_member_is_told_when_added(world):
    told = Notification.objects.get(recipient=world.outsider)
    assert told.subject == f"You are drafting part of {world.plan.title}"
    assert told.url == world.healthy.get_absolute_url()


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "Nobody active has that email address here: check it, or invite them first."),
        ("outsider@example.org", "is already in this group."),
    ],
)
def test_adding_someone_who_cannot_be_added_says_why_and_changes_nothing(world, client, email, message):
    client.force_login(world.owner)
    before = DraftingGroupMember.objects.count()
    response = client.post(reverse("planning:drafting-group", args=[world.plan.slug, world.group.pk]), {"email": email})
    assert response.status_code == 400
    assert message in response.content.decode()
    assert DraftingGroupMember.objects.count() == before


def test_one_group_per_part_and_only_a_priority(world):
    with pytest.raises(ValidationError) as twice:
        co_writing.drafting_group_create(plan=world.plan, user=world.owner, name="Again", item_id=world.healthy.pk)
    assert "already has a drafting group" in str(twice.value)
    with pytest.raises(ValidationError) as action:
        co_writing.drafting_group_create(plan=world.plan, user=world.owner, name="Action", item_id=world.action.pk)
    assert action.value.message_dict["item"] == ["A drafting group writes a priority and everything under it."]


def test_through_the_pages_a_member_edits_their_part_and_gets_403_elsewhere(world, client):
    client.force_login(world.outsider)
    page = client.get(reverse("planning:item-detail", args=[world.plan.slug, world.action.pk])).content.decode()
    assert "You are drafting “Healthy people”" in page
    assert reverse("planning:item-move", args=[world.plan.slug, world.action.pk]) in page
    edit = reverse("planning:item-edit", args=[world.plan.slug, world.action.pk])
    response = client.post(edit, {"title": "Fewer smokers by 2020", "status": "not_started", "version": 1})
    assert response.status_code == 302
    assert PlanItem.objects.get(pk=world.action.pk).title == "Fewer smokers by 2020"
    assert client.get(reverse("planning:item-edit", args=[world.plan.slug, world.safe.pk])).status_code == 403
    move = client.get(reverse("planning:item-move", args=[world.plan.slug, world.action.pk])).content.decode()
    assert "Healthy people" in move and "Safe communities" not in move  # choices inside the part only
    top = reverse("planning:item-move", args=[world.plan.slug, world.healthy.pk])
    assert client.get(top).status_code == 403


# --- sign-off --------------------------------------------------------------------------------


def test_approval_waits_for_every_owning_organisation_and_the_edition_names_them(world):
    co_writing.sign_off_give(plan=world.plan, user=world.nurse, condition="the smoking budget is confirmed")
    co_writing.sign_off_give(plan=world.plan, user=world.owner)
    with pytest.raises(ValidationError) as waiting:
        lifecycle.plan_approve(plan=world.plan, user=world.owner, approved_by="the Board", approved_on=date(2026, 3, 1))
    assert waiting.value.messages == [
        "Each organisation that owns this plan signs it off before approval: waiting for Gwent Police."
    ]
    assert Plan.objects.get(pk=world.plan.pk).status == Plan.Status.DRAFT
    co_writing.sign_off_give(plan=world.plan, user=world.sergeant)
    edition = lifecycle.plan_approve(
        plan=world.plan, user=world.owner, approved_by="the Board", approved_on=date(2026, 3, 1)
    )
    assert "Health Board: signed off by" in edition.note
    assert "on condition that the smoking budget is confirmed" in edition.note
    assert "Gwent Police: signed off by" in edition.note and "Caerphilly Council: signed off by" in edition.note


def test_a_withdrawn_sign_off_is_kept_with_its_reason_and_no_longer_counts(world):
    given = co_writing.sign_off_give(plan=world.plan, user=world.nurse)
    co_writing.sign_off_withdraw(plan=world.plan, user=world.nurse, sign_off_id=given.pk, reason="The budget changed")
    withdrawn = SignOff.objects.get(pk=given.pk)
    assert (withdrawn.withdrawn_by, withdrawn.withdrawal_reason) == (world.nurse, "The budget changed")
    assert world.health in co_writing.missing_sign_offs(world.plan)
    assert SignOff.history.filter(id=given.pk).count() == 2
    co_writing.sign_off_give(plan=world.plan, user=world.nurse)  # and may sign again
    assert world.health not in co_writing.missing_sign_offs(world.plan)


def test_sign_off_refusals(world):
    with pytest.raises(ValidationError, match="Only a named plan lead"):
        co_writing.sign_off_give(plan=world.plan, user=world.outsider)
    given = co_writing.sign_off_give(plan=world.plan, user=world.nurse)
    with pytest.raises(ValidationError, match="already signed"):
        co_writing.sign_off_give(plan=world.plan, user=world.nurse)
    with pytest.raises(ValidationError, match="Only a plan lead of the organisation that signed"):
        co_writing.sign_off_withdraw(plan=world.plan, user=world.sergeant, sign_off_id=given.pk, reason="No")
    with pytest.raises(ValidationError) as no_reason:
        co_writing.sign_off_withdraw(plan=world.plan, user=world.nurse, sign_off_id=given.pk, reason=" ")
    assert "reason" in no_reason.value.message_dict
    own = make_plan(owner=world.owner)
    with pytest.raises(ValidationError, match="Only a plan owned by a partnership"):
        co_writing.sign_off_give(plan=own, user=world.owner)


def test_a_lead_who_moves_organisation_no_longer_signs_or_edits(world, client):
    world.nurse.organisation = world.police
    world.nurse.save()
    with pytest.raises(ValidationError, match="Only a named plan lead"):
        co_writing.sign_off_give(plan=world.plan, user=world.nurse)
    client.force_login(world.nurse)  # now an ordinary police partner: reads the police's plan, changes nothing
    assert client.get(reverse("planning:plan-edit", args=[world.plan.slug])).status_code == 403


def test_after_approval_sign_offs_stand(world):
    for lead in (world.owner, world.nurse, world.sergeant):
        co_writing.sign_off_give(plan=world.plan, user=lead)
    lifecycle.plan_approve(plan=world.plan, user=world.owner, approved_by="the Board", approved_on=date(2026, 3, 1))
    given = SignOff.objects.get(plan=world.plan, organisation=world.health)
    with pytest.raises(ValidationError, match="its sign-offs stand"):
        co_writing.sign_off_withdraw(plan=world.plan, user=world.nurse, sign_off_id=given.pk, reason="Too late")


def test_the_sign_off_page_for_a_lead_and_the_owner_told(world, client):
    client.force_login(world.nurse)
    page = client.get(reverse("planning:plan-drafting", args=[world.plan.slug])).content.decode()
    assert "Sign off for Health Board" in page
    response = client.post(reverse("planning:sign-off", args=[world.plan.slug]), {"condition": "Funding agreed"})
    assert response.status_code == 302
    assert Notification.objects.filter(recipient=world.owner, subject__startswith="Health Board signed off").exists()
    page = client.get(reverse("planning:plan-drafting", args=[world.plan.slug])).content.decode()
    assert "Withdraw Health Board’s sign-off" in page
    given = SignOff.objects.get(plan=world.plan)
    response = client.post(reverse("planning:sign-off-withdraw", args=[world.plan.slug, given.pk]), {"reason": ""})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode() or "Enter" in response.content.decode()
    assert SignOff.objects.get(pk=given.pk).is_standing


def test_the_partners_home_lists_the_partnership_plan_and_the_part_they_draft(world, client):
    client.force_login(world.nurse)
    page = client.get(reverse("planning:partner-home")).content.decode()
    assert "Owns it with Local Service Board" in page
    client.force_login(world.outsider)
    page = client.get(reverse("planning:partner-home")).content.decode()
    assert world.plan.title in page and "you draft part of it" in page


def test_an_officer_held_in_memory_across_a_change_to_the_organisation_tree_still_writes(bob, plan):
    """The services' drafting check asks whether the writer may change the plan; an
    organisation held in memory keeps tree columns that a new council re-slots (found
    merging the suggestions: bob, an owning officer, was refused)."""
    action = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action", title="Before")
    OrganisationFactory(name="Aardvark Council", slug="aardvark", kind=Organisation.Kind.COUNCIL)
    services.item_update(item_id=action.pk, user=bob, change=_change("After"), expected_version=action.version)
    assert PlanItem.objects.get(pk=action.pk).title == "After"


def test_the_parts_drafting_group_decides_the_suggestions_on_it_once_the_plan_is_a_draft_again(world, client):
    """ "The owner or the part's drafting group accepts": a member accepts a suggestion on an
    item in their part, sees the links to do so, and is refused one outside it."""
    lifecycle.plan_consultation_open(
        plan=world.plan,
        user=world.owner,
        opens_on=date.today(),
        closes_on=date.today(),
        note="",
        organisations=[world.police],
        members=[],
    )
    inside = suggestions.suggestion_add(
        plan=world.plan, user=world.sergeant, item=world.action, body="Clearer", proposed_title="Fewer smokers, sooner"
    )
    outside = suggestions.suggestion_add(
        plan=world.plan, user=world.sergeant, item=world.safe, body="Wider", proposed_title="Safe and green communities"
    )
    lifecycle.plan_status_set(plan=world.plan, user=world.owner, status="draft", reason="Back to the sub-groups")
    client.force_login(world.outsider)
    page = client.get(reverse("planning:plan-comments", args=[world.plan.slug])).content.decode()
    accept = reverse("planning:suggestion-accept", args=[world.plan.slug, inside.pk])
    assert accept in page
    assert reverse("planning:suggestion-accept", args=[world.plan.slug, outside.pk]) not in page
    assert client.get(reverse("planning:suggestion-accept", args=[world.plan.slug, outside.pk])).status_code == 403
    response = client.post(accept, {"title": "Fewer smokers, sooner", "description": "", "version": 1})
    assert response.status_code == 302
    assert PlanItem.objects.get(pk=world.action.pk).title == "Fewer smokers, sooner"
    assert PlanItem.history.filter(id=world.action.pk).latest("history_id").history_user_id == world.outsider.pk


# --- the owner invites people of the partner organisations -----------------------------------


def _invite(client, world, **changes):
    data = {
        "first_name": "Nia",
        "last_name": "Nurse",
        "email": "nia@health.example",
        "organisation": world.health.pk,
        "job_title": "",
    } | changes
    return client.post(reverse("planning:partner-invite", args=[world.plan.slug]), data)


def test_the_owner_invites_someone_from_a_partner_organisation(world, client):
    client.force_login(world.owner)
    response = _invite(client, world)
    assert response.status_code == 302
    invitation = Invitation.objects.get(email="nia@health.example")
    assert (invitation.organisation, invitation.role, invitation.invited_by) == (
        world.health,
        User.Role.PARTNER,
        world.owner,
    )


def test_the_owner_invites_only_into_the_partnerships_partner_organisations(world, client):
    client.force_login(world.owner)
    page = client.get(reverse("planning:partner-invite", args=[world.plan.slug])).content.decode()
    assert "Health Board" in page and "Gwent Police" in page and "Caerphilly Council" not in page
    for organisation in (world.council, world.outsider.organisation):
        response = _invite(client, world, organisation=organisation.pk)
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    response = _invite(client, world, email=world.nurse.email)  # already has an account
    assert response.status_code == 400
    assert not Invitation.objects.exists()


def test_only_the_owner_of_a_partnership_plan_invites(world, client):
    client.force_login(world.nurse)  # a plan lead: co-owner, but not the owner
    assert _invite(client, world).status_code == 403
    own = make_plan(owner=world.owner)
    client.force_login(world.owner)
    assert client.get(reverse("planning:partner-invite", args=[own.slug])).status_code == 404
    assert not Invitation.objects.exists()
