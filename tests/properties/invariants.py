"""The rules every stored row must keep, whichever form wrote it: ``full_clean()``, then
the domain rules the forms and services enforce beyond the model (where an
organisation may sit, who may lead or own, what a submitted return must say, how
siblings are numbered, ...). Written from the forms' ``clean`` methods and the
services' checks, independently of them."""

from collections.abc import Callable

from django.core.validators import URLValidator
from django.db.models import Model
from django.utils import timezone
from hypothesis import event

from monitoring.models import ProgressReturn, ReportingPeriod, Risk, RiskReview, WorkbookUpload, quarter_dates
from monitoring.services import check_actual_value
from partners.models import Organisation, User
from planning.models import Comment, Consultation, ConsultationInvite, ConsultationMember, Plan, PlanItem
from tests.properties.support import (
    Fingerprint,
    assert_unchanged,
    fingerprint,
    nul_refused,
    post,
    redirected,
    written,
)

COUNCIL = Organisation.COUNCIL_KINDS
# JSON lists declared without blank=True that are rightly empty (an upload with no
# changes, or none of its problems): full_clean() would call them "blank"
NOT_BLANK_BUT_MAY_BE_EMPTY = {WorkbookUpload: ["changes", "problems"]}
RULES: dict[type[Model], Callable[[Model], None]] = {}


def rule(model: type[Model]):
    def register(function):
        RULES[model] = function
        return function

    return register


def submit(client, url: str, payload: dict, *snapshot: Model, refused=(200, 400, 404, 409)):
    """POST ``payload``. A redirect is a success: every row written must be valid. Any
    other answer must be one of ``refused`` and must have changed nothing: no table of
    the three apps (history included) gained or lost a row, and ``snapshot`` is as it was.
    Returns the response and the objects written (None when refused)."""
    before = fingerprint(*snapshot)
    response = post(client, url, payload)
    if redirected(response):
        event("saved (redirect)")
        return response, assert_all_valid(before)
    event(f"refused ({response.status_code})")
    assert response.status_code in refused or nul_refused(response, payload), response.status_code
    assert_unchanged(before, *snapshot)
    return response, None


def assert_all_valid(before: Fingerprint) -> list[Model]:
    """``full_clean()`` and the domain rules on every object the request wrote."""
    objects = written(before)
    for obj in objects:
        obj.full_clean(exclude=NOT_BLANK_BUT_MAY_BE_EMPTY.get(type(obj)))
        if type(obj) in RULES:
            RULES[type(obj)](obj)
    return objects


# --- planning ----------------------------------------------------------------------------------


@rule(Plan)
def _plan(plan: Plan) -> None:
    assert 2000 <= plan.start_year <= plan.end_year <= 2100
    assert plan.organisation.kind in COUNCIL, "a plan belongs to the council, a directorate or a service"
    assert plan.owner.is_active and plan.owner.is_council_staff, "a plan's owner is active council staff"
    assert PlanItem.objects.filter(plan=plan, parent__isnull=True).count() == 1, "one vision per plan"
    assert plan.parent_id is None or not plan.parent.is_descendant_of(plan, include_self=True)
    assert plan.revision_of_id != plan.pk
    if plan.status == Plan.Status.APPROVED:
        assert plan.approved_by.strip() and plan.approved_on and plan.approved_on <= timezone.localdate()


def _siblings_numbered(parent_id: int) -> None:
    positions = sorted(PlanItem.objects.filter(parent_id=parent_id).values_list("position", flat=True))
    assert positions == list(range(1, len(positions) + 1)), f"siblings numbered {positions}"


@rule(PlanItem)
def _item(item: PlanItem) -> None:
    if item.parent_id is None:
        assert item.kind == PlanItem.Kind.VISION and item.position == 1
    else:
        assert item.parent.plan_id == item.plan_id
        _siblings_numbered(item.parent_id)
    assert item.cost_amount is None or item.cost_amount >= 0
    assert item.amber_tolerance is None or item.amber_tolerance >= 0
    if item.lead_officer_id:
        assert item.lead_officer.role != User.Role.MEMBER, "elected members do not lead items"
    if item.is_target:
        assert item.unit and item.direction and item.target_value is not None
    for supporter in item.supporters.select_related("organisation"):
        assert supporter.organisation.is_active


