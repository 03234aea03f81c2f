"""Evidence in the plan (issue 18, decision 0031), told through the services after the other
stories: the Standards and School Improvement business plan gets its needs assessment (three
sources, four numbered findings, three of its four priorities linked to the findings that
justify them; the fourth is left for the alignment report to flag), success criteria on its
actions, each marked outcome or output, and its owner records that its Northmoor Challenge
action was merged into the one in Bold Steps for Education, a near-duplicate the alignment
report found."""

from dataclasses import dataclass

from demo import planning_story
from planning import evidence, services
from planning.models import Plan, PlanItem

PLAN = "standards-school-improvement-2013-14"
MERGED = "Run the Northmoor Challenge programme for every school below good"
MERGED_INTO = ("bold-steps-for-education-2013-16", "Lead the Northmoor Challenge for every primary school below good")
MERGE_REASON = "One Northmoor Challenge for the county, led and reported in Bold Steps for Education"

# (kind, title, address, note)
SOURCES = [
    ("data", "Ofsted inspection outcomes for Northmoor schools, August 2013",
     "https://www.gov.uk/government/collections/maintained-schools-and-academies-inspections-and-outcomes",
     "Every school's latest judgement."),
    ("data", "Key Stage 2 results 2013, Northmoor and England", "",
     "Provisional results from the Department for Education, matched to the school census."),
    ("document", "School improvement self-review 2013", "",
     "The service's own review with headteachers, summer term 2013."),
]  # fmt: skip
# (text, source index, the priorities it justifies)
FINDINGS = [
    ("Two in five of Northmoor's primary schools are not yet good, against one in five in England.", 0,
     ["Improve leadership and teaching in schools that are not yet good"]),
    ("Level 4 in reading, writing and mathematics at Key Stage 2 is four points below the national average.", 1,
     ["Raise attainment at every key stage"]),
    ("Pupils on free school meals are 21 points behind their peers at level 4, and the gap has not narrowed in "
     "three years.", 1, ["Narrow the gap for disadvantaged pupils", "Raise attainment at every key stage"]),
    ("Headteachers value school-to-school support more than visits from the council's advisers.", 2,
     ["Improve leadership and teaching in schools that are not yet good"]),
]  # fmt: skip
# action title -> (success criteria, outcome or output)
CRITERIA = {
    "Agree an improvement plan with each school judged to require improvement": (
        "Every school judged to require improvement has an agreed plan within **six weeks** of its inspection, "
        "and is judged good at its next inspection.", "outcome"),
    planning_story.EDITED_TO: (  # as the planning story left its title
        "At least **79%** of pupils reach level 4 in reading, writing and mathematics in summer 2014.", "outcome"),
    "Run summer schools for pupils at risk of missing level 4": (
        "Summer schools run in all six localities, with places for **400 pupils**.", "output"),
    "Challenge schools on how they spend the pupil premium": (
        "Every school publishes how it spends its pupil premium, and the free school meals gap at Key Stage 2 "
        "narrows by two points.", "outcome"),
}  # fmt: skip


@dataclass
class Told:
    plan: Plan
    findings: int
    linked: int
    criteria: int
    merged: PlanItem

    def summary(self) -> str:
        return (
            f"{self.plan} has a needs assessment of {self.findings} findings, {self.linked} priorities linked to "
            f"them; {self.criteria} actions with success criteria; “{self.merged.title}” merged into "
            f"“{self.merged.merged_into.title}”"
        )


def tell() -> Told:
    plan = Plan.objects.get(slug=PLAN)
    owner = plan.owner
    items = {item.title: item for item in plan.items.all()}
    sources = [
        evidence.source_add(plan=plan, user=owner, fields={"kind": kind, "title": title, "url": url, "note": note})
        for kind, title, url, note in SOURCES
    ]
    justified: dict[str, set[int]] = {}
    for text, source, priorities in FINDINGS:
        finding = evidence.finding_save(plan=plan, user=owner, fields={"text": text, "source": sources[source]})
        for title in priorities:
            justified.setdefault(title, set()).add(finding.pk)
    for title, finding_ids in justified.items():
        evidence.priority_findings_set(item=items[title], finding_ids=finding_ids, user=owner,
                                       reason="From the 2013 needs assessment")  # fmt: skip
    for title, (criteria, result) in CRITERIA.items():
        item = items[title]
        services.item_update(item_id=item.pk, user=owner, expected_version=item.version,
                             change=services.ItemChange({"success_criteria": criteria, "result_kind": result}),
                             reason="Success criteria agreed with headteachers")  # fmt: skip
    into = PlanItem.objects.get(plan__slug=MERGED_INTO[0], title=MERGED_INTO[1])
    merged = items[MERGED]
    merged = evidence.item_merge(item_id=merged.pk, into_id=into.pk, user=owner, reason=MERGE_REASON,
                                 expected_version=merged.version)  # fmt: skip
    return Told(plan=plan, findings=len(FINDINGS), linked=len(justified), criteria=len(CRITERIA), merged=merged)
