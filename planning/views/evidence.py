"""Evidence in the plan (issue 18, decision 0031): the needs assessment, the findings a
priority rests on, and recording that an item or a plan was merged into another."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors
from planning import evidence
from planning.access import can_change, get_item_for_user, get_plan_for_user, plans_for
from planning.conflicts import EditConflict
from planning.forms import EvidenceSourceForm, FindingForm, MergeForm, PriorityFindingsForm
from planning.models import Finding, PlanItem


def _needs_url(slug: str) -> str:
    return reverse("planning:needs-assessment", args=[slug])


@login_required
@require_safe
def needs_assessment(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    return render(
        request,
        "planning/needs_assessment.html",
        {"plan": plan, "assessment": evidence.needs_assessment(plan), "can_change": can_change(request.user, plan)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def source_add(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    form = EvidenceSourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = evidence.source_add(plan=plan, user=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” added to the needs assessment.") % {"title": source.title})
            return redirect(_needs_url(plan.slug) + "#sources")
    return render(
        request, "planning/evidence_form.html", {"plan": plan, "form": form, "title": _("Add a document or data")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_edit(request: HttpRequest, slug: str, number: int | None = None) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    finding = None
    if number is not None:
        finding = Finding.objects.filter(plan=plan, number=number).first()
        if finding is None:
            raise Http404(_("No such finding"))
    form = FindingForm(
        request.POST or None,
        plan=plan,
        instance=finding or Finding(plan=plan),
        initial={"version": finding.version if finding else 0},
    )
    if request.method == "POST" and form.is_valid():
        fields = {"text": form.cleaned_data["text"], "source": form.cleaned_data["source"]}
        try:
            saved = evidence.finding_save(
                plan=plan,
                user=request.user,
                fields=fields,
                finding_id=finding.pk if finding else None,
                expected_version=form.cleaned_data["version"] or 0,
            )
        except EditConflict:
            form.add_error(None, _("Someone else saved this finding after you opened it: reload it and try again."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Finding %(number)s saved.") % {"number": saved.number})
            return redirect(_needs_url(plan.slug) + f"#finding-{saved.number}")
    title = _("Change finding %(number)s") % {"number": finding.number} if finding else _("Add a finding")
    return render(request, "planning/evidence_form.html", {"plan": plan, "form": form, "title": title})


@login_required
@require_http_methods(["GET", "POST"])
def priority_findings(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "change")
    if item.kind != PlanItem.Kind.PRIORITY:
        raise Http404(_("Only priorities rest on findings"))
    current = [finding.pk for finding in evidence.priority_findings(item)]
    form = PriorityFindingsForm(
        request.POST if request.method == "POST" else None, plan=item.plan, initial={"findings": current}
    )
    if request.method == "POST" and form.is_valid():
        try:
            evidence.priority_findings_set(
                item=item,
                finding_ids={finding.pk for finding in form.cleaned_data["findings"]},
                user=request.user,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The findings “%(title)s” rests on are saved.") % {"title": item.title})
            return redirect(item.get_absolute_url() + "#evidence")
    return render(
        request,
        "planning/priority_findings.html",
        {"plan": item.plan, "item": item, "form": form, "has_findings": bool(form.fields["findings"].queryset)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_merge(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """The owner records that this action or target was merged into a like one elsewhere."""
    item = get_item_for_user(request.user, slug, pk, "approve")
    if item.kind not in PlanItem.MERGEABLE_KINDS or item.merged_into_id is not None:
        raise Http404(_("This item cannot be merged"))
    similar = evidence.similar_items(item, plans_for(request.user))
    choices = [
        (other.pk, _("%(title)s (%(plan)s), %(percent)s%% alike")
         % {"title": other.title, "plan": other.plan.title, "percent": round(score * 100)})
        for other, score in similar
    ]  # fmt: skip
    form = MergeForm(request.POST or None, choices=choices, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        try:
            evidence.item_merge(
                item_id=item.pk,
                into_id=form.cleaned_data["into"],
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(None, _("Someone else saved this item after you opened it: reload it and try again."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is recorded as merged.") % {"title": item.title})
            return redirect(item.get_absolute_url())
    return render(request, "planning/merge_form.html", {"plan": item.plan, "item": item, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def plan_merge(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner records that the whole plan was retired by merging it into another."""
    plan = get_plan_for_user(request.user, slug, "approve")
    if plan.merged_into_id is not None:
        raise Http404(_("This plan is already retired"))
    others = plans_for(request.user).filter(merged_into__isnull=True).exclude(pk=plan.pk).order_by("title")
    choices = [(other.pk, other.title) for other in others.select_related(None).only("pk", "title")]
    form = MergeForm(request.POST or None, choices=choices, initial={"version": plan.version})
    if request.method == "POST" and form.is_valid():
        try:
            evidence.plan_merge(
                plan_id=plan.pk,
                into_id=form.cleaned_data["into"],
                user=request.user,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except EditConflict:
            form.add_error(None, _("Someone else saved this plan after you opened it: reload it and try again."))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(title)s” is recorded as retired.") % {"title": plan.title})
            return redirect(plan.get_absolute_url())
    return render(request, "planning/merge_form.html", {"plan": plan, "item": None, "form": form})
