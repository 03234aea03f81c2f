"""GOV.UK Design System markup for every Django form.

Fields render through ``templates/forms/field.html`` (label, hint, error message
next to the field) and widgets get the GOV.UK classes here, so forms stay plain
Django forms and no template repeats the markup.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting

from config.html import Pattern, SafeHtml, as_safe_string, html, join
from config.text import multi_line, single_line

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
    """Adds GOV.UK classes to every widget, and error styling once the form is validated;
    refuses control characters in every text field (line breaks only in text boxes:
    ``config.text``), so no form can let them in."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(field, forms.CharField):
                refuse = multi_line if isinstance(widget, forms.Textarea) else single_line
                if refuse not in field.validators:
                    field.validators.append(refuse)
            css = next((c for cls, c in _WIDGET_CLASSES.items() if isinstance(widget, cls)), "govuk-input")
            widget.attrs.setdefault("class", css)
            if field.help_text and not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["aria-describedby"] = f"{self._field_id(name)}-hint"

    def _field_id(self, name: str) -> str:
        """The field's HTML id, with the form's prefix (without building the bound field,
        which would cache its help text before a subclass adjusts it)."""
        return self.auto_id % self.add_prefix(name)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            base = widget.attrs.get("class", "").split(" ")[0]
            if base in {"govuk-input", "govuk-textarea", "govuk-select"}:
                widget.attrs["class"] += f" {base}--error"
            described = [f"{self._field_id(name)}-error"]
            if self.fields[name].help_text:
                described.insert(0, f"{self._field_id(name)}-hint")
            if not isinstance(widget, forms.CheckboxSelectMultiple):
                widget.attrs["aria-describedby"] = " ".join(described)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's, refusing a key too large for the database as not a choice: SQLite raises
    OverflowError on one (PostgreSQL finds no row), which would be a server error."""

    def _check_values(self, value):
        try:
            return super()._check_values(value)
        except OverflowError:
            too_large = max((str(v) for v in value), key=len)
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": too_large[:20]}
            ) from None


_OPTION = Pattern('<option value="{value}">{label}</option>')
_SELECTED = Pattern('<option value="{value}" selected>{label}</option>')


class LongSelect(forms.Select):
    """A drop-down of hundreds of options (people, the places an item may move to), written
    in Python with ``config.html``: Django renders a template for every option, which made a
    form with a few hundred options 4 to 6 times the 500-row baseline page (issue 14). The
    markup is Django's (same attributes, the first matching option selected); grouped
    choices fall back to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        wanted = set(self.format_value(value))
        options = []
        for option_value, label in self.choices:  # iterated, not list(): a model field's would count its rows first
            if isinstance(label, (list, tuple)):
                return super().render(name, value, attrs, renderer)
            text = "" if option_value is None else str(option_value)
            if text in wanted:
                options.append(_SELECTED(value=text, label=str(label)))
                wanted = set()  # one selected, as Django's single select
            else:
                options.append(_OPTION(value=text, label=str(label)))
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return as_safe_string(html('<select name="{}"{}>\n{}\n</select>', name, attributes, join(options, "\n")))


_CHECKBOX = Pattern(
    '<div class="govuk-checkboxes__item">\n<input type="checkbox" name="{name}" value="{value}"{attributes}>\n'
    '<label class="govuk-label govuk-checkboxes__label" for="{id}">{label}</label>\n</div>'
)


class LongCheckboxes(forms.CheckboxSelectMultiple):
    """GOV.UK checkboxes for a long list (the organisations supporting an item), each box
    and its label written in Python with ``config.html``: ``templates/forms/field.html``
    rendered two templates per box, which cost an item's edit form more than the rest of
    the page (issue 14). Django still decides each box's id, ``checked`` and attributes
    (``subwidgets``); the markup is the loop field.html writes for other checkboxes."""

    def render(self, name, value, attrs=None, renderer=None):
        return as_safe_string(
            join(
                _CHECKBOX(
                    name=box["name"],
                    value=str(box["value"]),
                    attributes=_attributes(box["attrs"]),
                    id=box["attrs"].get("id", ""),
                    label=str(box["label"]),
                )
                for box in self.subwidgets(name, value, attrs)
            )
        )


def _attributes(attrs: dict) -> SafeHtml:
    """HTML attributes as Django's ``attrs.html`` writes them: ``True`` as the bare name,
    ``False`` (and ``None``) left out."""
    return join(
        html(" {}", key) if val is True else html(' {}="{}"', key, val)
        for key, val in attrs.items()
        if val is not False and val is not None
    )


class GovukForm(GovukFormMixin, forms.Form):
    pass


class GovukModelForm(GovukFormMixin, forms.ModelForm):
    pass


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's validation errors next to the fields they name (others at the top)."""
    if not hasattr(error, "error_dict"):  # raised with a message only, naming no field
        form.add_error(None, error.messages)
        return
    for name, problems in error.message_dict.items():
        form.add_error(name if name in form.fields else None, problems)


def parse_id(raw) -> int | None:
    """A database key sent as text (a hidden field, ``?parent=``, part of an address), or
    None if it is not one. Only ASCII digits count: "²" and "١" are digits to
    ``str.isdigit`` but ``int`` refuses the first; and no more than 18 of them, which
    ``int`` always reads (it refuses 4,300) and a 64-bit key always holds."""
    raw = str(raw or "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None
