"""``load_demo`` tells the members' questions after the monitoring story (issue 17, decision
0022): questions in every state on the School Improvement plan, the open ones beside the
officer's returns, all of them on its scorecards; the pages read in the same number of
queries at the demo's size as in tests/monitoring/test_member_questions.py. The demo is
loaded once for this module."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from demo.monitoring_story import OWNER_PLAN
from monitoring.models import MemberQuestion, ReportingPeriod
from partners.models import User
from tests.monitoring.test_member_questions import QUERIES

State = MemberQuestion.State


@pytest.fixture
def demo(demo_output, db) -> str:
    return demo_output


def test_questions_in_every_state_and_load_demo_says_so(demo):
    today = timezone.localdate()
    states = {state: MemberQuestion.objects.filter(state=state).count() for state in State.values}
    overdue = MemberQuestion.objects.filter(state=State.OPEN, due_on__lt=today).count()
    assert states == {"open": 3, "answered": 1, "withdrawn": 1} and overdue == 1
    assert (
        f"Scrutiny: members' questions on {OWNER_PLAN}: 1 answered, 3 awaiting an answer (1 overdue), 1 withdrawn."
    ) in demo
    for question in MemberQuestion.objects.all():
        assert question.history.earliest("history_date").history_user == question.asked_by


def test_the_officer_and_the_owner_see_the_questions_asked_of_them_beside_their_returns(demo, client):
    for username, count in (("officer", 2), ("owner", 1)):
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("monitoring:my-returns")).content.decode()
        assert f"Members’ questions for you to answer ({count}" in page, username


def test_the_member_reads_the_questions_on_the_scorecard_in_the_demo_s_query_counts(demo, client):
    q3 = ReportingPeriod.objects.get(cadence="quarterly", quarter=3)
    first = MemberQuestion.objects.order_by("pk").first()
    urls = {
        "scorecard": reverse("monitoring:scorecard", args=[OWNER_PLAN, q3.slug]),
        "question list": reverse("monitoring:question-list", args=[OWNER_PLAN]),
        "question": reverse("monitoring:question-detail", args=[OWNER_PLAN, first.pk]),
        "my returns": reverse("monitoring:my-returns"),
    }
    counts = {}
    for page, url in urls.items():
        client.force_login(User.objects.get(username="member" if page in {"scorecard", "question list"} else "officer"))
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        counts[page] = len(captured.captured_queries)
        if page == "scorecard":
            html = response.content.decode()
            assert "Members’ questions" in html and "Overdue" in html and "Two of the five schools" in html
    assert counts == QUERIES
