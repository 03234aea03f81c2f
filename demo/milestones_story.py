"""Milestone returns for the demo council (issue 17, decision 0024), told through the
services after ``demo.monitoring_story`` has told the year of actions and targets.

Q1 and Q2 were locked before milestones were reported, so their scorecards (stored when
they were locked) show the milestones then due as outstanding, as a council's first
quarters with a new rule would. From Q3 on, leads report them:

- Q3: every milestone of an approved plan due by 31 December 2013 is reported. Most are
  done (on their due date, or a few days after it) and accepted by the plan's owner; one
  in seven is late, with a revised date in the new year and its reason, and accepting it
  moves the milestone's date in the plan (so it is asked for again in Q4); one in eleven
  is left with no return: an overdue milestone outstanding like any other return.
- Some milestones due in Q4 are reported early, in Q3, as on track (and accepted).
- Q4 (the open quarter): the milestones due by 31 March 2014 and not done. Half the late
  ones from Q3 have a draft saying done, not yet submitted (so what ``monitoring_story``
  says is awaiting review stays true); the rest are left for the browser.

Authors are found as ``demo.monitoring_story`` finds them (the lead officer, someone in
the lead organisation, the parent action's lead, else the plan's owner); reviewers are
the plans' owners. Everything is fixed by the demo content: no randomness.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from monitoring import milestones, services
from monitoring.models import ProgressReturn, ReportingPeriod
from partners.models import User
from planning.models import Plan, PlanItem

Milestone = ProgressReturn.Milestone
REASONS = [
    "The supplier's delivery slipped; the new date is agreed in writing.",
    "Waiting on a decision by Cabinet, now scheduled for the new date.",
    "Staff vacancies delayed the work; cover is in place from next month.",
]


@dataclass
class Told:
    done: int
    late: int
    on_track: int
    outstanding: int

    def summary(self) -> str:
        return (
            f"milestones: {self.done} done, {self.late} late with a revised date, {self.on_track} on track, "
            f"{self.outstanding} overdue with no return in Q3"
        )


def due_milestones(period: ReportingPeriod) -> QuerySet[PlanItem]:
    """The milestones ``period`` asks a return for, plan by plan in reading order."""
    return (
        milestones.reported_items(period)
        .filter(kind=milestones.MILESTONE)
        .select_related(
            "plan__owner", "plan__organisation", "lead_officer", "lead_organisation", "parent__lead_officer"
        )
        .prefetch_related("plan__shares")
        .order_by("plan__slug", "tree_id", "lft")
    )


def tell() -> Told:
    """Report the milestones due in Q3 and Q4 of 2013/14 (after ``monitoring_story``)."""
    from demo.monitoring_story import YEAR, _Story  # the authors as that story finds them

    people = {user.username: user for user in User.objects.select_related("organisation")}
    author_of = _Story(people)._author
    q3, q4 = ReportingPeriod.objects.filter(cadence="quarterly", start_year=YEAR, quarter__in=[3, 4]).order_by(
        "quarter"
    )
    told = Told(done=0, late=0, on_track=0, outstanding=0)
    late = set()
    for n, item in enumerate(due_milestones(q3)):
        if n % 11 == 5:
            told.outstanding += 1
            continue
        if n % 7 == 3:
            fields = {
                "milestone_state": Milestone.LATE,
                "revised_due_date": date(2014, 2, 28) if n % 2 else date(2014, 3, 31),
                "revision_reason": REASONS[n % len(REASONS)],
                "narrative": "Not done by the end of the quarter.",
            }
            told.late += 1
            late.add(item.pk)
        else:
            fields = {"milestone_state": Milestone.DONE, "completed_on": item.due_date + timedelta(days=n % 4)}
            told.done += 1
        _report(item, q3, author_of(item), fields, accept=True)
    # reported early: a milestone due in Q4 said to be on track in Q3 (shown in Q3, as it was reported)
    coming = due_milestones(q4).filter(due_date__gt=q3.ends_on).exclude(pk__in=late)
    for n, item in enumerate(coming):
        if n % 4 == 1:
            fields = {"milestone_state": Milestone.ON_TRACK, "narrative": "On course for the date in the plan."}
            _report(item, q3, author_of(item), fields, accept=True)
            told.on_track += 1
    # Q4, open: half the late ones have a draft saying done, not yet submitted
    for n, item in enumerate(PlanItem.objects.filter(pk__in=late).select_related("plan__owner", "lead_officer")):
        if n % 2 == 0:
            fields = {"milestone_state": Milestone.DONE, "completed_on": item.due_date - timedelta(days=3)}
            services.return_save(item=item, period=q4, user=author_of(item), fields=fields, expected_version=0)
    return told


def _report(item: PlanItem, period: ReportingPeriod, author: User, fields: dict, *, accept: bool) -> None:
    ret = services.return_save(item=item, period=period, user=author, fields=fields, expected_version=0, submit=True)
    if accept:
        owner = Plan.objects.select_related("owner").get(pk=item.plan_id).owner
        services.return_accept(return_id=ret.pk, user=owner, expected_version=ret.version)
