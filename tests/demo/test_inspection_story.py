"""``load_demo`` tells an Estyn inspection (issue 18, decision 0030): five recommendations
with their leads and the demo plans' actions that address them, four key-question
judgements, and three quarters of judgements recorded before Q1 and Q2 were locked, so their
reports read them as reported; Q4 is open for the officer. The pages read in the pinned
number of queries at the demo's size. The demo is loaded once for this module."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demo.inspection_story import JUDGEMENTS, TITLE
from monitoring import inspection_report
from monitoring.models import Inspection, RecommendationAction, RecommendationProgress, ReportingPeriod
from partners.models import User


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def _quarters() -> list[ReportingPeriod]:
    return list(ReportingPeriod.objects.filter(cadence="quarterly", start_year=2013).order_by("quarter"))


def test_an_estyn_inspection_with_five_recommendations_actions_and_three_quarters_of_judgements(demo):
    inspection = Inspection.objects.get()
    assert (inspection.title, inspection.inspectorate, inspection.owner.username) == (TITLE, "estyn", "owner")
    assert inspection.judgements.count() == 4
    assert list(inspection.recommendations.values_list("number", flat=True)) == [1, 2, 3, 4, 5]
    assert RecommendationAction.objects.count() == 10
    assert {link.item.kind for link in RecommendationAction.objects.select_related("item")} == {"action"}
    q1, q2, q3, q4 = _quarters()
    for recommendation in inspection.recommendations.all():
        judged = dict(recommendation.progress.values_list("period_id", "judgement"))
        assert judged == dict(zip((q1.pk, q2.pk, q3.pk), JUDGEMENTS[recommendation.number], strict=True))
        assert q4.pk not in judged
    # two Q2 judgements were corrected: their history keeps both
    corrected = RecommendationProgress.objects.filter(period=q2, version=2)
    assert corrected.count() == 2
    assert all(row.history.count() == 2 for row in corrected)
    assert "Inspection recommendations: " in demo and "5 recommendations, 10 actions linked, 15 judgements" in demo


def test_the_locked_quarters_reports_read_what_was_recorded_before_the_lock(demo):
    inspection = Inspection.objects.get()
    q1, q2, q3, _ = _quarters()
    assert q1.is_locked and q2.is_locked and not q3.is_locked
    for period, index in ((q1, 0), (q2, 1)):
        data = inspection_report.build(inspection, period)
        judged = [row["progress"]["judgement"] for row in data["recommendations"]]
        assert judged == [JUDGEMENTS[number][index] for number in range(1, 6)]
        assert all(len(row["actions"]) == 2 for row in data["recommendations"])
    q2_data = inspection_report.build(inspection, q2)
    assert [row["previous"]["judgement"] for row in q2_data["recommendations"]] == [
        JUDGEMENTS[number][0] for number in range(1, 6)
    ]
    # the actions' returns for the quarter are there too
    assert any(action["returned"] for row in q2_data["recommendations"] for action in row["actions"])


def test_the_officer_leads_recommendation_2_and_may_record_its_q4_judgement(demo, client):
    inspection = Inspection.objects.get()
    second = inspection.recommendations.get(number=2)
    client.force_login(User.objects.get(username="officer"))
    q4 = _quarters()[3]
    url = reverse("monitoring:recommendation-progress", args=[inspection.pk, second.pk, q4.slug])
    assert client.get(url).status_code == 200
    action = second.actions.first()
    assert second.get_absolute_url() in client.get(action.get_absolute_url()).content.decode()


# Q2's report (a locked quarter) reads one query more for the demo's owner than for the unit
# tests' owner (tests/monitoring/test_inspections.py: 15), the same at every size there
QUERIES = {"report": 16, "recommendation": 8, "inspection": 7}


def test_the_pages_read_in_the_pinned_number_of_queries_at_the_demo_s_size(demo, client):
    inspection = Inspection.objects.get()
    client.force_login(User.objects.get(username="owner"))
    urls = {
        "report": reverse("monitoring:inspection-report", args=[inspection.pk, _quarters()[1].slug]),
        "recommendation": inspection.recommendations.get(number=1).get_absolute_url(),
        "inspection": inspection.get_absolute_url(),
    }
    counts = {}
    for page, url in urls.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200, url
        counts[page] = len(captured.captured_queries)
    assert counts == QUERIES
