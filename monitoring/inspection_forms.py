"""Forms for inspections, their recommendations and the quarterly judgements of progress
(decision 0030). They check what a person typed; ``monitoring.inspections`` checks again,
under its locks, before anything is written."""

from django import forms
from django.utils.translation import gettext_lazy as _

from config.bilingual import shown
from config.forms import GovukForm
from config.text import NOTE_LIMIT, TEXT_LIMIT
from monitoring.models import Inspection, RecommendationProgress
from partners.models import Organisation, User

DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"]
DATE_HELP = _("For example, 31 3 2014 or 2014-03-31.")


def _date(label, *, required: bool = True, help_text=DATE_HELP) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(attrs={"class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
    )


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} – {user.organisation}" if user.organisation_id else str(user)


def _version() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


class InspectionForm(GovukForm):
    inspectorate = forms.ChoiceField(label=_("Inspectorate"), choices=Inspection.Inspectorate.choices)
    title = forms.CharField(
        label=_("Title"),
        max_length=300,
        help_text=_(
            "As the report names it, for example “A report on the quality of local authority education services”."
        ),
        error_messages={"required": _("Enter the report’s title.")},
    )
    inspected_on = _date(_("Date of the report"))
    organisation = forms.ModelChoiceField(
        label=_("Area or organisation inspected"), queryset=Organisation.objects.none(), empty_label=None
    )
    owner = _PersonChoice(
        label=_("Owner"),
        queryset=User.objects.none(),
        help_text=_("The council officer who answers for the response to the inspection."),
        empty_label=None,
    )
    report_url = forms.URLField(
        label=_("Link to the report"), required=False, max_length=500, assume_scheme="https",
        help_text=_("The inspectorate’s published report, starting https://."),
    )  # fmt: skip
    summary = forms.CharField(
        label=_("Summary"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 5})
    )
    version = _version()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True, role__in=[User.Role.OFFICER, User.Role.ADMIN])
            .select_related("organisation")
            .order_by("last_name", "first_name", "username")
        )

    def inspection_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class JudgementForm(GovukForm):
    key_question = forms.CharField(
        label=_("Key question"), max_length=300, help_text=_("For example, “Standards” or “Leadership and management”.")
    )
    judgement = forms.CharField(
        label=_("Judgement"), max_length=100, help_text=_("As the inspectorate gave it, for example “Adequate”.")
    )


class RecommendationForm(GovukForm):
    number = forms.IntegerField(
        label=_("Number"),
        min_value=1,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
    )
    text = forms.CharField(
        label=_("Recommendation"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("In the inspectorate’s words."),
        error_messages={"required": _("Enter the recommendation.")},
    )
    lead = _PersonChoice(
        label=_("Lead"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("No lead yet"),
        help_text=_("Who records progress against it each quarter."),
    )
    target_date = _date(_("To be met by"), required=False)
    version = _version()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = (
            User.objects.filter(is_active=True)
            .exclude(role=User.Role.MEMBER)
            .select_related("organisation")
            .order_by("last_name", "first_name", "username")
        )

    def recommendation_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ActionLinkForm(GovukForm):
    """The second step of linking: one of the chosen plan's actions."""

    item = forms.TypedChoiceField(label=_("Action"), coerce=int, choices=())

    def __init__(self, *args, actions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = [(item.pk, shown(item, "title").text) for item in actions]


class ProgressForm(GovukForm):
    judgement = forms.ChoiceField(
        label=_("Judgement"),
        choices=RecommendationProgress.Judgement.choices,
        widget=forms.RadioSelect,
        help_text=_("How far the recommendation is met at the end of the quarter."),
        error_messages={"required": _("Choose a judgement.")},
    )
    narrative = forms.CharField(
        label=_("Progress this quarter"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What the actions taken have achieved, and what is still to do."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What shows it: reports to scrutiny, data, findings of a review."),
    )
    evidence_links = forms.CharField(
        label=_("Links to the evidence"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. One web address a line."),
    )
    reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=100,
        help_text=_("Only when correcting a judgement: kept in its history."),
    )
    version = _version()

    def progress_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("judgement", "narrative", "evidence", "evidence_links")}
