"""The demo's area inspection (issue 18, decision 0030), told quarter by quarter inside the
monitoring story, before each quarter is locked (``demo.monitoring_story.tell(each_quarter=...)``):

- Q1: the owner persona records Estyn's inspection of the council's education services
  (January 2013): its four key-question judgements, five recommendations with their leads
  and dates, and the actions in the demo's plans that address each; then each lead's first
  judgement of progress.
- Q2 and Q3: each lead judges progress again, with narrative and evidence; two Q2
  judgements are corrected, so their history holds both.
- Q4 stays open: the officer persona, who leads recommendation 2, records its Q4 judgement
  in the browser (tests/browser/test_inspection_progress.py).

Because the story runs before Q1 and Q2 are locked, their reports read what was recorded as
those quarters were reported. Every write goes through ``monitoring.inspections``; nothing
is back-dated. Actions are found by the start of their titles in their plans: if the content
changes so that one is missing, ``Story.quarter`` fails loudly.
"""

from dataclasses import dataclass, field
from datetime import date

from monitoring import inspections
from monitoring.models import Inspection, Recommendation, RecommendationProgress, ReportingPeriod
from partners.models import Organisation, User
from planning.models import PlanItem

OWNER = "owner"
TITLE = "A report on the quality of local authority education services for children and young people"

KEY_QUESTIONS = [
    ("How good are outcomes?", "Adequate"),
    ("How good is provision?", "Adequate"),
    ("How good are leadership and management?", "Adequate"),
    ("Prospects for improvement", "Adequate"),
]

# number -> (text, lead's username, to be met by, [(plan slug, start of an action's title)])
RECOMMENDATIONS = {
    1: (
        "Raise standards at key stage 4, particularly in English and mathematics, in the secondary schools "
        "below the floor standard.",
        "owner",
        date(2014, 8, 31),
        [
            ("standards-school-improvement-2013-14", "Improve GCSE results in the secondary schools"),
            ("bold-steps-for-education-2013-16", "Challenge and support the secondary schools"),
        ],
    ),
    2: (
        "Improve the attendance of pupils in primary and secondary schools and the outcomes of disadvantaged pupils.",
        "officer",
        date(2014, 7, 31),
        [
            ("inclusion-2013-14", "Target persistent absence"),
            ("standards-school-improvement-2013-14", "Challenge schools on how they spend the pupil premium"),
        ],
    ),
    3: (
        "Strengthen self-evaluation so that it drives planning for improvement in every service.",
        "owner",
        date(2014, 3, 31),
        [
            ("standards-school-improvement-2013-14", "Agree an improvement plan with each school"),
            ("14-19-area-inspection-action-plan", "Monitor the plan three times a year"),
        ],
    ),
    4: (
        "Make sure that plans at every level have clear, measurable success criteria and that the "
        "authority's plans link from the corporate plan to each service's plan.",
        "cholloway",
        date(2014, 3, 31),
        [
            ("14-19-area-inspection-action-plan", "Collect a return from each action"),
            ("bold-steps-for-education-2013-16", "Lead the Northmoor Challenge"),
        ],
    ),
    5: (
        "Improve partnership working to plan the range and quality of provision for learners aged 14 to 19.",
        "partner",
        date(2015, 8, 31),
        [
            ("14-19-area-inspection-action-plan", "Create a 14–16 vocational offer"),
            ("skills-employability-2013-14", "Broaden the Key Stage 4 vocational offer"),
        ],
    ),
}

