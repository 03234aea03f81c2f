"""Writing a plan together (issue 15): the drafting groups that write its parts, and the
owning organisations' sign-offs of a partnership plan before its approval.

Every write locks the plan row (``plan_write``), so a group changed while one of its
members saves an item is seen whole by that save, and each is stamped in history with who,
when and why. Who may call what is checked by the views through ``planning.access``; the
rules that hold whoever calls (the plan's status, the part being a priority of this plan,
one standing sign-off per organisation, a lead signing for their own organisation) are
checked here, under the lock.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import bilingual
from config.history import current_change
from partners.models import PartnershipMember, User
from planning.models import DraftingGroup, DraftingGroupMember, Plan, PlanItem, SignOff
from planning.notices import notify_in_their_language
from planning.rules import is_partnership_lead
from planning.services import plan_write

Status = Plan.Status
# sign-offs are given and withdrawn while the plan is still being written
SIGNING_STATUSES = {Status.DRAFT, Status.CONSULTATION}


# --- drafting groups ---------------------------------------------------------------------


def drafting_group_create(*, plan: Plan, user: User, name: str, item_id: int | None) -> DraftingGroup:
    """Give a part of the plan (a priority and everything under it) to a new, empty group."""
    with plan_write(plan.pk, user=user, reason=f"Drafting group “{name.strip()}” set up") as locked:
        item = PlanItem.objects.filter(pk=item_id, plan=locked).first() if item_id else None
        if item is None:
            raise ValidationError({"item": _("Choose the part of the plan the group will write.")})
        if DraftingGroup.objects.filter(item=item).exists():
            raise ValidationError(
                {"item": _("“%(part)s” already has a drafting group: add people to it instead.") % {"part": item.title}}
            )
        group = DraftingGroup(plan=locked, item=item, name=name.strip())
        group.full_clean()
        group.save()
    return group


def drafting_group_delete(*, group: DraftingGroup, user: User, reason: str = "") -> None:
    """End a group: its members stop writing the part (history keeps who they were)."""
    with plan_write(group.plan_id, user=user, reason=reason or f"Drafting group “{group.name}” ended"):
        for membership in DraftingGroupMember.objects.filter(group_id=group.pk):
            membership.delete()  # one by one: each removal gets its history row
        DraftingGroup.objects.get(pk=group.pk).delete()


def drafting_member_add(*, group: DraftingGroup, user: User, email: str) -> DraftingGroupMember:
    """Add the person with this email address to the group and tell them so."""
    address = email.strip()
    with plan_write(group.plan_id, user=user, reason=f"Added to drafting group “{group.name}”") as locked:
        people = list(User.objects.filter(email__iexact=address, is_active=True)[:2]) if address else []
        if len(people) != 1:
            raise ValidationError(
                {"email": _("Nobody active has that email address here: check it, or invite them first.")}
                if not people
                else {"email": _("More than one person has that email address: ask an administrator to correct it.")}
            )
        person = people[0]
        if person.role == User.Role.MEMBER:
            raise ValidationError({"email": _("Elected members scrutinise plans rather than draft them.")})
        if DraftingGroupMember.objects.filter(group_id=group.pk, person=person).exists():
            raise ValidationError({"email": _("%(person)s is already in this group.") % {"person": person}})
        membership = DraftingGroupMember.objects.create(group_id=group.pk, person=person)
        notify_in_their_language(
            recipients=[person],
            write=lambda: (
                _("You are drafting part of %(plan)s") % {"plan": bilingual.text(locked)},
                _(
                    "%(person)s added you to the drafting group “%(group)s”. While the plan is a draft you can "
                    "add, change, move and delete the items in “%(part)s” and everything under it."
                )
                % {"person": user, "group": group.name, "part": bilingual.text(group.item)},
            ),
            url=group.item.get_absolute_url(),
        )
    return membership


def drafting_member_remove(*, group: DraftingGroup, user: User, membership_id: int) -> User:
    """Take someone out of the group: from now on they cannot write the part."""
    with plan_write(group.plan_id, user=user, reason=f"Removed from drafting group “{group.name}”"):
        found = DraftingGroupMember.objects.select_related("person").filter(pk=membership_id, group_id=group.pk).first()
        if found is None:
            raise ValidationError(_("That person is no longer in this group."))
        found.delete()
    return found.person


# --- sign-off --------------------------------------------------------------------------------


def owning_organisations(plan: Plan) -> list:
    """The organisations that sign a partnership plan off, by name (none for other plans)."""
    if plan.partnership_id is None:
        return []
    rows = PartnershipMember.objects.filter(partnership_id=plan.partnership_id).select_related("organisation")
    return sorted((row.organisation for row in rows), key=lambda org: org.name)


def standing_sign_offs(plan: Plan) -> list[SignOff]:
    return list(
        SignOff.objects.filter(plan=plan, withdrawn_at__isnull=True).select_related("organisation", "signed_by")
    )


def sign_off_give(*, plan: Plan, user: User, condition: str = "") -> SignOff:
    """Record that the lead's organisation agrees to the plan, with any condition attached."""
    with plan_write(plan.pk, user=user, reason="Signed off") as locked:
        if locked.partnership_id is None:
            raise ValidationError(_("Only a plan owned by a partnership is signed off by its organisations."))
        if locked.status not in SIGNING_STATUSES:
            raise ValidationError(
                _("The plan is %(status)s: sign-off has closed.") % {"status": locked.get_status_display().lower()}
            )
        if not is_partnership_lead(user, locked):
            raise ValidationError(_("Only a named plan lead signs off, for their own organisation."))
        if SignOff.objects.filter(
            plan=locked, organisation_id=user.organisation_id, withdrawn_at__isnull=True
        ).exists():
            raise ValidationError(
                _("%(organisation)s has already signed this plan off.") % {"organisation": user.organisation}
            )
        sign_off = SignOff(
            plan=locked,
            organisation_id=user.organisation_id,
            signed_by=user,
            signed_at=current_change().when,
            condition=condition.strip(),
        )
        sign_off.full_clean()
        sign_off.save()
        _tell_owner(locked, user, gettext_lazy("%(organisation)s signed off %(plan)s"), condition.strip())
    return sign_off


