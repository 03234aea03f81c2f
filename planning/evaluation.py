"""Self-evaluation of priorities and the equality impact assessment of plans (issue 18,
decision 0032).

Self-evaluation: whoever may change a priority's plan records a judgement for a financial
year against the framework in use (a level, strengths, areas for improvement, evidence).
Judgements are added, never edited, so the priority's judgements are their own history.
When a plan is revised, each new priority carries its source's latest judgement
(``carry_evaluations``, called by ``planning.lifecycle``).

Equality impact: one screening per plan, each characteristic's impact and mitigation, a
conclusion, who screened and when; ``approval_problem`` is what ``plan_approve`` asks when
the plan's council requires a complete screening. An edition reads the screening as it
stood (``assessment_at``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.history import change_context, current_change
from partners.models import Organisation, User
from planning.access import can
from planning.conflicts import check_version
from planning.models import (
    CarriedEvaluation,
    EqualityImpact,
    EqualityImpactAssessment,
    EvaluationFramework,
    EvaluationLevel,
    Plan,
    PlanItem,
    SelfEvaluation,
)
from planning.services import plan_write

RECORD_REFUSED = gettext_lazy("Only those who may change this plan can record its self-evaluation.")
SCREEN_REFUSED = gettext_lazy("Only those who may change this plan can screen its equality impact.")
Characteristic = EqualityImpact.Characteristic

# the default framework: Estyn's four-point scale (decision 0032)
ESTYN_NAME = "Estyn’s four-point scale"
ESTYN_DESCRIPTION = "The scale Estyn, the education and training inspectorate for Wales, judges by."
ESTYN_LEVELS = [
    ("Excellent", "Very strong, sustained performance and practice."),
    ("Good", "Strong features, although minor aspects may require improvement."),
    ("Adequate and needs improvement", "Strengths outweigh weaknesses, but important aspects require improvement."),
    ("Unsatisfactory and needs urgent improvement", "Important weaknesses outweigh strengths."),
]
ESTYN_REASON = "Estyn’s four-point scale shipped as the default framework"


# --- self-evaluation ---------------------------------------------------------------------------


def framework_in_use() -> EvaluationFramework | None:
    return EvaluationFramework.objects.filter(in_use=True).first()


def levels_in_use() -> list[EvaluationLevel]:
    """The levels of the framework in use, best first; Estyn's scale is made (with its
    history) the first time they are asked for where no framework exists at all."""
    levels = list(EvaluationLevel.objects.filter(framework__in_use=True).order_by("position"))
    if not levels and not EvaluationFramework.objects.exists():
        levels = default_framework_create()
    return levels


@transaction.atomic
def default_framework_create() -> list[EvaluationLevel]:
    """Estyn's four-point scale, in use: the default framework."""
    with change_context(reason=ESTYN_REASON):
        framework = EvaluationFramework(name=ESTYN_NAME, description=ESTYN_DESCRIPTION, in_use=True)
        framework.full_clean()
        framework.save()
        levels = []
        for position, (name, description) in enumerate(ESTYN_LEVELS, start=1):
            level = EvaluationLevel(framework=framework, position=position, name=name, description=description)
            level.full_clean()
            level.save()
            levels.append(level)
    return levels


def self_evaluation_record(
    *,
    item_id: int,
    user: User | None,
    year: int,
    level: EvaluationLevel,
    strengths: str = "",
    areas_for_improvement: str = "",
    evidence: str = "",
) -> SelfEvaluation:
    """Add a priority's judgement for ``year``; allowed to whoever may change its plan (asked
    again here under the plan's lock), against a level of the framework in use."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    reason = _("Self-evaluation recorded")
    with plan_write(plan_id, user=user, reason=reason) as locked:
        if user is not None and not can(user, "change", locked):
            raise PermissionDenied(RECORD_REFUSED)
        item = PlanItem.objects.get(pk=item_id)
        if item.kind != PlanItem.Kind.PRIORITY:
            raise ValidationError(_("Only a priority is self-evaluated."))
        if not EvaluationLevel.objects.filter(pk=level.pk, framework__in_use=True).exists():
            raise ValidationError({"level": _("Choose a judgement from the framework in use.")})
        evaluation = SelfEvaluation(
            item=item,
            year=year,
            level=level,
            strengths=strengths,
            areas_for_improvement=areas_for_improvement,
            evidence=evidence,
            recorded_by=user,
            recorded_at=current_change().when,
        )
        evaluation.full_clean()
        evaluation.save()
    return evaluation


def judgements(item: PlanItem) -> list[SelfEvaluation]:
    """The priority's judgements, newest first (one query)."""
    return list(item.self_evaluations.select_related("level__framework", "recorded_by"))


def carried(item: PlanItem) -> SelfEvaluation | None:
    """The judgement a revised draft's priority carries from last year's plan (one query)."""
    row = (
        CarriedEvaluation.objects.filter(item=item)
        .select_related("evaluation__level", "evaluation__item__plan", "evaluation__recorded_by")
        .first()
    )
    return row.evaluation if row else None


def carried_for(item_ids: list[int]) -> dict[int, SelfEvaluation]:
    """item id -> the judgement it carries, for a whole plan at once (one query)."""
    rows = CarriedEvaluation.objects.filter(item_id__in=item_ids).select_related(
        "evaluation__level", "evaluation__item__plan"
    )
    return {row.item_id: row.evaluation for row in rows}


