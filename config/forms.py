"""GOV.UK Design System markup for every Django form.

Fields render through ``templates/forms/field.html`` (label, hint, error message
next to the field) and widgets get the GOV.UK classes here, so forms stay plain
Django forms and no template repeats the markup.
"""

from django import forms
from django.forms.renderers import TemplatesSetting

_WIDGET_CLASSES = {
    forms.Textarea: "govuk-textarea",
    forms.Select: "govuk-select",
    forms.SelectMultiple: "govuk-select app-select-multiple",
    forms.CheckboxInput: "govuk-checkboxes__input",
    forms.RadioSelect: "govuk-radios__input",
    forms.CheckboxSelectMultiple: "govuk-checkboxes__input",
    forms.FileInput: "govuk-file-upload",
}


class GovukFormRenderer(TemplatesSetting):
    form_template_name = "forms/form.html"
    field_template_name = "forms/field.html"


class GovukFormMixin:
    """Adds GOV.UK classes and error styling to every widget of the form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            css = next((c for cls, c in _WIDGET_CLASSES.items() if isinstance(widget, cls)), "govuk-input")
            if self.is_bound and name in self.errors:
                css += {
                    "govuk-input": " govuk-input--error",
                    "govuk-textarea": " govuk-textarea--error",
                    "govuk-select": " govuk-select--error",
                }.get(css, "")
                widget.attrs["aria-describedby"] = f"{self.auto_id % name}-error"
            widget.attrs["class"] = css


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass
