"""Links between items (the golden thread) and permalinks that survive a plan's rename."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import parse_id
from planning import services
from planning.access import get_item_for_user, get_plan_for_user, plans_for
from planning.forms import LinkForm
from planning.models import Link, PlanItem
from planning.search import search_items


@login_required
@require_http_methods(["GET", "POST"])
def link_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Find the item to link to (by reference, title or plan), then choose the relation."""
    item = get_item_for_user(request.user, slug, pk, "change")
    query = request.GET.get("q", "").strip()
    form = LinkForm(request.POST or None, initial={"target": request.GET.get("target")})
    target = None
    target_id = parse_id(request.POST.get("target") or request.GET.get("target"))
    if target_id is not None:
        target = PlanItem.objects.select_related("plan").filter(pk=target_id, plan__in=plans_for(request.user)).first()
    if request.method == "POST" and form.is_valid():
        if target is None:
            form.add_error(None, _("Choose an item you can see to link to."))
        else:
            try:
                services.link_add(
                    source_id=item.pk,
                    target_id=target.pk,
                    relation=form.cleaned_data["relation"],
                    note=form.cleaned_data["note"],
                    user=request.user,
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, _("That link already exists.") if "already exists" in message else message)
            else:
                messages.success(request, _("Linked to “%(item)s”.") % {"item": target.title})
                return redirect(item.get_absolute_url())
    results = [r for r in search_items(request.user, query, limit=30) if r.item.pk != item.pk] if query else []
    return render(
        request,
        "planning/link_add.html",
        {"plan": item.plan, "item": item, "query": query, "results": results, "target": target, "form": form},
    )


@login_required
@require_POST
def link_delete(request: HttpRequest, slug: str, pk: int, link_id: int) -> HttpResponse:
    item = get_item_for_user(request.user, slug, pk, "change")
    if not Link.objects.filter(pk=link_id, source=item).exists():
        raise Http404(_("No such link"))
    services.link_delete(link_id=link_id, user=request.user)
    messages.success(request, _("Link removed."))
    return redirect(item.get_absolute_url())


@login_required
@require_safe
def item_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    """/i/<id>/: a citable address for an item that still works after its plan is renamed."""
    slug = PlanItem.objects.filter(pk=pk).values_list("plan__slug", flat=True).first()
    if slug is None:
        raise Http404(_("No such item"))
    return redirect(get_item_for_user(request.user, slug, pk).get_absolute_url())


@login_required
@require_safe
def plan_permalink(request: HttpRequest, pk: int) -> HttpResponse:
    slug = plans_for(request.user).filter(pk=pk).values_list("slug", flat=True).first()
    if slug is None:
        raise Http404(_("No such plan"))
    return redirect(get_plan_for_user(request.user, slug).get_absolute_url())
