"""A plan's life — draft, consultation, approved, superseded, archived — and the
consultation comments that shape it.

Every step locks the plan row (``plan_write``), records who, when and why in history,
and writes its notifications to the outbox in the same transaction.
"""

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from config import bilingual
from config.history import change_time, current_change
from partners.models import Organisation, User
from planning import co_writing, evaluation
from planning.conflicts import check_version
from planning.formatting import long_date
from planning.models import (
    Comment,
    Consultation,
    ConsultationInvite,
    ConsultationMember,
    Edition,
    ItemSupporter,
    Link,
    Plan,
    PlanItem,
    PlanShare,
)
from planning.notices import notify_in_their_language
from planning.services import plan_create, plan_write
from planning.signals import public_comment_answered

Status = Plan.Status

# status -> the statuses it may move to
TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.CONSULTATION, Status.APPROVED, Status.ARCHIVED},
    Status.CONSULTATION: {Status.DRAFT, Status.APPROVED, Status.ARCHIVED},
    Status.APPROVED: {Status.SUPERSEDED, Status.ARCHIVED},
    Status.SUPERSEDED: {Status.ARCHIVED},
    Status.ARCHIVED: set(),
}


def _move(plan: Plan, to: str) -> None:
    if to not in TRANSITIONS[plan.status]:
        raise ValidationError(
            {
                "status": _("A plan that is %(status)s cannot become %(new_status)s.")
                % {"status": plan.get_status_display().lower(), "new_status": str(Status(to).label).lower()}
            }
        )
    plan.status = to
    plan.version += 1
    plan.save()


def open_consultation(plan: Plan, today: date | None = None) -> Consultation | None:
    """The consultation taking comments now: the plan is out to consultation (approval or
    going back to draft ends it) and today is within its dates."""
    if plan.status != Status.CONSULTATION:
        return None
    today = today or timezone.localdate()
    return plan.consultations.filter(opens_on__lte=today, closes_on__gte=today).order_by("-opens_on").first()


def plan_consultation_open(
    *,
    plan: Plan,
    user: User,
    opens_on: date,
    closes_on: date,
    note: str,
    organisations: Iterable[Organisation],
    members: Iterable[User],
    is_public: bool = False,
) -> Consultation:
    """Invite partner organisations and members to comment on a draft; they can read it
    from now on and are told by email and in the app. ``is_public``: anyone may also read
    the draft and respond on the public pages while it is open (decision 0020)."""
    organisations, members = list(organisations), list(members)
    reason = "Consultation opened to the public" if is_public else "Consultation opened"
    with plan_write(plan.pk, user=user, reason=reason) as locked:
        consultation = Consultation(
            plan=locked, opens_on=opens_on, closes_on=closes_on, note=note, created_by=user, is_public=is_public
        )
        consultation.full_clean()
        if not organisations and not members and not is_public:
            raise ValidationError(
                {"organisations": _("Invite at least one organisation or member, or open it to the public.")}
            )
        _move(locked, Status.CONSULTATION)
        consultation.save()
        shared = set(locked.shares.values_list("organisation_id", flat=True))
        for org in organisations:
            ConsultationInvite.objects.create(consultation=consultation, organisation=org)
            if org.pk not in shared and not org.is_council:  # council staff read every plan already
                PlanShare.objects.create(plan=locked, organisation=org)
        for member in members:
            ConsultationMember.objects.create(consultation=consultation, member=member)
        people = User.objects.filter(
            Q(organisation__in=organisations, role=User.Role.PARTNER)
            | Q(organisation__in=_council_units_within(organisations), role=User.Role.OFFICER)
            | Q(pk__in=[m.pk for m in members]),
            is_active=True,
        )
        notify_in_their_language(
            recipients=people,
            write=lambda: (
                _("Consultation: %(plan)s") % {"plan": bilingual.text(locked)},
                _("%(person)s invites your comments on the draft %(plan)s, open from %(opens)s until %(closes)s.")
                % {
                    "person": user,
                    "plan": bilingual.text(locked),
                    "opens": long_date(opens_on),
                    "closes": long_date(closes_on),
                }
                + f"\n\n{note}",
            ),
            url=locked.get_absolute_url(),
        )
    return consultation


def _council_units_within(organisations: list[Organisation]):
    """The council units invited and every unit beneath them: their officers are invited
    (``planning.rules.is_invited_council_unit``). Read from the database: an organisation
    in hand may carry tree columns made stale by a later insertion."""
    invited = Organisation.objects.filter(
        pk__in=[org.pk for org in organisations if org.is_council],
        tree_id=OuterRef("tree_id"),
        lft__lte=OuterRef("lft"),
        rght__gte=OuterRef("rght"),
    )
    return Organisation.objects.filter(Exists(invited)).values("pk")


