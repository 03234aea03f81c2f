"""A year of quarterly monitoring for the demo council, told through the services after
``load_demo`` has loaded the plans and told planning's story (``demo.planning_story``).

The admin creates the quarters of 2013/14, the year every demo plan starts in. Leads
then report on every action and target of the approved plans, quarter by quarter, and
plan owners review what they send:

- Q1 and Q2: nearly every return accepted; some were returned with a reason first and
  accepted when resubmitted; a few never came. The admin locks both quarters once they
  have been reported to members.
- Q3: a mix: accepted, submitted and awaiting review, returned with a reason and not yet
  resubmitted, drafts, and missing ones. The owner of Bold Steps chased the quarter, and
  the daily reminder run has sent the overdue reminders.
- Q4: open, the quarter to run in the browser: a few drafts, one return submitted and
  waiting for the Standards and School Improvement owner's review, the rest not started,
  so the owner can chase, leads (officers and partners) fill, and the owner review.

Ratings: actions are rated from their dates (not started before they start, complete once
due) or by a fixed pattern of green, amber and red. Targets report a measured value put on
the side of the trajectory that gives the status their track asks for (results published
once a year have no figure in Q1 and keep the summer's figure after it), and now and then
the lead's RAG is kinder (or harsher) than the derived status, so the two differ on the
page. Two returns revise a due date with a reason; accepting them moves the item's due
date, with the reason in the item's history. Some returns record soft outcomes and an
evidence link. Risk registers on three plans carry nine risks reviewed in Q1, Q2 and Q3,
their scores moving across the 5×5 grid; one is closed.

Every write goes through ``monitoring.services`` and ``monitoring.risks``, so history,
validation and notifications are exactly what people's own actions produce. Authors are
people allowed to fill the return (``monitoring.access.can_fill``: the lead officer, a
person in the lead organisation, else the parent action's lead or the plan's owner);
reviewers are the plan owners. Items are found by title, as in ``demo.planning_story``:
if the demo content changes so that one is missing, ``tell`` fails loudly.

Dates, the choice made here. Services stamp every change with the real clock, and the
demo does not back-date anything: every return, review and lock is stamped with the
moment ``load_demo`` ran, as planning's editions are. So:

- Q1–Q3 keep their real 2013/14 due dates (15 July 2013, 15 October 2013, 15 January
  2014). By the clock every return in them arrived after its due date, and the lateness
  the app shows (the "Overdue" list and "Late" tags on My returns, overdue reminders) is
  Q3's: the returns still missing, in draft or returned for changes.
- Q4's due date is moved by the admin (``period_update``, so its history says so) to
  ``Q4_DAYS_TO_GO`` days after the day the demo is loaded, so the open quarter is due,
  not already overdue: the owner can chase it today, the daily reminder run sends its
  "before" reminders a week before the date and its overdue ones after it, and a return
  submitted in the browser is on time. A demo database kept for weeks ages like a real one:
  Q4 becomes overdue once the date passes.

Everything else is fixed by the demo content and ``today``: no randomness.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import QuerySet
from django.utils.text import slugify

from config.history import database_now
from monitoring import risks, services, trajectory
from monitoring.access import REPORTED_KINDS, can_fill, can_review
from monitoring.models import ProgressReturn, ReportingPeriod, Risk, RiskReview
from partners.models import User
from planning.models import Plan, PlanItem, financial_year

YEAR = 2013
Q4_DAYS_TO_GO = 14
OWNER_PLAN = "standards-school-improvement-2013-14"  # the owner persona reviews its Q4 return in the browser
CHASED_PLAN = "bold-steps-for-education-2013-16"  # its owner chased Q3

State = ProgressReturn.State
Rag = ProgressReturn.Rag

# what happens to a return in a quarter
ACCEPTED = "accepted"  # submitted and accepted
RESUBMITTED = "resubmitted"  # submitted, returned with a reason, resubmitted, accepted
SUBMITTED = "submitted"  # submitted, waiting for review
RETURNED = "returned"  # submitted, returned with a reason, not yet resubmitted
DRAFT = "draft"  # saved, not submitted
MISSING = "missing"  # nothing yet

# each plan's reported items, in reading order, take their fates from these cycles in
# turn (offset by plan, so plans differ)
A, R, S, X, D, M = ACCEPTED, RESUBMITTED, SUBMITTED, RETURNED, DRAFT, MISSING
FATES = {
    1: [A, A, A, A, A, R, A, A, A, M, A, A],
    2: [A, A, R, A, A, A, A, M, A, A, R, A],
    3: [A, S, A, M, D, A, X, A, M, S, A, M],
    4: [M, M, M, D, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M, M],
}
ACTION_RAGS = [Rag.GREEN, Rag.GREEN, Rag.AMBER, Rag.GREEN, Rag.RED, Rag.GREEN, Rag.GREEN, Rag.AMBER]
# how a target fares quarter by quarter (Q1 to Q4): its measured value is put on the side
# of the trajectory that gives this derived status
TARGET_TRACKS = [
    ["green", "green", "green", "green"],
    ["amber", "amber", "red", "red"],
    ["green", "green", "amber", "green"],
    ["red", "amber", "amber", "green"],
    ["green", "amber", "green", "green"],
    ["amber", "green", "green", "green"],
    ["red", "red", "red", "amber"],
    ["green", "green", "green", "amber"],
]
# the lead's view of a target when it is not the derived one
KINDER = {"red": Rag.AMBER, "amber": Rag.GREEN}
HARSHER = {"green": Rag.AMBER}

NARRATIVES = {
    Rag.GREEN: [
        "On track. The milestones planned for this quarter were met and the work is going as the plan describes.",
        "Good progress this quarter: the work is on schedule and within budget, and partners are fully involved.",
        "Delivered as planned this quarter. Nothing to escalate.",
        "On schedule. This quarter's activity went ahead as planned and early feedback is positive.",
    ],
    Rag.AMBER: [
        "Some slippage: one milestone moved by a few weeks while partners signed it off. We still expect to finish "
        "on time.",
        "Slower than planned because of two vacancies in the team; cover from a neighbouring service starts next "
        "month.",
        "Mostly on track, but take-up is lower than hoped. We are contacting everyone who has not signed up yet.",
    ],
    Rag.RED: [
        "Behind plan. This quarter's key milestone was missed and the action will not finish on time without more "
        "capacity; options go to the directorate management team next month.",
        "Significant delay: the procurement had to be re-run after no compliant bids were received.",
        "Off track. Funding for the second phase is not confirmed, so the work has paused until the budget is set.",
    ],
    Rag.COMPLETE: [
        "Complete. Everything this action set out to do has been done.",
        "Completed as planned; what remains is part of normal business.",
    ],
}
NEXT_STEPS = [
    "Keep to the plan; report progress to the steering group next quarter.",
    "Agree the remaining milestones with partners by the end of next month.",
    "Review take-up with the reference group and adjust the offer.",
    "Confirm the budget for next year with Finance.",
]
SOFT_OUTCOMES = [
    "Partners now bring their own data to the steering group rather than waiting to be asked for it.",
    "Families told us the new letters were clearer and they knew who to call.",
    "Staff from different organisations now sort out problems together without waiting for the next meeting.",
    "Young people who took part asked for the sessions to carry on next term.",
    "Front-line staff say the new way of working saves them time.",
]
# results published once a year: no figure in Q1, the summer's figure until the next
ANNUAL = ["level 4", "GCSEs", "good level of development", "floor standard", "Free school meals gap",
          "qualified to level", "completing their college programme", "Year 6 who are obese"]  # fmt: skip
# a thin first submission, and the reviewers' reasons for returning returns
THIN_NARRATIVE = "On track."
THIN_REASON = "Say what was done this quarter and what comes next, not only that it is on track."
KIND_RAG_REASON = "The value is below the trajectory, so the rating needs explaining: say why, or change the rating."
NO_EVIDENCE_REASON = "Please link to the source of this figure so that members can check it."


@dataclass(frozen=True)
class Script:
    """A return written by hand for one item in one quarter (the fate, and the content of
    the return as finally saved; ``first`` is what was sent first when it was returned)."""

    fate: str
    fields: dict
    first: dict | None = None
    reason: str = ""
    author: str = ""  # username, when not the usual author


# --- the returns written by hand ----------------------------------------------------------

REVISED_SSI = "Agree an improvement plan with each school judged to require improvement"
REVISED_PARTNER = "Agree how partners share learner data"
RETURNED_TO_OFFICER = "Broker school-to-school support through collaborative improvement hubs"
PARTNER_ACTIONS = [
    "Create a 14–16 vocational offer delivered with Northmoor College",
    "Keep more students on their college courses",
]
Q4_SUBMITTED = "Challenge schools on how they spend the pupil premium"

SCRIPTS: dict[tuple[str, int], Script] = {
    (REVISED_SSI, 1): Script(
        ACCEPTED,
        {
            "rag": Rag.AMBER,
            "narrative": "Improvement plans are agreed with 15 of the 19 schools judged to require improvement at the "
            "start of the year. Ofsted judged four more schools to require improvement in June; their plans cannot "
            "be agreed with governors before the autumn term.",
            "next_steps": "Agree the four remaining plans at the governors' meetings in September.",
            "revised_due_date": date(2013, 9, 27),
            "revision_reason": "Four more schools were judged to require improvement in June, after the plan was "
            "written; their governing bodies next meet in September.",
            "evidence_url": "https://www.northmoor.gov.example/school-improvement/improvement-plans-2013",
        },
    ),
    (REVISED_PARTNER, 2): Script(
        RESUBMITTED,
        {
            "rag": Rag.RED,
            "narrative": "The data-sharing protocol is drafted and agreed by the schools, but the college and two "
            "academy trusts asked their own legal advisers to review it before they sign.",
            "next_steps": "Chase the legal reviews through the 14–19 Steering Group.",
            "revised_due_date": date(2014, 1, 31),
            "revision_reason": "The college and two academy trusts are having the protocol reviewed by their own "
            "legal advisers; the last review ends in January.",
        },
        first={"rag": Rag.RED, "narrative": "The data-sharing protocol is not signed yet."},
        reason="Please give the date the protocol will now be signed, and why it slipped, so that the plan shows "
        "the new date.",
        author="pquinn",
    ),
    (REVISED_PARTNER, 3): Script(
        ACCEPTED,
        {
            "rag": Rag.AMBER,
            "narrative": "Two of the three legal reviews are finished with minor changes; the college's is due in "
            "mid-January.",
            "soft_outcomes": "The academy trusts now send a data manager to the steering group.",
        },
        author="pquinn",
    ),
    (RETURNED_TO_OFFICER, 3): Script(
        RETURNED,
        {"rag": Rag.GREEN, "narrative": "The hubs continue to work well and schools value the support."},
        reason="This says what last quarter's return said. Say what the hubs did between October and December and "
        "how many schools they supported.",
    ),
    (PARTNER_ACTIONS[0], 3): Script(
        SUBMITTED,
        {
            "rag": Rag.GREEN,
            "narrative": "The college's construction and care courses for 14–16 year olds started in September with "
            "326 pupils from 11 schools. Attendance this term was 93%.",
            "soft_outcomes": "Several schools say pupils on the courses are better behaved back at school.",
            "evidence_url": "https://www.northmoor-college.example/schools/14-16-courses/autumn-2013",
            "next_steps": "Plan the second intake with schools by March.",
        },
    ),
    (PARTNER_ACTIONS[1], 3): Script(
        RETURNED,
        {
            "rag": Rag.AMBER,
            "narrative": "Retention is better than last year on most courses, but not yet on the level 1 programmes.",
        },
        reason="Please add the autumn-term retention figure the college reported to the steering group, and link "
        "to the report.",
    ),
    (PARTNER_ACTIONS[1], 4): Script(
        DRAFT,
        {"rag": Rag.AMBER, "narrative": "Spring-term retention figures are being checked by the college's MIS team."},
    ),
    (Q4_SUBMITTED, 4): Script(
        SUBMITTED,
        {
            "rag": Rag.COMPLETE,
            "narrative": "Every school with more than 20 pupils on free school meals has had a pupil premium "
            "challenge visit this year, and the reports have gone to their governors. Schools that spent the "
            "premium on what works closed the gap fastest.",
            "soft_outcomes": "Governors now ask for the pupil premium report without being prompted.",
            "evidence_url": "https://www.northmoor.gov.example/school-improvement/pupil-premium-challenge-2013-14",
            "next_steps": "Fold the challenge visits into the annual school review from April.",
        },
    ),
}
Q4_DRAFTS = [  # by title: (rag, narrative); more drafts come from the pattern
    ("Spread outstanding practice through collaborative hubs and teaching schools", Rag.GREEN,
     "Three new teaching school alliances designated in February; figures for the hubs to follow."),
    ("Deploy National and Local Leaders of Education to schools judged inadequate", Rag.GREEN,
     "Every inadequate school has a National or Local Leader of Education working with it."),
    ("Build safer schools partnerships with Northmoor Constabulary", Rag.AMBER,
     "Safer schools officers are in 14 of the 20 secondary schools; the rest start after Easter."),
    ("Create a 14–16 vocational offer delivered with Northmoor College", Rag.GREEN,
     "Spring term attendance is holding at 92%."),
]  # fmt: skip


# --- risks ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskScript:
    plan: str
    item: str  # title, or "" for the plan as a whole
    owner: str
    title: str
    cause: str
    consequence: str
    mitigations: str
    start: tuple[int, int]  # likelihood, impact when the risk was added
    target: tuple[int, int]
    reviews: list[tuple[int, int, str]]  # Q1, Q2, Q3 …: likelihood, impact, note
    closed: str = ""  # the reason, if the risk is closed after its last review


BOLD_STEPS, SSI, AREA_PLAN = CHASED_PLAN, OWNER_PLAN, "14-19-area-inspection-action-plan"
RISKS = [
    RiskScript(
        BOLD_STEPS, "Lead the Northmoor Challenge for every primary school below good", "owner",
        "Primary schools do not improve fast enough to reach 85% good or outstanding by 2015",
        "Inspections under the new framework; leadership turnover in small rural schools.",
        "The Bold Steps ambition is missed and more pupils are taught in schools below good.",
        "Termly challenge visits; National Leaders of Education for the weakest schools.",
        (4, 5), (2, 4),
        [(4, 5, "No change: too early to see the Challenge's effect."),
         (4, 4, "Eleven schools improved at their summer inspections."),
         (3, 4, "On the trajectory for the first time this year.")],
    ),
    RiskScript(
        BOLD_STEPS, "Commission enough school places to meet rising rolls", "gharcourt",
        "Rising rolls outstrip the places the basic need capital will pay for",
        "Birth rates and housing growth above the forecasts the allocation is based on.",
        "Children without a school place near home; costly temporary classrooms.",
        "Annual forecast review with the districts; expansion of popular schools first.",
        (3, 4), (2, 4),
        [(3, 4, "Forecast confirmed with the districts."),
         (4, 4, "September's reception intake was 3% above the forecast."),
         (4, 5, "The capital allocation for 2014–15 is lower than assumed: escalated to the Cabinet Member.")],
    ),
    RiskScript(
        BOLD_STEPS, "Offer a single traded services catalogue to schools and academies", "fwalsh",
        "Academies stop buying council services, leaving traded services unviable",
        "Academy conversions and new providers entering the market.",
        "Traded services run at a loss and the core offer to maintained schools suffers.",
        "One catalogue with clear prices; three-year agreements with a discount.",
        (3, 3), (2, 3),
        [(3, 3, "Buy-back steady so far."), (3, 3, "Two academy chains are tendering for payroll."),
         (2, 3, "Both chains renewed for three years.")],
    ),
    RiskScript(
        SSI, "Deploy National and Local Leaders of Education to schools judged inadequate", "kmorgan",
        "Too few National and Local Leaders of Education to support every school in difficulty",
        "Few outstanding headteachers in the north of the county.", "Inadequate schools wait for support.",
        "Designate more Local Leaders of Education; buy support from the neighbouring teaching school alliance.",
        (4, 3), (2, 2),
        [(4, 3, "Six schools waiting for a leader."), (3, 3, "Eight new Local Leaders of Education designated."),
         (2, 2, "Every inadequate school now has a leader working with it.")],
    ),
    RiskScript(
        SSI, "", "owner",
        "Ofsted's tougher framework judges more schools as requiring improvement than planned for",
        "The September 2012 framework replaced 'satisfactory' with 'requires improvement'.",
        "More schools need support than the service is staffed for.",
        "Prioritise schools by risk; train more associate advisers.",
        (4, 4), (3, 3),
        [(5, 4, "Four more schools judged to require improvement in June."),
         (5, 4, "No change."), (4, 4, "Fewer schools fell a grade this autumn than last.")],
    ),
    RiskScript(
        SSI, "Run summer schools for pupils at risk of missing level 4", "officer",
        "Too few pupils attend the summer schools to make a difference at level 4",
        "Summer schools are voluntary and compete with family holidays.",
        "Fewer pupils reach level 4 in English and maths.",
        "Schools invite pupils personally; free transport from the rural schools.",
        (3, 2), (1, 2),
        [(2, 2, "Bookings ahead of last year."), (1, 2, "1,140 pupils attended, more than planned.")],
        closed="Closed: the summer schools ran in August, with more pupils than planned.",
    ),
    RiskScript(
        AREA_PLAN, "Agree how partners share learner data", "pquinn",
        "Partners do not agree to share learner data before the inspectors return",
        "Each partner's legal advisers review the protocol separately.",
        "The plan cannot show progress across the area, a key finding of the inspection.",
        "The 14–19 Steering Group chases the reviews; an interim agreement for destination data.",
        (3, 4), (1, 4),
        [(3, 4, "Protocol drafted."), (4, 4, "The college and two academy trusts are reviewing the protocol."),
         (3, 4, "Two of the three legal reviews finished.")],
    ),
    RiskScript(
        AREA_PLAN, "Create a 14–16 vocational offer delivered with Northmoor College", "partner",
        "Funding for college-delivered 14–16 courses ends in 2014",
        "The Young People's Learning Agency's transitional funding ends in July 2014.",
        "Schools cannot afford the courses and 340 pupils lose their vocational route.",
        "Schools to buy places from their own budgets at a shared rate; a bid to the LEP.",
        (3, 5), (1, 5),
        [(3, 5, "Funding beyond July 2014 not yet known."), (3, 5, "No change."),
         (2, 5, "Nine of the eleven schools have agreed to buy places next year.")],
    ),
    RiskScript(
        AREA_PLAN, "Federate the small sixth forms in the north of the county", "kmorgan",
        "Small sixth forms in the north resist federation",
        "Governors fear losing their school's sixth form.",
        "Courses keep being cancelled and students travel further for A levels.",
        "Heads of the schools lead the design; a shared timetable before any change of governance.",
        (2, 3), (2, 2),
        [(2, 3, "Heads are positive about a shared timetable."),
         (3, 3, "One governing body voted against the federation."),
         (3, 4, "Two more governing bodies want a consultation with parents first.")],
    ),
]  # fmt: skip


# --- telling it ---------------------------------------------------------------------------------


@dataclass
class Told:
    periods: list[ReportingPeriod]
    awaiting: int  # Q3 and Q4 returns submitted and awaiting review
    risks: int
    reviews: int

    @property
    def q4(self) -> ReportingPeriod:
        return self.periods[3]

    @property
    def outstanding(self) -> int:
        """Q4 returns not yet submitted, counted when printed: the milestones' story
        (``demo.milestones_story``, told after this one) reports some that were due."""
        return len(services.outstanding_items(self.q4))

    def summary(self) -> str:
        return (
            f"Q1 and Q2 {financial_year(YEAR)} are locked; {self.awaiting} returns in Q3 and Q4 await review; Q4 is "
            f"open, due {self.q4.due_on:%-d %B %Y}, with {self.outstanding} returns outstanding; {self.risks} risks "
            f"with {self.reviews} quarterly reviews."
        )


def tell(*, today: date, each_quarter: Callable[[ReportingPeriod, int], None] | None = None) -> Told:
    """Create the quarters of 2013/14 and tell its four quarters of returns and risk reviews;
    ``each_quarter(period, number)`` tells what else happens in a quarter before it is locked
    (the inspection's judgements of progress: ``demo.inspection_story``)."""
    people = {user.username: user for user in User.objects.select_related("organisation")}
    admin = people["admin"]
    periods = services.financial_year_create(start_year=YEAR, user=admin)
    q4 = periods[3]
    due = max(q4.due_on, today + timedelta(days=Q4_DAYS_TO_GO))
    if due != q4.due_on:
        periods[3] = services.period_update(period_id=q4.pk, user=admin, due_on=due, expected_version=q4.version)

    story = _Story(people)
    made = _add_risks(people)
    for number, period in zip((1, 2, 3, 4), periods, strict=True):
        _tick()
        if number == 3:  # the Bold Steps owner chases Q3 before most of its returns are in
            chased = Plan.objects.select_related("owner").get(slug=CHASED_PLAN)
            services.reminders_send(period=period, plan=chased, user=chased.owner)
        story.quarter(period, number)
        if each_quarter is not None:
            each_quarter(period, number)
        _tick()
        _review_risks(made, period, number)
        if number <= 2:  # reported to members (Cabinet sees each quarter the quarter after)
            _tick()
            services.period_lock(period_id=period.pk, user=admin)
    _tick()
    services.scheduled_reminders_send(today=today)  # the daily run: Q3 is overdue, Q4 not yet near its date
    periods = list(ReportingPeriod.objects.filter(pk__in=[period.pk for period in periods]))
    return Told(
        periods=periods,
        awaiting=ProgressReturn.objects.filter(period__in=periods[2:], state=State.SUBMITTED).count(),
        risks=len(made),
        reviews=RiskReview.objects.filter(risk__in=made).count(),
    )


def _tick() -> None:
    """Wait until the database clock has moved on, so each step of the year has its own
    moment in history (as ``demo.planning_story`` does between its steps)."""
    moment = database_now()
    while database_now() <= moment:
        time.sleep(0.001)


def reported_items() -> QuerySet[PlanItem]:
    """Every action and target of an approved plan, plan by plan in reading order."""
    return (
        PlanItem.objects.filter(kind__in=REPORTED_KINDS, plan__status=Plan.Status.APPROVED)
        .select_related(
            "plan__owner", "plan__organisation", "lead_officer", "lead_organisation", "parent__lead_officer"
        )
        .order_by("plan__slug", "tree_id", "lft")
    )


class _Story:
    def __init__(self, people: dict[str, User]):
        self.people = people
        self.by_organisation: dict[int, list[User]] = {}
        for user in sorted(people.values(), key=lambda u: u.username):
            if user.organisation_id and user.is_active and user.role != User.Role.MEMBER:
                self.by_organisation.setdefault(user.organisation_id, []).append(user)
        titles = {title for title, _ in SCRIPTS} | {title for title, _, _ in Q4_DRAFTS}
        found = set(reported_items().filter(title__in=titles).values_list("title", flat=True))
        if missing := titles - found:
            raise LookupError(f"The demo monitoring story needs these items: {sorted(missing)}")
        self.measured: dict[int, Decimal] = {}  # item id -> the last value reported

    def quarter(self, period: ReportingPeriod, number: int) -> None:
        drafts = {title: (rag, narrative) for title, rag, narrative in Q4_DRAFTS} if number == 4 else {}
        plans: dict[str, int] = {}  # plan slug -> its place among the plans
        seen: dict[str, int] = {}  # plan slug -> how many of its items came before this one
        for item in reported_items():  # read again: accepted returns may have moved due dates
            plan_index = plans.setdefault(item.plan.slug, len(plans))
            index = seen[item.plan.slug] = seen.get(item.plan.slug, -1) + 1
            script = SCRIPTS.get((item.title, number))
            if script is None and item.title in drafts:
                rag, narrative = drafts[item.title]
                script = Script(DRAFT, {"rag": rag, "narrative": narrative})
            if script is None:
                cycle = FATES[number]
                fate = cycle[(index + 5 * plan_index) % len(cycle)]
                if fate == MISSING:
                    continue
                script = self._scripted(item, period, number, index + plan_index, fate)
            author = self.people[script.author] if script.author else self._author(item)
            if author == item.plan.owner and script.fate in {RESUBMITTED, RETURNED}:
                script = Script(ACCEPTED, script.fields)  # nobody sends their own return back
            self._write(item, period, script, author)

    # -- who -------------------------------------------------------------------------------

    def _author(self, item: PlanItem) -> User:
        """The lead officer, else a person in the lead organisation, else the parent
        action's lead officer, else the plan's owner: the first who may fill the return."""
        candidates = [item.lead_officer, *self.by_organisation.get(item.lead_organisation_id, [])]
        if item.parent is not None:
            candidates.append(item.parent.lead_officer)
        candidates.append(item.plan.owner)
        for person in candidates:
            if person is not None and can_fill(person, item):
                return person
        raise LookupError(f"Nobody may fill the return for {item}")

    # -- what ------------------------------------------------------------------------------

    def _scripted(self, item: PlanItem, period: ReportingPeriod, number: int, seed: int, fate: str) -> Script:
        """The return the pattern gives ``item`` in ``period``."""
        if item.is_target:
            fields, flawed = self._target_fields(item, period, number, seed)
        else:
            fields = self._action_fields(item, period, number, seed)
            flawed = ({"narrative": THIN_NARRATIVE}, THIN_REASON) if fields["rag"] != Rag.NOT_STARTED else None
        if seed % 5 == 1 and fields["rag"] != Rag.NOT_STARTED:
            fields["soft_outcomes"] = SOFT_OUTCOMES[(seed + number) % len(SOFT_OUTCOMES)]
        if seed % 6 == 2 and fields["rag"] != Rag.NOT_STARTED:
            fields["evidence_url"] = self._evidence(item, number)
        if fields.get("actual_value") is not None and fate != DRAFT:
            self.measured[item.pk] = fields["actual_value"]
        if fate == DRAFT:  # written but not sent: no next steps, soft outcomes or evidence yet
            return Script(DRAFT, {name: fields.get(name) for name in ("rag", "actual_value", "narrative")})
        if fate in {RESUBMITTED, RETURNED}:
            if flawed is None:  # nothing to find fault with: an ordinary return
                return Script(ACCEPTED if fate == RESUBMITTED else SUBMITTED, fields)
            change, reason = flawed
            if reason == NO_EVIDENCE_REASON:
                fields["evidence_url"] = self._evidence(item, number)
            return Script(fate, fields, first={**fields, **change}, reason=reason)
        return Script(fate, fields)

    def _action_fields(self, item: PlanItem, period: ReportingPeriod, number: int, seed: int) -> dict:
        if item.start_date and item.start_date > period.ends_on:
            return {
                "rag": Rag.NOT_STARTED,
                "narrative": f"Not started: the work begins on {item.start_date:%-d %B %Y}, as the plan says.",
            }
        if item.due_date and item.due_date <= period.ends_on:
            done_before = item.due_date < period.starts_on
            narrative = (
                f"Completed in {item.due_date:%B %Y}; nothing further to report."
                if done_before
                else NARRATIVES[Rag.COMPLETE][seed % 2]
            )
            return {"rag": Rag.COMPLETE, "narrative": narrative}
        rag = ACTION_RAGS[(seed + number) % len(ACTION_RAGS)]
        pool = NARRATIVES[rag]
        return {
            "rag": rag,
            "narrative": pool[(seed + number) % len(pool)],
            "next_steps": NEXT_STEPS[(seed + number) % len(NEXT_STEPS)],
        }

    def _target_fields(
        self, item: PlanItem, period: ReportingPeriod, number: int, seed: int
    ) -> tuple[dict, tuple[dict, str] | None]:
        """A measured value on the side of the trajectory the pattern asks for, the lead's
        RAG (now and then kinder or harsher than the derived one), and what a returned
        first submission got wrong. Results published once a year (``ANNUAL``) have no
        figure in Q1 and keep the summer's figure in Q3 and Q4."""
        expected = trajectory.expected_at(item, period.ends_on)
        annual = any(words in item.title for words in ANNUAL)
        if annual and number == 1:
            return {
                "rag": Rag.NOT_STARTED,
                "narrative": "Measured once a year: this summer's results are published in the autumn, so there is "
                "no new figure this quarter.",
            }, None
        if annual and item.pk in self.measured:
            value = self.measured[item.pk]
            given = derived = trajectory.derived_status(item, value, period.ends_on)
            narrative = (
                f"{_show(item, value)}: this year's published result, the latest there is until next autumn. The "
                f"trajectory has moved on to {_show(item, expected)}."
            )
        else:
            wanted = TARGET_TRACKS[seed % len(TARGET_TRACKS)][number - 1]
            value, derived = _measure(item, period.ends_on, wanted)
            given = derived
            if (seed + number) % 7 == 3:
                given = KINDER.get(derived, derived)
            elif (seed + number) % 11 == 5:
                given = HARSHER.get(derived, derived)
            narrative = (
                f"{_show(item, value)} at the end of the quarter, against {_show(item, expected)} on the trajectory."
            )
            if given != derived:
                narrative += (
                    " We expect to close the gap next quarter as the work starts to show."
                    if derived != "green"
                    else " Ahead of the line, but the next figure is likely to fall back, so we are cautious."
                )
        fields = {"rag": given, "actual_value": value, "narrative": narrative}
        if derived != "green":
            flawed = ({"rag": Rag.GREEN}, KIND_RAG_REASON) if given != Rag.GREEN else None
        else:
            flawed = ({"evidence_url": ""}, NO_EVIDENCE_REASON)
        return fields, flawed

    def _evidence(self, item: PlanItem, number: int) -> str:
        organisation = item.lead_organisation
        site = (
            f"https://www.{organisation.slug}.example"
            if organisation is not None and organisation.kind not in {"council", "directorate", "service"}
            else "https://www.northmoor.gov.example"
        )
        return f"{site}/performance/2013-14/q{number}/{slugify(item.title)[:60]}"

    # -- writing ---------------------------------------------------------------------------

    def _write(self, item: PlanItem, period: ReportingPeriod, script: Script, author: User) -> None:
        reviewer = item.plan.owner
        if not can_fill(author, item) or not can_review(reviewer, item.plan):
            raise ValueError(f"{author} may not fill, or {reviewer} may not review, the return for {item}")
        save = services.return_save
        if script.fate == DRAFT:
            save(item=item, period=period, user=author, fields=script.fields, expected_version=0)
            return
        ret = save(item=item, period=period, user=author, fields=script.first or script.fields, expected_version=0,
                   submit=True)  # fmt: skip
        if script.fate in {RESUBMITTED, RETURNED}:
            ret = services.return_send_back(
                return_id=ret.pk, user=reviewer, expected_version=ret.version, reason=script.reason
            )
            if script.fate == RETURNED:
                return
            ret = save(item=item, period=period, user=author, fields=script.fields, expected_version=ret.version,
                       submit=True)  # fmt: skip
        if script.fate in {ACCEPTED, RESUBMITTED}:
            services.return_accept(return_id=ret.pk, user=reviewer, expected_version=ret.version)


def _measure(item: PlanItem, on: date, wanted: str) -> tuple[Decimal, str]:
    """A value for ``item`` measured ``on`` whose derived status is ``wanted`` if the
    unit allows one (else the nearest), and that status."""
    expected = trajectory.expected_at(item, on)
    tolerance = item.amber_tolerance or Decimal(0)
    step = {
        PlanItem.Unit.PERCENTAGE: Decimal("0.1"),
        PlanItem.Unit.POUNDS: Decimal(100),
    }.get(item.unit, Decimal(1))
    better = 1 if item.direction == PlanItem.Direction.HIGHER else -1
    offset = {"green": tolerance / 2, "amber": -tolerance / 2, "red": -2 * tolerance - step}[wanted]
    start = expected + better * offset
    tried = []
    for nudge in (0, 1, -1, 2, -2, 3, -3):
        value = _fit(item, (start / step).quantize(Decimal(1), rounding=ROUND_HALF_UP) * step + nudge * step)
        derived = trajectory.derived_status(item, value, on)
        if derived == wanted:
            return value, derived
        tried.append((value, derived))
    return tried[0]


def _fit(item: PlanItem, value: Decimal) -> Decimal:
    value = max(value, Decimal(0))
    if item.unit == PlanItem.Unit.PERCENTAGE:
        value = min(value, Decimal(100))
    return value.quantize(Decimal("0.01"))


def _show(item: PlanItem, value: Decimal | None) -> str:
    if value is None:
        return "no figure"
    if item.unit == PlanItem.Unit.PERCENTAGE:
        return f"{value:.1f}%"
    if item.unit == PlanItem.Unit.POUNDS:
        return f"£{value:,.0f}"
    if value != value.to_integral_value():  # a point on the trajectory between two whole numbers
        return f"{value:,.1f}"
    return f"{value:,.0f}"


# --- risk writes ---------------------------------------------------------------------------------


def _add_risks(people: dict[str, User]) -> list[Risk]:
    made = []
    for script in RISKS:
        plan = Plan.objects.get(slug=script.plan)
        item = PlanItem.objects.get(plan=plan, title=script.item) if script.item else None
        made.append(
            risks.risk_create(
                plan=plan,
                user=plan.owner,
                fields={
                    "item": item,
                    "title": script.title,
                    "cause": script.cause,
                    "consequence": script.consequence,
                    "owner": people[script.owner],
                    "likelihood": script.start[0],
                    "impact": script.start[1],
                    "mitigations": script.mitigations,
                    "target_likelihood": script.target[0],
                    "target_impact": script.target[1],
                },
            )
        )
    return made


def _review_risks(made: list[Risk], period: ReportingPeriod, number: int) -> None:
    """Each risk's review for quarter ``number`` (Q4's are left to do in the browser),
    by its plan's owner; a risk whose reviews end is closed after the last one."""
    for risk, script in zip(made, RISKS, strict=True):
        if number > len(script.reviews):
            continue
        likelihood, impact, note = script.reviews[number - 1]
        risks.risk_review(
            risk_id=risk.pk, period=period, user=risk.plan.owner, likelihood=likelihood, impact=impact, note=note
        )
        if script.closed and number == len(script.reviews):
            risk.refresh_from_db()
            risks.risk_update(
                risk_id=risk.pk,
                user=risk.plan.owner,
                fields={"status": Risk.Status.CLOSED},
                expected_version=risk.version,
                reason=script.closed,
            )
