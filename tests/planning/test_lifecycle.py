"""A plan's life through its status page: consultation, approval, back to draft, supersede,
archive and revision, each allowed and refused, with what lands in the database and the
outbox."""

from datetime import date, timedelta

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from partners.models import Notification, Organisation, User
from planning import lifecycle, services
from planning.models import (
    Consultation,
    ConsultationInvite,
    ConsultationMember,
    Edition,
    ItemSupporter,
    Link,
    Plan,
    PlanItem,
    PlanShare,
)
from tests.factories import OrganisationFactory, UserFactory, add_item, make_plan, vision_of

TODAY = timezone.localdate


class BrokenMailServer(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server unreachable")


def status_url(plan: Plan, name: str = "plan-status") -> str:
    return reverse(f"planning:{name}", args=[plan.slug])


def set_status(plan: Plan, status: str) -> Plan:
    plan.status = status
    plan.save()
    return plan


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)


@pytest.fixture
def consulting(plan, alice, college):
    """The plan out to consultation with the college."""
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=TODAY() - timedelta(days=1),
        closes_on=TODAY() + timedelta(days=14),
        note="",
        organisations=[college],
        members=[],
    )
    plan.refresh_from_db()
    return plan


def approve_data(**overrides) -> dict:
    return {"approved_by": "Cabinet", "approved_on": "2013-03-18", "reason": "", **overrides}


# --- the status page ----------------------------------------------------------------------


def test_the_status_page_shows_where_the_plan_stands(client, bob, alice, college, mel, plan):
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=date(2013, 1, 7),
        closes_on=date(2013, 2, 8),
        note="Comments on **priority 2**, please.",
        organisations=[college],
        members=[mel],
    )
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=date(2013, 3, 18))
    plan.refresh_from_db()
    revision = lifecycle.plan_revise(
        plan=plan,
        user=alice,
        title="School Improvement Business Plan 2014-15",
        slug="sip-2014",
        start_year=2014,
        end_year=2014,
    )
    client.force_login(bob)
    page = client.get(status_url(plan)).content.decode()
    expected = ["Approved", "Cabinet", "18 March 2013", "7 January 2013", "8 February 2013", "Northmoor College"]
    expected += ["Mel Member", "<strong>priority 2</strong>", "Unanswered comments", revision.get_absolute_url()]
    for text in expected:
        assert text in page, text
    new_page = client.get(status_url(revision)).content.decode()
    assert "Revises" in new_page and plan.get_absolute_url() in new_page


def test_the_plan_page_links_to_the_status_page(client, bob, plan):
    client.force_login(bob)
    page = client.get(plan.get_absolute_url()).content.decode()
    assert "Status and approval" in page
    assert page.count(f'href="{status_url(plan)}"') == 2  # the link and the status tag


def test_only_the_owner_sees_approval_and_revision(client, alice, bob, carol, plan):
    client.force_login(alice)
    page = client.get(status_url(plan)).content.decode()
    assert "Approve plan" in page and "Open a consultation" in page and "Create the new draft" in page
    assert 'value="archived"' in page
    client.force_login(bob)  # may change the plan, may not approve it
    page = client.get(status_url(plan)).content.decode()
    assert 'value="archived"' in page
    assert "Approve plan" not in page and "Open a consultation" not in page and "Create the new draft" not in page
    client.force_login(carol)  # may read, nothing more
    page = client.get(status_url(plan)).content.decode()
    assert "What you can do" not in page and 'value="archived"' not in page


def test_the_status_page_is_hidden_from_those_who_cannot_read_the_plan(client, pat, plan):
    assert client.get(status_url(plan))["Location"].startswith(reverse("login"))
    client.force_login(pat)
    assert client.get(status_url(plan)).status_code == 404


def test_the_status_page_query_count_does_not_grow(
    client, alice, college, police, mel, plan, django_assert_num_queries
):
    def consult(day: int) -> None:
        consultation = Consultation.objects.create(
            plan=plan, opens_on=date(2013, 1, day), closes_on=date(2013, 2, day), created_by=alice
        )
        for org in (college, police):
            ConsultationInvite.objects.create(consultation=consultation, organisation=org)
        ConsultationMember.objects.create(consultation=consultation, member=mel)

    # session, user, plan, revisions, consultations, their organisations, their members, unanswered,
    # and for an approver whether the plan's council requires an equality screening (decision 0032)
    client.force_login(alice)
    consult(1)
    with django_assert_num_queries(9):
        assert client.get(status_url(plan)).status_code == 200
    consult(8)
    consult(15)
    lifecycle.comment_add(plan=plan, user=alice, body="A note to self")
    with django_assert_num_queries(9):
        assert "15 January 2013" in client.get(status_url(plan)).content.decode()


