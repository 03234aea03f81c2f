"""``load_demo`` tells a year of quarterly monitoring after planning's story: Q1 and Q2
of 2013/14 accepted and locked, Q3 in every state, Q4 open to run in the browser, and
risk registers reviewed quarter by quarter. The demo is loaded once for this module."""

from collections import Counter
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from demo import monitoring_story
from monitoring import selectors, services
from monitoring.access import REPORTED_KINDS, can_fill, can_review
from monitoring.models import ProgressReturn, ReminderSent, ReportingPeriod, Risk, RiskReview
from monitoring.risks import band_for
from partners.models import Notification, User
from planning.models import Plan, PlanItem

State = ProgressReturn.State


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def quarters() -> list[ReportingPeriod]:
    """The council's quarters (the college's terms are demo.cadence_story's: tests/demo/test_cadence_story.py)."""
    return list(ReportingPeriod.objects.filter(cadence="quarterly").order_by("quarter"))


def test_four_quarters_of_2013_14_with_q1_and_q2_locked_by_the_admin(demo):
    periods = quarters()
    assert [(p.start_year, p.quarter) for p in periods] == [(2013, 1), (2013, 2), (2013, 3), (2013, 4)]
    assert [p.is_locked for p in periods] == [True, True, False, False]
    assert {p.locked_by.username for p in periods[:2]} == {"admin"}
    locks = ReportingPeriod.history.filter(history_change_reason="Quarter locked: reported to members")
    assert sorted(row.quarter for row in locks) == [1, 2]
    # Q1–Q3 keep their real due dates; the admin moved Q4's to two weeks after the load
    assert [p.due_on for p in periods[:3]] == [date(2013, 7, 15), date(2013, 10, 15), date(2014, 1, 15)]
    today = timezone.localdate()
    assert periods[3].due_on == today + timedelta(days=monitoring_story.Q4_DAYS_TO_GO)
    moved = periods[3].history.get(history_change_reason="Due date changed")
    assert moved.history_user.username == "admin"


def test_returns_in_every_state_and_every_rag(demo):
    returns = ProgressReturn.objects.filter(item__kind__in=REPORTED_KINDS)  # milestones: test_milestones_story
    assert set(returns.values_list("state", flat=True)) == set(State.values)
    assert set(returns.values_list("rag", flat=True)) == set(ProgressReturn.Rag.values)
    q1, q2, q3, q4 = quarters()
    by_quarter = {
        p.quarter: Counter(returns.filter(period=p).values_list("state", flat=True)) for p in (q1, q2, q3, q4)
    }
    # the locked quarters were accepted; Q3 is a mix; Q4 has drafts and one submitted
    assert set(by_quarter[1]) == set(by_quarter[2]) == {State.ACCEPTED}
    assert set(by_quarter[3]) == set(State.values)
    assert set(by_quarter[4]) == {State.DRAFT, State.SUBMITTED} and by_quarter[4][State.SUBMITTED] == 1
    assert 5 <= by_quarter[4][State.DRAFT] <= 20
    # and the derived status of a target sometimes differs from the RAG its lead gave
    differs = [row for plan in Plan.objects.filter(slug=monitoring_story.OWNER_PLAN) for p in (q1, q2, q3)
               for row in selectors.plan_quarter(plan, p, reader=plan.owner).rows if row.differs]  # fmt: skip
    assert differs


def test_some_returns_are_missing_in_every_quarter_and_many_in_q4(demo):
    for period in quarters():
        reported = PlanItem.objects.filter(kind__in=["action", "target"], plan__status=Plan.Status.APPROVED).count()
        made = ProgressReturn.objects.filter(period=period, item__kind__in=REPORTED_KINDS).count()
        assert made < reported, period
    q4 = quarters()[3]
    assert len(services.outstanding_items(q4)) > 100


