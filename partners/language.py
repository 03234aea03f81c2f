"""Choosing Welsh or English (docs/decisions/0029): the header's switch. Anyone may switch
with a plain link (GET), which sets the language cookie only, so the public pages stay free of
forms and cookies until a reader asks; a signed-in person's switch is a form (POST,
CSRF-checked) that also keeps the choice on their record, with the history row every change
has (``partners.services.person_language_set``), so it follows them to another browser and to
what is written for them (``config.language``)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from config.language import LANGUAGE_CODES
from partners.services import person_language_set


def _next_url(request: HttpRequest) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if wanted and url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("planning:plan-list")


@require_http_methods(["GET", "POST"])
def switch_language(request: HttpRequest) -> HttpResponse:
    """Show the interface in the language asked for (``language``) and go back (``next``)."""
    language = request.POST.get("language") if request.method == "POST" else request.GET.get("language")
    if language not in LANGUAGE_CODES:
        return HttpResponseBadRequest(_("Choose English (en-gb) or Welsh (cy)."), content_type="text/plain")
    if request.method == "POST" and request.user.is_authenticated and request.user.language != language:
        person_language_set(person=request.user, language=language)
    response = HttpResponseRedirect(_next_url(request))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response
