"""The plan's risks in its scorecard and pack (issue 17, decision 0026): the heat map as
scored in the quarter, the risks scored 15 or more, and those whose score rose this
quarter; stored with a locked quarter; the register one click away."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import risks as register
from monitoring import scorecard_pack, scorecard_risks, scorecards
from monitoring import services as monitoring
from monitoring.models import ScorecardSnapshot


def _risk(plan, user, title, likelihood, impact):
    return register.risk_create(
        plan=plan, user=user, fields={"title": title, "likelihood": likelihood, "impact": impact, "owner": user}
    )


def _review(risk, period, user, likelihood, impact):
    return register.risk_review(risk_id=risk.pk, period=period, user=user, likelihood=likelihood, impact=impact)


@pytest.fixture
def risky(reported, alice, periods):
    """Four open risks and a closed one. "Teachers leave" 2×3 in Q1, 4×4 in Q2 (rose, and
    high); "Budget cut" 5×4 in Q1, 3×3 in Q2 (fell); "Floods" 5×3, never reviewed (high);
    "Strike" first reviewed in Q2 at 4×3 (new: nothing to rise from)."""
    q1, q2 = periods[0], periods[1]
    teachers = _risk(reported, alice, "Teachers leave", 2, 3)
    _review(teachers, q1, alice, 2, 3)
    _review(teachers, q2, alice, 4, 4)
    budget = _risk(reported, alice, "Budget cut", 5, 4)
    _review(budget, q1, alice, 5, 4)
    _review(budget, q2, alice, 3, 3)
    _risk(reported, alice, "Floods", 5, 3)
    _review(_risk(reported, alice, "Strike", 1, 1), q2, alice, 4, 3)
    closed = _risk(reported, alice, "Old risk", 5, 5)
    register.risk_update(
        risk_id=closed.pk, user=alice, fields={"status": "closed"}, expected_version=closed.version, reason="Gone"
    )
    return reported


def test_the_quarter_scores_each_risk_as_reviewed_by_then(risky, periods):
    q1 = scorecards.build(risky, periods[0])["risks"]
    assert q1["total"] == 4  # the closed risk is left out
    assert [row["title"] for row in q1["high"]] == ["Budget cut", "Floods"]  # 20 and 15 in Q1
    assert q1["rose"] == []  # a first review has nothing to rise from
    q2 = scorecards.build(risky, periods[1])["risks"]
    assert [(row["title"], row["score"]) for row in q2["high"]] == [("Teachers leave", 16), ("Floods", 15)]
    assert [(row["title"], row["before"], row["score"]) for row in q2["rose"]] == [("Teachers leave", 6, 16)]
    assert q2["grid"][5 - 4][4 - 1] == 1 and q2["grid"][5 - 3][3 - 1] == 1  # 4×4 and 3×3
    assert sum(map(sum, q2["grid"])) == 4


def test_high_means_a_score_of_fifteen_or_more():
    assert scorecard_risks.HIGH_SCORE == 15


def test_the_scorecard_page_shows_the_heat_map_and_the_lists(client, mel, risky, periods):
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[risky.slug, periods[1].slug])).content.decode()
    assert 'id="risks-heading"' in page and "app-heat-map" in page and 'id="heat-map-table"' in page
    register_url = reverse("monitoring:risk-register", args=[risky.slug])
    assert f'href="{register_url}?status=open&amp;likelihood=4&amp;impact=4#risks"' in page
    high = page[page.index('id="risks-high"') : page.index('id="risks-rose"')]
    assert "Teachers leave" in high and "Floods" in high and "Budget cut" not in high
    rose = page[page.index('id="risks-rose"') :]
    assert "Teachers leave" in rose and "Strike" not in rose


def test_a_plan_without_risks_says_so(client, mel, reported, periods):
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug])).content.decode()
    assert "No open risk scores 15 or more" in page and "app-heat-map" not in page


def test_the_pack_prints_the_risks(risky, periods):
    html = scorecard_pack.scorecard_pack_html(risky, periods[1], False)
    assert 'id="risks-heading"' in html and "Teachers leave" in html and "app-heat-map" in html
    contents = scorecard_pack.scorecard_pack_context(risky, periods[1], False)["contents"]
    assert "Risks" in [entry.text for entry in contents]


def test_a_locked_quarter_keeps_its_risks_as_they_were(client, mel, ada, alice, risky, periods):
    monitoring.period_lock(period_id=periods[1].pk, user=ada)
    floods = risky.risks.get(title="Floods")
    register.risk_update(
        risk_id=floods.pk, user=alice, fields={"likelihood": 1, "impact": 1}, expected_version=floods.version
    )
    stored = ScorecardSnapshot.objects.get(plan=risky, period=periods[1], include_children=False)
    assert "Floods" in [row["title"] for row in stored.data["risks"]["high"]]
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[risky.slug, periods[1].slug])).content.decode()
    assert "Floods" in page[page.index('id="risks-high"') :]


def test_the_risks_are_read_in_a_fixed_number_of_queries(client, mel, risky, periods, alice):
    client.force_login(mel)
    url = reverse("monitoring:scorecard", args=[risky.slug, periods[1].slug])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(6):  # each reviewed in both quarters, rising to high
        more = _risk(risky, alice, f"More {n}", 2, 2)
        _review(more, periods[0], alice, 2, 2)
        _review(more, periods[1], alice, 4, 4)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "More 5" in page
    assert len(large) == len(small)