def test_the_steps_are_post_only(client, alice, plan):
    client.force_login(alice)
    for name in ("plan-approve", "plan-status-set", "plan-revise"):
        assert client.get(status_url(plan, name)).status_code == 405


# --- approval -----------------------------------------------------------------------------


def test_the_owner_approves_a_draft_and_names_the_edition(client, alice, plan):
    client.force_login(alice)
    response = client.post(status_url(plan, "plan-approve"), approve_data())
    assert response.status_code == 302 and response["Location"] == status_url(plan)
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.approved_on) == ("approved", "Cabinet", date(2013, 3, 18))
    edition = Edition.objects.get(plan=plan)
    assert edition.name == "Approved by Cabinet, 18 March 2013" and edition.created_by == alice
    assert plan.history.latest("history_date").history_change_reason == edition.name
    assert "Approved by Cabinet, 18 March 2013" in client.get(status_url(plan), follow=True).content.decode()


def test_an_approving_body_too_long_to_name_the_edition_is_refused_beside_its_field(client, alice, plan):
    client.force_login(alice)
    response = client.post(status_url(plan, "plan-approve"), approve_data(approved_by="C" * 161))
    assert response.status_code == 200
    assert response.context["approve_form"].errors["approved_by"] == [
        "Ensure this value has at most 160 characters (it has 161)."
    ]
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT and not Edition.objects.exists()
    longest = client.post(
        status_url(plan, "plan-approve"), approve_data(approved_by="C" * 160, approved_on="2013-09-30")
    )
    assert longest.status_code == 302
    assert len(Edition.objects.get(plan=plan).name) <= 200


def test_an_administrator_may_approve(client, ada, consulting):
    client.force_login(ada)
    assert client.post(status_url(consulting, "plan-approve"), approve_data()).status_code == 302
    assert Plan.objects.get(pk=consulting.pk).status == Plan.Status.APPROVED


@pytest.mark.parametrize("persona", ["bob", "carol", "director"])
def test_officers_who_do_not_own_the_plan_cannot_approve_it(client, request, persona, plan):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(status_url(plan, "plan-approve"), approve_data()).status_code == 403
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT and not Edition.objects.exists()


def test_a_partner_the_plan_is_not_shared_with_gets_not_found(client, pat, plan):
    client.force_login(pat)
    assert client.post(status_url(plan, "plan-approve"), approve_data()).status_code == 404


def test_an_archived_plan_cannot_be_approved(client, alice, plan):
    set_status(plan, Plan.Status.ARCHIVED)
    client.force_login(alice)
    response = client.post(status_url(plan, "plan-approve"), approve_data())
    assert response.status_code == 200
    assert "A plan that is archived cannot become approved." in response.content.decode()
    plan.refresh_from_db()
    assert (plan.status, plan.approved_by, plan.approved_on) == ("archived", "", None)
    assert not Edition.objects.exists()


@pytest.mark.parametrize("start", ["approved", "superseded"])
def test_a_plan_past_its_draft_cannot_be_approved_again(client, alice, plan, start):
    set_status(plan, start)
    client.force_login(alice)
    assert "Approve plan" not in client.get(status_url(plan)).content.decode()
    response = client.post(status_url(plan, "plan-approve"), approve_data())
    assert "cannot become approved" in response.content.decode()
    assert Plan.objects.get(pk=plan.pk).status == start and not Edition.objects.exists()


def test_approval_needs_a_body_and_a_date_not_in_the_future(client, alice, plan):
    client.force_login(alice)
    tomorrow = (TODAY() + timedelta(days=1)).isoformat()
    response = client.post(status_url(plan, "plan-approve"), approve_data(approved_by="", approved_on=tomorrow))
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'id="approve-approved_by-error"' in page and 'id="approve-approved_on-error"' in page
    assert "The date approved must be today or in the past." in page
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT and not Edition.objects.exists()


