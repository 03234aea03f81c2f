"""The return workbook round-trip: download a pre-filled workbook, upload it completed,
check the preview, save it all or nothing.

Who: anyone who makes returns, i.e. council officers, partners and admins; elected
members make none (403). A workbook covers what its downloader may fill: everything
their organisation leads, or one plan they may change. An upload is seen and saved
only by the person who uploaded it; anyone else gets 404, as if it did not exist.
The reading, checking and saving are in ``monitoring.workbook``.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_safe

from config import uploads
from config.forms import GovukForm
from config.spreadsheets import workbook_response
from monitoring import workbook
from monitoring.access import get_monitored_plan, get_period
from monitoring.models import ReportingPeriod, WorkbookUpload
from partners.models import User
from planning.access import can, plans_for
from planning.models import Plan


def _reporter(user: User) -> None:
    """Elected members read returns but never make them."""
    if user.role == User.Role.MEMBER:
        raise PermissionDenied


def _period_choices() -> tuple[list[tuple[str, str]], str]:
    """Every quarter, and the one to offer first: the latest that has started."""
    periods = list(ReportingPeriod.objects.all())
    today = timezone.localdate()
    started = [period for period in periods if period.starts_on <= today]
    default = started[-1] if started else (periods[0] if periods else None)
    return [(p.slug, p.label) for p in periods], default.slug if default else ""


def _plans_to_change(user: User) -> list[Plan]:
    plans = plans_for(user).approved().prefetch_related("shares").order_by("title")
    return [plan for plan in plans if can(user, "change", plan)]


class DownloadForm(GovukForm):
    period = forms.ChoiceField(label=gettext_lazy("Quarter"))
    plan = forms.ChoiceField(
        label=gettext_lazy("Which returns"),
        error_messages={"required": gettext_lazy("You are not in an organisation: choose a plan.")},
        help_text=gettext_lazy(
            "Everything your organisation leads, or every action and target of one plan you look after."
        ),
    )

    def __init__(self, *args, user: User, plans: list[Plan], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices, self.fields["period"].initial = _period_choices()
        mine = (
            [("", _("Everything %(organisation)s leads") % {"organisation": user.organisation})]
            if user.organisation_id
            else []
        )
        self.fields["plan"].choices = mine + [(plan.slug, plan.title) for plan in plans]


class UploadForm(GovukForm):
    workbook = forms.FileField(
        label=gettext_lazy("Completed workbook"),
        allow_empty_file=True,  # check_workbook refuses it, naming the file
        help_text=gettext_lazy("The .xlsx file you downloaded here and filled in, 5 MB at most."),
    )
    period = forms.ChoiceField(label=gettext_lazy("Quarter the workbook is for"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices, default = _period_choices()
        self.fields["period"].initial = default

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        uploads.check_workbook(upload)
        return upload


@login_required
@require_safe
def workbook_download(request: HttpRequest) -> HttpResponse:
    """The choice of quarter and returns; with ``?period=`` and ``plan=`` (or
    ``organisation=mine``) in the address, the workbook itself."""
    _reporter(request.user)
    wanted = "period" in request.GET
    if wanted:
        period = get_period(request.GET["period"])
        slug = request.GET.get("plan", "")
        scope = None
        if slug:
            scope = workbook.Scope(period, plan=get_monitored_plan(request.user, slug, "change"))
        elif request.user.organisation_id:  # no plan chosen (or ``organisation=mine``): the organisation's
            scope = workbook.Scope(period, organisation=request.user.organisation)
        if scope is not None:
            return workbook_response(scope.filename, workbook.build_workbook(request.user, scope))
    form = DownloadForm(request.GET if wanted else None, user=request.user, plans=_plans_to_change(request.user))
    if wanted:
        form.is_valid()  # no organisation and no plan: the form says to choose a plan
    return render(
        request,
        "monitoring/workbook_download.html",
        {
            "form": form,
            "upload_form": UploadForm(auto_id="upload-%s"),
            "nothing": not form.fields["plan"].choices,
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def workbook_upload(request: HttpRequest) -> HttpResponse:
    """Check the uploaded workbook, read it, and show its preview; nothing is saved yet."""
    _reporter(request.user)
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None, request.FILES if posted else None, initial=_initial_period(request)
    )
    if posted and form.is_valid():
        period = get_period(form.cleaned_data["period"])
        try:
            upload = workbook.upload_create(form.cleaned_data["workbook"], user=request.user, period=period)
        except ValidationError as error:
            form.add_error("workbook", error)
        else:
            return redirect("monitoring:workbook-preview", upload_id=upload.pk)
    return render(request, "monitoring/workbook_upload.html", {"form": form}, status=400 if form.errors else 200)


def _initial_period(request: HttpRequest) -> dict:
    return {"period": request.GET["period"]} if request.GET.get("period") else {}


@login_required
@require_http_methods(["GET", "POST"])
def workbook_preview(request: HttpRequest, upload_id: int) -> HttpResponse:
    """Every change and every problem of an upload; POST saves all the changes, or none."""
    _reporter(request.user)
    upload = (
        WorkbookUpload.objects.select_related("period", "plan", "organisation")
        .filter(pk=upload_id, uploaded_by=request.user)
        .first()
    )
    if upload is None:
        raise Http404(_("No such upload"))
    error = ""
    status = 200
    if request.method == "POST":
        try:
            saved = workbook.upload_apply(upload_id=upload.pk, user=request.user)
        except workbook.ApplyFailed:
            error = _("Nothing has been saved: a return changed after you uploaded the workbook, or cannot be saved.")
            status = 409
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
            status = 400
        else:
            messages.success(
                request,
                ngettext("Saved %(count)s return from %(file)s.", "Saved %(count)s returns from %(file)s.", saved)
                % {"count": saved, "file": upload.filename},
            )
            return redirect("monitoring:workbook-preview", upload_id=upload.pk)
        upload.refresh_from_db()
    return render(
        request,
        "monitoring/workbook_preview.html",
        {
            "upload": upload,
            "error": error,
            "submitted": sum(1 for change in upload.changes if change.get("submit")),
        },
        status=status,
    )
