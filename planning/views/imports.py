"""Import in the browser (admins only): upload a plan file, see its preview, apply it.

The pages are thin: ``planning.importing`` checks, previews and writes; here the upload
form says what is wrong with a file next to its field, the preview page lists what the
file would create, change and remove and every problem, and its button applies it all or
nothing (the same address, as the return workbook's preview does). Once applied, the
same page is the result, linking each plan. docs/decisions/0019-import-in-the-browser.md.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from config.forms import GovukForm
from partners.access import require_admin
from planning import importing
from planning.models import Plan, PlanImport


class ImportForm(GovukForm):
    file = forms.FileField(
        label=gettext_lazy("Plan file"),
        allow_empty_file=True,  # check_upload refuses it, naming the file
        help_text=gettext_lazy(
            "A plan file (.json, as manage.py load_plans reads) or a plan's spreadsheet (.xlsx, as "
            "downloaded from the plan's page), 5 MB at most."
        ),
    )
    plan = forms.ChoiceField(
        label=gettext_lazy("Plan the spreadsheet updates"),
        required=False,
        help_text=gettext_lazy(
            "Only for a spreadsheet. Leave it to work out the plan from the file's name, which is the "
            "plan's web address as downloaded."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        plans = Plan.objects.order_by("title").values_list("slug", "title")
        self.fields["plan"].choices = [("", _("From the file's name")), *plans]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        self.kind = importing.check_upload(upload)
        return upload


class ApplyForm(GovukForm):
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy(
            "Needed when the file changes an approved plan. It is kept in each change's history after "
            "“Imported from” and the file's name."
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    """The upload form; a readable file goes on to its preview, nothing is written yet."""
    require_admin(request.user)
    posted = request.method == "POST"
    form = ImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        try:
            row = importing.upload_create(
                form.cleaned_data["file"], user=request.user, plan_slug=form.cleaned_data["plan"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            return redirect("planning:import-preview", import_id=row.pk)
    return render(request, "planning/import_upload.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def import_preview(request: HttpRequest, import_id: int) -> HttpResponse:
    """What the file would create, change and remove, and every problem; POST applies it
    all or nothing. Once applied, the result, linking each plan."""
    require_admin(request.user)
    row = PlanImport.objects.filter(pk=import_id, uploaded_by=request.user).defer("content").first()
    if row is None:
        raise Http404(_("No such import"))
    error, status = "", 200
    form = ApplyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            importing.apply(import_id=row.pk, user=request.user, reason=form.cleaned_data["reason"])
        except importing.StalePreview as stale:
            error, status = str(stale), 409
        except ValidationError as refusal:
            if hasattr(refusal, "error_dict"):
                for name, errors in refusal.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                error = " ".join(refusal.messages)
            status = 400
        else:
            messages.success(request, _("Imported %(file)s.") % {"file": row.filename})
            return redirect("planning:import-preview", import_id=row.pk)
    elif form.errors:
        status = 400
    preview = row.preview
    return render(
        request,
        "planning/import_preview.html",
        {
            "row": row,
            "preview": preview,
            "form": form,
            "error": error,
            "changes": any(p["action"] == "create" or not p.get("empty") for p in preview["plans"]),
            "approved": [p["title"] for p in preview["plans"] if p.get("approved") and not p.get("empty")],
        },
        status=status,
    )
