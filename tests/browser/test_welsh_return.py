"""A person switches the interface to Welsh and completes a return in Welsh, in a real
browser (issue 18's "done means"; decisions 0029 and 0033).

The lead officer signs in (in English), chooses "Cymraeg" in the header — the choice is
kept on his record — finds his action on "My returns" in Welsh, submits without a rating
and is told why in Welsh next to the field, then fills in the rating, the narrative and
its Welsh version and submits. The return page shows his Welsh narrative; the plan owner,
reading in English, sees the English. Every page, in both languages, is checked with axe."""

from urllib.parse import urlsplit

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import expect

from monitoring.models import ProgressReturn
from partners.models import User
from tests.browser.conftest import follow, sign_in, submit, visit
from tests.monitoring import conftest as monitoring_fixtures

pytestmark = pytest.mark.browser

monitored = monitoring_fixtures.monitored
periods = monitoring_fixtures.periods
q1 = monitoring_fixtures.q1

ACTION = "Train every maths teacher"
ENGLISH = "Every maths teacher is booked on the autumn course."
WELSH = "Mae pob athro mathemateg wedi archebu lle ar gwrs yr hydref."


def welsh(text: str) -> str:
    """The catalogue's Welsh for ``text``; a test of Welsh pages must not pass on English."""
    with translation.override("cy"):
        words = gettext(text)
    assert words != text, f"no Welsh for {text!r}"
    return words


def test_a_lead_switches_to_welsh_and_completes_a_return_in_welsh(page, bob, alice, monitored, q1):
    sign_in(page, bob)
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    submit(page, page.get_by_role("button", name="Cymraeg"))
    expect(page.locator("html")).to_have_attribute("lang", "cy")
    assert User.objects.get(pk=bob.pk).language == "cy"

    follow(page, page.get_by_role("link", name=welsh("My returns"), exact=True))
    # the action has no Welsh title: it is shown in English, marked so in Welsh
    follow(page, page.get_by_role("link", name=f"{ACTION} {welsh('(in English)')}", exact=True).first)
    follow(page, page.get_by_role("link", name=welsh("Fill in this return")))
    submit(page, page.get_by_role("button", name=welsh("Submit to the plan owner")))
    expect(page.locator("#id_rag-error")).to_contain_text(welsh("Choose a RAG rating before you submit."))
    assert not ProgressReturn.objects.filter(item=monitored.action, period=q1, state="submitted").exists()

    page.get_by_label(welsh("RAG rating")).select_option("green")
    page.locator("#id_narrative").fill(ENGLISH)
    page.get_by_label(welsh("Narrative in Welsh")).fill(WELSH)
    submit(page, page.get_by_role("button", name=welsh("Submit to the plan owner")))
    saved = ProgressReturn.objects.get(item=monitored.action, period=q1)
    assert (saved.state, saved.rag, saved.narrative, saved.narrative_cy) == ("submitted", "green", ENGLISH, WELSH)
    expect(page.locator("main")).to_contain_text(WELSH)
    expect(page.locator("main")).not_to_contain_text(ENGLISH)
    return_page = urlsplit(page.url).path

    # the plan owner, whose browser asks for English, reads the same return in English
    page.context.clear_cookies()
    sign_in(page, alice)
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    visit(page, return_page)
    expect(page.locator("main")).to_contain_text(ENGLISH)
    expect(page.locator("main")).not_to_contain_text(WELSH)
