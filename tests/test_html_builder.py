"""The one builder for HTML written in Python (config/html.py): every value put into
markup is escaped unless it is markup already, markup already built or marked safe is not
escaped again, and Django shows built markup as it is only when handed over."""

from decimal import Decimal
from html import escape

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import Context, Template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from config.html import ID, IdUrl, Pattern, SafeHtml, as_safe_string, html, join, sanitised
from tests.test_xss_corpus import PAYLOADS

HOSTILE = [*PAYLOADS, 'Tom & Jerry\'s "best" <b>plan</b>', "{0} {} {title} {{ }}"]


@pytest.mark.parametrize("text", HOSTILE)
def test_every_value_put_into_markup_is_escaped(text):
    built = html('<a class="govuk-link" href="{}" title="{}">{}</a>', text, text, text)
    assert built == f'<a class="govuk-link" href="{escape(text)}" title="{escape(text)}">{escape(text)}</a>'
    assert type(built) is SafeHtml


@pytest.mark.parametrize("text", HOSTILE)
def test_named_values_are_escaped_too(text):
    assert html("<p>{first}</p><p>{first}{second}</p>", first=text, second="<i>") == (
        f"<p>{escape(text)}</p><p>{escape(text)}&lt;i&gt;</p>"
    )


@pytest.mark.parametrize("text", HOSTILE)
def test_joined_parts_are_escaped_unless_they_are_markup(text):
    built = join([text, html("<br>"), text], "\n")
    assert built == f"{escape(text)}\n<br>\n{escape(text)}"


@pytest.mark.parametrize("text", HOSTILE)
def test_every_value_filled_into_a_pattern_is_escaped(text):
    row = Pattern('<li><a href="/items/{pk}/">{title}</a> {label}: {title}</li>', label=text)
    assert row(pk=7, title=text) == f'<li><a href="/items/7/">{escape(text)}</a> {escape(text)}: {escape(text)}</li>'
    assert (row + Pattern("<p>{note}</p>"))(pk=1, title="t", note=text).endswith(f"<p>{escape(text)}</p>")


def test_markup_already_built_is_not_escaped_again():
    inner = html("<em>{}</em>", "Tom & Jerry")
    assert html("<p>{}</p>", inner) == "<p><em>Tom &amp; Jerry</em></p>"
    assert join([inner, inner]) == "<em>Tom &amp; Jerry</em><em>Tom &amp; Jerry</em>"
    assert Pattern("<p>{x}</p>")(x=inner) == "<p><em>Tom &amp; Jerry</em></p>"
    assert Pattern("<p>{x}{y}</p>", x=inner)(y=inner) == "<p><em>Tom &amp; Jerry</em><em>Tom &amp; Jerry</em></p>"


def test_a_value_django_marked_safe_is_not_escaped_again():
    token = format_html('<input name="t" value="{}">', "a&b")  # escaped once, by Django
    assert html("<form>{}</form>", token) == '<form><input name="t" value="a&amp;b"></form>'
    assert join([mark_safe("<hr>")]) == "<hr>"  # noqa: S308  # a value Django trusts, as a caller would pass it


def test_a_string_that_only_looks_like_markup_is_escaped():
    class LooksSafe(str):
        pass

    assert html("<p>{}</p>", LooksSafe("<b>")) == "<p>&lt;b&gt;</p>"


def test_numbers_and_other_values_are_written_as_text():
    assert html("<td>{}</td><td>{}</td><td>{}</td>", 1234, Decimal("2.50"), None) == (
        "<td>1234</td><td>2.50</td><td>None</td>"
    )
    assert html("{}", True) == "True"


def test_a_pattern_takes_only_plain_named_holes():
    with pytest.raises(ValueError, match="no place for"):
        Pattern("<p>{title}</p>", label="x")
    with pytest.raises(ValueError, match="plain names"):
        Pattern("<p>{title!r}</p>")
    with pytest.raises(ValueError, match="plain names"):
        Pattern("<p>{}</p>")
    with pytest.raises(KeyError):
        Pattern("<p>{title}</p>")()


def test_braces_in_values_given_to_a_pattern_stay_text():
    pattern = Pattern("<p>{label} {title}</p>", label="{title} {{x}}")
    assert pattern(title="T") == "<p>{title} {{x}} T</p>"


def test_built_markup_is_shown_as_it_is_only_when_handed_to_django():
    built = html("<strong>{}</strong>", "<script>")
    template = Template("{{ value }}")
    assert template.render(Context({"value": as_safe_string(built)})) == "<strong>&lt;script&gt;</strong>"
    # not handed over, Django trusts it no more than any string
    assert template.render(Context({"value": built})) == "&lt;strong&gt;&amp;lt;script&amp;gt;&lt;/strong&gt;"


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", mark_safe("<b>"), SafeString("<i>")])  # noqa: S308
def test_only_built_markup_is_handed_to_django(value):
    with pytest.raises(TypeError, match="only markup built by config.html"):
        as_safe_string(value)


def test_sanitised_markup_is_handed_to_django_as_it_is():
    assert isinstance(sanitised("<p>cleaned</p>"), SafeString)


@pytest.mark.django_db
def test_an_address_pattern_is_reversed_once_and_filled_with_ids():
    item_url = IdUrl("planning:item-detail", "a-plan", ID)
    assert item_url(42) == reverse("planning:item-detail", args=["a-plan", 42])
    return_url = IdUrl("monitoring:return-detail", "a-plan", ID, "2013-q1")
    assert return_url(7) == reverse("monitoring:return-detail", args=["a-plan", 7, "2013-q1"])


@pytest.mark.django_db
def test_an_address_pattern_whose_slug_holds_the_marker_still_puts_the_id_in_its_place():
    slug = "plan-987654321"
    assert IdUrl("planning:item-detail", slug, ID)(5) == reverse("planning:item-detail", args=[slug, 5])


@pytest.mark.parametrize("pk", ["5/../../admin", "1<script>", 2.5])
def test_an_address_pattern_takes_only_whole_numbers(pk):
    with pytest.raises((ValueError, TypeError)):
        IdUrl("planning:item-detail", "a-plan", ID)(pk)


def test_an_address_pattern_needs_one_place_for_the_id():
    with pytest.raises(ImproperlyConfigured, match="needs ID once"):
        IdUrl("planning:item-detail", "a-plan", 5)
