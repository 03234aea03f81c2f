"""Inspections and their recommendations (issue 18, decision 0030): who may read and change
them, the writes, and the reads the pages share.

Who (decision 0030):
- reads an inspection: council staff (officers, administrators) and elected members, every
  inspection (inspection reports are public documents); a partner, the inspections in which
  they lead a recommendation. Anyone else: 404.
- records a new inspection: council staff; they become its owner.
- changes an inspection, its key-question judgements and its recommendations: its owner
  and administrators (anyone else who reads it: 403).
- links actions to a recommendation and records its progress each quarter: the
  recommendation's lead, the inspection's owner and administrators (elected members never).
- the actions linked: any action of any plan the person linking may read; a reader is shown
  the linked actions of plans they may read, and the number of the others
  (``planning.access.unreadable_plan_ids``).

Every write runs inside ``change_context`` with a reason, so each history row says who
changed what and why; editable rows carry a version and a stale save is an ``EditConflict``.
Nothing is recorded for a locked quarter: what was reported stays what was reported.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Exists, Max, OuterRef, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from config.history import change_context
from monitoring.models import (
    Inspection,
    KeyQuestionJudgement,
    Recommendation,
    RecommendationAction,
    RecommendationProgress,
    ReportingPeriod,
)
from partners.models import User
from planning.access import plans_for, unreadable_plan_ids
from planning.conflicts import check_version
from planning.models import Plan, PlanItem

INSPECTION_FIELDS = ["inspectorate", "title", "inspected_on", "organisation", "owner", "report_url", "summary"]
RECOMMENDATION_FIELDS = ["number", "text", "lead", "target_date"]
PROGRESS_FIELDS = ["judgement", "narrative", "evidence", "evidence_links"]


# --- who ---------------------------------------------------------------------------------------


def _active(user: User) -> bool:
    return user.is_authenticated and user.is_active


def may_record_inspections(user: User) -> bool:
    return _active(user) and user.is_council_staff


def reads_every_inspection(user: User) -> bool:
    return _active(user) and (user.is_council_staff or user.role == User.Role.MEMBER)


def can_change_inspection(user: User, inspection: Inspection) -> bool:
    return _active(user) and (user.is_admin or (user.is_council_staff and inspection.owner_id == user.pk))


def can_record_progress(user: User, recommendation: Recommendation) -> bool:
    """The lead, the inspection's owner, administrators; never an elected member."""
    if not _active(user) or user.role == User.Role.MEMBER:
        return False
    return recommendation.lead_id == user.pk or can_change_inspection(user, recommendation.inspection)


def inspections_for(user: User) -> QuerySet[Inspection]:
    """Every inspection ``user`` may read."""
    inspections = Inspection.objects.select_related("organisation", "owner")
    if not _active(user):
        return inspections.none()
    if reads_every_inspection(user):
        return inspections
    return inspections.filter(Exists(Recommendation.objects.filter(inspection=OuterRef("pk"), lead=user)))


def get_inspection_for_user(user: User, inspection_id: int, action: str = "view") -> Inspection:
    """The inspection, if ``user`` may read it (404 otherwise) and ``action`` it (``view`` or
    ``change``; 403 otherwise)."""
    inspection = inspections_for(user).filter(pk=inspection_id).first()
    if inspection is None:
        raise Http404(_("No such inspection"))
    if action == "change" and not can_change_inspection(user, inspection):
        raise PermissionDenied
    return inspection


def get_recommendation_for_user(
    user: User, inspection_id: int, recommendation_id: int, action: str = "view"
) -> Recommendation:
    """A recommendation of an inspection ``user`` may read, if they may ``action`` it:
    ``view``, ``change`` (the inspection's owner, admins) or ``progress`` (its lead too)."""
    inspection = get_inspection_for_user(user, inspection_id)
    recommendation = (
        Recommendation.objects.select_related("lead").filter(pk=recommendation_id, inspection=inspection).first()
    )
    if recommendation is None:
        raise Http404(_("No such recommendation"))
    recommendation.inspection = inspection
    if action == "change" and not can_change_inspection(user, inspection):
        raise PermissionDenied
    if action == "progress" and not can_record_progress(user, recommendation):
        raise PermissionDenied
    return recommendation


def quarters() -> QuerySet[ReportingPeriod]:
    """Progress against recommendations is judged quarter by quarter (the council's
    financial-year quarters), whatever the cadence of the plans whose actions address them."""
    return ReportingPeriod.objects.filter(cadence=Plan.Cadence.QUARTERLY)


