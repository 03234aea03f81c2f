"""Members' questions (issue 17, decision 0022): an elected member asks about an action or
target on a quarter's scorecard; the item's lead answers by a due date; the questions and
answers are listed on the next scorecard and its PDF pack, and beside the lead's returns.

Writes (``question_ask``, ``question_answer``, ``question_withdraw``) are one transaction
each, the question's row locked while it changes, stamped in history with who and why
(``change_context``), and tell the other side through the notification outbox. An answer
is given once: a second answer, or an answer to a withdrawn question, is refused and
nothing changes. The reads for the pages are here too, so the feature is one module.

When the answer is due: by the day the next quarter's returns are due (so it is in the
next scorecard), but never sooner than ``MIN_DAYS_TO_ANSWER`` days after asking; where
the next quarter has not been set up, ``DAYS_WITHOUT_NEXT_QUARTER`` days after asking.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from config import bilingual
from config.history import change_context
from config.language import in_language_of
from monitoring.models import MemberQuestion, ReportingPeriod
from partners.models import User
from partners.services import notify
from planning.formatting import short_date
from planning.models import Plan, PlanItem

State = MemberQuestion.State
MIN_DAYS_TO_ANSWER = 14
DAYS_WITHOUT_NEXT_QUARTER = 28


def _earlier(period: ReportingPeriod, prefix: str = "", later: bool = False) -> Q:
    """The periods of ``period``'s cadence before it (or, with ``later``, after it), as a
    filter on ``prefix`` (``"period__"`` from a question): a plan reports in one cadence."""
    beyond = "gt" if later else "lt"
    return Q(**{f"{prefix}cadence": period.cadence, f"{prefix}starts_on__{beyond}": period.starts_on})


def answer_due(period: ReportingPeriod, today: date) -> date:
    """When a question asked ``today`` on ``period``'s scorecard is to be answered."""
    after = (
        ReportingPeriod.objects.filter(_earlier(period, later=True))
        .order_by("starts_on")
        .values_list("due_on", flat=True)
        .first()
    )
    if after is None:
        return today + timedelta(days=DAYS_WITHOUT_NEXT_QUARTER)
    return max(after, today + timedelta(days=MIN_DAYS_TO_ANSWER))


def _required(field: str, text: str, message: str) -> str:
    text = text.strip()
    if not text:
        raise ValidationError({field: message})
    return text


# --- writes --------------------------------------------------------------------------------------


@transaction.atomic
def question_ask(
    *, item: PlanItem, period: ReportingPeriod, user: User, text: str, today: date | None = None
) -> MemberQuestion:
    """``user`` (a member: ``monitoring.access.can_ask``) asks about ``item`` on ``period``'s
    scorecard; its addressee is told. ``today`` sets the due date (the demo asks as of a
    past day); the question is stamped with the real time."""
    text = _required("text", text, _("Enter your question"))
    question = MemberQuestion(
        item=item,
        period=period,
        asked_by=user,
        text=text,
        asked_at=timezone.now(),
        due_on=answer_due(period, today or timezone.localdate()),
    )
    question.full_clean()
    with change_context(reason=f"Question asked on the {period.english_label} scorecard", user=user):
        question.save()
    addressee = question.addressee
    if addressee is not None:
        with in_language_of(addressee):
            words = {"user": user, "period": period.label, "due": short_date(question.due_on)}
            notify(
                recipients=[addressee],
                subject=_("A member's question on %(item)s") % {"item": bilingual.text(item)},
                body=_("%(user)s asked, on the %(period)s scorecard:") % words
                + f"\n\n{text}\n\n"
                + _("Please answer by %(due)s.") % words,
                url=question.get_absolute_url(),
            )
    return question


def _locked(question_id: int) -> MemberQuestion:
    return (
        MemberQuestion.objects.select_for_update(of=("self",))
        .select_related("item__plan", "period", "asked_by", "answered_by")
        .get(pk=question_id)
    )


def _refuse_unless_open(question: MemberQuestion) -> None:
    """An answered or withdrawn question takes no answer and no withdrawal (the page's
    message says why, at the top: the form it came from is no longer shown)."""
    if question.state == State.ANSWERED:
        raise ValidationError(_answered(question))
    if question.state == State.WITHDRAWN:
        raise ValidationError(_("This question was withdrawn by the member who asked it: it needs no answer."))