def test_returns_are_made_by_people_who_may_fill_them_and_reviewed_by_plan_owners(demo):
    for ret in ProgressReturn.objects.select_related("item__plan", "author", "reviewed_by"):
        assert ret.item.plan.status == Plan.Status.APPROVED
        assert can_fill(ret.author, ret.item), ret
        if ret.reviewed_by is not None:
            assert ret.reviewed_by == ret.item.plan.owner and can_review(ret.reviewed_by, ret.item.plan), ret
    # partners write returns too, not only officers
    assert ProgressReturn.objects.filter(author__role=User.Role.PARTNER).count() >= 10


def test_returned_returns_carry_the_reason_in_the_return_and_its_history(demo):
    waiting = ProgressReturn.objects.filter(state=State.RETURNED)
    assert waiting.exists() and not waiting.filter(review_note="").exists()
    resubmitted = ProgressReturn.history.filter(history_change_reason="Resubmitted")
    assert resubmitted.count() >= 10
    returned = ProgressReturn.history.filter(history_change_reason__startswith="Returned for changes: ")
    assert returned.count() == resubmitted.count() + waiting.count()
    # the partner persona has a return sent back to them in Q3
    partner = User.objects.get(username="partner")
    assert waiting.filter(author=partner, period__quarter=3).exists()
    # authors were told, in the app
    assert Notification.objects.filter(subject__contains="return needs changes").count() == returned.count()


def test_accepted_revised_dates_move_the_items_due_date_with_the_reason_in_its_history(demo):
    item = PlanItem.objects.get(title=monitoring_story.REVISED_SSI)
    assert item.due_date == date(2013, 9, 27)
    revised = item.history.get(history_change_reason__startswith="Due date revised in the Q1 2013/14 return: ")
    assert revised.due_date == date(2013, 9, 27) and revised.history_user.username == "owner"
    assert item.history.earliest("history_date").due_date == date(2013, 7, 19)

    partner_item = PlanItem.objects.get(title=monitoring_story.REVISED_PARTNER)
    assert partner_item.due_date == date(2014, 1, 31)
    ret = ProgressReturn.objects.get(item=partner_item, period__quarter=2)
    assert (ret.author.username, ret.state, ret.revised_due_date) == ("pquinn", State.ACCEPTED, date(2014, 1, 31))


def test_soft_outcomes_evidence_and_reminders(demo):
    assert ProgressReturn.objects.exclude(soft_outcomes="").count() >= 10
    assert ProgressReturn.objects.exclude(evidence_url="").count() >= 10
    q3 = quarters()[2]
    kinds = set(ReminderSent.objects.filter(period=q3).values_list("kind", flat=True))
    assert kinds == {ReminderSent.Kind.CHASE, ReminderSent.Kind.OVERDUE}
    assert not ReminderSent.objects.exclude(period=q3).exists()  # Q4 is left to chase in the browser


def test_risks_reviewed_in_three_quarters_across_the_grid(demo):
    risks = Risk.objects.all()
    assert 6 <= risks.count() <= 10
    assert risks.values("plan").distinct().count() == 3
    assert risks.filter(item__isnull=False).exists() and risks.filter(item__isnull=True).exists()
    assert set(RiskReview.objects.values_list("period__quarter", flat=True)) == {1, 2, 3}
    # scores change over time, and the open risks sit in several cells and every band
    moved = [risk for risk in risks if len({review.score for review in risk.reviews.all()}) > 1]
    assert len(moved) >= 5
    open_risks = risks.filter(status=Risk.Status.OPEN)
    assert len({(risk.likelihood, risk.impact) for risk in open_risks}) >= 5
    assert {band_for(risk.score).key for risk in open_risks} == {"low", "medium", "high", "very_high"}
    assert risks.filter(status=Risk.Status.CLOSED).count() == 1
    for risk in open_risks:  # the current scores are the last review's
        last = risk.reviews.order_by("period__quarter").last()
        assert (risk.likelihood, risk.impact) == (last.likelihood, last.impact)


def test_the_owner_can_run_q4_in_the_browser(demo, client):
    owner = User.objects.get(username="owner")
    client.force_login(owner)
    response = client.get(reverse("monitoring:plan-period", args=[monitoring_story.OWNER_PLAN, "2013-q4"]))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts[State.SUBMITTED] == 1 and counts[State.DRAFT] >= 1 and counts["missing"] >= 10
    assert response.context["may_chase"] and response.context["may_review"]
    assert "Send reminders for the" in response.content.decode()


