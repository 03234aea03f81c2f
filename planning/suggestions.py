"""Suggested changes (issue 15): anyone who may comment on a plan may propose new wording
for an item, or a new item under one, instead of only commenting. Whoever may change that
item accepts (the change is made, and the suggestion points at the history row it wrote)
or declines with a reason; the person who suggested it is told either way.

A suggestion is a thread's opening ``Comment`` of kind ``suggestion`` (decision 0015), so
threads, replies, outcomes, the summary and its spreadsheet treat it as a comment. Each
function here is one transaction holding the plan's lock (``plan_write``); accepting calls
``planning.services`` for the change itself, inside the same transaction.

Keyword-only, with the person passed in, so the demo builder can call them as views do;
``when`` dates the suggestion or its outcome (history rows keep the time they were written).
"""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from config import bilingual
from config.history import current_change
from partners.models import User
from planning import services
from planning.access import can
from planning.lifecycle import open_consultation
from planning.models import Comment, Consultation, Plan, PlanItem
from planning.notices import notify_in_their_language

State = Comment.State

# a suggestion can be accepted while the plan is being written
ACCEPTING_STATUSES = {Plan.Status.DRAFT, Plan.Status.CONSULTATION}
# the English, marked for the catalogue (gettext_noop); written in the reader's words where used
CLOSED = gettext_noop("The consultation on this plan is closed.")
SAME_WORDING = gettext_noop(
    "This is the item’s wording already: change the title or the description to suggest new wording."
)


def suggestion_add(
    *,
    plan: Plan,
    user: User,
    item: PlanItem,
    body: str,
    proposed_title: str,
    proposed_description: str = "",
    proposed_kind: str = "",
    when: datetime | None = None,
) -> Comment:
    """Suggest new wording for ``item`` or, with ``proposed_kind``, a new item under it,
    with ``body`` saying why. Allowed while a consultation is open (and at any time to
    those who may change the plan, as for comments); the caller has checked ``comment``."""
    with services.plan_write(plan.pk, user=user, reason="Change suggested") as locked:
        consultation = open_consultation(locked)
        if consultation is None and not can(user, "change", locked):
            raise ValidationError({"body": _(CLOSED)})
        current = PlanItem.objects.filter(pk=item.pk, plan=locked).first()
        if current is None:
            raise ValidationError({"proposed_title": _("The item has been deleted since: there is nothing to change.")})
        suggestion = Comment(
            plan=locked,
            consultation=consultation,
            item=current,
            item_title=current.title,
            author=user,
            organisation=user.organisation,
            body=body,
            created_at=when or current_change().when,
            kind=Comment.Kind.SUGGESTION,
            proposed_kind=proposed_kind,
            proposed_title=proposed_title.strip(),
            proposed_description=proposed_description.strip(),
        )
        if proposed_kind:
            if proposed_kind not in suggestible_kinds(current):
                raise ValidationError({"proposed_kind": _kinds_message(locked, current)})
        else:
            suggestion.item_version = current.version
            if not suggestion.changes_title and not suggestion.changes_description:
                raise ValidationError({"proposed_title": _(SAME_WORDING)})
        if not suggestion.proposed_title:
            raise ValidationError({"proposed_title": _("Enter the title you suggest.")})
        suggestion.full_clean()
        suggestion.save()
        notify_in_their_language(
            recipients=[person for person in {locked.owner} if person.pk != user.pk],
            write=lambda: (
                _("Suggested change to %(plan)s") % {"plan": bilingual.text(locked)},
                _("%(person)s (%(organisation)s) suggests %(what)s:")
                % {
                    "person": user,
                    "organisation": user.organisation or _("no organisation"),
                    "what": describe(suggestion, locked),
                }
                + f"\n\n{suggestion.proposed_title}\n\n{body}",
            ),
            url=thread_url(suggestion, locked),
        )
    return suggestion