def sign_off_withdraw(*, plan: Plan, user: User, sign_off_id: int, reason: str) -> SignOff:
    """Withdraw the organisation's sign-off while the plan is still a draft; the reason is kept."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the sign-off is withdrawn: it is kept with the plan.")})
    with plan_write(plan.pk, user=user, reason=f"Sign-off withdrawn: {reason.strip()}") as locked:
        sign_off = SignOff.objects.filter(pk=sign_off_id, plan=locked, withdrawn_at__isnull=True).first()
        if sign_off is None:
            raise ValidationError(_("That sign-off has already been withdrawn."))
        if locked.status not in SIGNING_STATUSES:
            raise ValidationError(
                _("The plan is %(status)s: its sign-offs stand.") % {"status": locked.get_status_display().lower()}
            )
        if sign_off.organisation_id != user.organisation_id or not is_partnership_lead(user, locked):
            raise ValidationError(_("Only a plan lead of the organisation that signed can withdraw its sign-off."))
        sign_off.withdrawn_by, sign_off.withdrawn_at = user, current_change().when
        sign_off.withdrawal_reason = reason.strip()
        sign_off.full_clean()
        sign_off.save()
        _tell_owner(locked, user, gettext_lazy("%(organisation)s withdrew its sign-off of %(plan)s"), reason.strip())
    return sign_off


def missing_sign_offs(plan: Plan) -> list:
    """The owning organisations that have not signed off (or have withdrawn): approval waits
    for them. Called under the plan's lock by ``lifecycle.plan_approve``."""
    signed = set(SignOff.objects.filter(plan=plan, withdrawn_at__isnull=True).values_list("organisation_id", flat=True))
    return [org for org in owning_organisations(plan) if org.pk not in signed]


def sign_off_record(plan: Plan) -> str:
    """The sign-offs an edition names: one line per organisation, in the order they signed."""
    lines = []
    for sign_off in standing_sign_offs(plan):
        line = f"- {sign_off.organisation}: signed off by {sign_off.signed_by} on {sign_off.signed_at:%-d %B %Y}"
        lines.append(f"{line}, on condition that {sign_off.condition}" if sign_off.condition else line)
    return "Signed off by its organisations:\n\n" + "\n".join(lines) if lines else ""


def _tell_owner(plan: Plan, user: User, what: str, detail: str) -> None:
    """``what``: a lazy sentence naming %(organisation)s and %(plan)s, in the owner's language."""

    def write() -> tuple[str, str]:
        subject = what % {"organisation": user.organisation, "plan": bilingual.text(plan)}
        return subject, f"{subject} ({user}).\n\n{detail}".strip()

    notify_in_their_language(
        recipients=[plan.owner] if plan.owner_id != user.pk else [],
        write=write,
        url=f"{plan.get_absolute_url()}drafting/",
    )
