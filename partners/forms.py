"""Forms for managing people and organisations. They check what the person typed; the
services check the rules that span rows (where an organisation may sit, which
organisation a role belongs to) again under the lock before anything is written."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from mptt.forms import TreeNodeChoiceField

from config.forms import GovukForm, GovukFormMixin, GovukModelForm, LongCheckboxes, ModelMultipleChoiceField
from config.language import in_language_of
from partners.models import Invitation, Organisation, Partnership, User

CHECKBOX_TEMPLATE = "partners/checkbox_field.html"
INDENT = "\u00a0\u00a0\u00a0"  # options cannot be styled; no-break spaces show the tree


class OrganisationChoiceField(TreeNodeChoiceField):
    """Organisations in tree order, indented, each with its kind."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, level_indicator=INDENT, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        label = f"{INDENT * obj.level}{obj.name} ({obj.get_kind_display().lower()})"
        return label if obj.is_active else _("%(organisation)s, inactive") % {"organisation": label}


def _checkbox(field: forms.Field) -> None:
    field.template_name = CHECKBOX_TEMPLATE
    field.required = False


# --- organisations ---------------------------------------------------------------------


class OrganisationForm(GovukModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "parent", "is_active", "password_sign_in", "requires_equality_impact"]
        labels = {
            "name": gettext_lazy("Name"),
            "slug": gettext_lazy("Short name"),
            "kind": gettext_lazy("Kind"),
            "parent": gettext_lazy("Part of"),
            "is_active": gettext_lazy("Active"),
            "password_sign_in": gettext_lazy("Its people may sign in with a password"),
        }
        help_texts = {
            "slug": gettext_lazy(
                "Used in web addresses and when loading plans: lower-case letters, numbers and hyphens, "
                "for example school-improvement."
            ),
            "parent": gettext_lazy(
                "A directorate is part of a council; a service is part of a directorate or a council. "
                "Partner bodies are not part of the council."
            ),
            "is_active": gettext_lazy("Untick when the organisation closes or merges. Its plans and history are kept."),
            "password_sign_in": gettext_lazy(
                "Untick when its people sign in through single sign-on only: the password form "
                "then refuses them and points them to the single sign-on button."
            ),
            "requires_equality_impact": gettext_lazy(
                "For a council: its plans (and those of its directorates and services) cannot be approved until "
                "their equality impact assessment is complete."
            ),
        }
        field_classes = {"parent": OrganisationChoiceField}
        error_messages = {"slug": {"unique": gettext_lazy("Another organisation already has this short name.")}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.all()
        if self.instance.pk:
            parents = parents.exclude(pk__in=self.instance.get_descendants(include_self=True).values("pk"))
        self.fields["parent"].queryset = parents.in_tree_order()
        self.fields["parent"].empty_label = _("None: it stands on its own")
        self.fields["slug"].widget.attrs.update({"class": "govuk-input govuk-input--width-20", "spellcheck": "false"})
        _checkbox(self.fields["is_active"])
        _checkbox(self.fields["password_sign_in"])
        _checkbox(self.fields["requires_equality_impact"])


class DomainForm(GovukForm):
    """Map an email domain to the organisation whose page this is."""

    domain = forms.CharField(
        label=gettext_lazy("Email domain"),
        max_length=253,
        help_text=gettext_lazy("The part of their email addresses after the @, for example northmoor.gov.uk."),
        widget=forms.TextInput(attrs={"spellcheck": "false", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(
        label=gettext_lazy("Role for people who join this way"),
        choices=[(role.value, role.label) for role in (User.Role.OFFICER, User.Role.PARTNER, User.Role.MEMBER)],
        help_text=gettext_lazy("Administrators are never made this way: invite them."),
    )


# --- people ----------------------------------------------------------------------------


_PERSON_LABELS = {
    "first_name": gettext_lazy("First name"),
    "last_name": gettext_lazy("Last name"),
    "email": gettext_lazy("Email address"),
    "role": gettext_lazy("Role"),
    "organisation": gettext_lazy("Organisation"),
    "job_title": gettext_lazy("Job title"),
    "language": gettext_lazy("Language"),
}
_PERSON_HELP = {
    "role": gettext_lazy(
        "Officers change their service's plans; partners read plans shared with their organisation; "
        "members read approved plans; administrators manage people and organisations."
    ),
    "organisation": gettext_lazy("Officers and partners need one; members and administrators may have none."),
}


class _PersonDetails(GovukModelForm):
    """A person's names, address, role, organisation and job title, as an administrator
    types them (someone else's details: the browser does not offer the admin's own)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        for name in ("first_name", "last_name", "email", "job_title"):
            self.fields[name].widget.attrs["autocomplete"] = "off"
        self.fields["email"].widget.attrs["spellcheck"] = "false"
        organisations = Organisation.objects.filter(is_active=True)
        if self.instance.organisation_id:
            organisations = organisations | Organisation.objects.filter(pk=self.instance.organisation_id)
        self.fields["organisation"].queryset = organisations.in_tree_order()
        self.fields["organisation"].empty_label = _("None")


class InviteForm(_PersonDetails):
    """Invite a person. Nobody types anyone else's password: the person sets their own
    from the invitation's link (or signs in through single sign-on)."""

    class Meta:
        model = Invitation
        fields = ["first_name", "last_name", "email", "role", "organisation", "job_title", "language"]
        labels = _PERSON_LABELS
        help_texts = {
            **_PERSON_HELP,
            "email": gettext_lazy(
                "The invitation is sent here. It is also their username, and where notifications go."
            ),
            "language": gettext_lazy(
                "The invitation is written in it, and it is theirs once they join. Blank: English."
            ),
        }
        field_classes = {"organisation": OrganisationChoiceField}

    def validate_unique(self) -> None:
        """Not here: inviting an address again replaces its waiting invitation, and the
        invitation service says when the address already has an account."""


class PersonEditForm(_PersonDetails):
    """Change a person's details. Their password is theirs: they change it themselves, or
    reset it from the sign-in page."""

    class Meta:
        model = User
        fields = [
            "username",
            "first_name",
            "last_name",
            "email",
            "role",
            "organisation",
            "job_title",
            "language",
            "is_active",
        ]
        labels = {**_PERSON_LABELS, "username": gettext_lazy("Username"), "is_active": gettext_lazy("Active")}
        help_texts = {
            **_PERSON_HELP,
            "username": gettext_lazy("What they type to sign in: letters, numbers and @ . + - _ only."),
            "email": gettext_lazy("Notifications and password reset links are sent here."),
            "language": gettext_lazy(
                "The pages they see, and the emails and notifications sent to them. "
                "Blank: their browser's language, and emails in English."
            ),
            "is_active": gettext_lazy(
                "Untick to deactivate: they are signed out at once and cannot sign in again. "
                "Their name stays on everything they did."
            ),
        }
        field_classes = {"organisation": OrganisationChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _checkbox(self.fields["is_active"])
        self.fields["username"].widget.attrs.update(
            {"class": "govuk-input govuk-input--width-20", "spellcheck": "false", "autocomplete": "off"}
        )

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise ValidationError(_("Someone already has that username."))
        return username


class PersonFilterForm(GovukForm):
    ACTIVE_CHOICES = [
        ("", gettext_lazy("Active and inactive")),
        ("yes", gettext_lazy("Active only")),
        ("no", gettext_lazy("Inactive only")),
    ]

    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=[("", gettext_lazy("Any role")), *User.Role.choices], required=False
    )
    organisation = OrganisationChoiceField(
        label=gettext_lazy("Organisation"), queryset=Organisation.objects.all(), required=False
    )
    active = forms.ChoiceField(label=gettext_lazy("Active"), choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = _("Any organisation")

    def filter(self, people):
        if not self.is_valid():
            return people
        data = self.cleaned_data
        if data["role"]:
            people = people.filter(role=data["role"])
        if data["organisation"]:
            people = people.filter(organisation=data["organisation"])
        if data["active"]:
            people = people.filter(is_active=data["active"] == "yes")
        return people


# --- signing in and passwords ------------------------------------------------------------


class SignInForm(GovukFormMixin, AuthenticationForm):
    """Django's sign-in form, saying why when the person's organisation signs in through
    single sign-on only (``config.auth_backend.PeopleBackend`` notes it on the request)."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": gettext_lazy("Enter a correct username and password. Both are case-sensitive."),
    }

    def get_invalid_login_error(self) -> ValidationError:
        organisation = getattr(self.request, "password_sign_in_refused", None)
        if organisation is None:
            return super().get_invalid_login_error()
        if not settings.OIDC_DISCOVERY_URL:
            return ValidationError(
                _(
                    "People of %(organisation)s sign in through single sign-on, which is not set up on this server: "
                    "ask an administrator."
                )
                % {"organisation": organisation},
                code="single_sign_on_only",
            )
        return ValidationError(
            _("People of %(organisation)s sign in with %(provider)s: use the button “%(button)s” on this page.")
            % {
                "organisation": organisation,
                "provider": settings.OIDC_PROVIDER_NAME,
                "button": _("Sign in with %(provider_name)s") % {"provider_name": settings.OIDC_PROVIDER_NAME},
            },
            code="single_sign_on_only",
        )


class InvitationPasswordForm(GovukFormMixin, SetPasswordForm):
    """The password the invited person chooses, checked with Django's validators against
    the person they are about to become."""


class ResetRequestForm(GovukFormMixin, PasswordResetForm):
    """Django's reset request. Nobody is told whether an address has an account: the same
    page follows either way, and only people who may sign in with a password get mail."""

    def get_users(self, email):
        return (
            user for user in super().get_users(email) if user.organisation is None or user.organisation.password_sign_in
        )

    def send_mail(self, *args, **kwargs):
        """Each link in the language of the person whose account it is (else English)."""
        context = kwargs.get("context", args[2] if len(args) > 2 else {})
        with in_language_of(context.get("user")):
            super().send_mail(*args, **kwargs)


class ResetPasswordForm(GovukFormMixin, SetPasswordForm):
    pass


class ChangePasswordForm(GovukFormMixin, PasswordChangeForm):
    pass


# --- partnerships (issue 15) ---------------------------------------------------------------


class PartnershipForm(GovukModelForm):
    organisations = ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=LongCheckboxes,
        label=gettext_lazy("Organisations in the partnership"),
        help_text=gettext_lazy("Every organisation that owns the partnership’s plans together and signs them off."),
    )
    leads = forms.CharField(
        label=gettext_lazy("Plan leads"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Email addresses, one per line, of the people who lead for their organisation: they change "
            "the partnership’s plans and sign them off for their organisation."
        ),
    )

    class Meta:
        model = Partnership
        fields = ["name", "slug", "description"]
        labels = {
            "name": gettext_lazy("Name"),
            "slug": gettext_lazy("Short name"),
            "description": gettext_lazy("Description"),
        }
        help_texts = {"slug": gettext_lazy("Used in web addresses: lower-case letters, numbers and hyphens.")}
        error_messages = {"slug": {"unique": gettext_lazy("Another partnership already has this short name.")}}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True).in_tree_order()
        if self.instance.pk:
            self.initial.setdefault("organisations", list(self.instance.organisations.values_list("pk", flat=True)))
            emails = self.instance.leads.select_related("person").order_by("person__last_name")
            self.initial.setdefault("leads", "\n".join(lead.person.email for lead in emails))
