"""Partnerships, managed by administrators (issue 15): the list, and one form to add or
change a partnership, its organisations and their plan leads. Thin like every view:
fetched through ``partners.access``, written by ``partners.partnerships``."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from config.forms import add_service_errors
from partners import partnerships
from partners.access import require_admin
from partners.forms import PartnershipForm
from partners.models import Partnership


@login_required
@require_GET
def partnership_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    rows = Partnership.objects.annotate(
        organisation_count=Count("members", distinct=True), lead_count=Count("leads", distinct=True)
    ).order_by("name")
    return render(request, "partners/partnership_list.html", {"partnerships": rows})


def _form_page(request: HttpRequest, partnership: Partnership, title: str) -> HttpResponse:
    form = PartnershipForm(request.POST or None, instance=partnership)
    if request.method == "POST" and form.is_valid():
        try:
            leads = partnerships.lead_people(
                form.cleaned_data["leads"].splitlines(), form.cleaned_data["organisations"]
            )
            saved = partnerships.partnership_save(
                partnership=form.instance,
                user=request.user,
                organisations=form.cleaned_data["organisations"],
                leads=leads,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("partners:partnership-list")
    return render(request, "partners/partnership_form.html", {"form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def partnership_create(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    return _form_page(request, Partnership(), _("Add a partnership"))


@login_required
@require_http_methods(["GET", "POST"])
def partnership_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    partnership = Partnership.objects.filter(pk=pk).first()
    if partnership is None:
        raise Http404(_("No such partnership"))
    return _form_page(request, partnership, _("Edit %(name)s") % {"name": partnership.name})