def may_suggest_now(user: User, plan: Plan, consultation: Consultation | None) -> bool:
    """As for comments: those who may comment, while ``consultation`` (the open one) is
    open; those who may change the plan, at any time."""
    return can(user, "comment", plan) and (consultation is not None or can(user, "change", plan))


def suggesting_here(user: User, item: PlanItem) -> dict[str, bool]:
    """What the item page offers: suggesting while the plan is out to consultation (no
    queries on a plan that is not)."""
    plan = item.plan
    may = plan.status == Plan.Status.CONSULTATION and may_suggest_now(user, plan, open_consultation(plan))
    return {"may_suggest": may, "suggest_under": may and bool(suggestible_kinds(item))}


def suggestible_kinds(item: PlanItem) -> list[str]:
    """The kinds of item that may be suggested under ``item``, in reading order."""
    return [kind for kind in PlanItem.child_kinds(item.kind) if kind in Comment.SUGGESTED_KINDS]


def _kinds_message(plan: Plan, item: PlanItem) -> str:
    kinds = [plan.label_for(kind).lower() for kind in suggestible_kinds(item)]
    if not kinds:
        return _("Nothing can be suggested under this item.")
    return _("Choose what to add: %(kinds)s.") % {"kinds": get_text_list(kinds, _("or"))}


def describe(suggestion: Comment, plan: Plan) -> str:
    """ "new wording for “Title”" or "a new action under “Title”", for messages."""
    if suggestion.suggests_new_item:
        return _("a new %(kind)s under “%(item)s”") % {
            "kind": plan.label_for(suggestion.proposed_kind).lower(),
            "item": suggestion.item_title,
        }
    return _("new wording for “%(item)s”") % {"item": suggestion.item_title}


def thread_url(suggestion: Comment, plan: Plan) -> str:
    return f"{plan.get_absolute_url()}comments/#comment-{suggestion.pk}"


def acceptance_reason(suggestion: Comment) -> str:
    """What the item's history says: "Suggestion from Pat Partner (Northgate College) accepted"."""
    who = f"{suggestion.author} ({suggestion.organisation})" if suggestion.organisation else str(suggestion.author)
    return f"Suggestion from {who} accepted"


ALREADY = {
    State.OPEN: gettext_lazy("This suggestion is open already."),
    State.ANSWERED: gettext_lazy("This suggestion is answered already."),
    State.ACCEPTED: gettext_lazy("This suggestion is accepted already."),
    State.DECLINED: gettext_lazy("This suggestion is declined already."),
}


def why_not_acceptable(suggestion: Comment, plan: Plan) -> str:
    """Why the suggestion cannot be accepted now, or "" if it can."""
    if suggestion.state != State.OPEN:
        return ALREADY[suggestion.state]
    if plan.status not in ACCEPTING_STATUSES:
        return _(
            "This plan is %(status)s: suggestions can be accepted only while it is a draft or in consultation."
        ) % {"status": plan.get_status_display().lower()}
    if suggestion.item_id is None:
        return _("“%(item)s” has been deleted since the suggestion was made, so it cannot be accepted.") % {
            "item": suggestion.item_title
        }
    return ""


def _locked_suggestion(suggestion_id: int, user: User, reason: str):
    plan_id = Comment.objects.values_list("plan_id", flat=True).get(pk=suggestion_id, kind=Comment.Kind.SUGGESTION)
    return services.plan_write(plan_id, user=user, reason=reason)