def carry_evaluations(new_ids: dict[int, int]) -> int:
    """Give each new priority (``new_ids``: source item id -> its copy's id) its source's
    latest judgement; runs inside the revision's transaction, whose history stamp it shares.
    Returns how many were carried."""
    latest: dict[int, SelfEvaluation] = {}
    for evaluation in SelfEvaluation.objects.filter(item_id__in=list(new_ids)).order_by(
        "item_id", "-year", "-recorded_at", "-pk"
    ):
        latest.setdefault(evaluation.item_id, evaluation)
    for source_id, evaluation in latest.items():
        CarriedEvaluation(item_id=new_ids[source_id], evaluation=evaluation).save()
    return len(latest)


# --- equality impact assessment ----------------------------------------------------------------


@dataclass
class Line:
    key: str  # the characteristic
    label: str
    impact: str  # the impact's value, blank while not recorded
    impact_label: str
    mitigation: str


@dataclass
class Screening:
    """A plan's screening as a page or the PDF shows it: every characteristic in order, its
    impact and mitigation (blank where not yet recorded), and what it lacks."""

    assessment: EqualityImpactAssessment | None
    lines: list[Line]
    problems: list[str]

    @property
    def complete(self) -> bool:
        return self.assessment is not None and not self.problems


def _screening(assessment: EqualityImpactAssessment | None, impacts: list[EqualityImpact]) -> Screening:
    by_key = {impact.characteristic: impact for impact in impacts}
    lines = []
    for key, label in Characteristic.choices:
        row = by_key.get(key)
        impact = row.impact if row else ""
        label_of_impact = str(EqualityImpact.Impact(impact).label) if impact else ""
        lines.append(Line(key, str(label), impact, label_of_impact, row.mitigation if row else ""))
    return Screening(assessment, lines, problems(assessment, by_key))


def problems(assessment: EqualityImpactAssessment | None, by_key: dict[str, EqualityImpact]) -> list[str]:
    """What a screening lacks before it is complete, each as a sentence."""
    if assessment is None:
        return [_("No equality impact assessment has been recorded.")]
    found = []
    missing = [label for key, label in Characteristic.choices if not (by_key.get(key) and by_key[key].impact)]
    if missing:
        found.append(_("No impact recorded for: %(names)s.") % {"names": ", ".join(str(name) for name in missing)})
    unmitigated = [
        str(Characteristic(key).label)
        for key, impact in by_key.items()
        if impact.impact == EqualityImpact.Impact.NEGATIVE and not impact.mitigation.strip()
    ]
    if unmitigated:
        found.append(
            _("A negative impact needs its mitigation: %(names)s.") % {"names": ", ".join(sorted(unmitigated))}
        )
    if not assessment.conclusion.strip():
        found.append(_("Give the overall conclusion."))
    if assessment.screened_on is None:
        found.append(_("Give the date it was screened."))
    return found


def screening(plan: Plan) -> Screening:
    """The plan's screening as it stands (two queries)."""
    assessment = EqualityImpactAssessment.objects.filter(plan=plan).select_related("screened_by").first()
    impacts = list(assessment.impacts.all()) if assessment else []
    return _screening(assessment, impacts)


def assessment_at(plan: Plan, moment: datetime) -> Screening:
    """The plan's screening as it stood at ``moment`` (an edition's), rebuilt from history."""
    assessment = EqualityImpactAssessment.history.as_of(moment).filter(plan_id=plan.pk).first()
    impacts = list(EqualityImpact.history.as_of(moment).filter(assessment_id=assessment.pk)) if assessment else []
    if assessment is not None and assessment.screened_by_id:
        assessment.screened_by = User.objects.filter(pk=assessment.screened_by_id).first()
    return _screening(assessment, impacts)


def required(plan: Plan) -> bool:
    """Whether the plan's council (the root of its organisation's tree) requires a complete
    screening before approval (one query)."""
    return Organisation.objects.filter(
        tree_id=plan.organisation.tree_id, parent__isnull=True, requires_equality_impact=True
    ).exists()


def approval_problem(plan: Plan) -> str | None:
    """Why ``plan`` may not be approved yet for want of its screening, or None."""
    if not required(plan):
        return None
    found = screening(plan)
    if found.complete:
        return None
    return _("This council requires a complete equality impact assessment before a plan is approved. %(problems)s") % {
        "problems": " ".join(found.problems)
    }


@transaction.atomic
def equality_assessment_save(
    *,
    plan: Plan,
    user: User | None,
    impacts: dict[str, tuple[str, str]],
    conclusion: str,
    screened_on: date | None,
    expected_version: int | None = None,
    reason: str = "",
) -> EqualityImpactAssessment:
    """Record or change the plan's screening: ``impacts`` maps a characteristic to its
    (impact, mitigation); whoever saves it is recorded as having screened it. A stale version
    is refused (``EditConflict``)."""
    with plan_write(plan.pk, user=user, reason=reason or _("Equality impact assessment saved")) as locked:
        if user is not None and not can(user, "change", locked):
            raise PermissionDenied(SCREEN_REFUSED)
        assessment = EqualityImpactAssessment.objects.select_for_update().filter(plan=locked).first()
        if assessment is None:
            assessment = EqualityImpactAssessment(plan=locked)
        else:
            check_version(assessment, expected_version if expected_version is not None else assessment.version)
            assessment.version += 1
        assessment.conclusion, assessment.screened_on, assessment.screened_by = conclusion, screened_on, user
        assessment.full_clean()
        assessment.save()
        stored = {row.characteristic: row for row in assessment.impacts.all()}
        for key, _label in Characteristic.choices:
            impact, mitigation = impacts.get(key, ("", ""))
            row = stored.get(key) or EqualityImpact(assessment=assessment, characteristic=key)
            if row.pk and (row.impact, row.mitigation) == (impact, mitigation):
                continue
            row.impact, row.mitigation = impact, mitigation
            row.full_clean()
            row.save()
    return assessment
