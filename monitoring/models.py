"""How is it going: reporting periods, progress returns, reminders, risks and uploaded
return workbooks.

Every row that a person changes is history-tracked (who, when, why), as in planning.
The two exceptions hold no judgement of anyone's: ``ReminderSent`` (a log whose only
job is to stop a reminder going twice) and ``WorkbookUpload`` (a parsed upload waiting
for its preview to be confirmed; applying it writes returns, which have history).
"""

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone, translation
from django.utils.translation import gettext_lazy as _

from config.history import track
from config.text import NOTE_LIMIT, BoundedTextField, single_line
from partners.models import Organisation, User
from planning.models import Plan, PlanItem, financial_year

QUARTER_MONTHS = {1: (4, 6), 2: (7, 9), 3: (10, 12), 4: (1, 3)}
# the academic year's terms as a council's schools and colleges report them: autumn
# September–December, spring January–April, summer May–August (decision 0028)
TERM_MONTHS = {1: (9, 12), 2: (1, 4), 3: (5, 8)}
TERM_NAMES = {1: _("Autumn term"), 2: _("Spring term"), 3: _("Summer term")}
# a term with its academic year: "Autumn term 2013/14"
TERM_LABELS = {1: _("Autumn term %(year)s"), 2: _("Spring term %(year)s"), 3: _("Summer term %(year)s")}
Cadence = Plan.Cadence
PERIODS_IN_YEAR = {Cadence.QUARTERLY: 4, Cadence.TERMLY: 3, Cadence.MONTHLY: 12}
# how a period's number appears in its address: 2013-q2, 2013-t1, 2013-m05
SLUG_LETTERS = {Cadence.QUARTERLY: "q", Cadence.TERMLY: "t", Cadence.MONTHLY: "m"}
CADENCE_OF_LETTER = {letter: cadence for cadence, letter in SLUG_LETTERS.items()}
NOUNS = {Cadence.QUARTERLY: _("quarter"), Cadence.TERMLY: _("term"), Cadence.MONTHLY: _("month")}
# the admin's date check, one sentence per cadence
ENDS_FIRST = {
    Cadence.QUARTERLY: _("Returns cannot be due before the quarter ends."),
    Cadence.TERMLY: _("Returns cannot be due before the term ends."),
    Cadence.MONTHLY: _("Returns cannot be due before the month ends."),
}
# returns are due this many days after a quarter ends unless the admin says otherwise
DEFAULT_DAYS_TO_RETURN = 15


def _months(first_year: int, first_month: int, last_month: int, later: bool) -> tuple[date, date]:
    year = first_year + 1 if later else first_year
    starts = date(year, first_month, 1)
    after = date(year + 1, 1, 1) if last_month == 12 else date(year, last_month + 1, 1)
    return starts, after - timedelta(days=1)


def quarter_dates(start_year: int, quarter: int) -> tuple[date, date]:
    """The first and last day of ``quarter`` of the financial year starting in April of
    ``start_year``: Q1 April–June … Q4 January–March of the next calendar year."""
    first_month, last_month = QUARTER_MONTHS[quarter]
    return _months(start_year, first_month, last_month, later=quarter == 4)


def period_dates(cadence: str, start_year: int, number: int) -> tuple[date, date]:
    """The first and last day of period ``number`` of the year ``start_year`` for
    ``cadence``: a quarter of the financial year, a term of the academic year starting in
    September of ``start_year``, or a month of the financial year (1 is April)."""
    if cadence == Cadence.TERMLY:
        first_month, last_month = TERM_MONTHS[number]
        return _months(start_year, first_month, last_month, later=number > 1)
    if cadence == Cadence.MONTHLY:
        month = (number + 2) % 12 + 1  # 1 -> April ... 9 -> December, 10 -> January
        return _months(start_year, month, month, later=number > 9)
    return quarter_dates(start_year, number)


class PlanYears(Protocol):
    """What ``ReportingPeriod.covers_plan`` reads of a plan (a plan, or a row read as a tuple)."""

    @property
    def start_year(self) -> int: ...

    @property
    def end_year(self) -> int: ...

    @property
    def cadence(self) -> str: ...


