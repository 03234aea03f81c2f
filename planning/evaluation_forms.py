"""Forms for self-evaluation and the equality impact assessment (decision 0032). They check
for the person typing; ``planning.evaluation`` checks again under the plan's lock."""

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from config.forms import GovukForm
from config.text import NOTE_LIMIT, TEXT_LIMIT
from planning.models import EqualityImpact, EvaluationLevel


class LevelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: EvaluationLevel) -> str:
        return obj.name


class SelfEvaluationForm(GovukForm):
    year = forms.IntegerField(
        label=_("Financial year"),
        min_value=2000,
        max_value=2100,
        help_text=_("The financial year judged, by the year it starts: 2025 for 2025/26."),
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-4", "inputmode": "numeric"}),
    )
    level = LevelChoiceField(
        label=_("Judgement"), queryset=EvaluationLevel.objects.none(), widget=forms.RadioSelect, empty_label=None
    )
    strengths = forms.CharField(label=_("Strengths"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea)
    areas_for_improvement = forms.CharField(
        label=_("Areas for improvement"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("When the plan is revised for next year, these are the starting point for this priority."),
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea,
        help_text=_("Markdown: what the judgement rests on, with links to reports and data."),
    )

    def __init__(self, *args, levels: list[EvaluationLevel], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].queryset = EvaluationLevel.objects.filter(pk__in=[level.pk for level in levels]).order_by(
            "position"
        )
        self.fields["level"].help_text = " ".join(f"{level.name}: {level.description}" for level in levels)


class EqualityAssessmentForm(GovukForm):
    """An impact and a mitigation per characteristic (``impact_<key>``, ``mitigation_<key>``),
    the conclusion and the date screened."""

    conclusion = forms.CharField(
        label=_("Overall conclusion"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea
    )
    screened_on = forms.DateField(
        label=_("Date screened"), required=False, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=250,
        help_text=_("Optional. Recorded in the history beside your change."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines = []
        for key, label in EqualityImpact.Characteristic.choices:
            self.fields[f"impact_{key}"].label = gettext("Impact on %(characteristic)s") % {"characteristic": label}
            self.fields[f"mitigation_{key}"].label = gettext("Mitigation or comment on %(characteristic)s") % {
                "characteristic": label
            }
            self.lines.append((label, self[f"impact_{key}"], self[f"mitigation_{key}"]))

    def clean(self):
        data = super().clean()
        for key, _label in EqualityImpact.Characteristic.choices:
            if (
                data.get(f"impact_{key}") == EqualityImpact.Impact.NEGATIVE
                and not data.get(f"mitigation_{key}", "").strip()
            ):
                self.add_error(f"mitigation_{key}", _("Say how a negative impact is mitigated."))
        return data

    def impacts(self) -> dict[str, tuple[str, str]]:
        data = self.cleaned_data
        return {
            key: (data.get(f"impact_{key}", ""), data.get(f"mitigation_{key}", "").strip())
            for key, _label in EqualityImpact.Characteristic.choices
        }


def _characteristic_fields() -> dict[str, forms.Field]:
    """An impact and a mitigation per characteristic, first in the form (labels are given per
    form, in the reader's language)."""
    fields: dict[str, forms.Field] = {}
    for key, _label in EqualityImpact.Characteristic.choices:
        fields[f"impact_{key}"] = forms.ChoiceField(
            choices=EqualityImpact.Impact.choices, required=False, widget=forms.RadioSelect
        )
        fields[f"mitigation_{key}"] = forms.CharField(
            required=False, max_length=NOTE_LIMIT, widget=forms.Textarea(attrs={"rows": 2})
        )
    return fields


EqualityAssessmentForm.base_fields = {**_characteristic_fields(), **EqualityAssessmentForm.base_fields}
