"""Forms for managing people and organisations. They check what the person typed; the
services check the rules that span rows (where an organisation may sit, which
organisation a role belongs to) again under the lock before anything is written."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from mptt.forms import TreeNodeChoiceField

from config.forms import GovukForm, GovukModelForm, LongCheckboxes, ModelMultipleChoiceField
from partners.models import Organisation, Partnership, User

CHECKBOX_TEMPLATE = "partners/checkbox_field.html"
INDENT = "\u00a0\u00a0\u00a0"  # options cannot be styled; no-break spaces show the tree


class OrganisationChoiceField(TreeNodeChoiceField):
    """Organisations in tree order, indented, each with its kind."""

    def __init__(self, queryset, **kwargs):
        super().__init__(queryset, level_indicator=INDENT, **kwargs)

    def label_from_instance(self, obj: Organisation) -> str:
        label = f"{INDENT * obj.level}{obj.name} ({obj.get_kind_display().lower()})"
        return label if obj.is_active else f"{label}, inactive"


def _checkbox(field: forms.Field) -> None:
    field.template_name = CHECKBOX_TEMPLATE
    field.required = False


# --- organisations ---------------------------------------------------------------------


class OrganisationForm(GovukModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "slug", "kind", "parent", "is_active"]
        labels = {"slug": "Short name", "parent": "Part of", "is_active": "Active"}
        help_texts = {
            "slug": "Used in web addresses and when loading plans: lower-case letters, numbers and hyphens, "
            "for example school-improvement.",
            "parent": "A directorate is part of a council; a service is part of a directorate or a council. "
            "Partner bodies are not part of the council.",
            "is_active": "Untick when the organisation closes or merges. Its plans and history are kept.",
        }
        field_classes = {"parent": OrganisationChoiceField}
        error_messages = {"slug": {"unique": "Another organisation already has this short name."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Organisation.objects.all()
        if self.instance.pk:
            parents = parents.exclude(pk__in=self.instance.get_descendants(include_self=True).values("pk"))
        self.fields["parent"].queryset = parents.in_tree_order()
        self.fields["parent"].empty_label = "None: it stands on its own"
        self.fields["slug"].widget.attrs.update({"class": "govuk-input govuk-input--width-20", "spellcheck": "false"})
        _checkbox(self.fields["is_active"])


# --- people ----------------------------------------------------------------------------


class PersonForm(GovukModelForm):
    """Add a person. The password is optional: without one they cannot sign in until an
    administrator sets one, so no one is ever given a password by email."""

    password1 = forms.CharField(
        label="Password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Leave empty and they cannot sign in until an administrator sets a password here.",
    )
    password2 = forms.CharField(
        label="Confirm the password",
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "role", "organisation", "job_title"]
        labels = {"email": "Email address", "organisation": "Organisation", "job_title": "Job title"}
        help_texts = {
            "username": "What they type to sign in: letters, numbers and @ . + - _ only.",
            "email": "Notifications are sent here.",
            "role": "Officers change their service's plans; partners read plans shared with their organisation; "
            "members read approved plans; administrators manage people and organisations.",
            "organisation": "Officers and partners need one; members and administrators may have none.",
        }
        field_classes = {"organisation": OrganisationChoiceField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        for name in ("username", "first_name", "last_name", "email", "job_title"):
            self.fields[name].widget.attrs["autocomplete"] = "off"  # someone else's details, not the admin's
        for name in ("username", "email"):
            self.fields[name].widget.attrs["spellcheck"] = "false"
        self.fields["username"].widget.attrs["class"] = "govuk-input govuk-input--width-20"
        organisations = Organisation.objects.filter(is_active=True)
        if self.instance.organisation_id:
            organisations = organisations | Organisation.objects.filter(pk=self.instance.organisation_id)
        self.fields["organisation"].queryset = organisations.in_tree_order()
        self.fields["organisation"].empty_label = "None"
        self.order_fields([*self.Meta.fields, "is_active", "password1", "password2"])

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exclude(pk=self.instance.pk).exists():
            raise ValidationError("Someone already has that username.")
        return username

    def _post_clean(self) -> None:
        super()._post_clean()  # the instance now holds the typed names, for the similarity check
        password, confirmation = self.cleaned_data.get("password1"), self.cleaned_data.get("password2")
        if not password and not confirmation:
            return
        if password != confirmation:
            self.add_error("password2", "The two passwords do not match.")
            return
        try:
            password_validation.validate_password(password, self.instance)
        except ValidationError as error:
            self.add_error("password1", error)

    @property
    def password(self) -> str | None:
        return self.cleaned_data.get("password1") or None


class PersonEditForm(PersonForm):
    class Meta(PersonForm.Meta):
        fields = [*PersonForm.Meta.fields, "is_active"]
        labels = {**PersonForm.Meta.labels, "is_active": "Active"}
        help_texts = {
            **PersonForm.Meta.help_texts,
            "is_active": "Untick to deactivate: they are signed out at once and cannot sign in again. "
            "Their name stays on everything they did.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _checkbox(self.fields["is_active"])
        self.fields["password1"].label = "New password"
        self.fields["password1"].help_text = "Leave empty to keep their current password."
        self.fields["password2"].label = "Confirm the new password"


class PersonFilterForm(GovukForm):
    ACTIVE_CHOICES = [("", "Active and inactive"), ("yes", "Active only"), ("no", "Inactive only")]

    role = forms.ChoiceField(choices=[("", "Any role"), *User.Role.choices], required=False)
    organisation = OrganisationChoiceField(queryset=Organisation.objects.all(), required=False)
    active = forms.ChoiceField(label="Active", choices=ACTIVE_CHOICES, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].empty_label = "Any organisation"

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


# --- partnerships (issue 15) ---------------------------------------------------------------


class PartnershipForm(GovukModelForm):
    organisations = ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),
        widget=LongCheckboxes,
        label="Organisations in the partnership",
        help_text="Every organisation that owns the partnership’s plans together and signs them off.",
    )
    leads = forms.CharField(
        label="Plan leads",
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text="Email addresses, one per line, of the people who lead for their organisation: they change "
        "the partnership’s plans and sign them off for their organisation.",
    )

    class Meta:
        model = Partnership
        fields = ["name", "slug", "description"]
        labels = {"slug": "Short name"}
        help_texts = {"slug": "Used in web addresses: lower-case letters, numbers and hyphens."}
        error_messages = {"slug": {"unique": "Another partnership already has this short name."}}
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True).in_tree_order()
        if self.instance.pk:
            self.initial.setdefault("organisations", list(self.instance.organisations.values_list("pk", flat=True)))
            emails = self.instance.leads.select_related("person").order_by("person__last_name")
            self.initial.setdefault("leads", "\n".join(lead.person.email for lead in emails))
