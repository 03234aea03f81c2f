"""Writes for quarterly monitoring: periods, returns and their review, reminders.

Each write is one transaction, stamped with one reason, author and time in history
(``change_context``). A return is locked while it changes (``select_for_update``) and
carries a version, so two people saving it at once get ``EditConflict``, not a lost
edit; the unique (item, period) constraint makes two first saves at once one return.
Nothing in a locked period changes: writers hold a share lock on the period row
(PostgreSQL), which locking the period must wait for.
"""

import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Field, QuerySet
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from config import bilingual
from config.history import change_context
from config.language import in_language_of
from config.storage import StoredFiles, stored_unless_failed
from monitoring import milestones, scorecards
from monitoring.models import (
    DEFAULT_DAYS_TO_RETURN,
    PERIODS_IN_YEAR,
    ProgressReturn,
    ReminderSent,
    ReportingPeriod,
    ScorecardSnapshot,
    period_dates,
)
from partners.models import User
from partners.services import notify
from planning.conflicts import EditConflict, check_version, share_lock
from planning.models import Plan, PlanItem, financial_year
from planning.services import plan_write

State = ProgressReturn.State
StrOrPromise = str | Promise  # a message, or a lazy one said in the reader's language

# how long before the due date the scheduled reminder goes, and how long after it the overdue one
REMIND_DAYS_BEFORE = 7
# a year's periods that exist already, by cadence
YEAR_EXISTS = {
    Plan.Cadence.QUARTERLY: gettext_lazy("The quarters of %(year)s exist."),
    Plan.Cadence.TERMLY: gettext_lazy("The terms of %(year)s exist."),
    Plan.Cadence.MONTHLY: gettext_lazy("The months of %(year)s exist."),
}
# what happened this period, asked of a return submitted without it
SAY_WHAT_HAPPENED = {
    Plan.Cadence.QUARTERLY: gettext_lazy("Say what happened this quarter before you submit."),
    Plan.Cadence.TERMLY: gettext_lazy("Say what happened this term before you submit."),
    Plan.Cadence.MONTHLY: gettext_lazy("Say what happened this month before you submit."),
}
OVERDUE_DAYS_AFTER = 1


# --- periods ---------------------------------------------------------------------------------


@transaction.atomic
def financial_year_create(
    *,
    start_year: int,
    user: User | None,
    days_to_return: int = DEFAULT_DAYS_TO_RETURN,
    cadence: str = Plan.Cadence.QUARTERLY,
) -> list[ReportingPeriod]:
    """The periods of one year for ``cadence``: the four quarters (or twelve months) of the
    financial year starting in April ``start_year``, or the three terms of the academic
    year starting in September."""
    noun = {Plan.Cadence.QUARTERLY: "quarter", Plan.Cadence.TERMLY: "term", Plan.Cadence.MONTHLY: "month"}[
        Plan.Cadence(cadence)
    ]  # history's reason, kept in English as every reason is
    if ReportingPeriod.objects.filter(cadence=cadence, start_year=start_year).exists():
        raise ValidationError({"start_year": YEAR_EXISTS[Plan.Cadence(cadence)] % {"year": financial_year(start_year)}})
    periods = []
    with change_context(reason=f"Year of {noun}s created", user=user):
        for number in range(1, PERIODS_IN_YEAR[Plan.Cadence(cadence)] + 1):
            starts, ends = period_dates(cadence, start_year, number)
            period = ReportingPeriod(
                cadence=cadence,
                start_year=start_year,
                quarter=number,
                starts_on=starts,
                ends_on=ends,
                due_on=ends + timedelta(days=days_to_return),
            )
            period.full_clean()
            period.save()
            periods.append(period)
    return periods


