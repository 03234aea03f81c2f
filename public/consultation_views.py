"""Public consultation and "you said, we did" (issue 16, decision 0020).

Reading pages (the list of public consultations, a draft in public consultation, "you said,
we did") are ``public_page``s: cacheable, no form, no cookie. The response form and the
confirmation page carry a CSRF token, so they are never cached and set the CSRF cookie
only when they are shown. Moderation is in the app, for those who may change the plan.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from config.client_ip import client_ip
from config.forms import add_service_errors, parse_id
from planning import selectors
from planning.access import get_plan_for_user
from planning.models import PlanItem
from public import consultation as service
from public import you_said
from public.access import get_public_plan
from public.caching import public_page
from public.forms import HONEYPOT, ModerateForm, PublicResponseForm
from public.models import PublicResponse

# --- reading -----------------------------------------------------------------------------------


@require_safe
@public_page
def consultation_list(request: HttpRequest) -> HttpResponse:
    return render(request, "public/consultation/list.html", {"consultations": service.public_consultations()})


@require_safe
@public_page
def consultation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """The draft as it stands, each item with a link to respond to it, and the responses
    approved so far with the council's answers."""
    plan, consultation = service.get_public_consultation(slug)
    items = list(PlanItem.objects.filter(plan=plan).in_tree_order())
    refs = selectors.references(items)
    for item in items:
        item.reference = refs[item.pk]
        item.label = plan.label_for(item.kind)
    responses = you_said.approved_public_responses(consultation)
    for comment in responses:
        comment.who = you_said.public_author(comment)
    return render(
        request,
        "public/consultation/detail.html",
        {"plan": plan, "consultation": consultation, "items": items, "responses": responses},
    )


@require_safe
@public_page
def you_said_we_did(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_public_plan(slug)
    rounds = you_said.rounds(plan, you_said.closed_consultations(plan))
    return render(request, "public/consultation/you_said_we_did.html", {"plan": plan, "rounds": rounds})


# --- responding ------------------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, slug: str) -> HttpResponse:
    """Respond to the draft, or (``?item=``) to one of its items."""
    plan, consultation = service.get_public_consultation(slug)
    item = service.public_item(plan, request.POST.get("item") or request.GET.get("item"))
    form = PublicResponseForm(request.POST or None)
    context = {"plan": plan, "consultation": consultation, "item": item, "form": form, "honeypot": HONEYPOT}
    if item is not None:
        context["reference"] = selectors.plan_references([plan.pk]).get(item.pk, "")
        context["label"] = plan.label_for(item.kind)
    if request.method == "POST":
        if request.POST.get(HONEYPOT):  # a robot: answered as if sent, stored nowhere
            return render(request, "public/consultation/sent.html", {**context, "emailed": True})
        if form.is_valid():
            data = form.cleaned_data
            try:
                sent = service.respond(
                    plan=plan,
                    item=item,
                    name=data["name"],
                    email=data["email"],
                    organisation=data["organisation"],
                    body=data["body"],
                    name_public=data["name_public"],
                    client=client_ip(request),
                )
            except service.RateLimited as limited:
                context["limited"] = str(limited)
                return render(request, "public/consultation/respond.html", context, status=429)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return render(request, "public/consultation/sent.html", {**context, "emailed": sent.emailed})
    return render(request, "public/consultation/respond.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the email: a button to confirm (a link scanner that follows the link
    confirms nothing), then the responses go to moderation."""
    state = service.link_state(service.address_for_token(token))
    if state == "unknown":
        raise Http404(_("No such link"))
    if request.method == "POST" and state == "open":
        try:
            responses = service.confirm(token)
        except service.LinkUnusable as unusable:
            state = unusable.state
        else:
            return render(request, "public/consultation/confirmed.html", {"responses": responses})
    return render(request, "public/consultation/confirm.html", {"state": state}, status=200 if state == "open" else 410)


# --- moderation (in the app) --------------------------------------------------------------------


@login_required
@require_safe
def moderation_queue(request: HttpRequest, slug: str) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    waiting = list(service.waiting(plan))
    forms = [
        (response, ModerateForm(initial={"version": response.version}, prefix=f"r{response.pk}"))
        for response in waiting
    ]
    return render(request, "public/consultation/moderation.html", {"plan": plan, "forms": forms})


@login_required
@require_http_methods(["POST"])
def moderate(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    plan = get_plan_for_user(request.user, slug, "change")
    response = PublicResponse.objects.filter(pk=pk, plan=plan).first()
    if response is None or parse_id(pk) is None:
        raise Http404(_("No such response"))
    form = ModerateForm(request.POST, prefix=f"r{response.pk}")
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            service.moderate(
                response_id=response.pk,
                user=request.user,
                approve=approve,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                (
                    _(
                        "Response from %(name)s approved: it is shown on the public consultation page. "
                        "Respond to it from the plan’s comments."
                    )
                    if approve
                    else _("Response from %(name)s rejected. It will not be shown.")
                )
                % {"name": response.name},
            )
            return redirect(reverse("moderation:public-responses", args=[plan.slug]))
    forms = [
        (
            other,
            form
            if other.pk == response.pk
            else ModerateForm(initial={"version": other.version}, prefix=f"r{other.pk}"),
        )
        for other in service.waiting(plan)
    ]
    if response.state != PublicResponse.State.WAITING:
        messages.error(request, " ".join(form.non_field_errors()) or _("This response has been moderated already."))
        return redirect(reverse("moderation:public-responses", args=[plan.slug]))
    return render(request, "public/consultation/moderation.html", {"plan": plan, "forms": forms}, status=400)
