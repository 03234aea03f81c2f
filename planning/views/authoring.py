"""Plan pages. Each view parses, fetches through ``planning.access``, calls one service
or form, and responds."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from config.forms import add_service_errors, parse_id
from partners.models import Organisation
from planning import evaluation, evidence, lifecycle, outline_cache, selectors, services
from planning.access import (
    ACTIONS,
    can_change,
    can_create_plans,
    drafting_part,
    get_item_for_user,
    get_plan_for_user,
    linked_plans_hidden_from,
    plans_for,
)
from planning.conflicts import EditConflict, conflict_page
from planning.forms import ItemEditForm, ItemForm, MoveForm, PlanEditForm, PlanForm, ReasonForm
from planning.models import Comment, PlanItem, Theme
from planning.suggestions import suggesting_here
from planning.wording import in_sentence, with_article


def _council_organisations_for(user):
    orgs = Organisation.objects.filter(kind__in=Organisation.COUNCIL_KINDS)
    if user.is_admin or user.organisation is None:
        return orgs if user.is_admin else orgs.none()
    return orgs.filter(pk__in=user.organisation.get_descendants(include_self=True).values("pk"))


# --- plans -------------------------------------------------------------------------------


@login_required
@require_safe
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = plans_for(request.user)
    forest = selectors.plan_forest(plans)
    counts = selectors.item_count_by_plan([plan.pk for plan, _ in forest])
    return render(
        request,
        "planning/plan_list.html",
        {
            "forest": [(plan, depth, counts.get(plan.pk, 0)) for plan, depth in forest],
            "can_create": can_create_plans(request.user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    if not can_create_plans(request.user):
        raise PermissionDenied
    form = PlanForm(
        request.POST or None,
        organisations=_council_organisations_for(request.user),
        parents=plans_for(request.user),
        initial={"owner": request.user, "organisation": request.user.organisation},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(user=request.user, fields=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Plan “%(plan)s” created. Add its priorities below.") % {"plan": plan.title})
            return redirect(plan)
    return render(request, "planning/plan_form.html", {"form": form, "title": _("Create a plan")})


# ?show= on the plan page: which levels to list, for an overview without JavaScript
LEVELS = {
    "priorities": {PlanItem.Kind.VISION, PlanItem.Kind.PRIORITY},
    "actions": {PlanItem.Kind.VISION, PlanItem.Kind.PRIORITY, PlanItem.Kind.ACTION},
    "all": set(PlanItem.Kind.values),
}


def _plan_at(item: PlanItem) -> str:
    """The plan page at ``item``, where an officer goes back to after adding, changing or
    moving it. ``?open=`` opens the part that holds it on a long plan, whose page otherwise
    opens at its top items (outline_cache.CLOSED_OVER): the script that opens a part for
    ``#item-N`` does not run without JavaScript. A short plan ignores it."""
    return f"{item.plan.get_absolute_url()}?open={item.pk}#item-{item.pk}"