def _lock_period(period_id: int, *, exclusive: bool) -> ReportingPeriod:
    """Read the period under a lock: shared for writers of its returns (they don't wait
    for one another), exclusive for locking the period itself."""
    periods = ReportingPeriod.objects.filter(pk=period_id)
    if exclusive:
        return periods.select_for_update().get()
    share_lock(ReportingPeriod, period_id)
    return periods.get()


def _check_unlocked(period: ReportingPeriod) -> None:
    if period.is_locked:
        raise ValidationError(
            _("%(period)s is locked: it has been reported to members and cannot change.") % {"period": period.label}
        )


@transaction.atomic
def period_update(*, period_id: int, user: User | None, due_on: date, expected_version: int) -> ReportingPeriod:
    period = _lock_period(period_id, exclusive=True)
    _check_unlocked(period)
    check_version(period, expected_version)
    period.due_on = due_on
    period.full_clean()
    period.version += 1
    with change_context(reason="Due date changed", user=user):
        period.save()
    return period


@transaction.atomic
def period_lock(*, period_id: int, user: User | None) -> ReportingPeriod:
    """Lock a quarter once it has been reported to members. There is no unlock: what
    members were shown stays what was reported."""
    period = _lock_period(period_id, exclusive=True)
    _check_unlocked(period)
    period.locked_at = timezone.now()
    period.locked_by = user
    period.version += 1
    with change_context(reason="Quarter locked: reported to members", user=user):
        period.save()
    _freeze_scorecards(period)
    return period


def _freeze_scorecards(period: ReportingPeriod) -> None:
    """Store every approved plan's scorecard for the quarter as it reads now (and, for a
    plan with approved plans beneath it, the rolled-up one too): what members were shown
    must stay what they are shown."""
    plans = (
        Plan.objects.approved()
        .filter(cadence=period.cadence, start_year__lte=period.start_year, end_year__gte=period.start_year)
        .select_related("organisation")
    )
    parents = set(Plan.objects.approved().filter(parent__isnull=False).values_list("parent_id", flat=True))
    locked_at = period.locked_at
    if locked_at is None:
        raise ValueError(f"{period} is not locked: only a locked quarter's scorecards are stored")
    rows = []
    for plan in plans:
        for include_children in [False, True] if plan.pk in parents else [False]:
            # stored in the site's language whoever locks it; read in the reader's (scorecards.relabel)
            with translation.override(settings.LANGUAGE_CODE):
                data = scorecards.build(plan, period, include_children=include_children)
                data = scorecards.stamp(data, locked_at)
            rows.append(
                ScorecardSnapshot(
                    plan=plan, period=period, include_children=include_children, data=data, created_at=locked_at
                )
            )
    ScorecardSnapshot.objects.bulk_create(rows)


# --- returns ---------------------------------------------------------------------------------


def check_actual_value(item: PlanItem, value: Decimal | None) -> str | None:
    """The message for an actual value that does not fit the target's unit, or None."""
    if value is None:
        return None
    if not item.is_target:
        return _("Only targets have an actual value; describe an action's progress in the narrative.")
    if item.unit == PlanItem.Unit.PERCENTAGE and not (0 <= value <= 100):
        return _("A percentage must be between 0 and 100.")
    if item.unit == PlanItem.Unit.COUNT and (value < 0 or value != value.to_integral_value()):
        return _("A count must be a whole number, 0 or more.")
    if item.unit in {PlanItem.Unit.DAYS, PlanItem.Unit.POUNDS} and value < 0:
        return _("%(unit)s cannot be negative.") % {"unit": PlanItem.Unit(item.unit).label}
    return None


def check_spend(item: PlanItem, value: Decimal | None) -> str | None:
    """The message for a spend to date that cannot stand, or None (decision 0023)."""
    if value is None:
        return None
    if item.kind != PlanItem.Kind.ACTION:
        return _("Only actions report spend to date.")
    if not value.is_finite():
        return _("Spend to date must be a number of pounds.")
    if value < 0:
        return _("Spend to date cannot be negative.")
    if value >= Decimal(10) ** 10:
        return _("Spend to date is too large.")
    if value != value.quantize(Decimal("0.01")):
        return _("Give spend to date in pounds and pence, with no more than 2 decimal places.")
    return None


