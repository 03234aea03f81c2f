"""``LongSelect`` and ``LongCheckboxes`` write long lists of choices in Python (issue 14):
they must say what Django's own widgets (and the checkbox loop of templates/forms/field.html)
say, escaped the same way."""

from html.parser import HTMLParser

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from config.forms import GovukForm, LongCheckboxes, LongSelect


class _Parsed(HTMLParser):
    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.select: dict = {}
        self.options: list = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        if tag == "select":
            self.select = dict(attrs)
        elif tag == "option":
            found = dict(attrs)
            self.options.append([found["value"], "selected" in found, ""])

    def handle_data(self, data):
        if self.options and data.strip():
            self.options[-1][2] += data


def _both(choices, value, attrs=None) -> tuple[_Parsed, _Parsed]:
    ours = LongSelect(attrs={"class": "govuk-select"}, choices=choices).render("who", value, attrs)
    django = forms.Select(attrs={"class": "govuk-select"}, choices=choices).render("who", value, attrs)
    return _Parsed(ours), _Parsed(django)


@pytest.mark.parametrize("value", [None, "", 2, "2", 3, [3]])
def test_it_says_what_djangos_select_says(value):
    choices = [("", "---------"), (1, "Alice <Owner>"), (2, 'Bob "Officer" & co'), (3, "Carol")]
    attrs = {"id": "id_who", "required": True, "aria-describedby": "id_who-hint", "disabled": False}
    ours, django = _both(choices, value, attrs)
    assert ours.select == django.select and ours.select["name"] == "who" and "disabled" not in ours.select
    assert ours.options == django.options


def test_only_the_first_matching_option_is_selected_as_in_django():
    ours, django = _both([(1, "One"), ("1", "One again")], "1")
    assert ours.options == django.options == [["1", True, "One"], ["1", False, "One again"]]


@given(label=st.text(min_size=1).filter(lambda s: s.strip() and "\x00" not in s), value=st.integers(1, 5))
def test_labels_are_text_never_markup(label, value):
    ours, django = _both([(value, label)], value)
    assert ours.options == django.options
    assert "<script" not in LongSelect(choices=[(1, "<script>x</script>")]).render("who", 1)


def test_grouped_choices_are_left_to_django():
    choices = [("Group", [(1, "One"), (2, "Two")])]
    assert LongSelect(choices=choices).render("who", 2) == forms.Select(choices=choices).render("who", 2)


def test_in_a_form_a_bad_choice_is_still_refused_beside_the_field():
    class Form(GovukForm):
        who = forms.TypedChoiceField(choices=[(1, "One")], coerce=int, widget=LongSelect)

    form = Form({"who": "2"})
    assert not form.is_valid() and "Select a valid choice" in form.errors["who"][0]
    assert 'aria-invalid="true"' in str(form["who"]) and "govuk-select--error" in str(form["who"])


class _Boxes(HTMLParser):
    """Each checkbox's attributes and its label's ``for`` and text, and the fieldset's parts."""

    def __init__(self, markup: str):
        super().__init__(convert_charrefs=True)
        self.inputs: list = []
        self.labels: list = []
        self.tags: list = []
        self._in_label = False
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "input" and dict(attrs).get("type") == "checkbox":
            self.inputs.append(dict(attrs))
        elif tag == "label" and "govuk-checkboxes__label" in dict(attrs).get("class", ""):
            self.labels.append([dict(attrs)["for"], ""])
            self._in_label = True

    def handle_endtag(self, tag):
        self._in_label = self._in_label and tag != "label"

    def handle_data(self, data):
        if self._in_label:
            self.labels[-1][1] += data


def _boxes_form(widget, data=None, initial=None):
    class Form(GovukForm):
        orgs = forms.TypedMultipleChoiceField(
            choices=[(1, "Alpha <College>"), (2, 'Beta "Trust" & Co'), (3, "Gamma")],
            coerce=int,
            required=False,
            widget=widget,
            help_text="Who helps.",
        )

    return Form(data, initial=initial)


@pytest.mark.parametrize(("data", "initial"), [(None, None), (None, {"orgs": [2, 3]}), ({"orgs": ["1", "9"]}, None)])
def test_the_checkboxes_say_what_the_templates_loop_says(data, initial):
    ours = _boxes_form(LongCheckboxes, data, initial)
    django = _boxes_form(forms.CheckboxSelectMultiple, data, initial)
    if data:
        assert not ours.is_valid() and not django.is_valid()  # 9 is no choice: the error shows beside the boxes
    ours, django = _Boxes(str(ours["orgs"].as_field_group())), _Boxes(str(django["orgs"].as_field_group()))
    assert ours.inputs == django.inputs and len(ours.inputs) == 3
    assert [[f, t.strip()] for f, t in ours.labels] == [[f, t.strip()] for f, t in django.labels]
    assert ours.tags == django.tags  # the same fieldset, legend, hint, error and items around them


def test_a_checkbox_label_is_text_never_markup():
    class Form(GovukForm):
        orgs = forms.MultipleChoiceField(choices=[("1", "<script>alert(1)</script>")], widget=LongCheckboxes)

    assert "<script>" not in str(Form()["orgs"].as_field_group())
