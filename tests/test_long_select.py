"""``LongSelect`` writes a drop-down in Python (issue 14): it must say what Django's own
``Select`` says, escaped the same way."""

from html.parser import HTMLParser

import pytest
from django import forms
from hypothesis import given
from hypothesis import strategies as st

from config.forms import GovukForm, LongSelect


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