_TEXT_FIELDS = ("narrative", "soft_outcomes", "next_steps", "revision_reason", "evidence_name")


def return_problems(
    *, item: PlanItem, ret: ProgressReturn, submitting: bool, period: ReportingPeriod | None = None
) -> dict[str, str]:
    """What is wrong with ``ret`` as it would be saved for ``item``: field name → message,
    empty when nothing is. Pure (no query), so a caller may check many returns at once."""
    errors: dict[str, str] = {}
    for name in _TEXT_FIELDS:  # the model's own rules for text: its limit, no hidden characters
        try:
            cast(Field, ProgressReturn._meta.get_field(name)).run_validators(getattr(ret, name))
        except ValidationError as error:
            errors[name] = error.messages[0]
    message = check_actual_value(item, ret.actual_value)
    if message:
        errors["actual_value"] = message
    message = check_spend(item, ret.spend_to_date)
    if message:
        errors["spend_to_date"] = message
    if ret.evidence_url:
        try:
            URLValidator(schemes=["http", "https"])(ret.evidence_url)
        except ValidationError:
            errors["evidence_url"] = _("Give a web address starting with https:// or http://.")
    if ret.revised_due_date and not ret.revision_reason.strip():
        errors["revision_reason"] = _("Say why the date has moved.")
    if ret.revision_reason.strip() and not ret.revised_due_date:
        errors["revised_due_date"] = _("Give the new date, or leave the reason empty.")
    if ret.revised_due_date and item.start_date and ret.revised_due_date < item.start_date:
        # said here, to the lead, not only to the owner when accepting (which would refuse it)
        errors["revised_due_date"] = str(STARTS_LATER.get(item.kind, STARTS_LATER[PlanItem.Kind.ACTION])) % {
            "date": _day(item.start_date)
        }
    if item.kind == PlanItem.Kind.MILESTONE:
        errors.update(milestone_problems(item=item, ret=ret, period=period, submitting=submitting))
    elif ret.milestone_state or ret.completed_on:
        field = "milestone_state" if ret.milestone_state else "completed_on"
        errors[field] = str(
            ONLY_MILESTONES_DONE[PlanItem.Kind.TARGET if item.kind == PlanItem.Kind.TARGET else PlanItem.Kind.ACTION]
        )
    elif submitting:
        if not ret.rag:
            errors["rag"] = _("Choose a RAG rating before you submit.")
        if not ret.narrative.strip():
            cadence = Plan.Cadence(period.cadence) if period else Plan.Cadence.QUARTERLY
            errors["narrative"] = str(SAY_WHAT_HAPPENED[cadence])
        if item.is_target and ret.actual_value is None and ret.rag not in {ret.Rag.NOT_STARTED}:
            errors["actual_value"] = errors.get("actual_value") or _("Give the measured value before you submit.")
    return errors


# a revised date before the item starts, by the item's kind
STARTS_LATER: dict[str, StrOrPromise] = {
    PlanItem.Kind.ACTION: gettext_lazy("The new date is before the action starts (%(date)s)."),
    PlanItem.Kind.TARGET: gettext_lazy("The new date is before the target starts (%(date)s)."),
    PlanItem.Kind.MILESTONE: gettext_lazy("The new date is before the milestone starts (%(date)s)."),
}
ONLY_MILESTONES_DONE = {
    PlanItem.Kind.ACTION: gettext_lazy(
        "Only milestones are reported done, on track or late: rate actions with a RAG rating."
    ),
    PlanItem.Kind.TARGET: gettext_lazy(
        "Only milestones are reported done, on track or late: rate targets with a RAG rating."
    ),
}