def test_approval_shows_how_many_comments_are_unanswered(client, alice, bob, consulting):
    for body in ("Too vague", "What about attendance?", "Agreed"):
        comment = lifecycle.comment_add(plan=consulting, user=bob, body=body)
    lifecycle.comment_respond(
        comment_id=comment.pk, user=alice, response="Thanks", state="accepted", expected_version=1
    )
    client.force_login(alice)
    page = client.get(status_url(consulting)).content.decode()
    warning = page.index("2 comments are unanswered")
    assert warning < page.index("Approve plan")
    assert client.post(status_url(consulting, "plan-approve"), approve_data()).status_code == 302  # a warning only


def test_one_unanswered_comment_reads_in_the_singular(client, alice, bob, consulting):
    lifecycle.comment_add(plan=consulting, user=bob, body="One thing")
    client.force_login(alice)
    assert "1 comment is unanswered" in client.get(status_url(consulting)).content.decode()


# --- back to draft, supersede, archive --------------------------------------------------------


def test_an_officer_of_the_service_takes_a_consultation_draft_back_to_draft(client, bob, consulting):
    client.force_login(bob)
    response = client.post(status_url(consulting, "plan-status-set"), {"status": "draft", "reason": "More work"})
    assert response.status_code == 302
    consulting.refresh_from_db()
    assert consulting.status == Plan.Status.DRAFT
    assert consulting.history.latest("history_date").history_change_reason == "More work"


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("draft", "archived"),
        ("consultation", "archived"),
        ("approved", "superseded"),
        ("approved", "archived"),
        ("superseded", "archived"),
    ],
)
def test_the_allowed_moves(client, alice, plan, start, to):
    set_status(plan, start)
    client.force_login(alice)
    assert client.post(status_url(plan, "plan-status-set"), {"status": to, "reason": "Year end"}).status_code == 302
    assert Plan.objects.get(pk=plan.pk).status == to


@pytest.mark.parametrize(
    ("start", "to"),
    [
        ("draft", "superseded"),
        ("draft", "draft"),
        ("approved", "draft"),
        ("archived", "draft"),
        ("superseded", "draft"),
    ],
)
def test_moves_the_lifecycle_does_not_allow_change_nothing(client, alice, plan, start, to):
    set_status(plan, start)
    version = Plan.objects.get(pk=plan.pk).version
    client.force_login(alice)
    response = client.post(status_url(plan, "plan-status-set"), {"status": to, "reason": "Try"})
    assert response.status_code == 200
    assert f"cannot become {Plan.Status(to).label.lower()}" in response.content.decode()
    assert Plan.objects.values_list("status", "version").get(pk=plan.pk) == (start, version)


def test_a_status_change_needs_a_reason(client, alice, consulting):
    client.force_login(alice)
    response = client.post(status_url(consulting, "plan-status-set"), {"status": "draft", "reason": " "})
    assert response.status_code == 200 and 'id="status-reason-error"' in response.content.decode()
    assert Plan.objects.get(pk=consulting.pk).status == Plan.Status.CONSULTATION


def test_the_status_page_offers_only_the_moves_the_lifecycle_allows(client, alice, plan):
    set_status(plan, Plan.Status.APPROVED)
    client.force_login(alice)
    page = client.get(status_url(plan)).content.decode()
    assert 'value="superseded"' in page and 'value="archived"' in page and 'value="draft"' not in page
    assert "Approve plan" not in page and "Open a consultation" not in page


def test_an_officer_elsewhere_cannot_change_the_status(client, carol, plan):
    client.force_login(carol)
    response = client.post(status_url(plan, "plan-status-set"), {"status": "archived", "reason": "Mine now"})
    assert response.status_code == 403 and Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT


# --- consultation -------------------------------------------------------------------------


def consultation_data(*organisations, members=(), **overrides) -> dict:
    return {
        "opens_on": TODAY().isoformat(),
        "closes_on": (TODAY() + timedelta(days=28)).isoformat(),
        "note": "Please comment on **the priorities**.",
        "organisations": [org.pk for org in organisations],
        "members": [member.pk for member in members],
        **overrides,
    }


