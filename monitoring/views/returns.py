"""Progress returns: my returns, filling one or several, reviewing, and an item's
progress quarter by quarter."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from config.storage import open_stored
from monitoring import questions, selectors, services, trajectory
from monitoring.access import can_fill, can_review, get_period, get_reported_item, is_withheld, shown_return
from monitoring.forms import QuickReturnForm, ReturnForm, ReviewForm
from monitoring.models import ProgressReturn, ReportingPeriod
from planning import selectors as planning_selectors
from planning.conflicts import EditConflict, conflict_page
from planning.models import PlanItem


def _item_context(item: PlanItem, period: ReportingPeriod | None = None) -> dict:
    """What every return page shows about the item: its reference and label."""
    reference = planning_selectors.plan_references([item.plan_id]).get(item.pk, "")
    context = {"item": item, "plan": item.plan, "reference": reference, "label": item.plan.label_for(item.kind)}
    if period is not None:
        context["period"] = period
    return context


def _stored(item: PlanItem, period: ReportingPeriod) -> ProgressReturn | None:
    return (
        ProgressReturn.objects.select_related("author", "submitted_by", "reviewed_by")
        .filter(item=item, period=period)
        .first()
    )


def _history(ret: ProgressReturn | None) -> list:
    if ret is None or is_withheld(ret):
        return []
    return list(ret.history.select_related("history_user").order_by("-history_date", "-history_id"))


# --- my returns ----------------------------------------------------------------------------------


@login_required
@require_safe
def my_returns(request: HttpRequest) -> HttpResponse:
    """What is due from me, overdue, returned to me and done, across all plans."""
    today = timezone.localdate()
    dues = selectors.my_dues(request.user, today, selectors.open_periods(today))
    return render(
        request,
        "monitoring/my_returns.html",
        {
            "buckets": selectors.buckets(dues, opened=request.GET.get("show", "")),
            "periods": selectors.fillable_periods(request.user, dues),
            "total": len(dues),
            # members' questions waiting for my answer, beside my returns (decision 0022)
            "questions": questions.to_answer(request.user, today),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def fill_several(request: HttpRequest, period: str) -> HttpResponse:
    """Several returns in one sitting: the rating, measure and narrative of each.
    Everything saves, or nothing does and each problem is shown on its row."""
    the_period = get_period(period)
    today = timezone.localdate()
    if the_period.is_locked:
        raise Http404(_("This quarter is locked"))
    dues = selectors.fillable(request.user, selectors.dues_for(request.user, today, [the_period]))
    # a milestone's status, day done or new date are given on its own return (decision 0024)
    milestones_left = [due for due in dues if due.item.kind == PlanItem.Kind.MILESTONE]
    dues = [due for due in dues if due.item.kind != PlanItem.Kind.MILESTONE]
    submit = request.POST.get("action") == "submit"
    rows = []
    for due in dues:
        ret = due.progress_return
        initial = {"version": ret.version if ret else 0}
        if ret:
            initial.update({"rag": ret.rag, "actual_value": ret.actual_value, "narrative": ret.narrative})
        form = QuickReturnForm(request.POST or None, item=due.item, initial=initial, prefix=f"item-{due.item.pk}")
        rows.append((due, form))
    if request.method == "POST":
        saved = _save_several(request, the_period, rows, submit)
        if saved is not None:
            if submit:
                message = ngettext("%(count)s return submitted.", "%(count)s returns submitted.", saved)
            else:
                message = ngettext("%(count)s return saved as a draft.", "%(count)s returns saved as drafts.", saved)
            messages.success(request, message % {"count": saved})
            return redirect("monitoring:my-returns")
    has_errors = any(form.errors for _, form in rows)
    return render(
        request,
        "monitoring/fill_several.html",
        {"period": the_period, "rows": rows, "has_errors": has_errors, "milestones": milestones_left},
    )


def _save_several(request, period, rows, submit: bool) -> int | None:
    """All rows or none; returns how many were saved, or None if any row has a problem."""
    if not all(form.is_valid() for _, form in rows):
        return None
    chosen = [(due, form) for due, form in rows if not form.is_blank]
    if not chosen:
        messages.error(request, _("Nothing to save: fill in at least one return."))
        return None
    changes = [
        services.ReturnChange(
            item=due.item, fields=form.fields_for_service(), expected_version=form.cleaned_data["version"]
        )
        for due, form in chosen
    ]
    refusals = services.returns_save_all(period=period, user=request.user, changes=changes, submit=submit)
    for n, refusal in refusals.items():
        form = chosen[n][1]
        if isinstance(refusal, EditConflict):
            form.add_error(None, _("Someone else saved this return since you opened the page. Reload to see it."))
        else:
            add_service_errors(form, refusal)
    return None if refusals else len(chosen)


# --- one return ----------------------------------------------------------------------------------


@login_required
@require_safe
def return_detail(request: HttpRequest, slug: str, pk: int, period: str) -> HttpResponse:
    item = get_reported_item(request.user, slug, pk)
    the_period = get_period(period)
    if not the_period.covers_plan(item.plan):
        raise Http404(_("The plan does not run in this quarter"))
    ret = shown_return(request.user, item, _stored(item, the_period))
    context = _detail_context(request, item, the_period, ret)
    return render(request, "monitoring/return_detail.html", context)


def _detail_context(request, item, period, ret, review_form=None) -> dict:
    context = _item_context(item, period)
    may_review = can_review(request.user, item.plan) and ret is not None and ret.state == ProgressReturn.State.SUBMITTED
    context.update(
        {
            "ret": ret,
            "withheld": is_withheld(ret),
            "history": _history(ret),
            "may_fill": not period.is_locked and can_fill(request.user, item) and (ret is None or ret.is_editable),
            "may_review": may_review and not period.is_locked,
            "review_form": review_form or (ReviewForm(initial={"version": ret.version}) if may_review else None),
            "point": _point(item, period, ret),
            "rag_tags": selectors.RAG_TAGS,
            "state_tags": selectors.STATE_TAGS,
        }
    )
    return context


def _point(item, period, ret):
    if not item.is_target:
        return None
    return trajectory.series(item, [period], {period.pk: ret} if ret else {})[0]


@login_required
@require_http_methods(["GET", "POST"])
def return_edit(request: HttpRequest, slug: str, pk: int, period: str) -> HttpResponse:
    item = get_reported_item(request.user, slug, pk, "fill")
    the_period = get_period(period)
    if not the_period.covers_plan(item.plan):
        raise Http404(_("The plan does not run in this quarter"))
    ret = _stored(item, the_period)
    if the_period.is_locked or (ret is not None and not ret.is_editable):
        messages.info(request, _("This return can no longer be changed."))
        return redirect("monitoring:return-detail", slug, pk, period)
    initial = {"version": ret.version if ret else 0}
    if ret:
        initial.update({name: getattr(ret, name) for name in ProgressReturn.CONTENT_FIELDS})
    form = ReturnForm(request.POST or None, request.FILES or None, item=item, initial=initial)
    submit = request.POST.get("action") == "submit"
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.return_save(
                item=item,
                period=the_period,
                user=request.user,
                fields=form.fields_for_service(),
                expected_version=form.cleaned_data["version"],
                submit=submit,
                evidence_file=form.cleaned_data.get("evidence_file"),
            )
        except EditConflict as conflict:
            return _conflict(request, conflict.stored, form, item, the_period)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Return submitted to the plan owner.") if submit else _("Draft saved. Submit it when it is ready."),
            )
            return redirect(saved.get_absolute_url())
    context = _item_context(item, the_period)
    context.update({"form": form, "ret": ret, "point": _point(item, the_period, ret)})
    return render(request, "monitoring/return_form.html", context)


def _conflict(request, stored: ProgressReturn, form: ReturnForm, item, period) -> HttpResponse:
    """Someone saved this return since the form was loaded: show both, save nothing."""
    cancel_url = reverse("monitoring:return-edit", args=[item.plan.slug, item.pk, period.slug])
    return conflict_page(request, stored=stored, form=form, fields=ProgressReturn.CONTENT_FIELDS, cancel_url=cancel_url)


@login_required
@require_POST
def return_review(request: HttpRequest, slug: str, pk: int, period: str) -> HttpResponse:
    """The plan owner accepts a submitted return, or returns it with a reason."""
    item = get_reported_item(request.user, slug, pk, "review")
    the_period = get_period(period)
    ret = _stored(item, the_period)
    if ret is None:
        raise Http404(_("No return to review"))
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data["decision"] == "accept":
                services.return_accept(
                    return_id=ret.pk, user=request.user, expected_version=data["version"], note=data["reason"]
                )
                messages.success(request, _("Return accepted. The author has been told."))
            else:
                services.return_send_back(
                    return_id=ret.pk, user=request.user, expected_version=data["version"], reason=data["reason"]
                )
                messages.success(request, _("Return sent back to the author with your reason."))
        except EditConflict:
            form.add_error(None, _("The return changed since you opened it. Read it again before you decide."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("monitoring:plan-period", slug, the_period.slug)
    ret = _stored(item, the_period)
    context = _detail_context(request, item, the_period, ret, review_form=form)
    return render(request, "monitoring/return_detail.html", context, status=400)


@login_required
@require_safe
def return_evidence(request: HttpRequest, slug: str, pk: int, period: str) -> HttpResponse:
    """The evidence file, to those who may read the return; always as a download."""
    item = get_reported_item(request.user, slug, pk)
    ret = shown_return(request.user, item, _stored(item, get_period(period)))
    if ret is None or not ret.evidence_file:
        raise Http404(_("No evidence file"))
    try:
        handle = open_stored(ret.evidence_file)
    except FileNotFoundError:
        raise Http404(_("The evidence file is missing from storage")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=ret.evidence_name or "evidence", content_type="application/octet-stream"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_safe
def item_progress(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """An action's or target's returns quarter by quarter; for a target, its baseline,
    trajectory, actuals and derived status beside the RAG its lead gave."""
    item = get_reported_item(request.user, slug, pk)
    context = _item_context(item)
    context.update(
        {
            "points": selectors.item_series(item, reader=request.user),
            "rag_tags": selectors.RAG_TAGS,
            "state_tags": selectors.STATE_TAGS,
        }
    )
    return render(request, "monitoring/item_progress.html", context)