def _day(value: date) -> str:
    """A day as the app's prose writes it, in the language in use: "5 December 2026"."""
    return formats.date_format(value, "j F Y")


def milestone_problems(
    *, item: PlanItem, ret: ProgressReturn, period: ReportingPeriod | None, submitting: bool
) -> dict[str, str]:
    """What is wrong with a milestone's return (docs/decisions/0024): done needs the day
    it was done, late a new date after the quarter and its reason; on track cannot be
    said of a milestone due before the quarter began."""
    errors: dict[str, str] = {}
    Milestone = ProgressReturn.Milestone
    state = ret.milestone_state
    if state == Milestone.DONE:
        if ret.completed_on is None:
            errors["completed_on"] = _("Give the day the milestone was done.")
        elif ret.completed_on > timezone.localdate():
            errors["completed_on"] = _("The day it was done cannot be in the future.")
        if ret.revised_due_date:
            errors["revised_due_date"] = _("A milestone that is done needs no new date: leave it empty.")
    elif ret.completed_on:
        errors["completed_on"] = _("Give the day it was done only when the milestone is done.")
    if state == Milestone.LATE:
        if not ret.revised_due_date:
            errors["revised_due_date"] = _("Give the new date for a late milestone.")
        elif period is not None and ret.revised_due_date <= period.ends_on:
            errors["revised_due_date"] = _(
                "The new date must be after the quarter ends (%(date)s): a milestone not done by then is late."
            ) % {"date": _day(period.ends_on)}
        if not ret.revision_reason.strip():
            errors["revision_reason"] = _("Say why the milestone is late.")
    if (
        state == Milestone.ON_TRACK
        and period is not None
        and item.due_date is not None
        and item.due_date < period.starts_on
    ):
        errors["milestone_state"] = _(
            "It was due on %(date)s, before this quarter began: say whether it is done or late."
        ) % {"date": _day(item.due_date)}
    if submitting and not state:
        errors["milestone_state"] = _("Say whether the milestone is done, on track or late before you submit.")
    return errors


# a return that can no longer change, by its state
NO_LONGER_CHANGES: dict[str, StrOrPromise] = {
    State.SUBMITTED: gettext_lazy("This return is submitted: it can no longer be changed."),
    State.ACCEPTED: gettext_lazy("This return is accepted: it can no longer be changed."),
}


def return_check(
    *,
    item: PlanItem,
    period: ReportingPeriod,
    stored: ProgressReturn | None,
    fields: dict,
    expected_version: int,
    submit: bool = False,
) -> ProgressReturn:
    """The return ``return_save`` would save, made and checked in memory: raises what
    saving would (``EditConflict``, ``ValidationError``), else returns it, unsaved.

    ``stored`` is the saved return (None if there is none); it is changed as saving would
    change it, so pass a copy to keep it as it was. It makes no query of its own:
    ``return_save`` calls it with what it has read under its locks, the workbook's
    preview with what it read for every row at once, so both refuse the same things in
    the same words."""
    _check_unlocked(period)
    if stored is None:
        if expected_version != 0:
            raise ValidationError(_("This return no longer exists."))
        ret = ProgressReturn(item=item, period=period)
    elif stored.version != expected_version:
        raise EditConflict(stored)
    elif not stored.is_editable:
        raise ValidationError(str(NO_LONGER_CHANGES.get(stored.state, NO_LONGER_CHANGES[State.ACCEPTED])))
    else:
        ret = stored
    for name in ProgressReturn.CONTENT_FIELDS:
        if name in fields:
            setattr(ret, name, fields[name] if fields[name] is not None or name in _NULLABLE else "")
    ret.actual_value = _decimal(ret.actual_value, "actual_value")
    ret.spend_to_date = _decimal(ret.spend_to_date, "spend_to_date")
    if item.kind == PlanItem.Kind.MILESTONE:  # its rating follows from what its lead said
        ret.rag = ProgressReturn.MILESTONE_RAG.get(ret.milestone_state, "")
    errors = return_problems(item=item, ret=ret, submitting=submit, period=period)
    if errors:
        raise ValidationError(errors)
    return ret


