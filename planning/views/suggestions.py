"""Suggested changes (issue 15): suggesting new wording for an item or a new item under it
(``comment``: those invited while a consultation is open), and accepting or declining a
suggestion (``change`` on the item it changes, or on the parent of a new item)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.forms import add_service_errors
from planning import comment_threads, lifecycle, selectors, suggestions
from planning.access import get_item_for_user, get_plan_for_user
from planning.conflicts import EditConflict, conflict_page
from planning.forms import AcceptSuggestionForm, DeclineSuggestionForm, SuggestItemForm, SuggestWordingForm
from planning.models import Comment, Plan, PlanItem


def _may_suggest_now(user, plan: Plan) -> tuple[bool, str]:
    """Whether to show the form (as for comments: while a consultation is open, and at any
    time to those who may change the plan), and where the consultation stands."""
    consultation = lifecycle.open_consultation(plan)
    return suggestions.may_suggest_now(user, plan, consultation), comment_threads.notice(plan, consultation)


def _suggest(request: HttpRequest, item: PlanItem, form, *, new: bool) -> HttpResponse:
    plan = item.plan
    accepting, notice = _may_suggest_now(request.user, plan)
    if request.method == "POST" and (form.is_valid() or not accepting):
        data = getattr(form, "cleaned_data", {})
        try:
            suggestion = suggestions.suggestion_add(
                plan=plan,
                user=request.user,
                item=item,
                body=data.get("body", ""),
                proposed_title=data.get("proposed_title", ""),
                proposed_description=data.get("proposed_description", ""),
                proposed_kind=data.get("proposed_kind", "") if new else "",
            )
        except ValidationError as error:
            if accepting:
                add_service_errors(form, error)
            else:
                form.add_error(None, error.messages)
        else:
            messages.success(request, _("Your suggestion has been added. You will be told when it is decided."))
            return redirect(suggestions.thread_url(suggestion, plan))
    label = plan.label_for(item.kind)
    return render(
        request,
        "planning/suggest_form.html",
        {
            "plan": plan,
            "item": item,
            "label": label,
            "reference": selectors.plan_references([plan.pk]).get(item.pk, ""),
            "form": form,
            "new": new,
            "accepting": accepting,
            "notice": notice,
            "title": (_("Suggest a new item under “%(item)s”") if new else _("Suggest new wording for “%(item)s”"))
            % {"item": item.title},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_suggest(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Suggest new wording for an item: its title and description, prefilled."""
    item = get_item_for_user(request.user, slug, pk, "comment")
    form = SuggestWordingForm(
        request.POST if request.method == "POST" else None,
        initial={"proposed_title": item.title, "proposed_description": item.description},
    )
    return _suggest(request, item, form, new=False)


@login_required
@require_http_methods(["GET", "POST"])
def item_suggest_new(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Suggest a new item under an item, of a kind that may go there."""
    item = get_item_for_user(request.user, slug, pk, "comment")
    kinds = suggestions.suggestible_kinds(item)
    if not kinds:
        raise Http404(_("Nothing can be suggested under this item"))
    choices = [(kind, item.plan.label_for(kind)) for kind in kinds]
    form = SuggestItemForm(request.POST if request.method == "POST" else None, kinds=choices)
    return _suggest(request, item, form, new=True)


def _suggestion_for_deciding(request: HttpRequest, slug: str, suggestion_id: int) -> tuple[Comment, Plan]:
    """The suggestion and its plan, for someone who may change the item it changes (or the
    parent of the item it adds); an item deleted since leaves the plan's ``change``."""
    suggestion = (
        Comment.objects.select_related("author", "organisation", "responded_by")
        .filter(pk=suggestion_id, plan__slug=slug, kind=Comment.Kind.SUGGESTION, parent__isnull=True)
        .first()
    )
    if suggestion is None:
        get_plan_for_user(request.user, slug)  # 404 for a plan out of scope, as for any other address
        raise Http404(_("No such suggestion"))
    if suggestion.item_id is not None:
        item = get_item_for_user(
            request.user, slug, suggestion.item_id, "draft"
        )  # the owner, or the part's drafting group
        suggestion.item = item
        return suggestion, item.plan
    plan = get_plan_for_user(request.user, slug, "change")
    return suggestion, plan


def _wording_then(suggestion: Comment) -> PlanItem | None:
    """The item as it read when the suggestion was made, if it has changed since."""
    item = suggestion.item
    if item is None or suggestion.suggests_new_item or item.version == suggestion.item_version:
        return None
    return PlanItem.history.filter(id=item.pk, version=suggestion.item_version).order_by("-history_id").first()


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_accept(request: HttpRequest, slug: str, suggestion_id: int) -> HttpResponse:
    """Accept a suggestion: its wording, which the accepter may adjust, is made."""
    suggestion, plan = _suggestion_for_deciding(request, slug, suggestion_id)
    problem = suggestions.why_not_acceptable(suggestion, plan)
    item = suggestion.item
    form = AcceptSuggestionForm(
        request.POST if request.method == "POST" else None,
        initial={
            "title": suggestion.proposed_title,
            "description": suggestion.proposed_description,
            "version": item.version if item is not None else 0,
        },
    )
    if request.method == "POST" and not problem and form.is_valid():
        try:
            suggestions.suggestion_accept(
                suggestion_id=suggestion.pk,
                user=request.user,
                response=form.cleaned_data["response"],
                title=form.cleaned_data["title"],
                description=form.cleaned_data["description"],
                expected_version=None if suggestion.suggests_new_item else form.cleaned_data["version"],
            )
        except EditConflict as conflict:
            return conflict_page(
                request,
                stored=conflict.stored,
                form=form,
                fields=["title", "description"],
                cancel_url=reverse("planning:suggestion-accept", args=[plan.slug, suggestion.pk]),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Suggestion from %(person)s accepted: “%(item)s” saved.")
                % {"person": suggestion.author, "item": form.cleaned_data["title"]},
            )
            return redirect(suggestions.thread_url(suggestion, plan))
    return render(
        request,
        "planning/suggestion_accept.html",
        {
            "plan": plan,
            "suggestion": suggestion,
            "item": item,
            "form": form,
            "problem": problem,
            "then": _wording_then(suggestion),
            "what": suggestions.describe(suggestion, plan),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_decline(request: HttpRequest, slug: str, suggestion_id: int) -> HttpResponse:
    """Decline a suggestion with a reason; the plan does not change."""
    suggestion, plan = _suggestion_for_deciding(request, slug, suggestion_id)
    form = DeclineSuggestionForm(request.POST if request.method == "POST" else None)
    decided = suggestion.state != Comment.State.OPEN
    if request.method == "POST" and not decided and form.is_valid():
        try:
            suggestions.suggestion_decline(
                suggestion_id=suggestion.pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Suggestion from %(person)s declined. They have been told why.") % {"person": suggestion.author},
            )
            return redirect(suggestions.thread_url(suggestion, plan))
    return render(
        request,
        "planning/suggestion_decline.html",
        {
            "plan": plan,
            "suggestion": suggestion,
            "item": suggestion.item,
            "form": form,
            "decided": decided,
            "what": suggestions.describe(suggestion, plan),
        },
    )
