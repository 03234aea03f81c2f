"""The signed-in page where a person makes, lists and revokes their API tokens."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from api import services
from api.forms import TokenForm
from api.models import ApiToken
from config.forms import add_service_errors


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    made = None
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = services.token_create(person=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # shown on this answer only, never stored: the page after it cannot show it again
            made = {"token": token, "secret": secret}
            form = TokenForm()
    return render(
        request,
        "api/token_list.html",
        {
            "form": form,
            "made": made,
            "tokens": list(ApiToken.objects.filter(person=request.user)),
            "now": timezone.now(),
        },
        status=400 if request.method == "POST" and made is None else 200,
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(person=request.user, pk=pk).first()
    if token is None:
        raise Http404(_("No such token"))
    services.token_revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer opens the API.") % {"name": token.name})
    return redirect("api:token-list")


@require_safe
def docs(request: HttpRequest) -> HttpResponse:
    """What the API offers, for people: the endpoints, tokens, and the schema's address."""
    return render(request, "api/docs.html")
