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

from config.history import change_time, current_change
from partners.models import Organisation, User
from partners.services import notify
from planning import co_writing, evaluation
from planning.conflicts import check_version
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
            {"status": f"A plan that is {plan.get_status_display().lower()} cannot become {Status(to).label.lower()}."}
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
                {"organisations": "Invite at least one organisation or member, or open it to the public."}
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
        notify(
            recipients=people,
            subject=f"Consultation: {locked.title}",
            body=(
                f"{user} invites your comments on the draft {locked.title}, "
                f"open from {opens_on:%-d %B %Y} until {closes_on:%-d %B %Y}.\n\n{note}"
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
            raise ValidationError({"approved_by": "Say which body approved the plan."})
        if problem := evaluation.approval_problem(locked):  # the council's equality duty (decision 0032)
            raise ValidationError({"equality_impact": problem})
        if missing := co_writing.missing_sign_offs(locked):
            names = ", ".join(str(org) for org in missing)
            raise ValidationError(
                f"Each organisation that owns this plan signs it off before approval: waiting for {names}."
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
        raise ValidationError({"reason": "Give a reason: it is kept in the plan's history."})
    with plan_write(plan.pk, user=user, reason=reason) as locked:
        _move(locked, status)
    return locked


NOT_PUBLISHABLE = "Only an approved plan can be published: approve it first."


def plan_publish(*, plan: Plan, user: User, reason: str = "") -> Plan:
    """Publish an approved (or superseded) plan: from now on anyone can read it, its
    editions, its scorecards for locked quarters and what its consultations changed,
    without signing in, and the open API shows it (issue 16). History keeps who and why."""
    with plan_write(plan.pk, user=user, reason=reason.strip() or "Published to the public") as locked:
        if locked.status not in Plan.PUBLISHED_STATUSES:
            raise ValidationError(NOT_PUBLISHABLE)
        if locked.published_at is not None:
            raise ValidationError("This plan is already published.")
        locked.published_at = change_time()
        locked.save()
    return locked


def plan_withdraw(*, plan: Plan, user: User, reason: str) -> Plan:
    """Take a plan off the public pages and the open API; a reason is required."""
    if not reason.strip():
        raise ValidationError({"reason": "Give a reason: it is kept in the plan's history."})
    with plan_write(plan.pk, user=user, reason=reason) as locked:
        if locked.published_at is None:
            raise ValidationError("This plan is not published.")
        locked.published_at = None
        locked.save()
    return locked


@transaction.atomic
def plan_revise(*, plan: Plan, user: User, title: str, slug: str, start_year: int, end_year: int) -> Plan:
    """Start next year's draft from this plan: same owner, labels and items (with their
    supporters and links out), ``revision_of`` pointing back here."""
    fields = {name: getattr(plan, name) for name in Plan.EDITABLE_FIELDS}
    fields.update({"title": title, "slug": slug, "start_year": start_year, "end_year": end_year})
    vision = PlanItem.objects.get(plan=plan, parent__isnull=True)
    new = plan_create(user=user, fields=fields, vision_title=vision.title, reason=f"Revised from {plan.title}")
    with plan_write(new.pk, user=user, reason=f"Revised from {plan.title}") as locked:
        locked.revision_of = plan
        locked.version += 1
        locked.save()
        _copy_items(plan, locked)
    return locked


_COPIED = [*PlanItem.COMMON_FIELDS, "kind", *PlanItem.COST_FIELDS, *PlanItem.MEASURE_FIELDS]


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
            raise ValidationError({"body": "The consultation on this plan is closed."})
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
        notify(
            recipients=[person for person in readers if person.pk != user.pk],
            subject=f"New comment on {locked.title}",
            body=f"{user} ({user.organisation or 'no organisation'}) commented"
            f"{' on ' + item.title if item else ''}:\n\n{body}",
            url=f"{locked.get_absolute_url()}comments/#comment-{comment.pk}",
        )
    return comment


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
            raise ValidationError({"state": "Accept or decline a suggested change from the suggestion itself."})
        if state == Comment.State.OPEN:
            raise ValidationError({"state": "Choose answered, accepted or declined."})
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
            notify(
                recipients=[comment.author],
                subject=f"Your comment on {comment.plan.title} was {comment.get_state_display().lower()}",
                body=response,
                url=f"{comment.plan.get_absolute_url()}comments/#comment-{comment.pk}",
            )
    return comment


def unanswered_count(plan: Plan) -> int:
    return plan.comments.filter(state__in=Comment.UNANSWERED, parent__isnull=True).count()