def plan_approve(*, plan: Plan, user: User, approved_by: str, approved_on: date, reason: str = "") -> Edition:
    """Approve the plan and name the edition members approved ("Approved by Cabinet,
    18 March 2013"), so it stays readable as approved after later changes."""
    name = f"Approved by {approved_by.strip()}, {approved_on:%-d %B %Y}"
    with plan_write(plan.pk, user=user, reason=reason or name) as locked:
        locked.approved_by, locked.approved_on = approved_by.strip(), approved_on
        if not locked.approved_by:
            raise ValidationError({"approved_by": _("Say which body approved the plan.")})
        if problem := evaluation.approval_problem(locked):  # the council's equality duty (decision 0032)
            raise ValidationError({"equality_impact": problem})
        if missing := co_writing.missing_sign_offs(locked):
            names = ", ".join(str(org) for org in missing)
            raise ValidationError(
                _("Each organisation that owns this plan signs it off before approval: waiting for %(names)s.")
                % {"names": names}
            )
        _move(locked, Status.APPROVED)
        edition = Edition(
            plan=locked,
            name=name,
            moment=current_change().when,
            created_by=user,
            note=co_writing.sign_off_record(locked),
        )
        edition.full_clean()
        edition.save()
    return edition


def plan_status_set(*, plan: Plan, user: User, status: str, reason: str) -> Plan:
    """Supersede, archive, or take a consultation draft back to draft; a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: it is kept in the plan's history.")})
    with plan_write(plan.pk, user=user, reason=reason) as locked:
        _move(locked, status)
    return locked


NOT_PUBLISHABLE = gettext_noop("Only an approved plan can be published: approve it first.")  # English; _() where used


def plan_publish(*, plan: Plan, user: User, reason: str = "") -> Plan:
    """Publish an approved (or superseded) plan: from now on anyone can read it, its
    editions, its scorecards for locked quarters and what its consultations changed,
    without signing in, and the open API shows it (issue 16). History keeps who and why."""
    with plan_write(plan.pk, user=user, reason=reason.strip() or "Published to the public") as locked:
        if locked.status not in Plan.PUBLISHED_STATUSES:
            raise ValidationError(_(NOT_PUBLISHABLE))
        if locked.published_at is not None:
            raise ValidationError(_("This plan is already published."))
        locked.published_at = change_time()
        locked.save()
    return locked


def plan_withdraw(*, plan: Plan, user: User, reason: str) -> Plan:
    """Take a plan off the public pages and the open API; a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give a reason: it is kept in the plan's history.")})
    with plan_write(plan.pk, user=user, reason=reason) as locked:
        if locked.published_at is None:
            raise ValidationError(_("This plan is not published."))
        locked.published_at = None
        locked.save()
    return locked


@transaction.atomic
def plan_revise(*, plan: Plan, user: User, title: str, slug: str, start_year: int, end_year: int) -> Plan:
    """Start next year's draft from this plan: same owner, labels and items (with their
    supporters and links out), ``revision_of`` pointing back here."""
    fields = {name: getattr(plan, name) for name in [*Plan.EDITABLE_FIELDS, *Plan.WELSH_FIELDS]}
    fields.update({"title": title, "slug": slug, "start_year": start_year, "end_year": end_year})
    vision = PlanItem.objects.get(plan=plan, parent__isnull=True)
    new = plan_create(user=user, fields=fields, vision_title=vision.title, reason=f"Revised from {plan.title}")
    with plan_write(new.pk, user=user, reason=f"Revised from {plan.title}") as locked:
        locked.revision_of = plan
        locked.version += 1
        locked.save()
        _copy_items(plan, locked)
    return locked


_COPIED = [*PlanItem.COMMON_FIELDS, *PlanItem.WELSH_FIELDS, "kind", *PlanItem.COST_FIELDS, *PlanItem.MEASURE_FIELDS]


def _copy_items(source: Plan, target: Plan) -> None:
    """Copy the item tree level by level (parents before children, siblings by position), and
    carry each priority's latest self-evaluation to its copy."""
    items = list(PlanItem.objects.filter(plan=source).order_by("level", "parent_id", "position"))
    new_ids = {items[0].pk: PlanItem.objects.get(plan=target, parent__isnull=True).pk}
    for item in items[1:]:
        copy = PlanItem(plan=target, parent_id=new_ids[item.parent_id], position=item.position)
        for name in _COPIED:
            setattr(copy, PlanItem._meta.get_field(name).attname, getattr(item, PlanItem._meta.get_field(name).attname))
        copy.save()
        new_ids[item.pk] = copy.pk
    # last year's self-evaluation of each priority, in front of those writing the new one
    evaluation.carry_evaluations(
        {item.pk: new_ids[item.pk] for item in items[1:] if item.kind == PlanItem.Kind.PRIORITY}
    )
    for row in ItemSupporter.objects.filter(item__plan=source):
        ItemSupporter.objects.create(item_id=new_ids[row.item_id], organisation_id=row.organisation_id)
    for link in Link.objects.filter(source__plan=source).exclude(target__plan=source):
        Link.objects.create(
            source_id=new_ids[link.source_id], target_id=link.target_id, relation=link.relation, note=link.note
        )