def quarters_since(inspection: Inspection) -> list[ReportingPeriod]:
    """The quarters that end on or after the inspection's report, earliest first."""
    return list(quarters().filter(ends_on__gte=inspection.inspected_on).order_by("starts_on"))


def get_quarter(slug: str) -> ReportingPeriod:
    from monitoring.access import get_period

    period = get_period(slug)
    if period.cadence != Plan.Cadence.QUARTERLY:
        raise Http404(_("Recommendations are judged by quarter"))
    return period


# --- writes ------------------------------------------------------------------------------------


def _check_people(fields: dict) -> None:
    owner = fields.get("owner")
    if owner is not None and (not owner.is_active or not owner.is_council_staff):
        raise ValidationError({"owner": _("The owner must be an active council officer or administrator.")})
    lead = fields.get("lead")
    if lead is not None and (not lead.is_active or lead.role == User.Role.MEMBER):
        raise ValidationError({"lead": _("The lead must be an active officer or partner, not an elected member.")})


def _save(row, *, fields: dict, names: list[str], user: User | None, reason: str) -> None:
    for name in names:
        if name in fields:
            setattr(row, name, fields[name])
    row.full_clean()
    with change_context(reason=reason, user=user):
        row.save()


@transaction.atomic
def inspection_save(
    *, inspection: Inspection, user: User | None, fields: dict, expected_version: int | None = None, reason: str = ""
) -> Inspection:
    """Record a new inspection (``inspection`` unsaved: the person recording it owns it
    unless ``fields`` names another owner) or change one, at the version its editor loaded."""
    if inspection.pk is not None:
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        check_version(inspection, expected_version if expected_version is not None else inspection.version)
        inspection.version += 1
        default = _("Inspection changed")
    else:
        if fields.get("owner") is None and user is not None:
            fields = {**fields, "owner": user}
        default = _("Inspection recorded")
    _check_people(fields)
    _save(inspection, fields=fields, names=INSPECTION_FIELDS, user=user, reason=reason or default)
    return inspection


@transaction.atomic
def judgement_add(
    *, inspection: Inspection, user: User | None, key_question: str, judgement: str
) -> KeyQuestionJudgement:
    """Add the inspectorate's judgement on one key question, after those recorded already."""
    last = inspection.judgements.aggregate(last=Max("position"))["last"] or 0
    row = KeyQuestionJudgement(inspection=inspection, position=last + 1, key_question=key_question, judgement=judgement)
    row.full_clean()
    with change_context(reason=_("Key-question judgement added"), user=user):
        row.save()
    return row


@transaction.atomic
def judgement_remove(*, inspection: Inspection, user: User | None, judgement_id: int) -> None:
    row = inspection.judgements.filter(pk=judgement_id).first()
    if row is None:
        raise Http404(_("No such judgement"))
    with change_context(reason=_("Key-question judgement removed"), user=user):
        row.delete()


@transaction.atomic
def recommendation_save(
    *,
    recommendation: Recommendation,
    user: User | None,
    fields: dict,
    expected_version: int | None = None,
    reason: str = "",
) -> Recommendation:
    """Add a recommendation to its inspection (unsaved) or change one."""
    if recommendation.pk is not None:
        stored = Recommendation.objects.select_for_update().get(pk=recommendation.pk)
        check_version(stored, expected_version if expected_version is not None else stored.version)
        stored.inspection = recommendation.inspection
        recommendation = stored
        recommendation.version += 1
        default = _("Recommendation changed")
    else:
        default = _("Recommendation added")
    _check_people(fields)
    number = fields.get("number", recommendation.number)
    taken = Recommendation.objects.filter(inspection_id=recommendation.inspection_id, number=number)
    if taken.exclude(pk=recommendation.pk).exists():
        raise ValidationError({"number": _("This inspection already has a recommendation with that number.")})
    _save(recommendation, fields=fields, names=RECOMMENDATION_FIELDS, user=user, reason=reason or default)
    return recommendation


def linkable_actions(plan: Plan) -> QuerySet[PlanItem]:
    return PlanItem.objects.filter(plan=plan, kind=PlanItem.Kind.ACTION).order_by("tree_id", "lft")