@login_required
@require_safe
def plan_detail(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    chosen = request.GET.get("show") if request.GET.get("show") in LEVELS else None
    changeable = can_change(request.user, plan)
    outline = outline_cache.plan_outline(
        plan,
        level=chosen or "default",
        kinds=LEVELS[chosen or "all"],
        can_change=changeable,
        hidden=linked_plans_hidden_from(request.user, plan),  # what the reader may not see is part of the key
        closable=chosen is None,  # a long plan opens at its top items unless a level is chosen
        opened=parse_id(request.GET.get("open")),
    )
    return outline_cache.render_with_outline(
        request,
        "planning/plan_detail.html",
        {
            "plan": plan,
            "can_change": changeable,
            "unanswered_comments": lifecycle.unanswered_count(plan),
            "drafting": [] if changeable else selectors.drafting_parts_of(request.user, plan),
            "level": None if outline.closed else chosen or "all",
            "closed": outline.closed,
            "item_count": f"{outline.items:,}",
            "levels": [
                ("priorities", _("%(priorities)s only") % {"priorities": plan.label_for("priority")}),
                (
                    "actions",
                    _("%(priorities)s and %(actions)s")
                    % {"priorities": plan.label_for("priority"), "actions": in_sentence(plan.label_for("action"))},
                ),
                ("all", _("Everything")),
            ],
        },
        outline.html,
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    form = PlanEditForm(
        request.POST or None,
        user=request.user,
        instance=plan,
        organisations=_council_organisations_for(request.user) | Organisation.objects.filter(pk=plan.organisation_id),
        parents=plans_for(request.user),
        initial={"version": plan.version},
    )
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_update(
                plan_id=plan.pk,
                user=request.user,
                fields=form.cleaned_data,
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as conflict:
            return conflict_page(
                request,
                stored=conflict.stored,
                form=form,
                fields=services.PLAN_FIELDS,
                cancel_url=conflict.stored.get_absolute_url(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Plan details saved."))
            return redirect(plan)
    return render(
        request,
        "planning/plan_form.html",
        {"form": form, "plan": plan, "title": _("Edit %(plan)s") % {"plan": plan.title}},
    )


@login_required
@require_safe
def plan_history(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    return render(
        request,
        "planning/plan_history.html",
        {"plan": plan, "entries": selectors.plan_recent_changes(plan)},
    )


# --- items -------------------------------------------------------------------------------


@login_required
@require_safe
def item_detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk)
    row, ancestors, children = selectors.item_outline(item.plan, item, reader=request.user)
    changeable = can_change(request.user, item.plan)
    part = None if changeable else drafting_part(request.user, item.plan, item)
    return render(
        request,
        "planning/item_detail.html",
        {
            **suggesting_here(request.user, item),  # issue 15: "Suggest new wording", "Suggest a new item"
            "plan": item.plan,
            "row": row,
            "item": row.item,
            "ancestors": ancestors,
            "children": children,
            "can_change": changeable,
            # a drafting group's member writes here: their part's top or anything under it
            "part": part,
            "can_draft": changeable or part is not None,
            "can_move": item.parent_id is not None and (changeable or (part is not None and part.pk != item.pk)),
            "child_kinds": [(kind, item.plan.label_for(kind)) for kind in PlanItem.child_kinds(item.kind)],
            **_budget(item),
            # cross-cutting themes it is tagged with, each a link to the theme's page (issue 17)
            "themes": list(Theme.objects.filter(tags__item=item).order_by("name")),
            # the needs assessment's findings a priority rests on (issue 18)
            "findings": evidence.priority_findings(item) if item.kind == PlanItem.Kind.PRIORITY else None,
            "can_merge": item.kind in PlanItem.MERGEABLE_KINDS and request.user.has_perm(ACTIONS["approve"], item.plan),
            **_self_evaluation(item),
        },
    )


def _self_evaluation(item: PlanItem) -> dict:
    """A priority's judgements, newest first, and the one it carries from last year's plan
    when its plan is a revision (decision 0032); nothing to read for other kinds."""
    if item.kind != PlanItem.Kind.PRIORITY:
        return {}
    return {
        "judgements": evaluation.judgements(item),
        "carried": evaluation.carried(item) if item.plan.revision_of_id else None,
    }


def _budget(item: PlanItem) -> dict:
    """An action's budget profile and its total (decision 0023); nothing to read for other kinds."""
    if item.kind != PlanItem.Kind.ACTION:
        return {}
    lines = list(item.budget_lines.order_by("year", "cost_type", "funding_source"))
    return {"budget_lines": lines, "budget_total": sum(line.amount for line in lines)}


@login_required
@require_http_methods(["GET", "POST"])
def item_add(request: HttpRequest, slug: str, pk: int, kind: str) -> HttpResponse:
    parent = get_item_for_user(request.user, slug, pk, "draft")
    plan = parent.plan
    if kind not in PlanItem.child_kinds(parent.kind):
        raise Http404(_("That kind of item cannot go here"))
    initial = {}
    if request.GET.get("from") == "self-evaluation" and (carried := evaluation.carried(parent)) is not None:
        # last year's areas for improvement, offered as where the new item starts (decision 0032)
        initial["description"] = carried.areas_for_improvement
    form = ItemForm(
        request.POST or None, kind=kind, instance=PlanItem(plan=plan, parent=parent, kind=kind), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            item = services.item_add(
                plan=plan,
                parent_id=parent.pk,
                kind=kind,
                user=request.user,
                change=services.ItemChange(form.content(), form.cleaned_data["supporting_organisations"]),
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("%(kind)s “%(item)s” added.") % {"kind": plan.label_for(kind), "item": item.title}
            )
            return redirect(_plan_at(item))
    return render(
        request,
        "planning/item_form.html",
        {
            "form": form,
            "plan": plan,
            "parent": parent,
            "title": _("Add %(a_kind)s under “%(parent)s”")
            % {"a_kind": with_article(in_sentence(plan.label_for(kind))), "parent": parent.title},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "draft")
    plan = item.plan
    reply_to = _comment_replied_to(request, plan) if can_change(request.user, plan) else None
    form = ItemEditForm(request.POST or None, kind=item.kind, instance=item, initial={"version": item.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(
                item_id=item.pk,
                user=request.user,
                change=services.ItemChange(form.content(), form.cleaned_data["supporting_organisations"]),
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            )
        except EditConflict as conflict:
            return conflict_page(
                request,
                stored=conflict.stored,
                form=form,
                fields=form.Meta.fields,
                cancel_url=conflict.stored.get_absolute_url(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if reply_to is not None:
                return _accept_comment_with_change(request, reply_to, item, form.cleaned_data["title"])
            messages.success(request, _("“%(item)s” saved.") % {"item": form.cleaned_data["title"]})
            return redirect(_plan_at(item))
    return render(
        request,
        "planning/item_form.html",
        {
            "form": form,
            "plan": plan,
            "item": item,
            "title": _("Edit %(kind)s") % {"kind": in_sentence(plan.label_for(item.kind))},
            "reply_to": reply_to,
        },
    )


def _comment_replied_to(request: HttpRequest, plan) -> Comment | None:
    """``?comment=`` (from a comment's respond page): this edit is the change made in reply."""
    pk = parse_id(request.POST.get("comment") or request.GET.get("comment"))
    if pk is None:
        return None
    return (
        Comment.objects.select_related("author")
        .filter(pk=pk, plan=plan, parent__isnull=True, kind=Comment.Kind.COMMENT)  # a suggestion has its own
        .first()
    )


def _accept_comment_with_change(request: HttpRequest, comment: Comment, item: PlanItem, title: str) -> HttpResponse:
    """Mark the comment accepted and link it to the history row the edit just wrote."""
    change_id = PlanItem.history.filter(id=item.pk).latest("history_date", "history_id").history_id
    try:
        lifecycle.comment_respond(
            comment_id=comment.pk,
            user=request.user,
            state=Comment.State.ACCEPTED,
            response=comment.response or _("Changed in reply."),
            change_history_id=change_id,
            expected_version=comment.version,
        )
    except EditConflict:
        messages.success(
            request,
            _("“%(item)s” saved. Someone responded to the comment meanwhile: check it below.") % {"item": title},
        )
    else:
        messages.success(
            request,
            _("“%(item)s” saved. The comment from %(person)s is accepted and links to it.")
            % {"item": title, "person": comment.author_name},
        )
    return redirect(f"{reverse('planning:plan-comments', args=[item.plan.slug])}#comment-{comment.pk}")


def _part_below(user, item: PlanItem) -> PlanItem | None:
    """Moving or deleting ``item`` takes everything under it along: nobody does that to the
    vision, and a drafting group's member does it only below the top of their part (403).
    Returns that part (None for whoever may change the whole plan), for the move's choices."""
    if item.parent_id is None:
        raise PermissionDenied
    if can_change(user, item.plan):
        return None
    part = drafting_part(user, item.plan, item)
    if part is None or part.pk == item.pk:
        raise PermissionDenied
    return part


MOVED = {"up": gettext_lazy("“%(item)s” moved up."), "down": gettext_lazy("“%(item)s” moved down.")}


@login_required
@require_http_methods(["GET", "POST"])
def item_move(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "draft")
    plan = item.plan
    part = _part_below(request.user, item)
    direction = request.POST.get("direction")
    if request.method == "POST" and direction in {"up", "down"}:
        if plan.status == plan.Status.APPROVED:
            messages.success(request, _("This plan is approved: choose where to move the item and give a reason."))
            return redirect("planning:item-move", slug=plan.slug, pk=item.pk)
        services.item_move(
            item_id=item.pk,
            user=request.user,
            new_parent_id=item.parent_id,
            new_position=item.position + (-1 if direction == "up" else 1),
        )
        messages.success(request, MOVED[direction] % {"item": item.title})
        return redirect(_plan_at(item))
    form = MoveForm(
        request.POST or None,
        plan=plan,
        choices=lambda: selectors.move_choices(plan, item, within=part),
        is_allowed=lambda parent_id: selectors.is_allowed_parent(item, parent_id, within=part),
        initial={"parent": item.parent_id, "position": item.position},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.item_move(
                item_id=item.pk,
                user=request.user,
                new_parent_id=form.cleaned_data["parent"],
                new_position=form.cleaned_data["position"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("“%(item)s” moved.") % {"item": item.title})
            return redirect(_plan_at(item))
    return render(
        request,
        "planning/item_move.html",
        {"form": form, "plan": plan, "item": item, "label": plan.label_for(item.kind)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def item_delete(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "draft")
    plan = item.plan
    _part_below(request.user, item)
    form = ReasonForm(request.POST or None, plan=plan)
    if request.method == "POST" and form.is_valid():
        removed = services.item_delete(item_id=item.pk, user=request.user, reason=form.cleaned_data["reason"])
        messages.success(
            request,
            _("Deleted “%(item)s” and %(count)s item(s) under it.") % {"item": item.title, "count": len(removed) - 1},
        )
        return redirect(plan)
    rows = selectors.subtree_rows(plan, item)
    return render(request, "planning/item_delete.html", {"form": form, "plan": plan, "item": item, "rows": rows})


@login_required
@require_safe
def item_history(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug)
    entries = selectors.item_history(plan, pk)
    if not entries:
        raise Http404(_("No such item"))
    return render(
        request,
        "planning/item_history.html",
        {
            "plan": plan,
            "entries": entries,
            "title": next(e.title for e in entries if e.action in selectors.HISTORY_TYPES.values()),
            "exists": PlanItem.objects.filter(pk=pk, plan=plan).exists(),
            "item_id": pk,
        },
    )