def _stored_return(item_id: int, period_id: int) -> ProgressReturn | None:
    return ProgressReturn.objects.select_for_update().filter(item_id=item_id, period_id=period_id).first()


def return_save(
    *,
    item: PlanItem,
    period: ReportingPeriod,
    user: User | None,
    fields: dict,
    expected_version: int,
    submit: bool = False,
    evidence_file: File | None = None,
) -> ProgressReturn:
    """Save (and with ``submit`` submit) ``user``'s return for ``item`` in ``period``.

    ``expected_version`` is the version the author loaded: 0 for a return not yet
    started. ``fields`` holds any of ``ProgressReturn.CONTENT_FIELDS``. An evidence file
    is stored before the row is written and deleted again if the row is not: a store that
    refuses it refuses the save (ValidationError on ``evidence_file``)."""
    try:
        with stored_unless_failed() as files, transaction.atomic():
            return _return_save(item, period, user, fields, expected_version, submit, evidence_file, files)
    except IntegrityError:
        # someone else created the return between our read and our insert
        stored = ProgressReturn.objects.filter(item_id=item.pk, period_id=period.pk).first()
        if stored is None:
            raise
        raise EditConflict(stored) from None


def _return_save(
    item: PlanItem,
    period: ReportingPeriod,
    user: User | None,
    fields: dict,
    expected_version: int,
    submit: bool,
    evidence_file: File | None,
    files: StoredFiles,
) -> ProgressReturn:
    period = _lock_period(period.pk, exclusive=False)
    _check_unlocked(period)
    if not Plan.objects.approved().filter(pk=item.plan_id).exists():
        raise ValidationError(_("Returns are made on approved plans only."))
    if item.kind == PlanItem.Kind.MILESTONE:
        _check_not_done(item, period)
    ret = return_check(
        item=item,
        period=period,
        stored=_stored_return(item.pk, period.pk),
        fields=fields,
        expected_version=expected_version,
        submit=submit,
    )
    if evidence_file is not None:
        name = evidence_file.name or ""  # an upload always has one; a File made in code may not
        ret.evidence_name = name[-200:]
        files.store(ret.evidence_file, _storage_name(name), evidence_file, field="evidence_file")
    ret.author = user
    was_returned = ret.state == State.RETURNED
    if submit:
        ret.state = State.SUBMITTED
        ret.submitted_at = timezone.now()
        ret.submitted_by = user
    ret.version += 1 if ret.pk else 0
    reason = ("Resubmitted" if was_returned else "Submitted") if submit else "Draft saved"
    with change_context(reason=reason, user=user):
        ret.save()
    return ret


def _check_not_done(item: PlanItem, period: ReportingPeriod) -> None:
    """Done is final: a milestone reported done in an earlier quarter takes no more returns."""
    done = milestones.done_before(period).filter(item_id=item.pk).select_related("period").first()
    if done is not None:
        raise ValidationError(
            {
                "milestone_state": _("This milestone was reported done in %(period)s: done is final.")
                % {"period": done.period.label}
            }
        )


@dataclass(frozen=True)
class ReturnChange:
    """One return of several saved together: for ``item``, what to save, on which version."""

    item: PlanItem
    fields: dict
    expected_version: int


class _RollBack(Exception):
    """Raised inside the transaction to undo every return when one is refused."""


