"""The college reports termly (issue 17), told through the services after the monitoring
story, like the other stories.

Northmoor College's curriculum and quality plan runs on the academic year and reports
three times a year. The admin creates the terms of 2013/14 (autumn September–December,
spring January–April, summer May–August); the Head of Skills and Employability owns the
plan (plan owners are council staff), and the college's Vice Principal, the demo's partner,
leads its actions and reports on them. Its retention action contributes to the council
plan's "Help the Northmoor economy grow", so the corporate priority's thread view reads the
college's autumn term beside the council's third quarter (both end in December).

- Autumn term: accepted (amber; retention below the line, with the reason).
- Spring term: submitted, waiting for the owner's review.
- Summer term: open; the partner fills it in the browser.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from monitoring import services as monitoring
from monitoring.models import ProgressReturn, ReportingPeriod
from partners.models import Organisation, User
from planning import lifecycle, services
from planning.models import Link, Plan, PlanItem

SLUG = "northmoor-college-quality-2013-14"
ACADEMIC_YEAR = 2013
CORPORATE_PRIORITY = "Help the Northmoor economy grow"
RETENTION = "Keep more 16 to 18 year olds on their courses to the end"
RETENTION_TARGET = "16 to 18 retention rate"
PROGRESSION = "Every learner leaves with a next step: a job, an apprenticeship or more learning"


@dataclass
class Told:
    plan: Plan
    terms: list[ReportingPeriod]


def tell() -> Told:
    people = {user.username: user for user in User.objects.filter(username__in=["admin", "sbrennan", "partner"])}
    admin, owner, partner = people["admin"], people["sbrennan"], people["partner"]
    college = Organisation.objects.get(slug="northmoor-college")
    terms = monitoring.financial_year_create(
        start_year=ACADEMIC_YEAR, user=admin, cadence=Plan.Cadence.TERMLY, days_to_return=20
    )
    plan = services.plan_create(
        user=owner,
        vision_title="A college where every learner stays, achieves and moves on",
        fields={
            "title": "Northmoor College Curriculum and Quality Plan 2013–14",
            "slug": SLUG,
            "kind": Plan.Kind.SERVICE,
            "organisation": college,
            "owner": owner,
            "start_year": ACADEMIC_YEAR,
            "end_year": ACADEMIC_YEAR,
            "cadence": Plan.Cadence.TERMLY,
            "summary": (
                "The college's plan for 2013/14, agreed with the council's Skills and Employability service. "
                "It reports to the council each term of the academic year."
            ),
        },
    )
    vision = plan.items.get(kind=PlanItem.Kind.VISION)
    priority = _add(plan, vision, "priority", owner, title="Learners stay, achieve and progress")
    retention = _add(
        plan, priority, "action", owner,
        title=RETENTION,
        description="Tutorial checks in the first six weeks and a named mentor for every learner at risk of leaving.",
        status=PlanItem.Status.IN_PROGRESS, lead_officer=partner, lead_organisation=college,
        start_date=date(2013, 9, 1), due_date=date(2014, 7, 31),
    )  # fmt: skip
    _add(
        plan, retention, "target", owner,
        title=RETENTION_TARGET, lead_officer=partner, lead_organisation=college,
        unit=PlanItem.Unit.PERCENTAGE, direction=PlanItem.Direction.HIGHER,
        baseline_value=Decimal("86"), baseline_date=date(2013, 7, 31),
        target_value=Decimal("92"), target_date=date(2014, 7, 31), amber_tolerance=Decimal("2"),
    )  # fmt: skip
    _add(
        plan, priority, "action", owner,
        title=PROGRESSION, status=PlanItem.Status.IN_PROGRESS, lead_officer=partner, lead_organisation=college,
        start_date=date(2013, 9, 1), due_date=date(2014, 8, 31),
    )  # fmt: skip
    corporate = PlanItem.objects.get(plan__slug="council-plan-2013-17", title=CORPORATE_PRIORITY)
    services.link_add(source_id=retention.pk, target_id=corporate.pk, relation=Link.Relation.CONTRIBUTES_TO, user=owner)
    lifecycle.plan_approve(
        plan=plan, user=owner, approved_by="College Corporation and Skills Board", approved_on=date(2013, 9, 10)
    )
    _report(terms, partner, owner)
    return Told(plan=plan, terms=list(ReportingPeriod.objects.filter(pk__in=[t.pk for t in terms])))


def _add(plan: Plan, parent: PlanItem, kind: str, user: User, **fields) -> PlanItem:
    return services.item_add(
        plan=plan, parent_id=parent.pk, kind=kind, user=user, change=services.ItemChange(fields=fields)
    )


def _report(terms: list[ReportingPeriod], partner: User, owner: User) -> None:
    """The autumn term accepted; the spring term submitted and waiting; summer open."""
    autumn, spring, _ = terms
    items = {item.title: item for item in PlanItem.objects.filter(plan__slug=SLUG).select_related("plan")}
    said = {
        autumn: {
            RETENTION: {"rag": "amber", "narrative": "Early leavers fell, but two vocational courses lost learners."},
            RETENTION_TARGET: {"rag": "amber", "actual_value": Decimal("87.50"), "narrative": "Up from 86%."},
            PROGRESSION: {"rag": "green", "narrative": "Every learner has a progression interview booked."},
        },
        spring: {
            RETENTION: {"rag": "green", "narrative": "Mentoring reached every learner at risk this term."},
            RETENTION_TARGET: {"rag": "green", "actual_value": Decimal("90.00"), "narrative": "On the line."},
            PROGRESSION: {"rag": "amber", "narrative": "Apprenticeship vacancies are fewer than last year."},
        },
    }
    for term, returns in said.items():
        for title, fields in returns.items():
            ret = monitoring.return_save(
                item=items[title], period=term, user=partner, fields=fields, expected_version=0, submit=True
            )
            if term == autumn:
                monitoring.return_accept(return_id=ret.pk, user=owner, expected_version=ret.version)


def awaiting() -> int:
    """How many of the college's returns wait for the owner's review (the spring term's)."""
    return ProgressReturn.objects.filter(item__plan__slug=SLUG, state=ProgressReturn.State.SUBMITTED).count()
