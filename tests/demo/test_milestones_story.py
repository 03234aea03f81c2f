"""``load_demo`` tells milestone returns after the year of monitoring (decision 0024):
in Q3 milestones done, late with a revised date, on track (reported early) and one
overdue with no return; in Q4 drafts. The demo is loaded once for this module."""

import pytest

from monitoring import milestones, scorecards, services
from monitoring.models import ProgressReturn, ReportingPeriod
from planning.models import Plan

Milestone = ProgressReturn.Milestone


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def test_milestones_are_reported_in_every_state_and_some_are_outstanding(demo):
    q3 = ReportingPeriod.objects.get(cadence="quarterly", quarter=3)
    reported = ProgressReturn.objects.filter(period=q3, item__kind="milestone", state=ProgressReturn.State.ACCEPTED)
    assert set(reported.values_list("milestone_state", flat=True)) == set(Milestone.values)
    late = reported.filter(milestone_state=Milestone.LATE)
    assert late.exists() and all(ret.revised_due_date and ret.revision_reason for ret in late)
    assert all(ret.item.due_date == ret.revised_due_date for ret in late)  # accepting moved the date
    overdue = [item for item in services.outstanding_items(q3) if item.kind == "milestone"]
    assert overdue and all(item.due_date <= q3.ends_on for item in overdue)
    done = reported.filter(milestone_state=Milestone.DONE).values_list("item_id", flat=True)
    q4 = ReportingPeriod.objects.get(cadence="quarterly", quarter=4)
    assert not milestones.reported_items(q4).filter(pk__in=list(done)).exists()  # done is final


def test_a_q3_scorecard_shows_every_state_of_milestone(demo):
    q3 = ReportingPeriod.objects.get(cadence="quarterly", quarter=3)
    statuses = set()
    for plan in Plan.objects.filter(status=Plan.Status.APPROVED):
        card = scorecards.build(plan, q3)
        statuses |= {row["status"] for row in card["milestones"]["rows"]}
    assert statuses == {"done", "on_track", "late", ""}
