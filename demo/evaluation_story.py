"""The demo council's self-evaluation and equality impact assessment (issue 18, decision
0032), told through the services after the other stories.

The corporate plan's owner judges each of its four priorities for 2013/14 against Estyn's
four-point scale (the default framework, made on first use), with strengths, areas for improvement
and evidence; they screen the corporate plan's equality impact (every protected
characteristic, the Welsh language and socio-economic disadvantage) with the policy and
equalities team and name an edition with it; the administrator then makes the council require a complete
screening before any of its plans is approved, so the drafts' status pages say what is
missing."""

from dataclasses import dataclass
from datetime import date

from partners import services as partners
from partners.models import Organisation, User
from planning import evaluation, services
from planning.models import Plan, PlanItem, SelfEvaluation

CORPORATE = "council-plan-2013-17"
# priority title -> (level position on Estyn's scale, strengths, areas for improvement, evidence)
JUDGEMENTS = {
    "Help the Northmoor economy grow": (
        2,
        "Apprenticeship starts rose by a fifth; the enterprise hub opened on time.",
        "Young people not in education, employment or training in the two coastal wards.",
        "[Skills and Employability quarterly returns](/plans/skills-employability-2013-14/) and the NEET "
        "figures from Connexions Northmoor.",
    ),
    "Give every child the best start, with a good school for all": (
        3,
        "More primary schools judged good or better; early years places for every eligible two-year-old.",
        "Boys' writing at key stage 2; the attainment gap for pupils on free school meals; secondary "
        "schools causing concern.",
        "Estyn's area inspection report, Key Stage 2 and 4 results, the Standards and School Improvement returns.",
    ),
    "Keep children and vulnerable adults safe and tackle disadvantage": (
        2,
        "Child protection reviews on time; the multi-agency safeguarding hub in place.",
        "Placement stability for children in care; waiting times for adult assessments.",
        "Safeguarding board annual report; Inclusion Business Plan returns.",
    ),
    "Run a modern council that spends every pound well": (
        4,
        "Savings delivered for the year.",
        "Sickness absence well above target; the customer contact strategy late; capital schemes slipping.",
        "Budget outturn report to Cabinet; the corporate risk register.",
    ),
}
# characteristic -> (impact, mitigation or comment)
IMPACTS = {
    "age": ("positive", "Priorities for children, young people and older people; no age group is disadvantaged."),
    "disability": ("positive", "Inclusion and SEN placement actions; accessible venues for every consultation."),
    "gender_reassignment": ("neutral", ""),
    "marriage": ("neutral", ""),
    "pregnancy": ("positive", "Early years places and the family information service."),
    "race": ("neutral", "Monitoring of attainment by ethnicity continues in school improvement."),
    "religion": ("neutral", ""),
    "sex": ("negative", "Boys' attainment gap: a targeted writing programme in school improvement, reviewed termly."),
    "sexual_orientation": ("neutral", ""),
    "welsh_language": (
        "positive",
        "Every service offered in Welsh; information for families published bilingually under the Welsh language "
        "standards.",
    ),
    "socio_economic": (
        "positive",
        "Narrowing the gap for pupils on free school meals; help into work in the most deprived wards.",
    ),
}
CONCLUSION = (
    "The plan promotes equality of opportunity and has a positive effect on the use of the Welsh language. "
    "One negative impact (boys' attainment) is mitigated by a targeted programme. No unlawful discrimination "
    "was found; the plan proceeds."
)


@dataclass
class EvaluationStory:
    plan: Plan
    judgements: list[SelfEvaluation]
    complete: bool

    def summary(self) -> str:
        levels = ", ".join(judgement.level.name for judgement in self.judgements)
        return (
            f"{len(self.judgements)} priorities of {self.plan} judged for 2013/14 on Estyn's scale ({levels}); "
            f"its equality impact assessment {'complete' if self.complete else 'not complete'}, named as an "
            "edition; the council now requires one before any plan is approved"
        )


def tell() -> EvaluationStory:
    plan = Plan.objects.select_related("owner", "organisation").get(slug=CORPORATE)
    owner = plan.owner
    levels = {level.position: level for level in evaluation.levels_in_use()}
    judgements = []
    for item in PlanItem.objects.filter(plan=plan, title__in=JUDGEMENTS).order_by("lft"):
        position, strengths, areas, evidence = JUDGEMENTS[item.title]
        judgements.append(
            evaluation.self_evaluation_record(
                item_id=item.pk,
                user=owner,
                year=plan.start_year,
                level=levels[position],
                strengths=strengths,
                areas_for_improvement=areas,
                evidence=evidence,
            )
        )
    evaluation.equality_assessment_save(
        plan=plan,
        user=owner,
        impacts=IMPACTS,
        conclusion=CONCLUSION,
        screened_on=date(plan.start_year, 3, 1),
        reason="Screened with the policy and equalities team",
    )
    services.edition_create(
        plan=plan, name="Equality impact assessment agreed", note="Screened before Cabinet.", user=owner
    )
    council = Organisation.objects.get(pk=plan.organisation.get_root().pk)
    council.requires_equality_impact = True
    partners.organisation_save(
        organisation=council,
        user=User.objects.get(username="admin"),
        reason="Cabinet: every plan's equality impact assessed before approval",
    )
    return EvaluationStory(plan=plan, judgements=judgements, complete=evaluation.screening(plan).complete)
