"""``load_demo`` loads the demo council once, names the demo sign-ins, and tells a short
story after loading: two editions of the Standards and School Improvement plan with an
edit, an addition, a move and a deletion between them, each in its own moment, each with
its reason and author. The demo is loaded once for this module."""

import io
import json
from datetime import date

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse

from demo import cadence_story, evaluation_story, partnership_story, planning_story
from planning import alignment, snapshots
from planning.lifecycle import open_consultation
from planning.models import Comment, Edition, Link, Plan, PlanItem
from tests.planning.loader.support import table_counts

DEMO = settings.BASE_DIR / "fixtures" / "demo_council.json"
PERSONAS = ["officer", "owner", "partner", "member", "admin"]
PASSWORD = "golden-thread-demo"


@pytest.fixture
def told(demo_output, db) -> Plan:
    return Plan.objects.get(slug=planning_story.PLAN_SLUG)


def test_the_plan_has_two_editions_in_order(told):
    draft, approved = Edition.objects.filter(plan=told).order_by("moment")
    assert (draft.name, approved.name) == ("Draft for consultation", "Approved by Cabinet, 18 March 2013")
    assert draft.moment < approved.moment
    assert draft.created_by.username == approved.created_by.username == "owner"
    # no other plan of the demo file has editions: the college's termly plan, created by its
    # story (demo.cadence_story), has the one its approval made, and the council plan the one
    # its equality impact assessment was agreed in (demo.evaluation_story)
    assert Edition.objects.exclude(plan__slug__in=[cadence_story.SLUG, evaluation_story.CORPORATE]).count() == 2
    # loading happened before the draft: the draft is the plan exactly as loaded
    assert not PlanItem.history.filter(plan_id=told.pk, history_date__gt=draft.moment).filter(
        history_change_reason__startswith="loaded from"
    )


def test_the_changes_between_the_editions_are_an_edit_an_add_a_move_and_a_delete(told):
    draft, approved = Edition.objects.filter(plan=told).order_by("moment")
    between = PlanItem.history.filter(
        plan_id=told.pk, history_date__gt=draft.moment, history_date__lt=approved.moment
    ).select_related("history_user")

    by_item = {(row.title, row.history_type): row for row in between}
    edited = by_item[(planning_story.EDITED_TO, "~")]
    assert edited.due_date == planning_story.EDITED_DUE == date(2014, 5, 9)
    assert edited.history_change_reason == "Revised after consultation with headteachers"
    added = by_item[(planning_story.NEW_ACTION, "+")]
    assert (added.kind, str(added.cost_amount), added.cost_type) == ("action", "120000.00", "revenue")
    assert added.history_change_reason.startswith("Added after consultation")
    moved = by_item[(planning_story.MOVED_UP, "~")]
    assert moved.position == 1
    assert moved.history_change_reason.startswith("Moved up")
    deleted = by_item[(planning_story.DELETED_MILESTONE, "-")]
    assert deleted.kind == "milestone"
    assert deleted.history_change_reason.startswith("Removed after consultation")

    # the new action is threaded to Bold Steps, in a moment of its own
    link = Link.objects.get(source__title=planning_story.NEW_ACTION)
    assert (link.relation, link.target.plan.slug) == ("contributes_to", "bold-steps-for-education-2013-16")
    [linked] = Link.history.filter(id=link.pk)
    assert added.history_date < linked.history_date < moved.history_date

    # every row between the editions is the owner's, and each step has its own moment
    assert {row.history_user.username for row in between} == {"owner"}
    moments = [edited.history_date, added.history_date, moved.history_date, deleted.history_date]
    assert moments == sorted(set(moments))
    # nothing else changed: the move's sibling and the delete's later siblings share their step's moment
    assert {row.history_date for row in between} == set(moments)


def test_the_plan_now_reads_as_changed(told):
    items = PlanItem.objects.filter(plan=told)
    assert not items.filter(title=planning_story.EDITED_TITLE).exists()
    assert items.get(title=planning_story.EDITED_TO).due_date == date(2014, 5, 9)
    new = items.get(title=planning_story.NEW_ACTION)
    assert new.parent.title == planning_story.NEW_ACTION_UNDER
    assert new.position == new.parent.get_children().count()
    assert items.get(title=planning_story.MOVED_UP).position == 1
    assert not items.filter(title=planning_story.DELETED_MILESTONE).exists()


def test_load_demo_says_which_plan_has_editions(demo_output, told):
    assert f"{told} has two editions to compare" in demo_output


