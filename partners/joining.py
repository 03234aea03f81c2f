"""Joining and signing in without an administrator typing anyone's password: accepting an
invitation, asking for a fresh link when one has expired, and single sign-on. Anonymous
pages: an invitation's link is its own key (``partners.access.get_invitation_for_token``).
Password reset and change are Django's views with the app's forms and templates
(``partners/sign_in_urls.py``)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.forms import add_service_errors
from config.history import change_context
from partners import services, sign_on
from partners.access import get_invitation_for_token
from partners.forms import ChangePasswordForm, InvitationPasswordForm, ResetPasswordForm, ResetRequestForm

log = logging.getLogger(__name__)

BACKEND = "config.auth_backend.PeopleBackend"
NEXT_KEY = "_sign_on_next"


def _signed_in(request: HttpRequest, person, next_url: str = "") -> HttpResponse:
    login(request, person, backend=BACKEND)
    safe = url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return redirect(next_url if next_url and safe else resolve_url(settings.LOGIN_REDIRECT_URL))


def _sign_on_context() -> dict:
    return {"sign_on": sign_on.enabled(), "provider_name": sign_on.provider_name()}


# --- invitations -------------------------------------------------------------------------


@sensitive_post_parameters("new_password1", "new_password2")
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_invitation_for_token(token)
    state = services.invitation_state(invitation)
    password_allowed = invitation.organisation is None or invitation.organisation.password_sign_in
    form = InvitationPasswordForm(services.person_from_invitation(invitation), request.POST or None)
    if request.method == "POST" and state == "open" and password_allowed and form.is_valid():
        try:
            person = services.invitation_accept(token=token, password=form.cleaned_data["new_password1"])
        except services.InvitationUnusable as unusable:
            state = unusable.state  # used (a second submission) or expired in the meantime
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Welcome, %(person)s. Your password is set: sign in with %(username)s.")
                % {"person": person, "username": person.username},
            )
            return _signed_in(request, person)
    context = {
        "invitation": invitation,
        "state": state,
        "form": form,
        "password_allowed": password_allowed,
        "token": token,
        **_sign_on_context(),
    }
    return render(request, "registration/invitation_accept.html", context, status=200 if state == "open" else 410)


@require_POST
def invitation_resend(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_invitation_for_token(token)
    try:
        services.invitation_resend(token=token)
    except services.InvitationUnusable:
        return redirect("invitation-accept", token)
    except ValidationError as error:
        return render(
            request,
            "registration/invitation_accept.html",
            {"invitation": invitation, "state": "expired", "resend_error": " ".join(error.messages), "token": token},
            status=429,
        )
    return render(request, "registration/invitation_resent.html", {"hours": settings.INVITATION_LIFETIME_HOURS})


# --- single sign-on ----------------------------------------------------------------------


def _sign_on_failed(request: HttpRequest, message: str, status: int) -> HttpResponse:
    return render(
        request, "registration/sign_on_failed.html", {"message": message, **_sign_on_context()}, status=status
    )


@require_GET
def sign_on_start(request: HttpRequest) -> HttpResponse:
    """A link rather than a form: ``form-action 'self'`` (the CSP) would stop a form's
    redirect to the provider. Starting is harmless to forge: it ends at the provider's
    sign-in, and only the browser that started it can finish it (the state)."""
    if not sign_on.enabled():
        raise Http404(_("Single sign-on is not set up"))
    request.session[NEXT_KEY] = request.GET.get("next", "")[:2000]
    try:
        return sign_on.start(request, settings.SITE_URL + reverse("sign-on-callback"))
    except sign_on.SignOnFailed as failed:
        return _sign_on_failed(request, str(failed), failed.status)


@require_GET
def sign_on_callback(request: HttpRequest) -> HttpResponse:
    if not sign_on.enabled():
        raise Http404(_("Single sign-on is not set up"))
    next_url = request.session.pop(NEXT_KEY, "")
    try:
        claims = sign_on.finish(request)
    except sign_on.SignOnFailed as failed:
        return _sign_on_failed(request, str(failed), failed.status)
    try:
        person = services.sign_on_person(claims=claims)
    except services.SignOnRefused as refused:
        log.warning("single sign-on refused for %r: %s", claims.get("email"), refused)
        return _sign_on_failed(request, str(refused), 403)
    return _signed_in(request, person, next_url)


# --- passwords: Django's views, the app's forms and templates -----------------------------


class PasswordResetView(auth_views.PasswordResetView):
    """The same page follows whether or not the address has an account; the link in the
    email is the app's public address (``SITE_URL``), never the request's Host header."""

    form_class = ResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL, "council_name": settings.COUNCIL_NAME}
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = ResetPasswordForm

    def form_valid(self, form):
        with change_context(reason="Password reset by email", user=None):
            return super().form_valid(form)


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = ChangePasswordForm

    def form_valid(self, form):
        with change_context(reason="Password changed", user=self.request.user):
            return super().form_valid(form)
