"""Writing a plan together (issue 15): the plan's "Drafting and sign-off" page, its
drafting groups and their members, and the owning organisations' sign-offs.

Everyone who may read the plan reads the page: who writes which part and who has signed
is part of the plan's record. The owner (``manage_drafting``) sets up groups and their
members; a plan lead (``sign_off``) signs off, or withdraws, for their own organisation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from config.forms import add_service_errors
from partners.models import User
from partners.services import invitation_send
from planning import co_writing, selectors
from planning.access import can, get_plan_for_user
from planning.forms import DraftingGroupForm, DraftingMemberForm, PartnerInviteForm, SignOffForm, WithdrawForm
from planning.models import DraftingGroup, Plan, SignOff


def _page(request: HttpRequest, plan: Plan, **forms) -> HttpResponse:
    user = request.user
    page = selectors.drafting_page(plan)
    may_manage = can(user, "manage_drafting", plan)
    may_sign = can(user, "sign_off", plan) and plan.status in co_writing.SIGNING_STATUSES
    own_sign_off = next(
        (row for row in page.sign_offs if row.is_standing and row.organisation_id == user.organisation_id), None
    )
    return render(
        request,
        "planning/drafting.html",
        {
            "plan": plan,
            "page": page,
            "may_manage": may_manage,
            "may_sign": may_sign and own_sign_off is None,
            "own_sign_off": own_sign_off if may_sign else None,
            "group_form": forms.get("group_form") or DraftingGroupForm(parts=page.parts),
            "sign_off_form": forms.get("sign_off_form") or SignOffForm(),
            "withdraw_form": forms.get("withdraw_form") or WithdrawForm(),
        },
        status=400 if forms else 200,
    )


@login_required
@require_safe
def plan_drafting(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, get_plan_for_user(request.user, slug))


@login_required
@require_POST
def drafting_group_create(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "manage_drafting")
    form = DraftingGroupForm(request.POST, parts=selectors.drafting_page(plan).parts)
    if form.is_valid():
        try:
            group = co_writing.drafting_group_create(
                plan=plan, user=request.user, name=form.cleaned_data["name"], item_id=form.cleaned_data["item"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Drafting group “%(group)s” set up. Add its members below.") % {"group": group.name}
            )
            return redirect("planning:drafting-group", slug=plan.slug, group_id=group.pk)
    return _page(request, plan, group_form=form)


def _group(plan: Plan, group_id: int) -> DraftingGroup:
    group = DraftingGroup.objects.select_related("item").filter(pk=group_id, plan=plan).first()
    if group is None:
        raise Http404(_("No such drafting group"))
    return group


@login_required
@require_http_methods(["GET", "POST"])
def drafting_group(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    """The group: its part and members; the owner adds people here."""
    plan = get_plan_for_user(request.user, slug, "manage_drafting" if request.method == "POST" else "view")
    group = _group(plan, group_id)
    form = DraftingMemberForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            membership = co_writing.drafting_member_add(
                group=group, user=request.user, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(person)s can now write “%(part)s”. They have been told.")
                % {"person": membership.person, "part": group.item.title},
            )
            return redirect("planning:drafting-group", slug=plan.slug, group_id=group.pk)
    members = group.memberships.select_related("person__organisation").order_by("person__last_name")
    return render(
        request,
        "planning/drafting_group.html",
        {
            "plan": plan,
            "group": group,
            "members": list(members),
            "reference": selectors.plan_references([plan.pk]).get(group.item_id, ""),
            "form": form,
            "may_manage": can(request.user, "manage_drafting", plan),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def drafting_member_remove(request: HttpRequest, slug: str, group_id: int, membership_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "manage_drafting")
    group = _group(plan, group_id)
    try:
        person = co_writing.drafting_member_remove(group=group, user=request.user, membership_id=membership_id)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(person)s is no longer in “%(group)s” and can no longer write its part.")
            % {"person": person, "group": group.name},
        )
    return redirect("planning:drafting-group", slug=plan.slug, group_id=group.pk)


@login_required
@require_POST
def drafting_group_delete(request: HttpRequest, slug: str, group_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "manage_drafting")
    group = _group(plan, group_id)
    co_writing.drafting_group_delete(group=group, user=request.user)
    messages.success(
        request,
        _("Drafting group “%(group)s” ended. Its members can no longer write its part.") % {"group": group.name},
    )
    return redirect("planning:plan-drafting", slug=plan.slug)


@login_required
@require_POST
def sign_off(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "sign_off")
    form = SignOffForm(request.POST)
    if form.is_valid():
        try:
            co_writing.sign_off_give(plan=plan, user=request.user, condition=form.cleaned_data["condition"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("%(organisation)s has signed off %(plan)s. The owner has been told.")
                % {"organisation": request.user.organisation, "plan": plan.title},
            )
            return redirect("planning:plan-drafting", slug=plan.slug)
    return _page(request, plan, sign_off_form=form)


@login_required
@require_POST
def sign_off_withdraw(request: HttpRequest, slug: str, sign_off_id: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "sign_off")
    sign_off = SignOff.objects.filter(pk=sign_off_id, plan=plan).only("organisation_id").first()
    if sign_off is None:
        raise Http404(_("No such sign-off"))
    if sign_off.organisation_id != request.user.organisation_id:
        raise PermissionDenied  # another organisation's sign-off
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            co_writing.sign_off_withdraw(
                plan=plan, user=request.user, sign_off_id=sign_off_id, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your organisation’s sign-off is withdrawn. The owner has been told."))
            return redirect("planning:plan-drafting", slug=plan.slug)
    return _page(request, plan, withdraw_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def partner_invite(request: HttpRequest, slug: str) -> HttpResponse:
    """The owner of a partnership plan invites people of its partner organisations (issue
    15); administrators invite anyone from the people pages. The invited person is a
    partner of the chosen organisation, and reads the plan as the partnership's."""
    plan = get_plan_for_user(request.user, slug, "manage_drafting")
    if plan.partnership_id is None:
        raise Http404(_("Only a partnership's plan invites its partners"))
    organisations = [org for org in co_writing.owning_organisations(plan) if not org.is_council]
    form = PartnerInviteForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = invitation_send(
                by=request.user,
                email=data["email"],
                organisation=form.organisations[data["organisation"]],
                role=User.Role.PARTNER,
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for a limited time.")
                % {"email": invitation.email},
            )
            return redirect("planning:plan-drafting", slug=plan.slug)
    return render(
        request,
        "planning/partner_invite.html",
        {"plan": plan, "form": form},
        status=400 if form.errors else 200,
    )