def test_the_demo_has_a_consultation_open_today_with_comments_in_every_state(told):
    plan = Plan.objects.get(slug="fair-access-2013-14")
    assert plan.status == Plan.Status.CONSULTATION
    consultation = open_consultation(plan)
    assert consultation is not None
    assert consultation.invites.count() == 4 and consultation.member_invites.count() == 2
    states = set(plan.comments.values_list("state", flat=True))
    assert states == {"open", "answered", "accepted", "declined"}
    assert plan.comments.filter(parent__isnull=False).count() == 1
    accepted = plan.comments.get(state=Comment.State.ACCEPTED)
    assert accepted.change_history_id is not None
    assert len({c.organisation_id for c in plan.comments.all()}) >= 4


def test_load_demo_loads_once_and_names_the_demo_sign_ins(demo_output, db):
    in_file = [o["model"] for o in json.loads(DEMO.read_text(encoding="utf-8"))]
    assert "Loaded the demo council from demo_council.json" in demo_output
    assert PASSWORD in demo_output
    lines = demo_output.splitlines()
    for username in PERSONAS:
        assert any(line.strip().startswith(username + " ") for line in lines), (username, demo_output)
    # the partnership story revises the single integrated plan into the Board's next draft
    # and the college's termly plan is created by its story (demo.cadence_story)
    assert Plan.objects.count() == in_file.count("planning.plan") + 2
    draft = Plan.objects.get(slug=partnership_story.DRAFT_SLUG)
    approved = Plan.objects.get(slug=partnership_story.APPROVED_SLUG)
    # the demo story then adds one action (with a link) and deletes one milestone; the
    # draft copies the approved plan's items, a suggested action is accepted into it, and its
    # two drafting groups add one each
    assert PlanItem.objects.exclude(plan=draft).exclude(plan__slug=cadence_story.SLUG).count() == (
        in_file.count("planning.planitem") + 1 - 1
    )
    assert PlanItem.objects.filter(plan=draft).count() == PlanItem.objects.filter(plan=approved).count() + 3
    assert Link.objects.exclude(source__plan__slug=cadence_story.SLUG).count() == in_file.count("planning.link") + 1
    # the Standards plan's two, the college plan's approval, the council plan's screening agreed
    assert Edition.objects.count() == 4
    counts = table_counts()

    again = io.StringIO()
    call_command("load_demo", stdout=again)

    assert "already exist" in again.getvalue()
    assert "Loaded the demo council" not in again.getvalue()
    assert table_counts() == counts


def test_the_demo_alignment_report_flags_only_the_real_disagreement(told):
    """Service plans' annual steps towards a directorate target (the same indicator, an
    earlier date) are not disagreements; Standards and School Improvement's 80% of
    primary schools good by summer 2015, where Bold Steps says 85% by then, is."""
    report = alignment.council_alignment(Plan.objects.all())
    [group] = report.disagreements
    assert group.indicator.code == "schools-good-outstanding-primary"
    assert group.fields == ["target value"]
    marked = [(row.plan.slug, str(row.item.target_value)) for row in group.rows if row.differs]
    assert marked == [(planning_story.PLAN_SLUG, "80.00")]
    assert {row.item.target_date for row in group.rows} == {date(2015, 8, 31)}


def test_each_edition_reads_the_status_the_plan_had_at_its_moment(told, client):
    """The draft was named while the plan was a draft, and the approved edition is the one
    approval named, so each past view says what the plan was then."""
    draft, approved = Edition.objects.filter(plan=told).order_by("moment")
    assert snapshots.plan_at(told, draft.moment).plan.status == Plan.Status.DRAFT
    assert snapshots.plan_at(told, approved.moment).plan.status == Plan.Status.APPROVED
    assert (told.status, told.approved_by, told.approved_on) == (Plan.Status.APPROVED, "Cabinet", date(2013, 3, 18))
    client.force_login(told.owner)
    page = client.get(reverse("planning:plan-as-of", args=[told.slug]), {"edition": draft.pk}).content.decode()
    assert "<dt>Status then</dt><dd>Draft</dd>" in page
    page = client.get(reverse("planning:plan-as-of", args=[told.slug]), {"edition": approved.pk}).content.decode()
    assert "<dt>Status then</dt><dd>Approved</dd>" in page


def test_the_demo_consultation_is_open_to_the_public_with_a_response_shown_and_one_waiting(told, client):
    from django.urls import reverse

    from public.models import PublicResponse

    plan = Plan.objects.get(slug="fair-access-2013-14")
    assert open_consultation(plan).is_public
    states = sorted(PublicResponse.objects.filter(plan=plan).values_list("state", flat=True))
    assert states == ["approved", "waiting"]
    page = client.get(reverse("public:consultation-detail", args=[plan.slug])).content.decode()
    assert "Rita Dawes" in page and "school bus from the villages" in page and "Sam Hill" not in page
