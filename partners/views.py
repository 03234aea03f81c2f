"""Signing in; pages for managing people and organisations (administrators only) and
for reading one's own notifications (anyone signed in). Each view parses, fetches through
``partners.access``, calls one service or form, and responds."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from config.forms import add_service_errors
from partners import selectors, services, sign_on
from partners.access import get_domain_for_admin, get_organisation_for_admin, get_person_for_admin, require_admin
from partners.forms import DomainForm, InviteForm, OrganisationForm, PersonEditForm, PersonFilterForm, SignInForm
from partners.models import Notification, Organisation, User

PEOPLE_PER_PAGE = 50
NOTIFICATIONS_PER_PAGE = 50


# --- signing in ------------------------------------------------------------------------


class SignInView(LoginView):
    """Django's sign-in, except that the site's own address is not a destination: someone
    who opened ``/`` and was sent here to sign in asked for the app, not for the page
    that happens to live there (the plans), so they land where their role starts
    (``LOGIN_REDIRECT_URL``: members on the scorecards), exactly as if they had opened
    this page directly. Any other page they were sent from is returned to."""

    authentication_form = SignInForm

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "sign_on": sign_on.enabled(),
            "provider_name": sign_on.provider_name(),
            # the password was right but the organisation signs in through single sign-on only
            "sign_on_only": getattr(self.request, "password_sign_in_refused", None) is not None,
        }

    def get_redirect_url(self) -> str:
        url = super().get_redirect_url()  # "" unless the requested page is on this site
        parts = urlsplit(url)
        if url and parts.path == get_script_prefix() and not parts.query:  # the site's own address
            return ""
        return url


# --- organisations ---------------------------------------------------------------------


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    organisations = list(Organisation.objects.annotate(people_count=Count("people")).in_tree_order())
    council_trees = [org for org in organisations if org.is_council]
    partners = {}
    for org in organisations:
        if not org.is_council:
            partners.setdefault(org.kind, []).append(org)
    partner_groups = [(label, partners[kind]) for kind, label in Organisation.Kind.choices if kind in partners]
    return render(
        request,
        "partners/organisation_list.html",
        {"council_trees": council_trees, "partner_groups": partner_groups},
    )


def _organisation_form_page(request: HttpRequest, organisation: Organisation, title: str) -> HttpResponse:
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.organisation_save(organisation=form.instance, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s saved.") % {"name": saved.name})
            return redirect("partners:organisation-list")
    return render(
        request, "partners/organisation_form.html", {"form": form, "organisation": organisation, "title": title}
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    return _organisation_form_page(request, Organisation(), _("Add an organisation"))


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_admin(request.user, pk)
    return _organisation_form_page(request, organisation, _("Edit %(name)s") % {"name": organisation.name})


# --- people ----------------------------------------------------------------------------


@login_required
@require_GET
def person_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    filters = PersonFilterForm(request.GET or None)
    people = filters.filter(User.objects.select_related("organisation").order_by("last_name", "first_name", "username"))
    page = Paginator(people, PEOPLE_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "partners/person_list.html",
        {
            "filters": filters,
            "page": page,
            "query": query.urlencode(),
            "invitations": list(selectors.invitations_waiting()),
            "now": timezone.now(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest) -> HttpResponse:
    """Invite a person: they set their own password from the link they are sent."""
    require_admin(request.user)
    form = InviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            invitation = services.invitation_send(
                by=request.user,
                email=data["email"],
                organisation=data["organisation"],
                role=data["role"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                job_title=data["job_title"],
                language=data["language"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s. The link works once, for %(hours)s hours.")
                % {"email": invitation.email, "hours": settings.INVITATION_LIFETIME_HOURS},
            )
            return redirect("partners:person-list")
    return render(
        request,
        "partners/person_form.html",
        {"form": form, "title": _("Invite a person"), "hours": settings.INVITATION_LIFETIME_HOURS},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_admin(request.user, pk)
    was_active = person.is_active
    form = PersonEditForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.person_save(person=form.instance, user=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if was_active and not saved.is_active:
                messages.success(request, _("%(person)s deactivated and signed out everywhere.") % {"person": saved})
            else:
                messages.success(request, _("%(name)s saved.") % {"name": saved})
            return redirect("partners:person-list")
    title = _("Edit %(name)s") % {"name": person}
    return render(request, "partners/person_form.html", {"form": form, "person": person, "title": title})


# --- email domains for single sign-on ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def organisation_domains(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_organisation_for_admin(request.user, pk)
    form = DomainForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            mapping = services.domain_add(
                organisation=organisation,
                domain=form.cleaned_data["domain"],
                role=form.cleaned_data["role"],
                user=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("People signing in with an address at %(domain)s now join %(organisation)s.")
                % {"domain": mapping.domain, "organisation": organisation},
            )
            return redirect("partners:organisation-domains", organisation.pk)
    return render(
        request,
        "partners/organisation_domains.html",
        {
            "organisation": organisation,
            "domains": list(organisation.domains.order_by("domain")),
            "form": form,
            "sign_on": sign_on.enabled(),
            "provider_name": sign_on.provider_name(),
        },
    )


@login_required
@require_POST
def organisation_domain_remove(request: HttpRequest, pk: int, domain_pk: int) -> HttpResponse:
    mapping = get_domain_for_admin(request.user, organisation_pk=pk, pk=domain_pk)
    services.domain_remove(mapping=mapping, user=request.user)
    messages.success(
        request,
        _("%(domain)s removed: nobody new joins through it. People already added stay.") % {"domain": mapping.domain},
    )
    return redirect("partners:organisation-domains", pk)


# --- notifications ---------------------------------------------------------------------


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    mine = Notification.objects.filter(recipient=request.user)
    page = Paginator(mine.order_by("-created_at", "-pk"), NOTIFICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    for notification in page:
        # links are the app's own paths; anything else is shown but not linked
        safe = url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None)
        notification.link = notification.url if notification.url.startswith("/") and safe else ""
    return render(
        request,
        "partners/notification_list.html",
        {"page": page, "unread": mine.filter(read_at__isnull=True).count()},
    )


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    # Notifications are delivery records, not tracked content: update() writes no history.
    marked = Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    if marked:
        messages.success(
            request,
            ngettext("%(count)s notification marked as read.", "%(count)s notifications marked as read.", marked)
            % {"count": marked},
        )
    return redirect("partners:notification-list")