J = RecommendationProgress.Judgement
# number -> the judgements of Q1, Q2 and Q3
JUDGEMENTS = {
    1: (J.NOT_MET, J.PARTLY_MET, J.PARTLY_MET),
    2: (J.NOT_MET, J.PARTLY_MET, J.LARGELY_MET),
    3: (J.PARTLY_MET, J.PARTLY_MET, J.LARGELY_MET),
    4: (J.PARTLY_MET, J.LARGELY_MET, J.MET),
    5: (J.NOT_MET, J.NOT_MET, J.PARTLY_MET),
}
# Q2 judgements first recorded one way, then corrected (number -> first judgement, reason)
CORRECTED = {
    2: (J.NOT_MET, "Attendance figures for the autumn half-term arrived"),
    4: (J.PARTLY_MET, "Scrutiny committee agreed the success criteria"),
}
NARRATIVE = {
    1: "The actions linked to this recommendation have begun; their leads report on them in the quarter's returns.",
    2: "Progress is steady: the linked actions report on track, and scrutiny has seen the figures.",
    3: "Most of what was planned is in place; the evidence below shows the difference it is making.",
}
EVIDENCE = {
    1: "Report to the Education Cabinet Committee",
    2: "Report to the Education Cabinet Committee; data from the autumn census",
    3: "Report to the Education Cabinet Committee; the scrutiny committee's review",
}


@dataclass
class Story:
    """Told by ``quarter`` (called by the monitoring story for each quarter, before it is locked)."""

    inspection: Inspection | None = None
    recommendations: dict[int, Recommendation] = field(default_factory=dict)
    judged: int = 0

    def quarter(self, period: ReportingPeriod, number: int) -> None:
        if number == 1:
            self.record()
        if number <= 3:
            self.judge(period, number)

    def record(self) -> None:
        people = {user.username: user for user in User.objects.filter(username__in=_usernames())}
        owner = people[OWNER]
        self.inspection = inspections.inspection_save(
            inspection=Inspection(),
            user=owner,
            fields={
                "inspectorate": Inspection.Inspectorate.ESTYN,
                "title": TITLE,
                "inspected_on": date(2013, 1, 21),
                "organisation": Organisation.objects.get(slug="els"),
                "owner": owner,
                "report_url": "https://www.estyn.gov.wales/inspection/local-government-education-services",
                "summary": (
                    "Estyn judged the authority's education services for children and young people adequate, "
                    "with adequate prospects for improvement, and made five recommendations."
                ),
            },
        )
        for question, judgement in KEY_QUESTIONS:
            inspections.judgement_add(
                inspection=self.inspection, user=owner, key_question=question, judgement=judgement
            )
        for number, (text, lead, by, actions) in RECOMMENDATIONS.items():
            recommendation = inspections.recommendation_save(
                recommendation=Recommendation(inspection=self.inspection),
                user=owner,
                fields={"number": number, "text": text, "lead": people[lead], "target_date": by},
            )
            for slug, start in actions:
                item = PlanItem.objects.filter(plan__slug=slug, kind=PlanItem.Kind.ACTION, title__startswith=start)
                found = item.first()
                if found is None:
                    raise LookupError(f"No action in {slug} starts {start!r}")
                inspections.recommendation_action_add(recommendation=recommendation, user=owner, item_id=found.pk)
            self.recommendations[number] = recommendation

    def judge(self, period: ReportingPeriod, number: int) -> None:
        for key, recommendation in self.recommendations.items():
            lead = recommendation.lead
            fields = {
                "judgement": JUDGEMENTS[key][number - 1],
                "narrative": NARRATIVE[number],
                "evidence": EVIDENCE[number],
                "evidence_links": "https://democracy.northmoor.gov.example/committees/education",
            }
            if number == 2 and key in CORRECTED:
                first, reason = CORRECTED[key]
                inspections.progress_record(
                    recommendation=recommendation, period=period, user=lead, fields=fields | {"judgement": first}
                )
                inspections.progress_record(
                    recommendation=recommendation, period=period, user=lead, fields=fields, expected_version=1,
                    reason=reason,
                )  # fmt: skip
            else:
                inspections.progress_record(recommendation=recommendation, period=period, user=lead, fields=fields)
            self.judged += 1

    def summary(self) -> str:
        return (
            f"{self.inspection} (Estyn): {len(self.recommendations)} recommendations, "
            f"{sum(len(actions) for *_, actions in RECOMMENDATIONS.values())} actions linked, "
            f"{self.judged} judgements of progress in Q1 to Q3."
        )


def _usernames() -> set[str]:
    return {OWNER} | {lead for _, lead, _, _ in RECOMMENDATIONS.values()}
