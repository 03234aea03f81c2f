"""Writes to plans and their items.

Every write to a plan's items runs inside ``plan_write``: one short transaction that
locks the plan row, so two writers can never interleave mptt's tree updates, and
stamps every history row of the operation with one reason, one author and one time.
Sibling order is the tracked ``position`` field; moves shift siblings in bulk and
write those siblings' history rows themselves (``bulk_history_create``).
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config.history import change_context, change_time, current_change
from partners.models import Organisation, User
from planning.access import can, drafting_part
from planning.conflicts import check_version
from planning.models import BudgetLine, Edition, ItemSupporter, Link, Plan, PlanItem, PlanShare

# pg_advisory_xact_lock key serialising changes to the tree of plans and new item trees
_TREE_ALLOCATION_LOCK = 7_204_913


@dataclass
class ItemChange:
    """The editable content of an item, as a form or loader hands it over."""

    fields: dict
    supporting_organisations: Iterable[Organisation] | None = None


def _lock_tree_allocation() -> None:
    """mptt gives a new tree ``MAX(tree_id) + 1``; two plans created at once would share
    one. SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_TREE_ALLOCATION_LOCK])


@contextmanager
def plan_write(plan_id: int, *, user: User | None, reason: str = "", content: bool = False) -> Iterator[Plan]:
    """Lock the plan row for one transaction and stamp the history of everything in it.

    ``content``: the write changes the plan's items, so an approved plan needs a reason."""
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan_id)
        if content and plan.status == Plan.Status.APPROVED and not reason.strip():
            raise ValidationError({"reason": _("This plan is approved: give a reason for the change.")})
        with change_context(reason=reason, user=user):
            yield plan


# --- plans -----------------------------------------------------------------------------


PLAN_FIELDS = [*Plan.EDITABLE_FIELDS, *Plan.WELSH_FIELDS]


@transaction.atomic
def plan_create(*, user: User | None, fields: dict, vision_title: str = "", reason: str = "") -> Plan:
    """Create a plan and its vision, the root every other item hangs from."""
    _lock_tree_allocation()
    with change_context(reason=reason or "Plan created", user=user):
        plan = Plan(**{name: fields[name] for name in PLAN_FIELDS if name in fields})
        plan.full_clean()
        plan.save()
        vision = PlanItem(
            plan=plan,
            kind=PlanItem.Kind.VISION,
            title=vision_title or f"Vision for {plan.title}",
            position=1,
        )
        vision.full_clean()
        vision.save()
    return plan


OWNER_REFUSED = gettext_lazy("Only the plan’s owner or an administrator can change its owner.")
# the plan's fields that give people rights over it: changed only by ``change_owner``
RIGHTS_FIELDS = ("owner", "partnership")
RIGHTS_REFUSED = {
    "owner": OWNER_REFUSED,
    "partnership": gettext_lazy("Only the plan’s owner or an administrator can change the partnership that owns it."),
}
THRESHOLD_REFUSED = gettext_lazy("Only the plan’s owner or an administrator can change its budget variance threshold.")


@transaction.atomic
def plan_update(*, plan_id: int, user: User | None, fields: dict, expected_version: int, reason: str = "") -> Plan:
    _lock_tree_allocation()  # a new title or parent re-slots the plan in the tree of plans
    plan = Plan.objects.select_for_update().get(pk=plan_id)
    check_version(plan, expected_version)
    if plan.status == Plan.Status.APPROVED and not reason.strip():
        raise ValidationError({"reason": _("This plan is approved: give a reason for the change.")})
    for name in RIGHTS_FIELDS:
        value = fields.get(name, getattr(plan, name))
        if getattr(value, "pk", value) != getattr(plan, f"{name}_id") and (
            user is None or not can(user, "change_owner", plan)
        ):
            # naming the owner confers approval and review, the owning partnership its leads'
            # editing and sign-off: checked here, under the lock, so that no caller can skip it
            # (issue 12, item 5; issue 15)
            raise ValidationError({name: RIGHTS_REFUSED[name]})
    threshold = fields.get("variance_threshold", plan.variance_threshold)
    if threshold != plan.variance_threshold and (user is None or not can(user, "change_owner", plan)):
        # the threshold says which overspends members see flagged: the owner's to set (decision 0023)
        raise ValidationError({"variance_threshold": THRESHOLD_REFUSED})
    with change_context(reason=reason, user=user):
        for name in PLAN_FIELDS:
            if name in fields:
                setattr(plan, name, fields[name])
        plan.version += 1
        plan.full_clean()
        plan.save()
    return plan