def _answered(question: MemberQuestion) -> str:
    """Why an answered question takes no other answer, with who answered it and when."""
    who = question.answered_by
    when = short_date(timezone.localdate(question.answered_at)) if question.answered_at else ""
    if who and when:
        message = _("This question has already been answered by %(who)s on %(when)s: the answer cannot change.")
    elif who:
        message = _("This question has already been answered by %(who)s: the answer cannot change.")
    elif when:
        message = _("This question has already been answered on %(when)s: the answer cannot change.")
    else:
        message = _("This question has already been answered: the answer cannot change.")
    return message % {"who": who, "when": when}


@transaction.atomic
def question_answer(*, question_id: int, user: User, answer: str) -> MemberQuestion:
    """``user`` (the item's lead or the plan's owner: ``monitoring.access.can_answer``)
    answers an open question, once; the member who asked is told."""
    question = _locked(question_id)
    _refuse_unless_open(question)
    question.answer = _required("answer", answer, _("Enter your answer"))
    question.state = State.ANSWERED
    question.answered_by = user
    question.answered_at = timezone.now()
    question.version += 1
    question.full_clean()
    with change_context(reason="Question answered", user=user):
        question.save()
    if question.asked_by is not None:
        with in_language_of(question.asked_by):
            notify(
                recipients=[question.asked_by],
                subject=_("Your question on %(item)s has been answered") % {"item": bilingual.text(question.item)},
                body=_("%(user)s answered:") % {"user": user} + f"\n\n{question.answer}",
                url=question.get_absolute_url(),
            )
    return question


@transaction.atomic
def question_withdraw(*, question_id: int, user: User, reason: str = "") -> MemberQuestion:
    """The member who asked withdraws an open question (with their reason, if given)."""
    question = _locked(question_id)
    _refuse_unless_open(question)
    question.state = State.WITHDRAWN
    question.version += 1
    why = reason.strip()
    with change_context(reason=f"Question withdrawn: {why}" if why else "Question withdrawn", user=user):
        question.save()
    return question


# --- reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """The questions of a page, in the groups it shows them."""

    open: list[MemberQuestion]
    answered: list[MemberQuestion]
    withdrawn: list[MemberQuestion]
    today: date

    @property
    def overdue(self) -> list[MemberQuestion]:
        return [q for q in self.open if q.due_on < self.today]

    @property
    def total(self) -> int:
        return len(self.open) + len(self.answered) + len(self.withdrawn)


def _with_people(questions: QuerySet[MemberQuestion]) -> QuerySet[MemberQuestion]:
    return questions.select_related(
        "item__plan__owner", "item__lead_officer", "period", "asked_by", "answered_by"
    ).order_by("due_on", "asked_at", "pk")


def _listed(questions: QuerySet[MemberQuestion], today: date) -> Listed:
    found = list(_with_people(questions))
    for question in found:
        question.overdue = question.is_overdue(today)  # type: ignore[attr-defined]  # for the templates
    return Listed(
        open=[q for q in found if q.state == State.OPEN],
        answered=[q for q in found if q.state == State.ANSWERED],
        withdrawn=[q for q in found if q.state == State.WITHDRAWN],
        today=today,
    )


def for_scorecard(plans: list[Plan], period: ReportingPeriod, today: date | None = None) -> Listed:
    """The questions a scorecard of ``plans`` for ``period`` lists: those asked on it and on
    the quarter's before it (answered for this one), and any asked earlier still unanswered.
    Live, whether or not the quarter is locked (decision 0022). Withdrawn ones are left out."""
    previous = ReportingPeriod.objects.filter(_earlier(period)).order_by("-starts_on").values("pk")[:1]
    questions = MemberQuestion.objects.filter(item__plan__in=plans).exclude(state=State.WITHDRAWN)
    questions = questions.filter(
        Q(period=period) | Q(period__in=previous) | (_earlier(period, "period__") & Q(state=State.OPEN))
    )
    return _listed(questions, today or timezone.localdate())


def for_plan(plan: Plan, period: ReportingPeriod | None = None, today: date | None = None) -> Listed:
    """Every question about ``plan``'s items (asked on ``period``'s scorecard, if given)."""
    questions = MemberQuestion.objects.filter(item__plan=plan)
    if period is not None:
        questions = questions.filter(period=period)
    return _listed(questions, today or timezone.localdate())


def to_answer(user: User, today: date | None = None) -> Listed:
    """The open questions addressed to ``user``: on items they lead, and on items with no lead
    officer in plans they own."""
    if not user.is_authenticated:
        return _listed(MemberQuestion.objects.none(), today or timezone.localdate())
    mine = Q(item__lead_officer=user) | Q(item__lead_officer__isnull=True, item__plan__owner=user)
    questions = MemberQuestion.objects.filter(mine, state=State.OPEN, item__plan__status=Plan.Status.APPROVED)
    return _listed(questions, today or timezone.localdate())
