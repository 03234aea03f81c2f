"""An organisation's home: the plans shared with it, the consultations it is invited to
and the work it leads or supports, across every plan the signed-in person may read.

Built for partners, and just as useful to an officer (their own service's plans and led
items). Each list is one query, whatever the number of plans or items.
"""

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, F, OuterRef, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from partners.models import Organisation, User
from planning.access import plans_for
from planning.models import Consultation, ItemSupporter, Plan, PlanItem, PlanShare


@dataclass
class WorkRow:
    item: PlanItem
    label: str  # the plan's own name for the item's level ("Action", "Recommendation")
    leads: bool


def _plans(user: User, organisation: Organisation) -> list[Plan]:
    shared = PlanShare.objects.filter(organisation=organisation).values("plan_id")
    return list(
        plans_for(user).filter(Q(pk__in=shared) | Q(organisation=organisation)).order_by("-start_year", "title")
    )


def _open_consultations(user: User, organisation: Organisation, today: date) -> list[Consultation]:
    readable = plans_for(user).values("pk")
    return list(
        Consultation.objects.filter(plan__in=readable, opens_on__lte=today, closes_on__gte=today)
        .filter(plan__status=Plan.Status.CONSULTATION)  # approval or going back to draft ends it
        .filter(
            Q(pk__in=Consultation.objects.filter(invites__organisation=organisation).values("pk"))
            | Q(pk__in=Consultation.objects.filter(member_invites__member=user).values("pk"))
        )
        .select_related("plan")
        .order_by("closes_on", "plan__title")
    )


def _work(user: User, organisation: Organisation) -> list[WorkRow]:
    readable = plans_for(user).values("pk")
    supports = ItemSupporter.objects.filter(item=OuterRef("pk"), organisation=organisation)
    items = (
        PlanItem.objects.filter(plan__in=readable)
        .exclude(kind=PlanItem.Kind.VISION)
        .filter(Q(lead_organisation=organisation) | Q(Exists(supports)))
        .select_related("plan")
        .order_by(F("due_date").asc(nulls_last=True), "plan__title", "tree_id", "lft")
    )
    return [
        WorkRow(item=item, label=item.plan.label_for(item.kind), leads=item.lead_organisation_id == organisation.pk)
        for item in items
    ]


@login_required
@require_safe
def partner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = user.organisation
    if organisation is None:
        return render(request, "planning/partner_home.html", {"organisation": None})
    today = timezone.localdate()
    return render(
        request,
        "planning/partner_home.html",
        {
            "organisation": organisation,
            "plans": _plans(user, organisation),
            "consultations": _open_consultations(user, organisation, today),
            "work": _work(user, organisation),
            "today": today,
        },
    )