# --- comments ------------------------------------------------------------------------------


def comment_add(
    *,
    plan: Plan,
    user: User,
    body: str,
    item: PlanItem | None = None,
    parent: Comment | None = None,
    name_public: bool = False,
) -> Comment:
    """Comment on the plan or one item, or reply in a thread, while a consultation is open.
    ``name_public``: the commenter agrees that the public pages may show their name with it
    ("you said, we did", decision 0020); without it they show only the kind of organisation."""
    with plan_write(plan.pk, user=user, reason="Comment added") as locked:
        consultation = open_consultation(locked)  # read under the lock: the status is current
        if consultation is None and not user.has_perm("planning.change_plan", locked):  # invited officers too
            raise ValidationError({"body": _("The consultation on this plan is closed.")})
        if parent is not None:
            item = parent.item
        comment = Comment(
            plan=locked,
            consultation=consultation,
            item=item,
            item_title=item.title if item else "",
            parent=parent,
            author=user,
            organisation=user.organisation,
            body=body,
            name_public=name_public,
            created_at=current_change().when,
        )
        comment.full_clean()
        comment.save()
        readers = {locked.owner}
        if parent is not None and parent.author is not None:
            readers.add(parent.author)
        notify_in_their_language(
            recipients=[person for person in readers if person.pk != user.pk],
            write=lambda: (
                _("New comment on %(plan)s") % {"plan": bilingual.text(locked)},
                _comment_told(user, item, body),
            ),
            url=f"{locked.get_absolute_url()}comments/#comment-{comment.pk}",
        )
    return comment


def _comment_told(user: User, item: PlanItem | None, body: str) -> str:
    words = {"person": user, "organisation": user.organisation or _("no organisation")}
    if item is not None:
        said = _("%(person)s (%(organisation)s) commented on %(item)s:") % {**words, "item": bilingual.text(item)}
    else:
        said = _("%(person)s (%(organisation)s) commented:") % words
    return f"{said}\n\n{body}"


# the subject of the email telling a commenter what became of their comment
ANSWERED_SUBJECTS = {
    Comment.State.ANSWERED: gettext_lazy("Your comment on %(plan)s was answered"),
    Comment.State.ACCEPTED: gettext_lazy("Your comment on %(plan)s was accepted"),
    Comment.State.DECLINED: gettext_lazy("Your comment on %(plan)s was declined"),
}


def comment_respond(
    *,
    comment_id: int,
    user: User,
    response: str,
    state: str,
    expected_version: int,
    change_history_id: int | None = None,
) -> Comment:
    """Record the officer's response and what became of the comment."""
    plan_id = Comment.objects.values_list("plan_id", flat=True).get(pk=comment_id)
    with plan_write(plan_id, user=user, reason="Comment answered"):
        comment = Comment.objects.select_related("author", "plan").get(pk=comment_id)
        check_version(comment, expected_version)
        if comment.is_suggestion:  # its outcome is the change itself (planning.suggestions)
            raise ValidationError({"state": _("Accept or decline a suggested change from the suggestion itself.")})
        if state == Comment.State.OPEN:
            raise ValidationError({"state": _("Choose answered, accepted or declined.")})
        comment.response, comment.state = response, state
        comment.responded_by, comment.responded_at = user, current_change().when
        if change_history_id is not None:
            comment.change_history_id = change_history_id
        comment.version += 1
        comment.full_clean()
        comment.save()
        if comment.author_id is None:  # a member of the public's response: told by email (decision 0020)
            public_comment_answered.send(sender=Comment, comment=comment)
        elif comment.author_id != user.pk:
            notify_in_their_language(
                recipients=[comment.author],
                write=lambda: (ANSWERED_SUBJECTS[comment.state] % {"plan": bilingual.text(comment.plan)}, response),
                url=f"{comment.plan.get_absolute_url()}comments/#comment-{comment.pk}",
            )
    return comment


def unanswered_count(plan: Plan) -> int:
    return plan.comments.filter(state__in=Comment.UNANSWERED, parent__isnull=True).count()
