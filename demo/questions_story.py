"""The demo's members' questions (issue 17, decision 0022), told after the monitoring story:
councillors ask about actions and targets on the School Improvement plan's scorecards, in
every state a question can be in.

- answered: Susan Pembridge (the member persona) asked on the Q2 scorecard why an action
  the officer persona leads is behind; the officer answered;
- open: she asked on the Q3 scorecard about another of the officer's actions; the answer is
  due with the Q4 returns, so the officer sees it beside their returns on My returns;
- overdue: George Bramwell asked on the Q2 scorecard, as of 1 November 2013, about a third:
  its answer was due with the Q3 returns (15 January 2014) and never came;
- withdrawn: Ann Neville asked about the plan's first target, then withdrew the question
  once it was answered at committee;
- one question on an item with no lead officer, asked of the plan's owner (the owner persona).

Asking stamps the real clock, as everything in the demo does; only the overdue question's
due date is worked out as of a day in 2013 (``question_ask(today=...)``), which is what
makes it overdue. Items are found as the monitoring story finds them: if the content
changes so that one is missing, ``tell`` fails loudly.
"""

from dataclasses import dataclass
from datetime import date

from demo.monitoring_story import OWNER_PLAN, YEAR
from monitoring import questions
from monitoring.models import MemberQuestion, ReportingPeriod
from partners.models import User
from planning.models import PlanItem

ASKED_OVERDUE_ON = date(YEAR, 11, 1)


@dataclass
class Told:
    answered: int
    open: int
    overdue: int
    withdrawn: int

    def summary(self) -> str:
        return (
            f"members' questions on {OWNER_PLAN}: {self.answered} answered, {self.open} awaiting an answer "
            f"({self.overdue} overdue), {self.withdrawn} withdrawn."
        )


def tell(*, today: date) -> Told:
    """Ask, answer and withdraw the demo's questions."""
    people = {
        user.username: user
        for user in User.objects.filter(username__in=["member", "gbramwell", "aneville", "officer", "owner"])
    }
    q1, q2, q3, q4 = ReportingPeriod.objects.filter(cadence="quarterly", start_year=YEAR).order_by("quarter")
    items = PlanItem.objects.monitored().filter(plan__slug=OWNER_PLAN).select_related("plan__owner", "lead_officer")
    led = list(items.filter(lead_officer=people["officer"], kind=PlanItem.Kind.ACTION).order_by("tree_id", "lft")[:3])
    unled = list(items.filter(lead_officer__isnull=True, kind=PlanItem.Kind.TARGET).order_by("tree_id", "lft")[:2])
    if len(led) < 3 or len(unled) < 2:
        raise LookupError(f"{OWNER_PLAN} needs three actions led by the officer and two targets with no lead officer")

    answered = questions.question_ask(
        item=led[0],
        period=q2,
        user=people["member"],
        text="This action was rated amber at the half year. What is holding it back, and what are you doing about it?",
        today=today,
    )
    questions.question_answer(
        question_id=answered.pk,
        user=people["officer"],
        answer="Two of the five schools joined the programme late, after changes of headteacher. "
        "Both have now had their first visits, and we expect the action to be back on track by the end of Q3.",
    )
    questions.question_ask(
        item=led[1],
        period=q3,
        user=people["member"],
        text="How many schools have taken part so far, and how many more are expected before March?",
        today=today,
    )
    questions.question_ask(
        item=led[2],
        period=q2,
        user=people["gbramwell"],
        text="Could the committee have a breakdown of this work by school, before the next meeting?",
        today=ASKED_OVERDUE_ON,
    )
    withdrawn = questions.question_ask(
        item=unled[0],
        period=q3,
        user=people["aneville"],
        text="Is the target still realistic given the results published in December?",
        today=today,
    )
    questions.question_withdraw(question_id=withdrawn.pk, user=people["aneville"], reason="Answered at committee")
    questions.question_ask(  # no lead officer: asked of the plan's owner
        item=unled[1],
        period=q4,
        user=people["member"],
        text="Who is leading this target now, and how is the figure collected?",
        today=today,
    )
    listed = questions.for_plan(led[0].plan, today=today)
    return Told(
        answered=len(listed.answered),
        open=len(listed.open),
        overdue=len(listed.overdue),
        withdrawn=MemberQuestion.objects.filter(state=MemberQuestion.State.WITHDRAWN).count(),
    )
