"""The one way a monitoring view gets an item, a period or a plan, and says who may act.

Returns are made for the actions and targets of approved plans. Who fills one in: the
item's lead officer, anyone in its lead organisation (a school, the police, a voluntary
body), or anyone who may change the plan (its owner and officers of the owning service,
who often fill in for a lead). Who reviews: whoever may approve the plan (its owner, or
an admin). Who reads: everyone who may read the plan, and the item's leads even where
the plan was never shared with their organisation — leading an action is reason enough
to see it and report on it.

Who reads a return's content (its RAG, values, narrative, evidence, review note): once
it is submitted or accepted, everyone who may read the item; while it is a draft or has
been returned for changes, only its authors (whoever may fill it in) and reviewers.
Everyone else sees that a return exists and its state, as on the scorecard, but not
what it says (issue 12, item 13; docs/decisions/0009).

Members' questions (decision 0022): an elected member who may read a plan's scorecard may
ask about any action or target on it; the item's leads (as for its returns) and whoever
may approve its plan (its owners, admins) may answer; only the member who asked may
withdraw. Everyone who may read the plan reads its questions and answers.

Out-of-scope objects are 404; a forbidden action on a visible object is 403.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from config.forms import parse_id
from monitoring.models import CADENCE_OF_LETTER, MemberQuestion, ProgressReturn, ReportingPeriod
from partners.models import User
from planning.access import can, get_plan_for_user
from planning.models import Plan, PlanItem

REPORTED_KINDS = PlanItem.MONITORED_KINDS
# the kinds that may have a return: actions and targets every quarter, milestones when
# due (monitoring.milestones says which quarters)
RETURN_KINDS = frozenset({*REPORTED_KINDS, PlanItem.Kind.MILESTONE})


def is_lead(user: User, item: PlanItem) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return item.lead_officer_id == user.pk or (
        user.organisation_id is not None and item.lead_organisation_id == user.organisation_id
    )


def can_fill(user: User, item: PlanItem) -> bool:
    """May ``user`` write the return for ``item`` (its plan being approved)?"""
    if not user.is_authenticated or not user.is_active or user.role == User.Role.MEMBER:
        return False
    return is_lead(user, item) or can(user, "change", item.plan)


def can_review(user: User, plan: Plan) -> bool:
    return user.is_authenticated and can(user, "approve", plan)


def reads_unsubmitted(user: User, item: PlanItem) -> bool:
    """May ``user`` read ``item``'s returns before they are submitted (or once they are
    returned for changes)? Its authors and its reviewers may."""
    return can_fill(user, item) or can_review(user, item.plan)


def shown_return(user: User, item: PlanItem, ret: ProgressReturn | None) -> ProgressReturn | None:
    """``ret`` as ``user`` may read it: itself, or, for an unsubmitted return they may not
    read, a stand-in that holds only its state (no RAG, value, text, evidence, people or
    review note; ``withheld`` is set: ``is_withheld``), never saved."""
    if ret is None or ret.state in ProgressReturn.RECEIVED or reads_unsubmitted(user, item):
        return ret
    stand_in = ProgressReturn(item_id=ret.item_id, period_id=ret.period_id, state=ret.state, version=ret.version)
    stand_in.withheld = True  # type: ignore[attr-defined]  # the stand-in's mark, not a field: is_withheld
    return stand_in


def is_withheld(ret: ProgressReturn | None) -> bool:
    """Is ``ret`` the stand-in ``shown_return`` gives a reader who may not read it?"""
    return getattr(ret, "withheld", False)


def get_period(slug: str) -> ReportingPeriod:
    """``2013-q2`` (a quarter), ``2013-t1`` (a term), ``2013-m05`` (a month) → the period, or 404."""
    year_text, _dash, rest = slug.partition("-")
    cadence = CADENCE_OF_LETTER.get(rest[:1])
    year, number = parse_id(year_text), parse_id(rest[1:])
    if cadence is None or year is None or number is None:
        raise Http404(_("No such period"))
    try:
        return ReportingPeriod.objects.get(cadence=cadence, start_year=year, quarter=number)
    except ReportingPeriod.DoesNotExist:
        raise Http404(_("No such period")) from None


def get_reported_item(user: User, slug: str, pk: int, action: str = "view") -> PlanItem:
    """The action, target or milestone ``pk`` of approved plan ``slug``, if ``user`` may
    ``action`` it: ``view``, ``fill`` or ``review``."""
    item = (
        PlanItem.objects.select_related("plan__owner", "plan__organisation", "lead_officer", "lead_organisation")
        .prefetch_related("plan__shares")
        .filter(kind__in=RETURN_KINDS, plan__status=Plan.Status.APPROVED, plan__slug=slug, pk=pk)
        .first()
    )
    if item is None or not (is_lead(user, item) or can(user, "view", item.plan)):
        raise Http404(_("No such action, target or milestone in an approved plan"))
    if action == "fill" and not can_fill(user, item):
        raise PermissionDenied
    if action == "review" and not can_review(user, item.plan):
        raise PermissionDenied
    return item


def get_monitored_plan(user: User, slug: str, action: str = "view") -> Plan:
    """An approved plan whose monitoring ``user`` may ``action`` (``view``, ``change``
    to chase, ``approve`` to review). Plans not yet approved have no returns: 404."""
    plan = get_plan_for_user(user, slug, action)
    if plan.status != Plan.Status.APPROVED:
        raise Http404(_("This plan is not approved, so it has no progress returns yet"))
    return plan


def get_item_for_rollup(user: User, slug: str, pk: int) -> PlanItem:
    """Any item of a plan ``user`` may read, for what contributes to it (issue 17): the
    roll-up itself counts only what the reader may read (``monitoring.thread_rollup``)."""
    plan = get_plan_for_user(user, slug)
    item = PlanItem.objects.filter(plan=plan, pk=pk).first()
    if item is None:
        raise Http404(_("No such item in this plan"))
    item.plan = plan
    return item


# --- members' questions (decision 0022) ----------------------------------------------------------


def can_ask(user: User) -> bool:
    """Elected members ask; officers, partners and admins answer or run the system."""
    return user.is_authenticated and user.is_active and user.role == User.Role.MEMBER


def can_answer(user: User, item: PlanItem) -> bool:
    """The item's leads and whoever may approve its plan (its owners, admins); members never."""
    if not user.is_authenticated or not user.is_active or user.role == User.Role.MEMBER:
        return False
    return is_lead(user, item) or can_review(user, item.plan)


