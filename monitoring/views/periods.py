"""Reporting periods: the financial years and their quarters, due dates and locks.
Everyone signed in reads the calendar; admins add years, move due dates and lock
quarters once they have been reported to members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from monitoring import selectors, services
from monitoring.access import get_period
from monitoring.forms import PeriodForm, YearForm
from partners.access import require_admin
from planning.conflicts import EditConflict
from planning.models import Plan, financial_year

YEAR_ADDED = {
    Plan.Cadence.QUARTERLY: gettext_lazy("Quarters added for %(year)s."),
    Plan.Cadence.TERMLY: gettext_lazy("Terms added for %(year)s."),
    Plan.Cadence.MONTHLY: gettext_lazy("Months added for %(year)s."),
}


@login_required
@require_safe
def period_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "monitoring/period_list.html",
        {"years": selectors.quarters_by_year(), "form": YearForm() if request.user.is_admin else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def year_create(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    form = YearForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            periods = services.financial_year_create(
                start_year=form.cleaned_data["start_year"],
                user=request.user,
                days_to_return=form.cleaned_data["days_to_return"],
                cadence=form.cleaned_data["cadence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            year = financial_year(periods[0].start_year)
            messages.success(request, YEAR_ADDED[periods[0].cadence] % {"year": year})
            return redirect("monitoring:period-list")
    return render(request, "monitoring/year_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def period_edit(request: HttpRequest, period: str) -> HttpResponse:
    require_admin(request.user)
    the_period = get_period(period)
    form = PeriodForm(request.POST or None, initial={"due_on": the_period.due_on, "version": the_period.version})
    if the_period.is_locked:
        messages.info(request, _("%(period)s is locked and cannot change.") % {"period": the_period.label})
        return redirect("monitoring:period-list")
    if request.method == "POST" and form.is_valid():
        try:
            services.period_update(
                period_id=the_period.pk,
                user=request.user,
                due_on=form.cleaned_data["due_on"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(None, _("Someone changed this quarter since you opened it. Reload and try again."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Due date for %(period)s changed.") % {"period": the_period.label})
            return redirect(reverse("monitoring:period-list") + f"#period-{the_period.slug}")
    return render(request, "monitoring/period_form.html", {"form": form, "period": the_period})


@login_required
@require_POST
def period_lock(request: HttpRequest, period: str) -> HttpResponse:
    require_admin(request.user)
    the_period = get_period(period)
    try:
        services.period_lock(period_id=the_period.pk, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(period)s is locked: its returns can no longer change.") % {"period": the_period.label}
        )
    return redirect(reverse("monitoring:period-list") + f"#period-{the_period.slug}")