def plan_share_set(*, plan: Plan, organisations: Iterable[Organisation]) -> None:
    """Make the plan's shares exactly ``organisations``; call inside a change context."""
    wanted = {org.pk for org in organisations}
    current = {share.organisation_id: share for share in plan.shares.all()}
    for org_id, share in current.items():
        if org_id not in wanted:
            share.delete()
    for org_id in wanted - current.keys():
        PlanShare.objects.create(plan=plan, organisation_id=org_id)


# --- items -----------------------------------------------------------------------------

OUTSIDE_PART = gettext_lazy("You draft “%(part)s”: this change would reach outside it.")


def _check_drafting(
    locked: Plan, user: User | None, item: PlanItem, *, whole_item: bool = False, new_parent: PlanItem | None = None
) -> None:
    """Whoever may change the plan writes anywhere in it; a drafting group's member writes
    inside their part only, and only while the plan is a draft (issue 15). Checked here,
    under the plan's lock, so the plan's status is current and no caller skips it.
    ``whole_item``: the write moves or deletes ``item`` and everything under it, which a
    member may do inside the part but not to the part itself (the owner's structure)."""
    if user is None or can(user, "change", locked):
        return
    # asked again of the person as stored: an organisation held in memory keeps the tree
    # columns it was read with, which a later change to the organisation tree makes stale
    user = User.objects.select_related("organisation").get(pk=user.pk)
    if can(user, "change", locked):
        return
    part = drafting_part(user, locked, item)
    if part is None or (whole_item and part.pk == item.pk):
        raise PermissionDenied(_("Only the plan’s owners or the drafting group of this part can change it."))
    if new_parent is not None and not part.is_ancestor_of(new_parent, include_self=True):
        raise ValidationError({"parent": OUTSIDE_PART % {"part": part.title}})


def _set_supporters(item: PlanItem, organisations: Iterable[Organisation]) -> None:
    wanted = {org.pk for org in organisations}
    current = {row.organisation_id: row for row in item.supporters.all()}
    for org_id, row in current.items():
        if org_id not in wanted:
            row.delete()
    for org_id in sorted(wanted - current.keys()):
        ItemSupporter.objects.create(item=item, organisation_id=org_id)


def _apply(item: PlanItem, change: ItemChange) -> None:
    for name, value in change.fields.items():
        setattr(item, name, value)


def item_add(
    *, plan: Plan, parent_id: int, kind: str, user: User | None, change: ItemChange, reason: str = ""
) -> PlanItem:
    """Add ``kind`` as the last child of ``parent_id``."""
    with plan_write(plan.pk, user=user, reason=reason, content=True) as locked:
        parent = PlanItem.objects.get(pk=parent_id, plan=locked)
        _check_drafting(locked, user, parent)
        last = parent.get_children().aggregate(last=Max("position"))["last"] or 0
        item = PlanItem(plan=locked, parent=parent, kind=kind, position=last + 1)
        _apply(item, change)
        item.full_clean()
        item.save()
        if change.supporting_organisations is not None:
            _set_supporters(item, change.supporting_organisations)
    return item