def test_opening_a_consultation_shares_the_plan_and_tells_the_invitees_after_commit(
    client, alice, pat, mel, college, police, plan, django_capture_on_commit_callbacks, mailoutbox
):
    college_officer = UserFactory(username="cy", organisation=college)  # not a partner: not told
    police_partner = UserFactory(username="pc", organisation=police, role=User.Role.PARTNER)  # not invited
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(status_url(plan, "consultation-open"), consultation_data(college, members=[mel]))
        assert mailoutbox == []  # nothing is sent before the transaction commits
    assert response.status_code == 302 and response["Location"] == status_url(plan)
    assert len(callbacks) == 1
    plan.refresh_from_db()
    assert plan.status == Plan.Status.CONSULTATION
    consultation = Consultation.objects.get(plan=plan)
    assert consultation.created_by == alice and consultation.closes_on == TODAY() + timedelta(days=28)
    assert list(ConsultationInvite.objects.values_list("organisation", flat=True)) == [college.pk]
    assert list(ConsultationMember.objects.values_list("member", flat=True)) == [mel.pk]
    assert list(PlanShare.objects.filter(plan=plan).values_list("organisation", flat=True)) == [college.pk]
    told = Notification.objects.filter(subject=f"Consultation: {plan.title}")
    assert {n.recipient for n in told} == {pat, mel}
    assert all(n.sent_at and n.attempts == 1 for n in told)
    assert sorted(m.to[0] for m in mailoutbox) == sorted([pat.email, mel.email])
    assert "the priorities" in mailoutbox[0].body and plan.get_absolute_url() in mailoutbox[0].body
    assert not Notification.objects.filter(recipient__in=[college_officer, police_partner]).exists()


def test_the_invited_partner_can_read_the_draft_from_then_on(client, alice, pat, college, plan):
    client.force_login(pat)
    assert client.get(plan.get_absolute_url()).status_code == 404
    client.force_login(alice)
    client.post(status_url(plan, "consultation-open"), consultation_data(college))
    client.force_login(pat)
    assert client.get(plan.get_absolute_url()).status_code == 200
    assert client.get(status_url(plan)).status_code == 200


def test_a_mail_server_failure_leaves_the_notification_pending_until_send_notifications(
    client, alice, pat, college, plan, settings, django_capture_on_commit_callbacks, mailoutbox
):
    settings.EMAIL_BACKEND = f"{__name__}.BrokenMailServer"
    client.force_login(alice)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(plan, "consultation-open"), consultation_data(college))
    assert response.status_code == 302  # the consultation opens whatever the mail server does
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.CONSULTATION
    notification = Notification.objects.get(recipient=pat)
    assert notification.sent_at is None and notification.attempts == 1
    assert notification.last_error == "ConnectionRefusedError: mail server unreachable"

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_notifications")
    call_command("send_notifications")
    notification.refresh_from_db()
    assert [m.to for m in mailoutbox] == [[pat.email]]
    assert notification.sent_at is not None and notification.attempts == 2 and notification.last_error == ""


def test_the_form_offers_partner_organisations_council_services_and_members(
    client, alice, college, police, mel, bob, plan, service, directorate, council
):
    client.force_login(alice)
    response = client.get(status_url(plan, "consultation-open"))
    form = response.context["form"]
    # officers of other council services can be invited (issue 15); the whole council cannot
    assert list(form.fields["organisations"].queryset) == [directorate, college, police, service]
    assert council not in form.fields["organisations"].queryset
    assert "School Improvement (service)" in response.content.decode()
    assert list(form.fields["members"].queryset) == [mel]