def returns_save_all(
    *, period: ReportingPeriod, user: User | None, changes: Sequence[ReturnChange], submit: bool
) -> dict[int, ValidationError | EditConflict]:
    """Save every change through ``return_save``, or none: each refusal by the change's
    position (empty when all were saved). Every change is tried, so all refusals are
    reported at once."""
    refusals: dict[int, ValidationError | EditConflict] = {}
    try:
        with transaction.atomic():
            for n, change in enumerate(changes):
                try:
                    return_save(
                        item=change.item,
                        period=period,
                        user=user,
                        fields=change.fields,
                        expected_version=change.expected_version,
                        submit=submit,
                    )
                except (ValidationError, EditConflict) as refusal:
                    refusals[n] = refusal
            if refusals:
                raise _RollBack
    except _RollBack:
        pass
    return refusals


_NULLABLE = {"actual_value", "spend_to_date", "revised_due_date", "completed_on"}


def _storage_name(name: str) -> str:
    """The evidence file's name in storage: file systems allow 255 bytes a name, so the
    stem is cut to 100 bytes of UTF-8 (people see the name kept in ``evidence_name``)."""
    stem, extension = os.path.splitext(os.path.basename(name))
    return (stem.encode()[:100].decode(errors="ignore") or "evidence") + extension.encode()[:16].decode(errors="ignore")


def _decimal(value: object, name: str) -> Decimal | None:
    """Callers other than forms (the workbook, scripts) may hand over text or floats."""
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except ArithmeticError:
        raise ValidationError({name: _("%(value)s is not a number.") % {"value": repr(value)}}) from None


def _reviewable(return_id: int, expected_version: int) -> ProgressReturn:
    ret = (
        ProgressReturn.objects.select_for_update(of=("self",))
        .select_related("item__plan", "period", "author")
        .get(pk=return_id)
    )
    _lock_period(ret.period_id, exclusive=False)
    _check_unlocked(ret.period)
    check_version(ret, expected_version)
    if ret.state != State.SUBMITTED:
        raise ValidationError(
            _("Only a submitted return can be reviewed; this one is %(state)s.") % {"state": ret.get_state_display()}
        )
    return ret


def _review(
    return_id: int, expected_version: int, user: User | None, state: str, *, note: str, reason: str
) -> ProgressReturn:
    """The reviewer's decision on a submitted return, with who, when and why."""
    ret = _reviewable(return_id, expected_version)
    ret.state = state
    ret.reviewed_at = timezone.now()
    ret.reviewed_by = user
    ret.review_note = note.strip()
    ret.version += 1
    with change_context(reason=reason, user=user):
        ret.save()
    return ret


@transaction.atomic
def return_accept(*, return_id: int, user: User | None, expected_version: int, note: str = "") -> ProgressReturn:
    """Accept a submitted return. A revised date it gives becomes the item's due date,
    with the author's reason in the item's history; a milestone reported done becomes
    complete in its plan."""
    ret = _review(return_id, expected_version, user, State.ACCEPTED, note=note, reason="Accepted")
    item = ret.item
    if ret.revised_due_date and ret.revised_due_date != item.due_date:
        reason = f"Due date revised in the {ret.period.english_label} return: {ret.revision_reason.strip()}"
        with plan_write(item.plan_id, user=user, reason=reason, content=True):
            item = PlanItem.objects.select_for_update().get(pk=item.pk)
            item.due_date = ret.revised_due_date
            if item.start_date and item.due_date < item.start_date:
                raise ValidationError({"revised_due_date": _("The new date is before the item starts.")})
            item.version += 1
            item.save()
    if ret.milestone_state == ProgressReturn.Milestone.DONE and item.status != PlanItem.Status.COMPLETE:
        reason = f"Reported done in the {ret.period.english_label} return, on {ret.completed_on:%-d %B %Y}"
        with plan_write(item.plan_id, user=user, reason=reason, content=True):
            item = PlanItem.objects.select_for_update().get(pk=item.pk)
            item.status = PlanItem.Status.COMPLETE
            item.version += 1
            item.save()
    _tell_author(
        ret,
        gettext_lazy("Your %(period)s return was accepted: %(item)s"),
        gettext_lazy("%(user)s accepted your return."),
        {"user": user},
    )
    return ret


