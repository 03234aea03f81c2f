"""Evidence in the plan (issue 18, decision 0031): the needs assessment's sources and
findings, the findings a priority rests on, and items and plans merged into others.

Every write goes through ``planning.services.plan_write`` (the plan row locked, the change's
who and why in its history rows), like any other change to a plan.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Max, Prefetch, QuerySet
from django.utils.translation import gettext as _

from partners.models import User
from planning.conflicts import check_version
from planning.duplicates import THRESHOLD, similarity, trigrams
from planning.models import EvidenceSource, Finding, Plan, PlanItem, PriorityFinding
from planning.services import plan_write

SIMILAR_SHOWN = 20  # items offered on an item's merge page


# --- reading -----------------------------------------------------------------------------


@dataclass
class NeedsAssessment:
    sources: list[EvidenceSource]
    findings: list[Finding]  # each with ``priorities``: the priorities it justifies, in reading order


def needs_assessment(plan: Plan) -> NeedsAssessment:
    """A plan's sources and findings, each finding with its source and the priorities linked
    to it (three queries whatever the size of the plan)."""
    sources = list(plan.evidence_sources.all())
    by_id = {source.pk: source for source in sources}
    findings = list(
        plan.findings.prefetch_related(
            Prefetch(
                "priority_links",
                queryset=PriorityFinding.objects.select_related("priority").order_by("priority__lft"),
            )
        )
    )
    for finding in findings:
        finding.plan = plan
        finding.shown_source = by_id.get(finding.source_id)
        finding.priorities = [link.priority for link in finding.priority_links.all()]
        for priority in finding.priorities:
            priority.plan = plan
    return NeedsAssessment(sources=sources, findings=findings)


def priority_findings(item: PlanItem) -> list[Finding]:
    """The findings a priority rests on, in number order (one query)."""
    findings = list(Finding.objects.filter(priority_links__priority=item).order_by("number"))
    for finding in findings:
        finding.plan = item.plan
    return findings


def similar_items(item: PlanItem, plans: QuerySet[Plan]) -> list[tuple[PlanItem, float]]:
    """Items of the same kind in the other live plans of ``plans`` whose titles are like this
    item's (``planning.duplicates``' measure), most alike first: what it may be merged into."""
    grams = trigrams(item.title)
    rows = (
        PlanItem.objects.filter(plan__in=plans.filter(merged_into__isnull=True), kind=item.kind)
        .filter(merged_into__isnull=True)
        .exclude(pk=item.pk)
        .values_list("pk", "title")
    )
    scored = sorted(
        ((score, pk) for pk, title in rows if (score := similarity(grams, trigrams(title))) >= THRESHOLD),
        key=lambda pair: (-pair[0], pair[1]),
    )[:SIMILAR_SHOWN]
    found = PlanItem.objects.select_related("plan").in_bulk([pk for _score, pk in scored])
    return [(found[pk], score) for score, pk in scored]


# --- writing -----------------------------------------------------------------------------


def source_add(*, plan: Plan, user: User | None, fields: dict, reason: str = "") -> EvidenceSource:
    with plan_write(plan.pk, user=user, reason=reason or _("Needs assessment: source added")) as locked:
        source = EvidenceSource(plan=locked, **fields)
        source.full_clean()
        source.save()
    return source


def finding_save(
    *, plan: Plan, user: User | None, fields: dict, finding_id: int | None = None, expected_version: int = 0,
    reason: str = "",
) -> Finding:  # fmt: skip
    """Add a finding (numbered after the plan's last) or change one (``EditConflict`` if someone
    saved it since it was loaded)."""
    with plan_write(plan.pk, user=user, reason=reason or _("Needs assessment: finding saved")) as locked:
        if finding_id is None:
            last = locked.findings.aggregate(last=Max("number"))["last"] or 0
            finding = Finding(plan=locked, number=last + 1)
        else:
            finding = Finding.objects.get(pk=finding_id, plan=locked)
            check_version(finding, expected_version)
            finding.version += 1
        for name, value in fields.items():
            setattr(finding, name, value)
        finding.full_clean()
        finding.save()
    return finding


def priority_findings_set(*, item: PlanItem, finding_ids: set[int], user: User | None, reason: str = "") -> None:
    """Link ``item`` (a priority) to exactly these findings of its plan; each link added or
    removed is a row of its own, with history."""
    if item.kind != PlanItem.Kind.PRIORITY:
        raise ValidationError(_("Only priorities are linked to findings."))
    with plan_write(item.plan_id, user=user, reason=reason or _("Findings linked to a priority")) as locked:
        allowed = set(locked.findings.filter(pk__in=finding_ids).values_list("pk", flat=True))
        if allowed != set(finding_ids):
            raise ValidationError({"findings": _("Choose findings from this plan’s needs assessment.")})
        current = {link.finding_id: link for link in PriorityFinding.objects.filter(priority=item)}
        for finding_id, link in current.items():
            if finding_id not in allowed:
                link.delete()
        for finding_id in sorted(allowed - current.keys()):
            PriorityFinding.objects.create(priority=item, finding_id=finding_id)


def item_merge(*, item_id: int, into_id: int, user: User | None, reason: str, expected_version: int) -> PlanItem:
    """Record that an action or target was merged into another (of the same kind, in any
    plan, itself not merged). The item stays, marked, and leaves the duplicates list."""
    plan_id = PlanItem.objects.values_list("plan_id", flat=True).get(pk=item_id)
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the item was merged.")})
    with plan_write(plan_id, user=user, reason=reason, content=True):
        item = PlanItem.objects.get(pk=item_id)
        check_version(item, expected_version)
        into = PlanItem.objects.filter(pk=into_id).first()
        if item.kind not in PlanItem.MERGEABLE_KINDS:
            raise ValidationError(_("Only actions and targets can be merged into another."))
        if into is None or into.pk == item.pk or into.kind != item.kind:
            raise ValidationError({"into": _("Choose another item of the same kind.")})
        if into.merged_into_id is not None:
            raise ValidationError({"into": _("That item has itself been merged: choose the one it was merged into.")})
        item.merged_into = into
        item.merged_reason = reason.strip()[:300]
        item.version += 1
        item.full_clean()
        item.save()
    return item


def plan_merge(*, plan_id: int, into_id: int, user: User | None, reason: str, expected_version: int) -> Plan:
    """Record that a whole plan was retired by merging it into another."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say why the plan was merged.")})
    with plan_write(plan_id, user=user, reason=reason) as locked:
        check_version(locked, expected_version)
        into = Plan.objects.filter(pk=into_id).first()
        if into is None or into.pk == locked.pk:
            raise ValidationError({"into": _("Choose another plan.")})
        if into.merged_into_id is not None:
            raise ValidationError({"into": _("That plan has itself been retired: choose the one it was merged into.")})
        locked.merged_into = into
        locked.merged_reason = reason.strip()[:300]
        locked.version += 1
        locked.full_clean()
        locked.save()
    return locked