@rule(Consultation)
def _consultation(consultation: Consultation) -> None:
    assert consultation.opens_on <= consultation.closes_on
    assert consultation.invites.exists() or consultation.member_invites.exists(), "someone is invited"


@rule(ConsultationInvite)
def _invite(invite: ConsultationInvite) -> None:
    assert invite.organisation.kind not in COUNCIL and invite.organisation.is_active


@rule(ConsultationMember)
def _member_invite(invite: ConsultationMember) -> None:
    assert invite.member.role == User.Role.MEMBER and invite.member.is_active


@rule(Comment)
def _comment(comment: Comment) -> None:
    assert comment.body.strip()
    if comment.item_id:
        assert comment.item.plan_id == comment.plan_id
    if comment.parent_id:
        assert comment.parent.plan_id == comment.plan_id and comment.parent.item_id == comment.item_id
    if comment.state != Comment.State.OPEN:
        assert comment.parent_id is None and comment.response.strip() and comment.responded_by_id


# --- partners ------------------------------------------------------------------------------------


@rule(Organisation)
def _organisation(org: Organisation) -> None:
    parent = org.parent
    kinds = Organisation.Kind
    if org.kind == kinds.COUNCIL:
        assert parent is None
    elif org.kind == kinds.DIRECTORATE:
        assert parent is not None and parent.kind == kinds.COUNCIL
    elif org.kind == kinds.SERVICE:
        assert parent is not None and parent.kind in {kinds.COUNCIL, kinds.DIRECTORATE}
    else:
        assert parent is None or parent.kind not in COUNCIL, "a partner body is not part of the council"
    for child in Organisation.objects.filter(parent=org):
        _organisation(child)


@rule(User)
def _user(person: User) -> None:
    org = person.organisation
    if person.role == User.Role.OFFICER:
        assert org is not None and org.kind in COUNCIL
    elif person.role == User.Role.PARTNER:
        assert org is not None and org.kind not in COUNCIL
    elif person.role == User.Role.MEMBER:
        assert org is None or org.kind in COUNCIL
    assert User.objects.filter(username__iexact=person.username).count() == 1, "usernames differ beyond case"
    assert person.first_name.strip() and person.last_name.strip() and person.email


# --- monitoring ----------------------------------------------------------------------------------


@rule(ReportingPeriod)
def _period(period: ReportingPeriod) -> None:
    assert (period.starts_on, period.ends_on) == quarter_dates(period.start_year, period.quarter)
    assert period.due_on >= period.ends_on


@rule(ProgressReturn)
def _return(ret: ProgressReturn) -> None:
    item = ret.item
    assert item.kind in {PlanItem.Kind.ACTION, PlanItem.Kind.TARGET}
    assert item.plan.status == Plan.Status.APPROVED and ret.period.covers_plan(item.plan)
    assert check_actual_value(item, ret.actual_value) is None, "the actual value fits the target's unit"
    if ret.evidence_url:
        URLValidator(schemes=["http", "https"])(ret.evidence_url)
    assert bool(ret.revised_due_date) == bool(ret.revision_reason.strip()), "a new date comes with its reason"
    if ret.state in {ProgressReturn.State.SUBMITTED, ProgressReturn.State.ACCEPTED}:  # returned: a draft again
        assert ret.rag and ret.narrative.strip() and ret.submitted_at
        if item.is_target and ret.rag != ProgressReturn.Rag.NOT_STARTED:
            assert ret.actual_value is not None
    if ret.state == ProgressReturn.State.RETURNED:
        assert ret.review_note.strip()


def _scores_ok(obj) -> None:
    assert 1 <= obj.likelihood <= 5 and 1 <= obj.impact <= 5


@rule(Risk)
def _risk(risk: Risk) -> None:
    _scores_ok(risk)
    assert (risk.target_likelihood is None) == (risk.target_impact is None)
    for value in (risk.target_likelihood, risk.target_impact):
        assert value is None or 1 <= value <= 5
    assert risk.item_id is None or risk.item.plan_id == risk.plan_id
    assert risk.owner_id is None or (risk.owner.is_active and risk.owner.role != User.Role.MEMBER)


@rule(RiskReview)
def _risk_review(review: RiskReview) -> None:
    _scores_ok(review)
    assert review.period.covers_plan(review.risk.plan) and not review.period.is_locked