def test_bad_consultation_input_is_explained_and_changes_nothing(
    client, alice, plan, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    data = consultation_data(closes_on=(TODAY() - timedelta(days=1)).isoformat())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(status_url(plan, "consultation-open"), data)
    page = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in page
    assert 'id="id_closes_on-error"' in page and "close on or after the day it opens" in page
    assert (
        'id="id_organisations-error"' in page
        and "Invite at least one organisation or member, or open it to the public." in page
    )
    assert Plan.objects.get(pk=plan.pk).status == Plan.Status.DRAFT
    assert not Consultation.objects.exists() and not PlanShare.objects.exists() and not Notification.objects.exists()


def test_a_consultation_must_not_have_closed_already(client, alice, college, plan):
    client.force_login(alice)
    yesterday = (TODAY() - timedelta(days=1)).isoformat()
    data = consultation_data(college, opens_on=(TODAY() - timedelta(days=5)).isoformat(), closes_on=yesterday)
    response = client.post(status_url(plan, "consultation-open"), data)
    assert "The consultation must close today or later." in response.content.decode()
    assert not Consultation.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_only_the_owner_or_an_administrator_opens_a_consultation(client, request, persona, college, plan):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(status_url(plan, "consultation-open")).status_code == 403
    assert client.post(status_url(plan, "consultation-open"), consultation_data(college)).status_code == 403
    assert not Consultation.objects.exists()


def test_an_administrator_opens_a_consultation(client, ada, college, plan):
    client.force_login(ada)
    assert client.post(status_url(plan, "consultation-open"), consultation_data(college)).status_code == 302
    assert Consultation.objects.get().created_by == ada


@pytest.mark.parametrize("start", ["consultation", "approved", "superseded", "archived"])
def test_only_a_draft_goes_out_to_consultation(client, alice, college, plan, start):
    set_status(plan, start)
    client.force_login(alice)
    page = client.get(status_url(plan, "consultation-open")).content.decode()
    assert "cannot go out to consultation" in page and "Open the consultation" not in page
    response = client.post(status_url(plan, "consultation-open"), consultation_data(college))
    assert response.status_code == 200 and "cannot become in consultation" in response.content.decode()
    assert not Consultation.objects.exists() and not PlanShare.objects.exists()


# --- revision -----------------------------------------------------------------------------


@pytest.fixture
def approved_plan_with_items(plan, alice, council, college):
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan")
    goal = add_item(corporate, vision_of(corporate), "priority", title="Every child in a good school")
    priority = add_item(plan, vision_of(plan), "priority", title="Raise standards")
    action = add_item(
        plan,
        priority,
        "action",
        title="Challenge programme",
        lead_organisation=college,
        cost_amount=1200,
        cost_type="revenue",
    )
    services.item_update(
        item_id=action.pk, user=alice, change=services.ItemChange({}, [college]), expected_version=1, reason="Support"
    )
    target = add_item(plan, action, "target", title="85% good or better", target_value=85)
    add_item(plan, target, "milestone", title="Reviews done")
    services.link_add(source_id=action.pk, target_id=goal.pk, relation="contributes_to", user=alice)
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=date(2013, 3, 18))
    plan.refresh_from_db()
    return plan


def revise_data(**overrides) -> dict:
    return {
        "title": "School Improvement Business Plan 2014-15",
        "slug": "sip-2014",
        "start_year": 2014,
        "end_year": 2015,
        **overrides,
    }


def snapshot(plan: Plan) -> tuple:
    plan.refresh_from_db()
    items = list(PlanItem.objects.filter(plan=plan).order_by("pk").values_list("pk", "title", "parent", "position"))
    return plan.status, plan.version, plan.title, items, plan.history.count()


def test_revising_copies_the_plan_into_next_years_draft(client, alice, college, approved_plan_with_items):
    original = approved_plan_with_items
    before = snapshot(original)
    client.force_login(alice)
    response = client.post(status_url(original, "plan-revise"), revise_data())
    new = Plan.objects.get(slug="sip-2014")
    assert response.status_code == 302 and response["Location"] == new.get_absolute_url()
    assert (new.status, new.revision_of, new.owner, new.start_year, new.end_year) == (
        "draft",
        original,
        alice,
        2014,
        2015,
    )
    assert new.items.count() == original.items.count() == 5
    assert sorted(new.items.values_list("kind", "title", "level")) == sorted(
        original.items.values_list("kind", "title", "level")
    )
    supporters = ItemSupporter.objects.values_list("organisation", flat=True)
    assert list(supporters.filter(item__plan=new)) == list(supporters.filter(item__plan=original)) == [college.pk]
    copied = Link.objects.get(source__plan=new)
    assert (copied.source.title, copied.target.title) == ("Challenge programme", "Every child in a good school")
    assert snapshot(original) == before  # the approved plan is untouched


def test_a_revision_needs_a_free_address_and_a_sensible_period(client, alice, approved_plan_with_items):
    client.force_login(alice)
    response = client.post(
        status_url(approved_plan_with_items, "plan-revise"), revise_data(slug="sip", start_year=2016, end_year=2015)
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="revise-slug-error"' in page and 'id="revise-end_year-error"' in page
    assert Plan.objects.filter(revision_of=approved_plan_with_items).count() == 0


@pytest.mark.parametrize("persona", ["bob", "carol"])
def test_only_the_owner_or_an_administrator_revises(client, request, persona, approved_plan_with_items):
    client.force_login(request.getfixturevalue(persona))
    assert client.post(status_url(approved_plan_with_items, "plan-revise"), revise_data()).status_code == 403
    assert not Plan.objects.filter(slug="sip-2014").exists()


def test_an_administrator_revises(client, ada, approved_plan_with_items):
    client.force_login(ada)
    assert client.post(status_url(approved_plan_with_items, "plan-revise"), revise_data()).status_code == 302
    assert Plan.objects.get(slug="sip-2014").revision_of == approved_plan_with_items
