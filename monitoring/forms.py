"""Forms for quarterly monitoring. They check what a person typed; the services check
again, under their locks, before anything is written."""

from django import forms

from config.forms import GovukForm
from config.text import NOTE_LIMIT, TEXT_LIMIT
from monitoring import services, uploads
from monitoring.models import ProgressReturn
from planning.models import PlanItem

Rag = ProgressReturn.Rag
DATE_HELP = "For example, 31 3 2014 or 2014-03-31."


class ReturnForm(GovukForm):
    """The whole return for one item in one quarter."""

    rag = forms.ChoiceField(
        label="RAG rating",
        choices=[("", "Choose a rating")] + list(Rag.choices),
        required=False,
        help_text="Red: will not be delivered without help. Amber: at risk. Green: on track.",
    )
    actual_value = forms.DecimalField(
        label="Actual value", required=False, max_digits=14, decimal_places=2, localize=False
    )
    narrative = forms.CharField(
        label="Narrative",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="What happened this quarter.",
    )
    soft_outcomes = forms.CharField(
        label="Soft outcomes",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What the numbers do not show: links forged, attitudes changed.",
    )
    evidence_url = forms.URLField(
        label="Evidence link", required=False, max_length=500, assume_scheme="https", help_text="A web address."
    )
    evidence_file = forms.FileField(
        label="Evidence file",
        required=False,
        help_text="PDF, Word, Excel, PowerPoint, image or text, up to 10 MB.",
    )
    next_steps = forms.CharField(
        label="Next steps", required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    revised_due_date = forms.DateField(
        label="Revised due date",
        required=False,
        help_text=f"Only if the date in the plan has slipped. {DATE_HELP}",
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
    )
    revision_reason = forms.CharField(
        label="Reason for the new date", required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, item: PlanItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        if item.is_target:
            unit = PlanItem.Unit(item.unit).label if item.unit else ""
            self.fields["actual_value"].help_text = f"The measured value at the end of the quarter. Unit: {unit}."
            self.fields["actual_value"].widget.attrs.update({"class": "govuk-input govuk-input--width-5"})
        else:
            del self.fields["actual_value"]
        self.fields["revised_due_date"].widget.attrs.update({"class": "govuk-input govuk-input--width-10"})

    def clean_actual_value(self):
        value = self.cleaned_data.get("actual_value")
        message = services.check_actual_value(self.item, value)
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
        label="Narrative", required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
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
        label="Your decision",
        choices=[("accept", "Accept the return"), ("return", "Return it to the author for changes")],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Reason or comment",
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required if you return it: say what needs to change.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "return" and not (data.get("reason") or "").strip():
            self.add_error("reason", "Say what needs to change, so the author can put it right.")
        return data


class YearForm(GovukForm):
    start_year = forms.IntegerField(
        label="Financial year starting in April of",
        min_value=2000,
        max_value=2100,
        help_text="For example, 2013 for 2013/14.",
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
    )
    days_to_return = forms.IntegerField(
        label="Days after each quarter ends that returns are due",
        min_value=0,
        max_value=90,
        initial=15,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
    )


class PeriodForm(GovukForm):
    due_on = forms.DateField(
        label="Returns due",
        help_text=DATE_HELP,
        input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"class": "govuk-input govuk-input--width-10"}, format="%Y-%m-%d"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
