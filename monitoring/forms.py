"""Forms for quarterly monitoring. They check what a person typed; the services check
again, under their locks, before anything is written."""

from django import forms
from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from config import uploads
from config.forms import GovukForm
from config.text import NOTE_LIMIT, TEXT_LIMIT
from monitoring import risks as register
from monitoring import services
from monitoring.models import ProgressReturn, ReportingPeriod, Risk
from partners.models import User
from planning import selectors
from planning.forms import offer_welsh
from planning.models import Plan, PlanItem

Rag = ProgressReturn.Rag
DATE_HELP = gettext_lazy("For example, 31 3 2014 or 2014-03-31.")


# what the form asks of a return, by the plan's cadence
WHAT_HAPPENED = {
    Plan.Cadence.QUARTERLY: gettext_lazy("What happened this quarter."),
    Plan.Cadence.TERMLY: gettext_lazy("What happened this term."),
    Plan.Cadence.MONTHLY: gettext_lazy("What happened this month."),
}
MEASURED_AT_END = {
    Plan.Cadence.QUARTERLY: gettext_lazy("The measured value at the end of the quarter. Unit: %(unit)s."),
    Plan.Cadence.TERMLY: gettext_lazy("The measured value at the end of the term. Unit: %(unit)s."),
    Plan.Cadence.MONTHLY: gettext_lazy("The measured value at the end of the month. Unit: %(unit)s."),
}