def suggestion_accept(
    *,
    suggestion_id: int,
    user: User,
    response: str = "",
    title: str | None = None,
    description: str | None = None,
    expected_version: int | None = None,
    when: datetime | None = None,
) -> Comment:
    """Make the suggested change (with the accepter's changes to its wording, if any) and
    mark the suggestion accepted, linked to the history row written, in one transaction.

    ``expected_version``: the item's version the accepter saw (by default the one the
    suggestion was made on), so an item changed since is not overwritten blindly
    (``EditConflict``). The caller has checked that ``user`` may change the item."""
    with transaction.atomic():
        seen = Comment.objects.select_related("author", "organisation").get(pk=suggestion_id)
        reason = acceptance_reason(seen)
        with _locked_suggestion(suggestion_id, user, reason) as locked:
            suggestion = Comment.objects.select_related("author", "organisation", "item").get(pk=suggestion_id)
            problem = why_not_acceptable(suggestion, locked)
            if problem:
                raise ValidationError(problem)
            title = (suggestion.proposed_title if title is None else title).strip()
            description = (suggestion.proposed_description if description is None else description).strip()
            if not title:
                raise ValidationError({"title": _("Enter a title.")})
            content = {"title": title, "description": description}
            if suggestion.suggests_new_item:
                item = services.item_add(
                    plan=locked,
                    parent_id=suggestion.item_id,
                    kind=suggestion.proposed_kind,
                    user=user,
                    change=services.ItemChange(content),
                    reason=reason,
                )
            else:
                version = suggestion.item_version if expected_version is None else expected_version
                item = services.item_update(
                    item_id=suggestion.item_id,
                    user=user,
                    change=services.ItemChange(content),
                    expected_version=version or 0,
                    reason=reason,
                )
            change = PlanItem.history.filter(id=item.pk).latest("history_date", "history_id")
            suggestion.accepted_with_changes = (title, description) != (
                suggestion.proposed_title,
                suggestion.proposed_description,
            )
            _close(suggestion, user, State.ACCEPTED, response or _accepted_note(suggestion), when)
            suggestion.change_history_id = change.history_id
            suggestion.full_clean()
            suggestion.save()
            _tell_author(suggestion, locked, user)
    return suggestion


def _accepted_note(suggestion: Comment) -> str:
    return _("Accepted with changes.") if suggestion.accepted_with_changes else _("Accepted as suggested.")


def suggestion_decline(*, suggestion_id: int, user: User, reason: str, when: datetime | None = None) -> Comment:
    """Decline the suggestion with a reason; nothing in the plan changes. The caller has
    checked that ``user`` may change the item."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: the person who suggested it is told.")})
    with _locked_suggestion(suggestion_id, user, "Suggestion declined") as locked:
        suggestion = Comment.objects.select_related("author", "organisation").get(pk=suggestion_id)
        if suggestion.state != State.OPEN:
            raise ValidationError(ALREADY[suggestion.state])
        _close(suggestion, user, State.DECLINED, reason.strip(), when)
        suggestion.full_clean()
        suggestion.save()
        _tell_author(suggestion, locked, user)
    return suggestion


def _close(suggestion: Comment, user: User, state: str, response: str, when: datetime | None) -> None:
    suggestion.state, suggestion.response = state, response
    suggestion.responded_by, suggestion.responded_at = user, when or current_change().when
    suggestion.version += 1


def _tell_author(suggestion: Comment, plan: Plan, user: User) -> None:
    if suggestion.author_id == user.pk:
        return
    outcome = "accepted_with_changes" if suggestion.accepted_with_changes else suggestion.state

    def write() -> tuple[str, str]:
        subject, body = TOLD[outcome]
        told = body % {"what": describe(suggestion, plan), "person": user}
        return subject % {"plan": plan.title}, f"{told}\n\n{suggestion.response}"

    notify_in_their_language(recipients=[suggestion.author], write=write, url=thread_url(suggestion, plan))


# what the author of a suggestion is told: (subject, first line) by its outcome
TOLD = {
    State.ACCEPTED: (
        gettext_lazy("Your suggestion on %(plan)s was accepted"),
        gettext_lazy("Your suggestion of %(what)s was accepted by %(person)s."),
    ),
    "accepted_with_changes": (
        gettext_lazy("Your suggestion on %(plan)s was accepted with changes"),
        gettext_lazy("Your suggestion of %(what)s was accepted with changes by %(person)s."),
    ),
    State.DECLINED: (
        gettext_lazy("Your suggestion on %(plan)s was declined"),
        gettext_lazy("Your suggestion of %(what)s was declined by %(person)s."),
    ),
}
