"""Monitoring pages and the scorecard read as the plan does: a count target's figures
are whole numbers with separators, money has no pence it does not have, ratings are
words, and the scorecard (page and pack) uses the plan's own names for its levels."""

import re
from datetime import date

import pytest
from django.urls import reverse

from monitoring import scorecard_pack
from planning.models import PlanItem
from tests.factories import add_item, make_return


@pytest.fixture
def counted(monitored, bob, college):
    """The monitored plan with a count target: 2,000 apprenticeships in March 2013 to
    2,500 a year later (2,124.66 on the line at the end of June, a whole 2,125)."""
    monitored.count = add_item(
        monitored, monitored.action, "target", title="Apprenticeships started", lead_organisation=college,
        unit=PlanItem.Unit.COUNT, baseline_value=2000, baseline_date=date(2013, 3, 31), target_value=2500,
        target_date=date(2014, 3, 31), direction=PlanItem.Direction.HIGHER, amber_tolerance=1000,
    )  # fmt: skip
    return monitored


def test_a_count_target_s_figures_are_whole_numbers_with_separators(client, counted, q1, pat, alice):
    client.force_login(pat)
    form = client.get(reverse("monitoring:return-edit", args=[counted.slug, counted.count.pk, q1.slug]))
    page = form.content.decode()
    assert "Target: 2,500 by March 2014" in page and "Baseline 2,000" in page and "expects 2,125" in page
    make_return(counted.count, q1, pat, {"rag": "green", "narrative": "Good", "actual_value": 2250}, submit=True)
    client.force_login(alice)
    pages = {
        "progress": reverse("monitoring:item-progress", args=[counted.slug, counted.count.pk]),
        "return": reverse("monitoring:return-detail", args=[counted.slug, counted.count.pk, q1.slug]),
        "scorecard": reverse("monitoring:scorecard", args=[counted.slug, q1.slug]),
    }
    for name, url in pages.items():
        page = client.get(url).content.decode()
        assert "2,125" in page and "2,250" in page and "2,500" in page, name
        for raw in ("2124.66", "2,124.66", "2250.00", "2250", "2500.00", "2000.00"):
            assert not re.search(rf"(?<![\d.:]){re.escape(raw)}(?![\d])", page), (name, raw)


def test_a_percentage_target_s_figures_carry_their_unit(client, reported, periods, alice):
    client.force_login(alice)
    page = client.get(reverse("monitoring:item-progress", args=[reported.slug, reported.target.pk])).content.decode()
    assert 'Baseline</dt><dd class="govuk-summary-list__value">70% (March 2013)' in page
    assert "80% by March 2014" in page and "amber within 2" in page
    assert "71%" in page and "76%" in page


def test_scorecard_costs_show_pence_only_when_an_amount_has_them(client, monitored, q1, alice):
    add_item(monitored, monitored.priority, "action", title="Costed", cost_amount="12500.50", cost_type="revenue",
             funding_source="Grant")  # fmt: skip
    add_item(monitored, monitored.priority, "action", title="Round", cost_amount=12500, cost_type="revenue",
             funding_source="Council")  # fmt: skip
    client.force_login(alice)
    page = client.get(reverse("monitoring:scorecard", args=[monitored.slug, q1.slug])).content.decode()
    assert "£12,500.50" in page and "£12,500<" in page and "£25,000.50" in page


def test_the_scorecard_and_its_pack_use_the_plan_s_own_level_names(client, reported, periods, mel):
    reported.label_priority, reported.label_action, reported.label_target = "Themed outcome", "Step", "KPI"
    reported.save()
    q2 = periods[1]
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[reported.slug, q2.slug])).content.decode()
    pack = scorecard_pack.scorecard_pack_html(reported, q2, include_children=False)
    for html in (page, pack):
        html = _the_sections(html)
        assert "Ratings by themed outcome" in html
        assert '<th scope="col" class="govuk-table__header">Themed outcome</th>' in html
        assert "Steps and KPIs" in html
        assert ">Priority<" not in html and "by priority" not in html


def _the_sections(html: str) -> str:
    """The page or pack without its contents list (the pack's is written by
    monitoring/scorecard_pack.py, which words its entries itself)."""
    return re.sub(r'<nav class="pdf-contents".*?</nav>', "", html, flags=re.S)


def test_exceptions_say_what_the_rating_was_in_words(client, monitored, periods, bob, mel):
    q1, q2 = periods[0], periods[1]
    make_return(monitored.action, q1, bob, {"rag": "not_started", "narrative": "Not yet"}, submit=True)
    make_return(monitored.action, q2, bob, {"rag": "amber", "narrative": "Slipping"}, submit=True)
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[monitored.slug, q2.slug])).content.decode()
    assert "Newly amber; was not started" in page
    assert "was not_started" not in page
