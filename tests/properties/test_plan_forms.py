"""Property tests of the plan forms (``PlanForm``, ``PlanEditForm``, ``EditionForm``,
``ApproveForm``, ``StatusForm``, ``ReviseForm``, ``ConsultationForm``) through their
views: hostile input never gives a server error, a refusal changes nothing, and a
saved plan keeps its rules (years 2000–2100 in order, a council owner and
organisation, no cycle in the tree of plans, one vision, an approval dated no later
than today with its body named, consultations with invitees and dates in order)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from planning import services
from planning.forms import ConsultationForm
from planning.lifecycle import TRANSITIONS
from planning.models import Consultation, Edition, Plan, PlanItem
from tests.properties.invariants import submit
from tests.properties.support import (
    as_query,
    bad_choices,
    choices,
    examples,
    ids,
    optional,
    posts,
    rolled_back,
    set_status,
    slugs,
    text,
)

Status = Plan.Status
ALL_STATUSES = st.sampled_from(Status.values)
YEARS = st.integers(2000, 2100).map(str)
BAD_YEARS = st.sampled_from(["1999", "2101", "0", "-2013", "2013.5", "99999999999999999999", "２０１３"])


def _today():
    return timezone.localdate()


def plan_fields(world, *, organisations) -> tuple[dict, dict]:
    people = world.people
    valid = {
        "title": text(200),
        "slug": st.one_of(slugs(), st.just(world.plan.slug)),
        "kind": choices(Plan.Kind.values),
        "organisation": st.sampled_from([str(org.pk) for org in organisations]),
        "owner": st.sampled_from([str(p.pk) for p in (people.alice, people.bob, people.ada)]),
        "parent": optional(st.sampled_from([str(world.elsewhere.pk)])),
        "start_year": YEARS,
        "end_year": YEARS,
        "summary": optional(text(500)),
        **{f"label_{level}": text(40) for level in ("vision", "priority", "action", "target", "milestone")},
    }
    bad = {
        "slug": st.sampled_from(["fair", "SIP", "a b", "é", "-", "x" * 101]),
        "kind": bad_choices(Plan.Kind.values),
        "organisation": ids(world.college.pk, world.people.carol.organisation_id),
        "owner": ids(people.mel.pk, people.pat.pk, people.gone.pk),
        "parent": ids(world.plan.pk, world.child.pk),
        "start_year": BAD_YEARS,
        "end_year": BAD_YEARS,
        "label_vision": st.just("x" * 41),
    }
    return valid, bad


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_creating_a_plan_never_fails_and_saves_only_valid_plans(client, outline, service, data):
    with rolled_back(client, outline.people.alice):
        valid, bad = plan_fields(outline, organisations=[service])
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("planning:plan-create"), payload)
        if saved is not None:
            (plan,) = (obj for obj in saved if isinstance(obj, Plan))
            assert plan.organisation == service and plan.status == Status.DRAFT
            assert plan.items.get().kind == PlanItem.Kind.VISION


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_editing_a_plan_never_fails_and_saves_only_valid_plans(client, outline, service, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        set_status(plan, data.draw(ALL_STATUSES, label="status"))
        version = Plan.objects.get(pk=plan.pk).version
        valid, bad = plan_fields(outline, organisations=[service])
        valid |= {"version": st.just(str(version)), "reason": optional(text(250))}
        bad |= {"version": st.sampled_from(["0", str(version + 1), "99999999999999999999", "-1"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("planning:plan-edit", args=[plan.slug]), payload, plan)
        if saved is not None:
            edited = Plan.objects.get(pk=plan.pk)
            assert edited.version == version + 1
            assert edited.status != Status.APPROVED or edited.history.latest().history_change_reason.strip()


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_naming_an_edition_never_fails_and_names_are_unique(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        services.edition_create(plan=plan, name="Draft for Cabinet", user=outline.people.alice)
        valid = {"name": st.one_of(text(200), st.just("Draft for Cabinet")), "note": optional(text(500))}
        payload = data.draw(posts(valid), label="payload")
        response, saved = submit(client, reverse("planning:plan-editions", args=[plan.slug]), payload)
        names = list(Edition.objects.filter(plan=plan).values_list("name", flat=True))
        assert len(names) == len(set(names))
        if saved is not None:
            assert len(names) == 2


# --- the plan's life -------------------------------------------------------------------------


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_approving_never_fails_and_an_approval_is_dated_and_named(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        status = data.draw(ALL_STATUSES, label="status")
        set_status(plan, status)
        today = _today()
        valid = {
            "approved_by": text(200),
            "approved_on": st.dates(today - timedelta(days=5000), today).map(str),
            "reason": optional(text(250)),
        }
        bad = {"approved_on": st.sampled_from([str(today + timedelta(days=1)), "9999-12-31", "2013-02-29"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("planning:plan-approve", args=[plan.slug]), payload, plan)
        if saved is not None:
            assert status in {Status.DRAFT, Status.CONSULTATION}
            assert Plan.objects.get(pk=plan.pk).status == Status.APPROVED
            assert any(isinstance(obj, Edition) for obj in saved)


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_setting_the_status_never_fails_and_follows_the_transitions(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        status = data.draw(ALL_STATUSES, label="status")
        set_status(plan, status)
        offered = [Status.DRAFT, Status.SUPERSEDED, Status.ARCHIVED]
        allowed = [s for s in offered if s in TRANSITIONS[status]] or offered
        valid = {"status": st.one_of(choices(allowed), choices(offered)), "reason": text(250)}
        bad = {"status": st.one_of(st.sampled_from([Status.APPROVED, Status.CONSULTATION]), bad_choices(Status.values))}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        response, saved = submit(client, reverse("planning:plan-status-set", args=[plan.slug]), payload, plan)
        if saved is not None:
            now = Plan.objects.get(pk=plan.pk).status
            assert now in TRANSITIONS[status]


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_revising_never_fails_and_the_new_draft_is_valid(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        valid = {
            "title": text(200),
            "slug": st.one_of(slugs(), st.sampled_from(["sip", "fair"])),
            "start_year": YEARS,
            "end_year": YEARS,
        }
        payload = data.draw(posts(valid, bad={"start_year": BAD_YEARS, "end_year": BAD_YEARS}), label="payload")
        response, saved = submit(client, reverse("planning:plan-revise", args=[plan.slug]), payload, plan)
        if saved is not None:
            new = Plan.objects.get(revision_of=plan)
            assert new.status == Status.DRAFT
            assert new.items.count() == plan.items.count()


# --- consultation ----------------------------------------------------------------------------


def consultation_fields(world) -> tuple[dict, dict]:
    today = _today()
    people = world.people
    near = st.dates(today - timedelta(days=30), today + timedelta(days=90)).map(str)
    valid = {
        "opens_on": near,
        "closes_on": near,
        "note": optional(text(500)),
        "organisations": st.lists(st.sampled_from([str(world.college.pk), str(world.police.pk)]), max_size=2),
        "members": st.lists(st.just(str(people.mel.pk)), max_size=1),
    }
    bad = {
        "organisations": st.lists(ids(world.closed_school.pk, people.alice.organisation_id), min_size=1, max_size=2),
        "members": st.lists(ids(people.bob.pk, people.gone.pk, people.pat.pk), min_size=1, max_size=2),
        "closes_on": st.sampled_from([str(today - timedelta(days=1)), "2026-02-30"]),
    }
    return valid, bad


def _consultation_agreeing(world):
    """Dates in order and not past, and someone invited."""

    def agree(data: dict) -> dict:
        opens, closes = sorted([data["opens_on"], data["closes_on"]])
        closes = max(closes, str(_today()))
        return data | {"opens_on": opens, "closes_on": closes, "organisations": [str(world.college.pk)]}

    return agree


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_opening_a_consultation_never_fails_and_saves_only_valid_ones(client, outline, data):
    plan = outline.plan
    with rolled_back(client, outline.people.alice):
        status = data.draw(st.one_of(st.just(Status.DRAFT), ALL_STATUSES), label="status")
        set_status(plan, status)
        valid, bad = consultation_fields(outline)
        payload = data.draw(posts(valid, bad=bad, agree=_consultation_agreeing(outline)), label="payload")
        response, saved = submit(client, reverse("planning:consultation-open", args=[plan.slug]), payload, plan)
        if saved is not None:
            consultation = Consultation.objects.get(plan=plan)
            assert consultation.closes_on >= _today()
            assert Plan.objects.get(pk=plan.pk).status == Status.CONSULTATION


@pytest.mark.django_db
@examples(2)
@given(data=st.data())
def test_the_consultation_form_never_raises_and_its_cleaned_data_keeps_the_rules(outline, data):
    valid, bad = consultation_fields(outline)
    payload = data.draw(posts(valid, bad=bad, agree=_consultation_agreeing(outline)), label="payload")
    form = ConsultationForm(as_query(payload))
    if form.is_valid():
        cleaned = form.cleaned_data
        assert _today() <= cleaned["closes_on"] and cleaned["opens_on"] <= cleaned["closes_on"]
        assert cleaned["organisations"] or cleaned["members"] or cleaned["is_public"]
        # partners, and council services or directorates (issue 15); never the whole council
        assert all(org.is_active and org.kind != org.Kind.COUNCIL for org in cleaned["organisations"])
        assert all(member.is_active and member.role == member.Role.MEMBER for member in cleaned["members"])