class ReturnForm(GovukForm):
    """The whole return for one item in one quarter."""

    rag = forms.ChoiceField(
        label=gettext_lazy("RAG rating"),
        choices=[("", gettext_lazy("Choose a rating"))] + list(Rag.choices),
        required=False,
        help_text=gettext_lazy("Red: will not be delivered without help. Amber: at risk. Green: on track."),
    )
    milestone_state = forms.ChoiceField(
        label=gettext_lazy("Milestone status"),
        choices=[(value, label) for value, label in ProgressReturn.Milestone.choices],
        required=False,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Done: give the day. Late: give the new date and the reason below."),
    )
    completed_on = forms.DateField(
        label=gettext_lazy("Day it was done"),
        required=False,
        help_text=gettext_lazy("Only if it is done. For example, 31 3 2014 or 2014-03-31."),
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
    )
    actual_value = forms.DecimalField(
        label=gettext_lazy("Actual value"), required=False, max_digits=14, decimal_places=2, localize=False
    )
    spend_to_date = forms.DecimalField(
        label=gettext_lazy("Spend to date (£)"),
        required=False,
        max_digits=12,
        decimal_places=2,
        localize=False,
        help_text=gettext_lazy(
            "What the action has spent this financial year to the end of the quarter, in pounds. "
            "Leave empty if you do not know."
        ),
    )
    narrative = forms.CharField(
        label=gettext_lazy("Narrative"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What happened this quarter."),
    )
    narrative_cy = forms.CharField(
        label=gettext_lazy("Narrative in Welsh"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("Where the council reports in Welsh as well: Welsh readers see it, others the English."),
    )
    soft_outcomes = forms.CharField(
        label=gettext_lazy("Soft outcomes"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("What the numbers do not show: links forged, attitudes changed."),
    )
    evidence_url = forms.URLField(
        label=gettext_lazy("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=gettext_lazy("A web address."),
    )
    evidence_file = forms.FileField(
        label=gettext_lazy("Evidence file"),
        required=False,
        help_text=gettext_lazy("PDF, Word, Excel, PowerPoint, image or text, up to 10 MB."),
    )
    next_steps = forms.CharField(
        label=gettext_lazy("Next steps"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    revised_due_date = forms.DateField(
        label=gettext_lazy("Revised due date"),
        required=False,
        help_text=gettext_lazy("Only if the date in the plan has slipped. For example, 31 3 2014 or 2014-03-31."),
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
    )
    revision_reason = forms.CharField(
        label=gettext_lazy("Reason for the new date"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, item: PlanItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        offer_welsh(self, ["narrative_cy"])
        cadence = Plan.Cadence(item.plan.cadence)
        self.fields["narrative"].help_text = WHAT_HAPPENED[cadence]
        if item.is_target:
            unit = PlanItem.Unit(item.unit).label if item.unit else ""
            self.fields["actual_value"].help_text = MEASURED_AT_END[cadence] % {"unit": unit}
            self.fields["actual_value"].widget.attrs.update({"class": "govuk-input govuk-input--width-5"})
        else:
            del self.fields["actual_value"]
        if item.kind == PlanItem.Kind.MILESTONE:
            # a milestone is done, on track or late; its RAG follows from that (decision 0024)
            del self.fields["rag"]
            self.fields["completed_on"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})
            self.fields["revised_due_date"].help_text = _(
                "Required if it is late. For example, 31 3 2014 or 2014-03-31."
            )
        else:
            del self.fields["milestone_state"], self.fields["completed_on"]
        if item.kind == PlanItem.Kind.ACTION:
            self.fields["spend_to_date"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})
        else:
            del self.fields["spend_to_date"]
        self.fields["revised_due_date"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})

    def clean_actual_value(self):
        value = self.cleaned_data.get("actual_value")
        message = services.check_actual_value(self.item, value)
        if message:
            raise forms.ValidationError(message)
        return value

    def clean_spend_to_date(self):
        value = self.cleaned_data.get("spend_to_date")
        message = services.check_spend(self.item, value)
        if message:
            raise forms.ValidationError(message)
        return value

    def clean_evidence_file(self):
        upload = self.cleaned_data.get("evidence_file")
        if upload:
            uploads.check_evidence(upload)
        return upload

    def fields_for_service(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in ProgressReturn.CONTENT_FIELDS if name in self.fields}


class QuickReturnForm(GovukForm):
    """One row of "fill several": the rating, the measure and the narrative."""

    rag = ReturnForm.base_fields["rag"]
    actual_value = ReturnForm.base_fields["actual_value"]
    narrative = forms.CharField(
        label=gettext_lazy("Narrative"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, item: PlanItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        for field in self.fields.values():
            field.help_text = ""
            field.widget.attrs.pop("aria-describedby", None)
        if not item.is_target:
            del self.fields["actual_value"]
        else:
            self.fields["actual_value"].widget.attrs.update({"class": "govuk-input govuk-input--width-5"})

    clean_actual_value = ReturnForm.clean_actual_value

    @property
    def is_blank(self) -> bool:
        data = self.cleaned_data
        return not (data.get("rag") or data.get("narrative") or data.get("actual_value") is not None)

    def fields_for_service(self) -> dict:
        return {
            name: self.cleaned_data.get(name) for name in ("rag", "actual_value", "narrative") if name in self.fields
        }


class ReviewForm(GovukForm):
    decision = forms.ChoiceField(
        label=gettext_lazy("Your decision"),
        choices=[
            ("accept", gettext_lazy("Accept the return")),
            ("return", gettext_lazy("Return it to the author for changes")),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason or comment"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Required if you return it: say what needs to change."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say what needs to change, so the author can put it right."))
        return data


class YearForm(GovukForm):
    cadence = forms.ChoiceField(
        label=gettext_lazy("Periods"),
        choices=Plan.Cadence.choices,
        initial=Plan.Cadence.QUARTERLY,
        required=False,  # a form sent without it adds quarters, as the form did before terms and months
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Each plan reports in the periods of its own cadence (set on the plan's details)."),
    )
    start_year = forms.IntegerField(
        label=gettext_lazy("Year starting in"),
        min_value=2000,
        max_value=2100,
        help_text=gettext_lazy("April for quarters and months, September for terms. For example, 2013 for 2013/14."),
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
    )
    days_to_return = forms.IntegerField(
        label=gettext_lazy("Days after each period ends that returns are due"),
        min_value=0,
        max_value=90,
        initial=15,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
    )

    def clean_cadence(self):
        return self.cleaned_data.get("cadence") or Plan.Cadence.QUARTERLY


class PeriodForm(GovukForm):
    due_on = forms.DateField(
        label=gettext_lazy("Returns due"),
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- risks ----------------------------------------------------------------------------------


def _score_field(
    label, names: dict[int, str], *, required: bool = True, hint: str = "", missing="", invalid=""
) -> forms.Field:
    choices = [(n, format_lazy("{} – {}", n, name)) for n, name in names.items()]
    if not required:
        choices = [("", gettext_lazy("No target")), *choices]
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        required=required,
        empty_value=None,
        widget=forms.RadioSelect,
        help_text=hint,
        error_messages={
            "required": missing,
            "invalid_choice": invalid,
        },
    )


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, user: User) -> str:
        return f"{user} – {user.organisation}" if user.organisation_id else str(user)


def owner_choices():
    """Who may own a risk: any active person but elected members, by name."""
    return (
        User.objects.filter(is_active=True)
        .exclude(role=User.Role.MEMBER)
        .select_related("organisation")
        .order_by("last_name", "first_name", "username")
    )


class RiskForm(GovukForm):
    title = forms.CharField(
        label=gettext_lazy("Risk"),
        max_length=300,
        help_text=gettext_lazy("A short name for what might go wrong."),
        error_messages={"required": gettext_lazy("Enter a short name for the risk.")},
    )
    item = forms.ModelChoiceField(
        label=gettext_lazy("What it threatens"),
        queryset=PlanItem.objects.none(),
        required=False,
        empty_label=gettext_lazy("The plan as a whole"),
    )
    cause = forms.CharField(
        label=gettext_lazy("Cause"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    consequence = forms.CharField(
        label=gettext_lazy("Consequence"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    owner = _OwnerChoice(
        label=gettext_lazy("Risk owner"),
        queryset=User.objects.none(),
        required=False,
        empty_label=gettext_lazy("No owner yet"),
    )
    likelihood = _score_field(
        gettext_lazy("Likelihood"),
        register.LIKELIHOOD_LABELS,
        missing=gettext_lazy("Choose a likelihood from 1 to 5."),
        invalid=gettext_lazy("Likelihood must be a whole number from 1 to 5."),
        hint=gettext_lazy("How likely it is to happen now."),
    )
    impact = _score_field(
        gettext_lazy("Impact"),
        register.IMPACT_LABELS,
        missing=gettext_lazy("Choose an impact from 1 to 5."),
        invalid=gettext_lazy("Impact must be a whole number from 1 to 5."),
        hint=gettext_lazy("How bad it would be if it happened."),
    )
    mitigations = forms.CharField(
        label=gettext_lazy("Mitigations"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What is being done to make it less likely or less harmful."),
    )
    target_likelihood = _score_field(
        gettext_lazy("Target likelihood"),
        register.LIKELIHOOD_LABELS,
        required=False,
        missing=gettext_lazy("Choose a target likelihood from 1 to 5."),
        invalid=gettext_lazy("Target likelihood must be a whole number from 1 to 5."),
        hint=gettext_lazy("Once the mitigations work."),
    )
    target_impact = _score_field(
        gettext_lazy("Target impact"),
        register.IMPACT_LABELS,
        required=False,
        missing=gettext_lazy("Choose a target impact from 1 to 5."),
        invalid=gettext_lazy("Target impact must be a whole number from 1 to 5."),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        items = PlanItem.objects.filter(plan=plan).in_tree_order()
        refs = selectors.references(list(items.only("id", "parent_id")))
        self.fields["item"].queryset = items.exclude(kind=PlanItem.Kind.VISION).only("id", "kind", "title")
        self.fields["item"].label_from_instance = lambda item: (
            f"{refs.get(item.pk, '')} {plan.label_for(item.kind)}: {item.title}".strip()
        )
        self.fields["owner"].queryset = owner_choices()

    def risk_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in register.RISK_FIELDS if name in self.cleaned_data}


class RiskEditForm(RiskForm):
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        choices=Risk.Status.choices,
        widget=forms.RadioSelect,
        help_text=gettext_lazy("Close a risk that has passed or no longer matters. Closed risks keep their history."),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason for the change"),
        required=False,
        max_length=500,
        help_text=gettext_lazy("Kept in the risk's history."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class _PeriodChoice(forms.ModelChoiceField):
    def label_from_instance(self, period: ReportingPeriod) -> str:
        return _("%(period)s (%(starts)s to %(ends)s)") % {
            "period": period.label,
            "starts": formats.date_format(period.starts_on, "j M Y"),
            "ends": formats.date_format(period.ends_on, "j M Y"),
        }


class RiskReviewForm(GovukForm):
    period = _PeriodChoice(
        label=gettext_lazy("Quarter"),
        queryset=ReportingPeriod.objects.none(),
        empty_label=None,
        help_text=gettext_lazy(
            "Quarters reported to members are locked and not listed. "
            "Reviewing a quarter again replaces its earlier review."
        ),
        error_messages={"invalid_choice": gettext_lazy("Choose a quarter that is not locked.")},
    )
    likelihood = _score_field(
        gettext_lazy("Likelihood"),
        register.LIKELIHOOD_LABELS,
        missing=gettext_lazy("Choose a likelihood from 1 to 5."),
        invalid=gettext_lazy("Likelihood must be a whole number from 1 to 5."),
    )
    impact = _score_field(
        gettext_lazy("Impact"),
        register.IMPACT_LABELS,
        missing=gettext_lazy("Choose an impact from 1 to 5."),
        invalid=gettext_lazy("Impact must be a whole number from 1 to 5."),
    )
    note = forms.CharField(
        label=gettext_lazy("Review note"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("What has changed since the last review, and why the scores are what they are."),
    )

    def __init__(self, *args, plan: Plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = register.open_periods(plan)


class QuestionForm(GovukForm):
    """A member's question about an action or target (decision 0022)."""

    text = forms.CharField(
        label=gettext_lazy("Your question"),
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy(
            "The lead answers by the date shown; the question and its answer are listed on the next scorecard."
        ),
        error_messages={"required": gettext_lazy("Enter your question")},
    )


class AnswerForm(GovukForm):
    answer = forms.CharField(
        label=gettext_lazy("Your answer"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy(
            "The member who asked is told, and the answer is listed on the next scorecard. "
            "It cannot be changed once given."
        ),
        error_messages={"required": gettext_lazy("Enter your answer")},
    )


class WithdrawForm(GovukForm):
    reason = forms.CharField(
        label=gettext_lazy("Why you are withdrawing it (optional)"),
        required=False,
        max_length=NOTE_LIMIT,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
