"""An action's budget profile: lines added and removed on the action's page (decision 0023).
Writes go through ``planning.services`` under the plan's edit permission."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.forms import add_service_errors
from planning import services
from planning.access import get_item_for_user
from planning.forms import BudgetLineForm, ReasonForm
from planning.models import BudgetLine, PlanItem


def _action_for(user, slug: str, pk: int) -> PlanItem:
    item = get_item_for_user(user, slug, pk, "change")
    if item.kind != PlanItem.Kind.ACTION:
        raise Http404(_("Only actions carry a budget profile"))
    return item


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_add(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    item = _action_for(request.user, slug, pk)
    form = BudgetLineForm(request.POST or None, plan=item.plan)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.budget_line_add(
                item_id=item.pk,
                user=request.user,
                year=data["year"],
                cost_type=data["cost_type"],
                funding_source=data["funding_source"],
                amount=data["amount"],
                reason=data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Budget line added."))
            return redirect(f"{item.get_absolute_url()}#budget-profile")
    return render(request, "planning/budget_line_form.html", {"plan": item.plan, "item": item, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def budget_line_delete(request: HttpRequest, slug: str, pk: int, line_id: int) -> HttpResponse:
    """Confirm, with a reason where the plan is approved, then remove the line."""
    item = _action_for(request.user, slug, pk)
    line = BudgetLine.objects.filter(pk=line_id, item=item).first()
    if line is None:
        raise Http404(_("No such budget line"))
    form = ReasonForm(request.POST or None, plan=item.plan)
    if request.method == "POST" and form.is_valid():
        try:
            services.budget_line_delete(
                item_id=item.pk, line_id=line.pk, user=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Budget line removed."))
            return redirect(f"{item.get_absolute_url()}#budget-profile")
    return render(
        request, "planning/budget_line_delete.html", {"plan": item.plan, "item": item, "line": line, "form": form}
    )
