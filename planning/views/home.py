"""An organisation's home: the plans shared with it, the consultations it is invited to
and the work it leads or supports, across every plan the signed-in person may read
(the reads: planning.selectors.organisation_home)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from planning.selectors import organisation_home


@login_required
@require_safe
def partner_home(request: HttpRequest) -> HttpResponse:
    user = request.user
    organisation = user.organisation
    if organisation is None:
        return render(request, "planning/partner_home.html", {"organisation": None})
    today = timezone.localdate()
    home = organisation_home(user, organisation, today)
    return render(
        request,
        "planning/partner_home.html",
        {
            "organisation": organisation,
            "plans": home.plans,
            "consultations": home.consultations,
            "work": home.work,
            "today": today,
        },
    )