@transaction.atomic
def return_send_back(*, return_id: int, user: User | None, expected_version: int, reason: str) -> ProgressReturn:
    """Return a submitted return to its author with the reason."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say what needs to change, so the author can put it right.")})
    ret = _review(
        return_id, expected_version, user, State.RETURNED, note=reason, reason=f"Returned for changes: {reason.strip()}"
    )
    _tell_author(
        ret,
        gettext_lazy("Your %(period)s return needs changes: %(item)s"),
        gettext_lazy("%(user)s returned it: %(reason)s"),
        {"user": user, "reason": reason.strip()},
    )
    return ret


def _tell_author(ret: ProgressReturn, subject: StrOrPromise, body: StrOrPromise, values: dict) -> None:
    """Tell the return's author, in their language (``subject`` and ``body`` are lazy)."""
    if ret.author is not None:
        url = reverse("monitoring:return-detail", args=[ret.item.plan.slug, ret.item_id, ret.period.slug])
        with in_language_of(ret.author):
            words = {"period": ret.period.label, "item": bilingual.text(ret.item)}
            notify(recipients=[ret.author], subject=str(subject) % words, body=str(body) % values, url=url)


# --- reminders -------------------------------------------------------------------------------


def reporters(item: PlanItem, people_by_organisation: dict[int | None, list[User]]) -> list[User]:
    """Who is reminded about an item's return: its lead officer, else the active people
    of its lead organisation, else the plan's owner."""
    if item.lead_officer is not None and item.lead_officer.is_active:
        return [item.lead_officer]
    people = people_by_organisation.get(item.lead_organisation_id, []) if item.lead_organisation_id else []
    if people:
        return people
    owner = item.plan.owner
    return [owner] if owner is not None and owner.is_active else []


def outstanding_items(period: ReportingPeriod, plans: Iterable[Plan] | QuerySet[Plan] | None = None) -> list[PlanItem]:
    """The actions and targets of approved plans covering ``period``, and their milestones
    due by its end and not done before it (``milestones.expected_in``), with no return
    submitted yet (none, a draft, or one returned for changes)."""
    done = ProgressReturn.objects.filter(period=period, state__in=ProgressReturn.RECEIVED)
    items = (
        milestones.reported_items(period)
        .exclude(pk__in=done.values("item_id"))
        .select_related("plan__owner", "lead_officer")
        .order_by("plan_id", "tree_id", "lft")
    )
    if plans is not None:
        items = items.filter(plan__in=plans)
    return list(items)


def _people_by_organisation(items: Iterable[PlanItem]) -> dict[int | None, list[User]]:
    org_ids = {item.lead_organisation_id for item in items if item.lead_organisation_id}
    people: dict[int | None, list[User]] = defaultdict(list)
    for person in User.objects.filter(organisation_id__in=org_ids, is_active=True).exclude(role=User.Role.MEMBER):
        people[person.organisation_id].append(person)
    return people


def _send(period: ReportingPeriod, by_recipient: dict[int, tuple[User, list[PlanItem]]], kind: str) -> None:
    url = reverse("monitoring:my-returns")
    for person, items in by_recipient.values():
        with in_language_of(person):  # each reminder in its reader's language
            _remind(person, period, items, kind, url)


def _remind(person: User, period: ReportingPeriod, items: list[PlanItem], kind: str, url: str) -> None:
    lines = "\n".join(f"- {bilingual.text(item)} ({bilingual.text(item.plan)})" for item in items)
    words = {"count": len(items), "period": period.label, "due": _day(period.due_on)}
    if kind == ReminderSent.Kind.OVERDUE:
        subject = ngettext(
            "Overdue: %(count)s return(s) for %(period)s", "Overdue: %(count)s return(s) for %(period)s", len(items)
        )
        opening = _("Returns for %(period)s were due on %(due)s. Still to come from you:")
    else:
        subject = ngettext(
            "Reminder: %(count)s return(s) for %(period)s due %(due)s",
            "Reminder: %(count)s return(s) for %(period)s due %(due)s",
            len(items),
        )
        opening = _("Returns for %(period)s are due on %(due)s. Still to come from you:")
    body = f"{opening % words}\n\n{lines}"
    notify(recipients=[person], subject=subject % words, body=body, url=url)


