"""Reporting cadence per plan (issue 17, decision 0028): quarterly on the financial year,
termly on the academic year, or monthly. A plan reports only in its own cadence's periods:
returns, dues, outstanding items and reminders, scorecards and risk reviews follow it; a
priority fed by plans of different cadences reads each contributor in its own newest
period ended by the end of the period shown."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from monitoring import scorecards, selectors, thread_rollup
from monitoring import services as monitoring
from monitoring.access import get_period
from monitoring.models import ReportingPeriod, period_dates
from planning import services as planning
from planning.models import Link, Plan, PlanItem
from tests.factories import add_item, make_plan, make_return, vision_of
from tests.monitoring.test_thread_rollup import thread  # noqa: F401 - the corporate priority and its contributors

pytestmark = pytest.mark.django_db

Cadence = Plan.Cadence


@pytest.fixture
def terms(db):
    return monitoring.financial_year_create(start_year=2013, user=None, cadence=Cadence.TERMLY)


@pytest.fixture
def college_plan(alice, college, pat):
    """An approved termly plan of the college: an action pat leads."""
    plan = make_plan(owner=alice, organisation=college, title="College Plan", slug="college", cadence=Cadence.TERMLY)
    priority = add_item(plan, vision_of(plan), "priority", title="Learners stay")
    plan.action = add_item(plan, priority, "action", title="Mentor every learner at risk", lead_officer=pat)
    plan.status = Plan.Status.APPROVED
    plan.save()
    return plan


def test_terms_run_on_the_academic_year_and_months_on_the_financial_year():
    assert period_dates(Cadence.TERMLY, 2013, 1) == (date(2013, 9, 1), date(2013, 12, 31))
    assert period_dates(Cadence.TERMLY, 2013, 2) == (date(2014, 1, 1), date(2014, 4, 30))
    assert period_dates(Cadence.TERMLY, 2013, 3) == (date(2014, 5, 1), date(2014, 8, 31))
    assert period_dates(Cadence.MONTHLY, 2013, 1) == (date(2013, 4, 1), date(2013, 4, 30))
    assert period_dates(Cadence.MONTHLY, 2013, 9) == (date(2013, 12, 1), date(2013, 12, 31))
    assert period_dates(Cadence.MONTHLY, 2013, 11) == (date(2014, 2, 1), date(2014, 2, 28))
    assert period_dates(Cadence.QUARTERLY, 2013, 4) == (date(2014, 1, 1), date(2014, 3, 31))


def test_a_year_of_each_cadence_is_created_with_its_names_and_addresses(ada):
    quarters = monitoring.financial_year_create(start_year=2013, user=ada)
    terms = monitoring.financial_year_create(start_year=2013, user=ada, cadence=Cadence.TERMLY)
    months = monitoring.financial_year_create(start_year=2013, user=ada, cadence=Cadence.MONTHLY, days_to_return=10)
    assert [len(quarters), len(terms), len(months)] == [4, 3, 12]
    assert [t.label for t in terms] == ["Autumn term 2013/14", "Spring term 2013/14", "Summer term 2013/14"]
    assert [t.slug for t in terms] == ["2013-t1", "2013-t2", "2013-t3"]
    assert (months[0].label, months[0].slug, months[0].due_on) == ("April 2013", "2013-m01", date(2013, 5, 10))
    assert months[11].label == "March 2014" and quarters[1].slug == "2013-q2"
    for period in (quarters[1], terms[2], months[4]):
        assert get_period(period.slug) == period
    for slug in ("2013-x1", "2013-t9", "2013-t", "t1", "2013-m13"):
        with pytest.raises(Http404):
            get_period(slug)
    assert terms[0].history.get().history_change_reason == "Year of terms created"


def test_a_year_already_created_is_refused_for_its_cadence_only(ada, terms):
    with pytest.raises(ValidationError, match="The terms of 2013/14 exist"):
        monitoring.financial_year_create(start_year=2013, user=ada, cadence=Cadence.TERMLY)
    assert len(monitoring.financial_year_create(start_year=2013, user=ada)) == 4


def test_the_database_refuses_a_period_number_its_cadence_does_not_have(terms):
    starts, ends = period_dates(Cadence.TERMLY, 2014, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportingPeriod.objects.create(
            cadence=Cadence.TERMLY, start_year=2014, quarter=4, starts_on=starts, ends_on=ends, due_on=ends
        )


def test_the_admin_adds_a_year_of_terms_in_the_browser_form(client, ada, terms):
    client.force_login(ada)
    response = client.post(
        reverse("monitoring:year-create"), {"cadence": "termly", "start_year": "2014", "days_to_return": "20"}
    )
    assert response.status_code == 302
    assert ReportingPeriod.objects.filter(cadence=Cadence.TERMLY, start_year=2014).count() == 3
    page = client.get(reverse("monitoring:period-list")).content.decode()
    assert "Terms from September 2014" in page and "Autumn term" in page
    refused = client.post(
        reverse("monitoring:year-create"), {"cadence": "termly", "start_year": "2014", "days_to_return": "20"}
    )
    assert "The terms of 2014/15 exist." in refused.content.decode()
    bad = client.post(reverse("monitoring:year-create"), {"cadence": "weekly", "start_year": "2015"})
    assert "Select a valid choice" in bad.content.decode()
    assert ReportingPeriod.objects.filter(start_year=2015).count() == 0


def test_a_termly_plan_reports_in_terms_and_never_in_quarters(client, pat, college_plan, terms, periods):
    client.force_login(pat)
    action = college_plan.action
    in_term = reverse("monitoring:return-edit", args=[college_plan.slug, action.pk, terms[0].slug])
    in_quarter = reverse("monitoring:return-edit", args=[college_plan.slug, action.pk, periods[0].slug])
    assert client.get(in_term).status_code == 200
    assert client.get(in_quarter).status_code == 404
    assert [p.slug for p, _ in selectors.plan_periods(college_plan)] == ["2013-t1", "2013-t2", "2013-t3"]
    assert [i.pk for i in monitoring.outstanding_items(terms[0])] == [action.pk]
    assert action.pk not in {i.pk for i in monitoring.outstanding_items(periods[0])}


def test_the_term_scorecard_counts_the_terms_so_far_and_leaves_out_quarters(pat, college_plan, terms, periods):
    make_return(college_plan.action, terms[0], pat, {"rag": "amber", "narrative": "Autumn"}, submit=True)
    make_return(college_plan.action, terms[1], pat, {"rag": "green", "narrative": "Spring"}, submit=True)
    assert [p.slug for p in scorecards.periods_so_far(terms[1])] == ["2013-t1", "2013-t2"]
    card = scorecards.build(college_plan, terms[1])
    assert card["period"]["label"] == "Spring term 2013/14"


def test_a_quarterly_parent_scorecard_leaves_its_termly_plans_beneath_to_their_own(alice, college_plan, monitored):
    college_plan.move_to(monitored, "last-child")
    monitored.refresh_from_db()
    assert scorecards.plans_in_scope(monitored, include_children=True) == [monitored]


def test_the_cadence_cannot_change_once_the_plan_has_returns(client, alice, pat, college_plan, terms):
    client.force_login(alice)
    edit = reverse("planning:plan-edit", args=[college_plan.slug])
    form = client.get(edit).context["form"]
    posted = {name: value for name, value in form.initial.items() if value is not None}
    posted |= {"cadence": "quarterly", "version": college_plan.version, "reason": "Council reporting"}
    posted["organisation"], posted["owner"] = college_plan.organisation_id, college_plan.owner_id
    make_return(college_plan.action, terms[0], pat, {"rag": "green", "narrative": "Autumn"}, submit=True)
    refused = client.post(edit, posted)
    assert refused.status_code == 200
    assert "already has progress returns for its termly periods" in refused.content.decode()
    college_plan.refresh_from_db()
    assert college_plan.cadence == Cadence.TERMLY


def test_a_plan_without_returns_may_change_its_cadence(client, alice, college_plan):
    client.force_login(alice)
    edit = reverse("planning:plan-edit", args=[college_plan.slug])
    form = client.get(edit).context["form"]
    posted = {name: value for name, value in form.initial.items() if value is not None}
    posted |= {"cadence": "monthly", "version": college_plan.version, "reason": "Monthly to the board"}
    posted["organisation"], posted["owner"] = college_plan.organisation_id, college_plan.owner_id
    assert client.post(edit, posted).status_code == 302
    college_plan.refresh_from_db()
    assert college_plan.cadence == Cadence.MONTHLY
    assert college_plan.history.first().history_change_reason == "Monthly to the board"


def test_a_priority_fed_by_a_termly_plan_reads_it_in_the_term_ended_by_the_quarter(
    thread,  # noqa: F811
    pat,
    mel,
    college_plan,
    terms,
    django_assert_num_queries,
):
    q2 = ReportingPeriod.objects.get(cadence=Cadence.QUARTERLY, start_year=2013, quarter=2)
    thread_rollup.contributions(thread["p"], mel)  # what a first call reads once (the reader's plans)
    with django_assert_num_queries(6):  # every contributor quarterly: no query for other cadences
        alone = thread_rollup.contributions(thread["p"], mel)
    assert alone.period == q2 and alone.also == []
    planning.link_add(
        source_id=college_plan.action.pk, target_id=thread["p"].pk, relation=Link.Relation.CONTRIBUTES_TO, user=None
    )
    # the academic year 2013/14 starts in September: by the end of Q2 none of its terms has ended
    make_return(college_plan.action, terms[0], pat, {"rag": "red", "narrative": "Autumn"}, submit=True)
    at_q2 = thread_rollup.contributions(thread["p"], mel, period_slug=q2.slug)
    assert at_q2.also == [] and _rating(at_q2, college_plan.action) is None
    q3 = monitoring_q3(q2)
    make_return(
        thread["plan"].action, q3, thread["plan"].action.lead_officer, {"rag": "green", "narrative": "Q3"}, submit=True
    )
    with django_assert_num_queries(7):  # one more: the periods of the other cadence
        mixed = thread_rollup.contributions(thread["p"], mel)
    assert mixed.period == q3  # the corporate plan's own cadence first, though the spring term is newer
    assert [p.label for p in mixed.also] == ["Autumn term 2013/14"]
    assert _rating(mixed, college_plan.action) == "red"
    assert mixed.combined == "red"
    assert {p.slug for p in mixed.periods} >= {"2013-q3", "2013-t1"}


def monitoring_q3(q2: ReportingPeriod) -> ReportingPeriod:
    return ReportingPeriod.objects.get(cadence=q2.cadence, start_year=q2.start_year, quarter=3)


def _rating(rollup, item: PlanItem) -> str | None:
    found = [c for _, contributors in rollup.opened for c in contributors if c.pk == item.pk]
    assert found, f"{item} is not among the contributors"
    return found[0].rag or None


def test_the_page_says_which_periods_other_cadences_were_read_in(client, thread, pat, mel, college_plan, terms):  # noqa: F811
    planning.link_add(
        source_id=college_plan.action.pk, target_id=thread["p"].pk, relation=Link.Relation.CONTRIBUTES_TO, user=None
    )
    make_return(college_plan.action, terms[0], pat, {"rag": "red", "narrative": "Autumn"}, submit=True)
    q3 = ReportingPeriod.objects.get(cadence=Cadence.QUARTERLY, start_year=2013, quarter=3)
    make_return(
        thread["plan"].action, q3, thread["plan"].action.lead_officer, {"rag": "green", "narrative": "Q3"}, submit=True
    )
    client.force_login(mel)
    url = reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk])
    page = client.get(url, {"period": q3.slug}).content.decode()
    assert "read in their newest period ended by then: Autumn term 2013/14." in page


def test_a_termly_plans_profile_to_date_is_spread_over_its_three_terms():
    from planning import budgets

    line = budgets.CostLine(year=2013, cost_type="revenue", funding_source="", amount=Decimal("900"))
    autumn = budgets.variance([line], 2013, 1, Decimal("300"), Decimal("10"), periods=3)
    assert (autumn.to_date, autumn.flagged) == (Decimal("300.00"), False)
    assert budgets.variance([line], 2013, 1, Decimal("300"), Decimal("10")).flagged  # as quarters: 225 to date
