"""The small world the property tests post into: alice's plan ``sip`` with an outline of
every kind, a child plan, carol's plan in another service, people of every role (one
inactive), partner bodies (one closed), and the monitored plan of tests/monitoring."""

from datetime import date
from types import SimpleNamespace

import pytest
from django.utils import timezone

from monitoring import services as monitoring
from monitoring.models import ReportingPeriod
from partners.models import Organisation
from planning import services as planning_services
from planning.models import Indicator, Link, PlanItem
from tests.factories import OrganisationFactory, UserFactory, add_item, make_plan, make_return, vision_of
from tests.monitoring import conftest as monitoring_fixtures

# the monitored plan and its quarters, shared with tests/monitoring/
periods = monitoring_fixtures.periods
monitored = monitoring_fixtures.monitored


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def police(db):
    return OrganisationFactory(name="Northmoor Police", slug="police", kind=Organisation.Kind.POLICE)


@pytest.fixture
def closed_school(db):
    return OrganisationFactory(name="Old School", slug="old-school", kind=Organisation.Kind.SCHOOL, is_active=False)


@pytest.fixture
def gone(service):
    """An officer who has left: inactive."""
    return UserFactory(username="gone", first_name="Gone", last_name="Away", organisation=service, is_active=False)


@pytest.fixture
def people(alice, bob, carol, director, pat, mel, ada, gone):
    return SimpleNamespace(alice=alice, bob=bob, carol=carol, dan=director, pat=pat, mel=mel, ada=ada, gone=gone)


@pytest.fixture
def outline(plan, people, college, police, closed_school, other_service):
    """``sip`` with two priorities, two actions, a percentage and a count target, a
    milestone, a link, a child plan, and carol's plan (another service) with an action."""
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", title="Raise attainment")
    second = add_item(plan, vision, "priority", title="Close the gap")
    action = add_item(
        plan,
        first,
        "action",
        title="Train maths teachers",
        lead_officer=people.bob,
        start_date=date(2013, 4, 1),
        due_date=date(2014, 3, 31),
        cost_amount=1000,
        cost_type="revenue",
    )
    other_action = add_item(plan, first, "action", title="Visit schools")
    percentage = add_item(plan, action, "target", title="Level 4 maths")
    count = add_item(plan, action, "target", title="Schools visited", unit="count", target_value=12)
    milestone = add_item(plan, action, "milestone", title="Course booked")
    child = make_plan(owner=people.alice, parent=plan, title="Maths Team Plan", slug="maths")
    elsewhere = make_plan(owner=people.carol, organisation=other_service, title="Fair Access Plan", slug="fair")
    far_action = add_item(elsewhere, add_item(elsewhere, vision_of(elsewhere), "priority"), "action", title="Far")
    link = Link.objects.create(source=action, target=far_action, relation=Link.Relation.CONTRIBUTES_TO)
    indicator = Indicator.objects.create(code="ks2-maths", name="KS2 maths")
    return SimpleNamespace(
        plan=plan,
        vision=vision,
        first=first,
        second=second,
        action=action,
        other_action=other_action,
        percentage=percentage,
        count=count,
        milestone=milestone,
        items=[vision, first, second, action, other_action, percentage, count, milestone],
        child=child,
        elsewhere=elsewhere,
        far_action=far_action,
        link=link,
        indicator=indicator,
        people=people,
        college=college,
        police=police,
        closed_school=closed_school,
    )


@pytest.fixture
def quarters(monitored, periods, bob, pat, alice):
    """Q1: both submitted, the action with a new date before it starts; Q2: the action
    submitted with a sound new date, the target returned to pat; Q3: bob's draft;
    Q4: locked."""
    q1, q2, q3, q4 = periods
    action, target = monitored.action, monitored.target
    too_early = {"revised_due_date": date(2013, 5, 1), "revision_reason": "Slipped"}
    make_return(action, q1, bob, {"rag": "amber", "narrative": "Late", **too_early}, submit=True)
    # then the action's start moves past that date: accepting the return must refuse it
    planning_services.item_update(
        item_id=action.pk, user=alice, change=planning_services.ItemChange({"start_date": date(2013, 6, 1)}),
        expected_version=PlanItem.objects.get(pk=action.pk).version, reason="Start moved",
    )  # fmt: skip
    make_return(target, q1, pat, {"rag": "green", "narrative": "On track", "actual_value": 71}, submit=True)
    later = {"revised_due_date": date(2014, 6, 30), "revision_reason": "Supply"}
    make_return(action, q2, bob, {"rag": "red", "narrative": "Stuck", **later}, submit=True)
    sent_back = make_return(target, q2, pat, {"rag": "green", "narrative": "Fine", "actual_value": 75}, submit=True)
    monitoring.return_send_back(return_id=sent_back.pk, user=alice, expected_version=1, reason="Show the data")
    make_return(action, q3, bob, {"rag": "green", "narrative": "Begun"})
    ReportingPeriod.objects.filter(pk=q4.pk).update(locked_at=timezone.now())
    return monitored