@transaction.atomic
def reminders_send(*, period: ReportingPeriod, plan: Plan, user: User | None) -> int:
    """The plan owner's chase: remind everyone with a return outstanding on ``plan``
    for ``period``, now. Returns how many people were reminded."""
    _check_unlocked(period)
    items = outstanding_items(period, plans=[plan])
    people = _people_by_organisation(items)
    by_recipient: dict[int, tuple[User, list[PlanItem]]] = {}
    now = timezone.now()
    rows = []
    for item in items:
        for person in reporters(item, people):
            by_recipient.setdefault(person.pk, (person, []))[1].append(item)
            rows.append(
                ReminderSent(
                    item=item, period=period, recipient=person, kind=ReminderSent.Kind.CHASE, sent_at=now, sent_by=user
                )
            )
    ReminderSent.objects.bulk_create(rows)
    _send(period, by_recipient, ReminderSent.Kind.CHASE)
    return len(by_recipient)


def scheduled_kind(period: ReportingPeriod, today: date) -> str | None:
    """Which scheduled reminder is due for ``period`` on ``today``, if any."""
    if period.is_locked or today < period.starts_on:
        return None
    if period.due_on - timedelta(days=REMIND_DAYS_BEFORE) <= today <= period.due_on:
        return ReminderSent.Kind.BEFORE
    if today >= period.due_on + timedelta(days=OVERDUE_DAYS_AFTER):
        return ReminderSent.Kind.OVERDUE
    return None


def scheduled_reminders_send(*, today: date) -> dict[str, int]:
    """The daily run: for each open period, the before-the-date or overdue reminder to
    everyone with a return outstanding, each at most once per person, item and kind.

    A reminder is claimed by inserting its ``ReminderSent`` row (the unique constraint
    refuses a second), in the same transaction as its outbox notification, so a run
    that fails halfway sends nothing twice and the next run sends what is left."""
    sent = {"people": 0, "items": 0}
    for period in ReportingPeriod.objects.filter(locked_at__isnull=True, starts_on__lte=today):
        kind = scheduled_kind(period, today)
        if kind is None:
            continue
        with transaction.atomic():
            items = outstanding_items(period)
            people = _people_by_organisation(items)
            already = set(ReminderSent.objects.filter(period=period, kind=kind).values_list("item_id", "recipient_id"))
            now = timezone.now()
            rows: list[ReminderSent] = []
            by_recipient: dict[int, tuple[User, list[PlanItem]]] = {}
            for item in items:
                for person in reporters(item, people):
                    if (item.pk, person.pk) in already:
                        continue
                    rows.append(ReminderSent(item=item, period=period, recipient=person, kind=kind, sent_at=now))
                    by_recipient.setdefault(person.pk, (person, []))[1].append(item)
            ReminderSent.objects.bulk_create(rows, ignore_conflicts=True)
            # a run at the same moment may have claimed some first: keep only this run's rows
            claimed = set(
                ReminderSent.objects.filter(period=period, kind=kind, sent_at=now).values_list(
                    "item_id", "recipient_id"
                )
            )
            by_recipient = {
                pk: (person, [item for item in person_items if (item.pk, pk) in claimed])
                for pk, (person, person_items) in by_recipient.items()
            }
            by_recipient = {pk: entry for pk, entry in by_recipient.items() if entry[1]}
            _send(period, by_recipient, kind)
            sent["people"] += len(by_recipient)
            sent["items"] += sum(len(entry[1]) for entry in by_recipient.values())
    return sent