class ReportingPeriod(models.Model):
    """One reporting period: a quarter of a financial year (most plans), a term of an
    academic year (schools' and colleges' plans) or a month, as a plan's cadence says.
    Returns for it are due on ``due_on``; once it has been reported to members it is
    locked and nothing reported for it changes.

    ``quarter`` is the period's number in its year (1–4 for quarters, 1–3 for terms, 1–12
    for months from April): the column kept its first name when terms and months came
    (decision 0028), so every quarterly address and query reads as it did."""

    cadence = models.CharField(max_length=10, choices=Cadence.choices, default=Cadence.QUARTERLY)
    start_year = models.PositiveIntegerField(_("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    quarter = models.PositiveSmallIntegerField(
        _("period in the year"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    starts_on = models.DateField()
    ends_on = models.DateField()
    due_on = models.DateField(_("returns due"), help_text=_("The day returns for this period are due."))
    locked_at = models.DateTimeField(null=True, blank=True)
    locked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["starts_on", "cadence"]
        constraints = [
            models.UniqueConstraint(fields=["cadence", "start_year", "quarter"], name="one_period_per_number"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("ends_on")), name="period_due_after_end"),
            models.CheckConstraint(
                condition=Q(quarter__gte=1)
                & (
                    Q(cadence=Cadence.QUARTERLY, quarter__lte=4)
                    | Q(cadence=Cadence.TERMLY, quarter__lte=3)
                    | Q(cadence=Cadence.MONTHLY, quarter__lte=12)
                ),
                name="period_number_in_its_year",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    def get_absolute_url(self) -> str:
        return reverse("monitoring:period-list") + f"#period-{self.slug}"

    @property
    def label(self) -> str:
        """ "Q2 2013/14", "Autumn term 2013/14", "May 2013"."""
        if self.cadence == Cadence.TERMLY:
            return TERM_LABELS[self.quarter] % {"year": financial_year(self.start_year)}
        if self.cadence == Cadence.MONTHLY:
            return dateformat.format(self.starts_on, "F Y")  # the month's name in the language in use
        return _("Q%(number)s %(year)s") % {"number": self.quarter, "year": financial_year(self.start_year)}

    @property
    def english_label(self) -> str:
        """The label in the site's language: history's reasons are kept in one language."""
        with translation.override(settings.LANGUAGE_CODE):
            return self.label

    @property
    def short_label(self) -> str:
        """The period within its year: "Q2", "Autumn term", "May"."""
        if self.cadence == Cadence.TERMLY:
            return str(TERM_NAMES[self.quarter])
        if self.cadence == Cadence.MONTHLY:
            return dateformat.format(self.starts_on, "F")
        return _("Q%(number)s") % {"number": self.quarter}

    @property
    def noun(self) -> str:
        """ "quarter", "term" or "month": how pages name the period."""
        return str(NOUNS[Cadence(self.cadence)])

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None

    @property
    def slug(self) -> str:
        """ "2013-q2", "2013-t1", "2013-m05": how a period appears in addresses."""
        number = f"{self.quarter:02d}" if self.cadence == Cadence.MONTHLY else str(self.quarter)
        return f"{self.start_year}-{SLUG_LETTERS[Cadence(self.cadence)]}{number}"

    def clean(self) -> None:
        if self.due_on and self.ends_on and self.due_on < self.ends_on:
            raise ValidationError({"due_on": ENDS_FIRST[Cadence(self.cadence)]})

    def covers_plan(self, plan: "Plan | PlanYears") -> bool:
        """Does ``plan`` report in this period: its cadence, within its years."""
        return plan.cadence == self.cadence and plan.start_year <= self.start_year <= plan.end_year


track(ReportingPeriod)


class ProgressReturn(models.Model):
    """What the lead said about one action, target or milestone in one quarter.

    A milestone's return says done (with the day it was done), on track, or late (with
    a revised date and its reason); its RAG is derived from that (``MILESTONE_RAG``),
    never chosen (docs/decisions/0024).

    Workflow: draft → submitted → accepted, or submitted → returned (with the
    reviewer's reason) → submitted again. The author may change a draft or a returned
    return; nobody changes an accepted one, nor anything in a locked period.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for changes")
        ACCEPTED = "accepted", _("Accepted")

    # the states of a return that count: what everyone who may read the item reads, and
    # what scorecards count; drafts and returns sent back stay with their authors and reviewers
    RECEIVED = frozenset({State.SUBMITTED, State.ACCEPTED})

    class Rag(models.TextChoices):
        RED = "red", _("Red")
        AMBER = "amber", _("Amber")
        GREEN = "green", _("Green")
        COMPLETE = "complete", _("Complete")
        NOT_STARTED = "not_started", _("Not started")

    class Milestone(models.TextChoices):
        DONE = "done", _("Done")
        ON_TRACK = "on_track", _("On track")
        LATE = "late", _("Late")

    # a milestone's rating follows from what its lead said of it
    MILESTONE_RAG: dict[str, str] = {
        Milestone.DONE: Rag.COMPLETE,
        Milestone.ON_TRACK: Rag.GREEN,
        Milestone.LATE: Rag.AMBER,
    }

    EDITABLE_STATES = {State.DRAFT, State.RETURNED}
    CONTENT_FIELDS = [
        "rag",
        "milestone_state",
        "completed_on",
        "actual_value",
        "spend_to_date",
        "narrative",
        "narrative_cy",
        "soft_outcomes",
        "evidence_url",
        "next_steps",
        "revised_due_date",
        "revision_reason",
    ]

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="returns")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="returns")
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.DRAFT)
    rag = models.CharField(_("RAG rating"), max_length=20, choices=Rag.choices, blank=True)
    actual_value = models.DecimalField(
        _("actual value"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The measured value at the end of the quarter, in the target's unit."),
    )
    milestone_state = models.CharField(
        _("milestone status"), max_length=10, choices=Milestone.choices, blank=True, help_text=_("Milestones only.")
    )
    completed_on = models.DateField(_("done on"), null=True, blank=True, help_text=_("The day a milestone was done."))
    spend_to_date = models.DecimalField(
        _("spend to date (£)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text=_("What the action has spent this financial year to the end of the quarter, in pounds."),
    )
    narrative = BoundedTextField(_("narrative"), blank=True, help_text=_("What happened this quarter."))
    narrative_cy = BoundedTextField(_("narrative in Welsh"), blank=True)  # docs/decisions/0033
    soft_outcomes = BoundedTextField(
        _("soft outcomes"), blank=True, help_text=_("What the numbers do not show: links forged, attitudes changed.")
    )
    evidence_url = models.URLField(_("evidence link"), max_length=500, blank=True)
    evidence_file = models.FileField(_("evidence file"), upload_to="evidence/%Y/%m/", blank=True, max_length=300)
    evidence_name = models.CharField(max_length=200, blank=True, validators=[single_line])
    next_steps = BoundedTextField(_("next steps"), blank=True)
    revised_due_date = models.DateField(
        _("revised due date"), null=True, blank=True, help_text=_("Only if the date in the plan has slipped.")
    )
    revision_reason = BoundedTextField(_("reason for the new date"), max_length=NOTE_LIMIT, blank=True)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="authored_returns")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    review_note = BoundedTextField(_("reviewer's reason"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "period"], name="one_return_per_item_per_period"),
        ]
        indexes = [models.Index(fields=["period", "state"], name="return_period_state")]

    def __str__(self) -> str:
        return f"{self.period.label} return for {self.item}"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:return-detail", args=[self.item.plan.slug, self.item_id, self.period.slug])

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES


track(ProgressReturn)


class ReminderSent(models.Model):
    """One reminder about one item's return for one period, to one person. The unique
    constraint is what makes the daily command safe: a scheduled reminder of a kind is
    claimed by inserting its row, so it goes once, however often cron runs."""

    class Kind(models.TextChoices):
        BEFORE = "before", _("Before the due date")
        OVERDUE = "overdue", _("After the due date")
        CHASE = "chase", _("Sent by the plan owner")

    SCHEDULED = [Kind.BEFORE, Kind.OVERDUE]

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="reminders")
    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    sent_at = models.DateTimeField()
    sent_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["item", "period", "recipient", "kind"],
                condition=Q(kind__in=["before", "overdue"]),
                name="scheduled_reminder_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder to {self.recipient} ({self.period})"


class Risk(models.Model):
    """A risk to delivering a plan, or one item of it. Scores are 1–5 for likelihood and
    impact; the quarterly reviews (``RiskReview``) give the scores a history by quarter."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    SCORE = [MinValueValidator(1), MaxValueValidator(5)]

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="risks")
    item = models.ForeignKey(
        PlanItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="risks", verbose_name=_("item")
    )
    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    cause = BoundedTextField(_("cause"), blank=True)
    consequence = BoundedTextField(_("consequence"), blank=True)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="owned_risks", verbose_name=_("owner")
    )
    likelihood = models.PositiveSmallIntegerField(
        _("likelihood"), validators=SCORE, help_text=_("1 (rare) to 5 (almost certain).")
    )
    impact = models.PositiveSmallIntegerField(
        _("impact"), validators=SCORE, help_text=_("1 (negligible) to 5 (severe).")
    )
    mitigations = BoundedTextField(_("mitigations"), blank=True)
    target_likelihood = models.PositiveSmallIntegerField(
        _("target likelihood"), validators=SCORE, null=True, blank=True
    )
    target_impact = models.PositiveSmallIntegerField(_("target impact"), validators=SCORE, null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(likelihood__gte=1, likelihood__lte=5), name="risk_likelihood_1_5"),
            models.CheckConstraint(condition=Q(impact__gte=1, impact__lte=5), name="risk_impact_1_5"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def target_score(self) -> int | None:
        if self.target_likelihood and self.target_impact:
            return self.target_likelihood * self.target_impact
        return None


track(Risk)


class RiskReview(models.Model):
    """A risk's scores as reviewed in one quarter."""

    SCORE = Risk.SCORE

    risk = models.ForeignKey(Risk, on_delete=models.CASCADE, related_name="reviews")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="risk_reviews")
    likelihood = models.PositiveSmallIntegerField(_("likelihood"), validators=SCORE)
    impact = models.PositiveSmallIntegerField(_("impact"), validators=SCORE)
    note = BoundedTextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField()

    class Meta:
        ordering = ["period__starts_on"]
        constraints = [models.UniqueConstraint(fields=["risk", "period"], name="one_review_per_risk_per_period")]

    def __str__(self) -> str:
        return f"{self.risk} reviewed in {self.period}"

    @property
    def score(self) -> int:
        return self.likelihood * self.impact


track(RiskReview)


class WorkbookUpload(models.Model):
    """A completed return workbook, checked and parsed, waiting for the uploader to
    confirm its preview. ``changes`` holds the parsed rows (with the version of each
    return they were read against); ``problems`` every problem by sheet, row and column.
    Applying it writes all the changes in one transaction or none."""

    uploaded_by = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(Organisation, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(max_length=200)
    changes = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    applied_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.filename


class ScorecardSnapshot(models.Model):
    """A locked quarter's scorecard as it was when the quarter was locked (the data of
    ``monitoring.scorecards.build``), so that members see exactly what was reported.
    Written once, when the quarter is locked; never changed."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="scorecard_snapshots")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.CASCADE, related_name="scorecard_snapshots")
    include_children = models.BooleanField(default=False)
    data = models.JSONField()
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "period", "include_children"], name="one_scorecard_snapshot_per_view"
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.period} scorecard as locked"


class Document(models.Model):
    """A PDF rendered from the app's pages: a plan document (live, or as at an edition)
    or a quarterly scorecard pack. Rendered by a background task; kept in storage so
    that an approved edition's or a locked quarter's PDF is produced once. ``key`` says
    what the PDF shows (the moment of the data it was rendered from), so a request for
    the same thing reuses it and a change to the plan gets a fresh one."""

    class Kind(models.TextChoices):
        PLAN = "plan", _("Plan document")
        SCORECARD = "scorecard", _("Scorecard pack")
        # progress against an inspection's recommendations (decision 0030): no plan, an inspection
        INSPECTION = "inspection", _("Progress against recommendations")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Being produced")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.CASCADE, related_name="documents")
    inspection = models.ForeignKey(
        "Inspection", null=True, blank=True, on_delete=models.CASCADE, related_name="documents"
    )
    edition = models.ForeignKey("planning.Edition", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(ReportingPeriod, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    include_children = models.BooleanField(default=False)
    # the language it is written in: the reader's when asked for (decision 0029); a Welsh
    # and an English PDF of the same thing are two documents, their keys say so
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    key = models.CharField(max_length=200, help_text=_("What the PDF shows, as of when."))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    file = models.FileField(upload_to="documents/%Y/%m/", blank=True, max_length=300)
    pages = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    requested_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True, help_text=_("When a worker began producing it."))
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key"], name="one_document_per_key")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.plan or self.inspection}"

    @property
    def subject_title(self) -> str:
        """What the document is of: its plan's title, or its inspection's."""
        return self.plan.title if self.plan_id else str(self.inspection)

    @property
    def stalled(self) -> bool:
        """Being produced for longer than ``PDF_RENDER_TIMEOUT``: its worker was killed (a
        render takes seconds to a few minutes). Waiting in the queue is not stalling: a
        worker takes each document in turn (``monitoring.tasks.is_lost`` says when one
        waiting has no task left to take it)."""
        return self.status == self.Status.RUNNING and (self.started_at or self.requested_at) < render_cutoff()


def render_cutoff() -> datetime:
    """A document whose production started before this and has not finished has stalled."""
    return timezone.now() - timedelta(seconds=settings.PDF_RENDER_TIMEOUT)


class MemberQuestion(models.Model):
    """An elected member's question about one action or target, asked on a quarter's
    scorecard, for its lead to answer by ``due_on`` (decision 0022).

    Addressed to the item's lead officer, or to the plan's owner where the item names no
    lead officer (``addressee``). Open → answered (once; the answer is never rewritten)
    or open → withdrawn by the member who asked. Questions are live: they are not part of
    a locked quarter's stored scorecard, which shows them in a section of their own."""

    class State(models.TextChoices):
        OPEN = "open", _("Awaiting an answer")
        ANSWERED = "answered", _("Answered")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="questions")
    period = models.ForeignKey(
        ReportingPeriod, on_delete=models.PROTECT, related_name="questions", help_text=_("The scorecard asked on.")
    )
    asked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="questions_asked")
    text = BoundedTextField(_("question"), max_length=NOTE_LIMIT)
    asked_at = models.DateTimeField()
    due_on = models.DateField(_("answer due"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    answer = BoundedTextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [models.Index(fields=["state", "due_on"], name="question_state_due")]

    def __str__(self) -> str:
        return f"Question on {self.item.title} ({self.period.label})"

    def get_absolute_url(self) -> str:
        return reverse("monitoring:question-detail", args=[self.item.plan.slug, self.pk])

    def is_overdue(self, today: date) -> bool:
        return self.state == self.State.OPEN and self.due_on < today

    @property
    def addressee(self) -> User | None:
        """Who is asked to answer: the item's lead officer, else the plan's owner."""
        return self.item.lead_officer or self.item.plan.owner


track(MemberQuestion)


# --- inspections and their recommendations (issue 18, decision 0030) ----------------------------


class Inspection(models.Model):
    """An inspectorate's report on an area or an organisation (Estyn's inspection of a local
    authority's education services, an Ofsted inspection, a CIW review), recorded so that
    progress against its recommendations can be followed quarter by quarter.

    ``owner`` is the council officer who answers for the follow-up: they (and admins)
    change the inspection and its recommendations (``monitoring.inspections``)."""

    class Inspectorate(models.TextChoices):
        ESTYN = "estyn", _("Estyn")
        OFSTED = "ofsted", _("Ofsted")
        CIW = "ciw", _("Care Inspectorate Wales")
        AUDIT_WALES = "audit_wales", _("Audit Wales")
        CQC = "cqc", _("Care Quality Commission")
        OTHER = "other", _("Another inspectorate")

    inspectorate = models.CharField(_("inspectorate"), max_length=20, choices=Inspectorate.choices)
    title = models.CharField(_("title"), max_length=300, validators=[single_line])
    inspected_on = models.DateField(_("date of the report"))
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("area or organisation inspected"),
    )
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="inspections_owned", verbose_name=_("owner"))
    report_url = models.URLField(_("link to the report"), max_length=500, blank=True)
    summary = BoundedTextField(_("summary"), blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-inspected_on", "pk"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("monitoring:inspection-detail", args=[self.pk])


track(Inspection)


class KeyQuestionJudgement(models.Model):
    """The inspectorate's judgement on one of its key questions ("Standards": "Adequate")."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="judgements")
    position = models.PositiveSmallIntegerField(default=1)
    key_question = models.CharField(_("key question"), max_length=300, validators=[single_line])
    judgement = models.CharField(_("judgement"), max_length=100, validators=[single_line])

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.key_question}: {self.judgement}"


track(KeyQuestionJudgement)


class Recommendation(models.Model):
    """One numbered recommendation of an inspection, with the person who leads the response
    to it and the date it should be met by. Actions in any plan address it
    (``RecommendationAction``); each quarter its lead judges progress (``RecommendationProgress``)."""

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="recommendations")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])
    text = BoundedTextField(_("recommendation"), max_length=NOTE_LIMIT)
    lead = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="recommendations_led",
        verbose_name=_("lead"),
    )
    target_date = models.DateField(_("to be met by"), null=True, blank=True)
    actions = models.ManyToManyField(PlanItem, through="RecommendationAction", related_name="recommendations")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "number"], name="one_recommendation_per_number"),
        ]

    def __str__(self) -> str:
        return _("Recommendation %(number)s") % {"number": self.number}

    def get_absolute_url(self) -> str:
        return reverse("monitoring:recommendation-detail", args=[self.inspection_id, self.pk])


track(Recommendation)


class RecommendationAction(models.Model):
    """An action, in any plan, that addresses a recommendation: its own row so that linking
    and unlinking keep their history (who, when, why)."""

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="action_links")
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="recommendation_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "item"], name="one_link_per_recommendation_action"),
        ]

    def __str__(self) -> str:
        return f"{self.item} addresses {self.recommendation}"


track(RecommendationAction)


class RecommendationProgress(models.Model):
    """What a recommendation's lead judged of progress against it in one quarter, with the
    narrative and evidence behind the judgement. One per recommendation per quarter; a
    correction is an edit, whose history keeps every judgement given; none once the quarter
    is locked."""

    class Judgement(models.TextChoices):
        NOT_MET = "not_met", _("Not met")
        PARTLY_MET = "partly_met", _("Partly met")
        LARGELY_MET = "largely_met", _("Largely met")
        MET = "met", _("Met")

    recommendation = models.ForeignKey(Recommendation, on_delete=models.CASCADE, related_name="progress")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="recommendation_progress")
    judgement = models.CharField(_("judgement"), max_length=20, choices=Judgement.choices)
    narrative = BoundedTextField(_("progress"), blank=True)
    evidence = BoundedTextField(_("evidence"), blank=True)
    evidence_links = BoundedTextField(_("links to the evidence"), max_length=NOTE_LIMIT, blank=True)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField()
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["recommendation", "period"], name="one_progress_per_recommendation_period"),
        ]

    def __str__(self) -> str:
        return f"{self.recommendation} in {self.period}: {self.get_judgement_display()}"

    @property
    def links(self) -> list[str]:
        """The evidence's addresses, one a line."""
        return [line.strip() for line in self.evidence_links.splitlines() if line.strip()]


track(RecommendationProgress)