def item_update(
    *, item_id: int, user: User | None, change: ItemChange, expected_version: int, reason: str = ""
) -> PlanItem:
    """Save new content; refuse (``EditConflict``) if someone saved the item since it was loaded."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason=reason, content=True) as locked:
        item = PlanItem.objects.get(pk=item_id)
        _check_drafting(locked, user, item)
        check_version(item, expected_version)
        _apply(item, change)
        item.version += 1
        item.full_clean()
        item.save()
        if change.supporting_organisations is not None:
            _set_supporters(item, change.supporting_organisations)
    return item


def _shift(*groups: tuple[list[PlanItem], int]) -> None:
    """Renumber siblings, each group by its own step, in one bulk update, and write their
    history rows (bulk_update writes none). A move between parents shifts two groups: one
    update and one insert of history rows for both, not two of each."""
    siblings = []
    for group, by in groups:
        for sibling in group:
            sibling.position += by
            sibling.version += 1
        siblings += group
    if not siblings:
        return
    PlanItem.objects.bulk_update(siblings, ["position", "version"])
    change = current_change()
    PlanItem.history.bulk_history_create(
        siblings,
        update=True,
        default_user=change.user if change else None,
        default_change_reason=change.reason if change else "",
        default_date=change.when if change else None,
    )


def _siblings(parent_id: int, **position_filter: Any) -> list[PlanItem]:
    return list(
        PlanItem.objects.select_for_update().filter(parent_id=parent_id, **position_filter).order_by("position")
    )


def item_move(*, item_id: int, user: User | None, new_parent_id: int, new_position: int, reason: str = "") -> PlanItem:
    """Move an item (and everything under it) to ``new_position`` under ``new_parent_id``.

    Positions are clamped to the siblings' range, so "up" from the top is a no-op.
    """
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason=reason, content=True) as locked:
        item = PlanItem.objects.get(pk=item_id)  # re-read under the lock: mptt needs fresh columns
        if item.parent_id is None:
            raise ValidationError({"parent": _("The vision is the top of the plan and cannot move.")})
        new_parent = PlanItem.objects.get(pk=new_parent_id, plan_id=plan_id)
        _check_drafting(locked, user, item, whole_item=True, new_parent=new_parent)
        if new_parent.pk == item.pk or new_parent.is_descendant_of(item):
            raise ValidationError({"parent": _("An item cannot move under itself or one of its own items.")})
        old_parent_id, old_position = item.parent_id, item.position
        same_parent = new_parent.pk == old_parent_id
        count = PlanItem.objects.filter(parent_id=new_parent.pk).count()
        new_position = max(1, min(new_position, count if same_parent else count + 1))
        if same_parent and new_position == old_position:
            return item
        item.parent = new_parent
        # the nesting rules for the new parent (and the item's other rules): a move changes
        # only the parent and position, so full_clean's field checks and its lookups of every
        # row the item names (five queries) would re-check what the move leaves as it was
        item.clean()
        if same_parent and new_position < old_position:
            _shift((_siblings(old_parent_id, position__gte=new_position, position__lt=old_position), +1))
        elif same_parent:
            _shift((_siblings(old_parent_id, position__gt=old_position, position__lte=new_position), -1))
        else:
            _shift(
                (_siblings(old_parent_id, position__gt=old_position), -1),
                (_siblings(new_parent.pk, position__gte=new_position), +1),
            )
        item.position = new_position
        item.version += 1
        item.save()
    return item


def item_delete(*, item_id: int, user: User | None, reason: str = "") -> list[PlanItem]:
    """Delete an item and everything under it; later siblings close the gap."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason=reason, content=True) as locked:
        item = PlanItem.objects.get(pk=item_id)
        if item.parent_id is None:
            raise ValidationError({"kind": _("A plan's vision cannot be deleted.")})
        _check_drafting(locked, user, item, whole_item=True)
        removed = list(item.get_descendants(include_self=True))
        parent_id, position = item.parent_id, item.position
        item.delete()
        _shift((_siblings(parent_id, position__gt=position), -1))
    return removed


# --- budget profiles (decision 0023) ---------------------------------------------------


def budget_line_add(
    *,
    item_id: int,
    user: User | None,
    year: int,
    cost_type: str,
    funding_source: str,
    amount: Decimal | int | str,
    reason: str = "",
) -> BudgetLine:
    """Add a line to an action's budget profile: one line per year, type and source."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason=reason, content=True) as locked:
        item = PlanItem.objects.select_related("plan").get(pk=item_id)
        _check_drafting(locked, user, item)
        line = BudgetLine(item=item, year=year, cost_type=cost_type, funding_source=funding_source, amount=amount)
        line.full_clean(validate_unique=False, validate_constraints=False)
        if BudgetLine.objects.filter(
            item=item, year=year, cost_type=cost_type, funding_source=line.funding_source
        ).exists():
            raise ValidationError(
                {"funding_source": _("This action already has a line for that year, type and source: remove it first.")}
            )
        line.save()
    return line


def budget_line_delete(*, item_id: int, line_id: int, user: User | None, reason: str = "") -> None:
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    with plan_write(plan_id, user=user, reason=reason, content=True) as locked:
        item = PlanItem.objects.get(pk=item_id)
        _check_drafting(locked, user, item)
        BudgetLine.objects.get(pk=line_id, item=item).delete()


# --- links and editions ----------------------------------------------------------------


def link_add(*, source_id: int, target_id: int, relation: str, note: str = "", user: User | None) -> Link:
    """Link two items. The source's plan is locked, like any other write to its items."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=source_id)
    with plan_write(plan_id, user=user, reason="Link added"):
        link = Link(source_id=source_id, target_id=target_id, relation=relation, note=note)
        link.full_clean()
        link.save()
    return link


def link_delete(*, link_id: int, user: User | None, reason: str = "") -> None:
    link = Link.objects.select_related("source").get(pk=link_id)
    with plan_write(link.source.plan_id, user=user, reason=reason or "Link removed"):
        Link.objects.get(pk=link_id).delete()


def edition_create(
    *, plan: Plan, name: str, note: str = "", user: User | None, when: datetime | None = None
) -> Edition:
    """Name the plan as it stands now (or at ``when``): a later past view rebuilds it from history."""
    with plan_write(plan.pk, user=user, reason=f"Edition “{name}” named") as locked:
        edition = Edition(plan=locked, name=name, note=note, created_by=user, moment=when or change_time())
        edition.full_clean()
        edition.save()
    return edition