def get_item_to_ask_about(user: User, plan: Plan, pk: int) -> PlanItem:
    """An action or target on ``plan``'s scorecard (the plan's own, or an approved plan's
    beneath it: the scorecard may include them), which ``user`` may read and ask about."""
    below = plan.get_descendants().approved().values("pk")
    item = (
        PlanItem.objects.select_related("plan__owner", "plan__organisation", "lead_officer")
        .monitored()
        .filter(Q(plan=plan) | Q(plan__in=below), pk=pk)
        .first()
    )
    if item is None:
        raise Http404(_("No such action or target on this scorecard"))
    if item.plan_id == plan.pk:
        item.plan = plan
    elif not can(user, "view", item.plan):
        raise Http404(_("No such action or target on this scorecard"))
    if not can_ask(user):
        raise PermissionDenied
    return item


def get_question(user: User, slug: str, question_id: int, action: str = "view") -> MemberQuestion:
    """Question ``question_id`` on an item of approved plan ``slug``, if ``user`` may read the
    plan (or leads the item) and may ``action`` it: ``view``, ``answer`` or ``withdraw``."""
    question = (
        MemberQuestion.objects.select_related(
            "item__plan__owner",
            "item__plan__organisation",
            "item__lead_officer",
            "item__lead_organisation",
            "period",
            "asked_by",
            "answered_by",
        )
        .filter(item__plan__slug=slug, item__plan__status=Plan.Status.APPROVED, pk=question_id)
        .first()
    )
    if question is None:
        raise Http404(_("No such question"))
    try:  # the plan as every plan page reads it (its trail above it included: breadcrumbs)
        question.item.plan = get_plan_for_user(user, slug)
    except Http404:
        if not is_lead(user, question.item):  # leading the item is reason enough to see it
            raise Http404(_("No such question")) from None
    if action == "answer" and not can_answer(user, question.item):
        raise PermissionDenied
    if action == "withdraw" and not (user.is_authenticated and question.asked_by_id == user.pk):
        raise PermissionDenied
    return question