def test_partners_have_q4_returns_to_make(demo):
    today = timezone.localdate()
    q4 = quarters()[3]
    partner = User.objects.get(username="partner")
    dues = selectors.fillable(partner, selectors.dues_for(partner, today, [q4]))
    assert dues and {due.bucket for due in dues} == {"due"}  # Q4 is due, not yet overdue
    assert any(due.state == State.DRAFT for due in dues) and any(due.progress_return is None for due in dues)
    # and their Q3 returns still outstanding are overdue and late
    q3_dues = selectors.dues_for(partner, today, [quarters()[2]])
    assert any(due.bucket == "overdue" and due.is_late for due in q3_dues)
    # other partner organisations have returns to make too
    others = User.objects.filter(role=User.Role.PARTNER).exclude(username="partner")
    assert sum(1 for person in others if selectors.fillable(person, selectors.dues_for(person, today, [q4]))) >= 3


def test_load_demo_prints_the_state_of_monitoring(demo):
    awaiting = ProgressReturn.objects.filter(state=State.SUBMITTED, period__cadence="quarterly").count()
    q4 = quarters()[3]
    assert (
        f"Quarterly monitoring: Q1 and Q2 2013/14 are locked; {awaiting} returns in Q3 and Q4 await review; "
        f"Q4 is open, due {q4.due_on:%-d %B %Y}, with {len(services.outstanding_items(q4))} returns outstanding; "
        f"{Risk.objects.count()} risks with {RiskReview.objects.count()} quarterly reviews."
    ) in demo


def test_a_member_reads_every_scorecard_of_the_demo_and_gets_both_pdfs(demo, client):
    """Issue 6's "done": every approved plan's scorecard in every quarter with returns
    opens for the demo's member, the locked quarters as reported, and both PDFs render."""
    from monitoring import scorecard_pack
    from monitoring.models import ScorecardSnapshot
    from planning import plan_document

    member = User.objects.get(username="member")
    client.force_login(member)
    home = client.get(reverse("monitoring:members-home")).content.decode()
    opened = 0
    for plan in Plan.objects.filter(status=Plan.Status.APPROVED):
        for period in ReportingPeriod.objects.all():  # the college's terms too
            if not ProgressReturn.objects.filter(item__plan=plan, period=period).exists():
                continue
            url = reverse("monitoring:scorecard", args=[plan.slug, period.slug])
            assert url in home
            page = client.get(url)
            assert page.status_code == 200, url
            assert ("As reported to members" in page.content.decode()) == period.is_locked
            opened += 1
    assert opened >= 30
    assert ScorecardSnapshot.objects.filter(period__quarter__in=[1, 2]).count() >= 18
    plan = Plan.objects.get(slug="bold-steps-for-education-2013-16")
    assert plan_document.render_plan(plan).startswith(b"%PDF")
    assert scorecard_pack.render_scorecard(plan, quarters()[1], True).startswith(b"%PDF")


def test_a_corporate_priority_of_the_demo_rolls_up_what_the_plans_beneath_contribute(demo, client):
    """Issue 17: the corporate priority most linked to gathers actions, ratings and costs from
    the plans beneath it, and a member reads them on its page."""
    from django.db.models import Count

    from monitoring import thread_rollup

    priority = (
        PlanItem.objects.filter(plan__kind=Plan.Kind.CORPORATE, kind="priority")
        .annotate(n=Count("links_in"))
        .order_by("-n", "pk")
        .select_related("plan")
        .first()
    )
    member = User.objects.get(username="member")
    rollup = thread_rollup.contributions(priority, member)
    assert len(rollup.summaries) >= 2 and rollup.contributors >= 5
    assert rollup.period is not None and rollup.combined
    assert rollup.total_cost > 0
    client.force_login(member)
    response = client.get(reverse("monitoring:item-contributions", args=[priority.plan.slug, priority.pk]))
    assert response.status_code == 200 and rollup.total_cost_shown in response.content.decode()