@transaction.atomic
def recommendation_action_add(*, recommendation: Recommendation, user: User, item_id: int) -> RecommendationAction:
    """Say that action ``item_id`` (of a plan ``user`` may read) addresses the recommendation."""
    item = PlanItem.objects.filter(pk=item_id, kind=PlanItem.Kind.ACTION, plan__in=plans_for(user).values("pk")).first()
    if item is None:
        raise ValidationError({"item": _("Choose one of the plan’s actions.")})
    if recommendation.action_links.filter(item=item).exists():
        raise ValidationError({"item": _("That action is already linked to this recommendation.")})
    link = RecommendationAction(recommendation=recommendation, item=item)
    try:
        with transaction.atomic(), change_context(reason=_("Action linked to the recommendation"), user=user):
            link.save()
    except IntegrityError:  # linked meanwhile by someone else
        raise ValidationError({"item": _("That action is already linked to this recommendation.")}) from None
    return link


@transaction.atomic
def recommendation_action_remove(*, recommendation: Recommendation, user: User, link_id: int) -> None:
    link = recommendation.action_links.filter(pk=link_id).first()
    if link is None:
        raise Http404(_("No such linked action"))
    with change_context(reason=_("Action unlinked from the recommendation"), user=user):
        link.delete()


def _check_links(text: str) -> None:
    check = URLValidator(schemes=["http", "https"])
    for line in text.splitlines():
        if line.strip():
            try:
                check(line.strip())
            except ValidationError:
                raise ValidationError(
                    {
                        "evidence_links": _(
                            "“%(line)s” is not a web address: give one address a line, starting https://."
                        )
                        % {"line": line.strip()[:80]}
                    }
                ) from None


@transaction.atomic
def progress_record(
    *,
    recommendation: Recommendation,
    period: ReportingPeriod,
    user: User,
    fields: dict,
    expected_version: int = 0,
    reason: str = "",
) -> RecommendationProgress:
    """Record (or correct) the quarter's judgement of progress against the recommendation.
    ``expected_version`` is 0 for a first record; a locked quarter takes none."""
    period = ReportingPeriod.objects.select_for_update().get(pk=period.pk)
    if period.is_locked:
        raise ValidationError(_("%(period)s is locked: it has been reported, so its judgements stay as they were.")
                              % {"period": period.label})  # fmt: skip
    if period.cadence != Plan.Cadence.QUARTERLY:
        raise ValidationError(_("Recommendations are judged by quarter."))
    _check_links(fields.get("evidence_links", ""))
    row = (
        RecommendationProgress.objects.select_for_update().filter(recommendation=recommendation, period=period).first()
    )
    if row is None:
        check_version(RecommendationProgress(version=0), expected_version)
        row = RecommendationProgress(recommendation=recommendation, period=period, version=1)
        default = _("Progress recorded")
    else:
        check_version(row, expected_version)
        row.version += 1
        default = _("Progress corrected")
    row.recorded_by = user
    row.recorded_at = timezone.now()
    _save(row, fields=fields, names=PROGRESS_FIELDS, user=user, reason=reason or default)
    return row


# --- reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Addressed:
    """A recommendation an action addresses, as its page lists it: ``url`` None when the
    reader may not read the inspection (then only counted)."""

    label: str
    text: str
    inspection: str
    url: str | None


def addressed_by(user: User, item: PlanItem) -> list[Addressed]:
    """The recommendations ``item`` addresses, in one query: those of inspections the reader
    may not read come back without their text (``url`` None), to be counted."""
    links = RecommendationAction.objects.filter(item=item).select_related("recommendation__inspection")
    every = reads_every_inspection(user)
    if not every and _active(user):
        led = Recommendation.objects.filter(inspection=OuterRef("recommendation__inspection"), lead=user)
        links = links.annotate(readable=Exists(led))
    found = []
    for link in links.order_by("recommendation__inspection__inspected_on", "recommendation__number"):
        recommendation = link.recommendation
        readable = every or getattr(link, "readable", False)
        found.append(
            Addressed(
                label=str(recommendation) if readable else "",
                text=recommendation.text if readable else "",
                inspection=recommendation.inspection.title if readable else "",
                url=recommendation.get_absolute_url() if readable else None,
            )
        )
    return found


def hidden_from(user: User, plan_ids) -> frozenset[int]:
    """The plans among ``plan_ids`` whose actions ``user`` may not be shown (counted instead)."""
    return unreadable_plan_ids(user, plan_ids)
