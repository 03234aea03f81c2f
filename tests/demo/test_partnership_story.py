"""The demo's partnership plan (issue 15): the Local Service Board of the council, the
health board, the police and the college owns Northmoor's single integrated plan; its next
plan is a draft with two drafting groups mid-way and one sign-off given."""

import pytest
from django.urls import reverse

from demo import partnership_story
from partners.models import Partnership, User
from planning import co_writing
from planning.models import Comment, DraftingGroup, Plan, PlanItem


@pytest.fixture
def draft(demo_output, db) -> Plan:
    return Plan.objects.get(slug=partnership_story.DRAFT_SLUG)


def test_the_board_is_the_council_health_police_and_college(draft):
    board = Partnership.objects.get(slug=partnership_story.BOARD_SLUG)
    kinds = sorted(org.kind for org in board.organisations.all())
    assert kinds == ["college", "council", "health", "police"]
    assert draft.partnership == board and draft.status == Plan.Status.DRAFT
    assert Plan.objects.get(slug=partnership_story.APPROVED_SLUG).partnership == board


def test_two_groups_are_mid_way_each_writing_only_in_its_part(draft):
    groups = DraftingGroup.objects.filter(plan=draft).select_related("item")
    assert sorted(group.item.title for group in groups) == ["Healthier Northmoor", "Safer Northmoor"]
    for group in groups:
        part = group.item.get_descendants(include_self=True)
        members = set(group.memberships.values_list("person_id", flat=True))
        written = PlanItem.history.filter(plan_id=draft.pk, history_user_id__in=members)
        assert written.exists(), group.name
        assert set(written.values_list("id", flat=True)) <= set(part.values_list("pk", flat=True)) | set(
            PlanItem.history.filter(plan_id=draft.pk, history_type="+").values_list("id", flat=True)
        )


def test_the_college_has_signed_off_and_three_are_awaited(draft):
    missing = co_writing.missing_sign_offs(draft)
    assert sorted(org.kind for org in missing) == ["council", "health", "police"]
    (given,) = co_writing.standing_sign_offs(draft)
    assert given.organisation.kind == "college" and given.condition == partnership_story.COLLEGE_CONDITION


def test_the_partner_persona_sees_the_sign_off_and_can_withdraw_it(draft, client):
    client.force_login(User.objects.get(username="partner"))
    page = client.get(reverse("planning:plan-drafting", args=[draft.slug])).content.decode()
    assert "Withdraw Northmoor College’s sign-off" in page


def test_the_consultation_left_suggestions_in_every_state(draft):
    made = Comment.objects.filter(plan=draft, kind=Comment.Kind.SUGGESTION)
    states = sorted((c.state, c.accepted_with_changes) for c in made)
    assert states == [
        ("accepted", False),
        ("accepted", False),
        ("accepted", True),
        ("declined", False),
        ("open", False),
    ]
    by_group = made.get(author__username="sahmed")
    assert by_group.responded_by.username == "ewright"  # the health sub-group decided it, in draft
    assert all(c.change_history_id for c in made.filter(state="accepted"))
