"""Property tests of the reporting-period forms (``YearForm``, ``PeriodForm``) and the
bare POSTs beside them (lock a quarter, chase returns), as ada the administrator and
alice the plan owner: hostile input never gives a server error, a refusal changes
nothing, and what is saved keeps the calendar's rules (four quarters a year, April to
March, returns due on or after the quarter ends, nothing changing once locked)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from monitoring.models import ReportingPeriod
from tests.properties.invariants import submit
from tests.properties.support import examples, nasty, posts, rolled_back

PERIOD_SLUGS = [
    "2013-q1",
    "2013-q2",
    "2013-q3",
    "2013-q4",
    "2099-q1",
    "2013-q9",
    "2013-q",
    "²-q1",
    "2013-q¹",
    "9" * 5000 + "-q1",
]


@pytest.fixture
def calendar(periods):
    """2013/14's quarters, the last one locked."""
    ReportingPeriod.objects.filter(pk=periods[3].pk).update(locked_at=timezone.now())
    return periods


@pytest.mark.django_db
@examples(0.6)
@given(data=st.data())
def test_adding_a_year_never_fails_and_adds_four_sound_quarters(client, calendar, ada, data):
    with rolled_back(client, ada):
        valid = {"start_year": st.integers(2000, 2100).map(str), "days_to_return": st.integers(0, 90).map(str)}
        bad = {"start_year": st.sampled_from(["1999", "2101", "2013"]), "days_to_return": st.sampled_from(["-1", "91"])}
        payload = data.draw(posts(valid, bad=bad), label="payload")
        count = ReportingPeriod.objects.count()
        response, saved = submit(client, reverse("monitoring:year-create"), payload)
        if saved is not None:
            assert ReportingPeriod.objects.count() == count + 4
            assert {p.quarter for p in saved if isinstance(p, ReportingPeriod)} == {1, 2, 3, 4}


@pytest.mark.django_db
@examples()
@given(data=st.data())
def test_moving_a_due_date_never_fails_and_never_before_the_quarter_ends(client, calendar, ada, data):
    with rolled_back(client, ada):
        slug = data.draw(st.sampled_from(PERIOD_SLUGS), label="period")
        known = slug in PERIOD_SLUGS[:4]
        period = ReportingPeriod.objects.get(start_year=2013, quarter=slug[-1]) if known else None
        near = period.ends_on if period else timezone.localdate()
        valid = {
            "due_on": st.builds(
                lambda day, form: day.strftime(form),
                st.dates(near - timedelta(days=10), near + timedelta(days=60)),
                st.sampled_from(["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y"]),
            ),
            "version": st.just(str(period.version if period else 1)),
        }
        payload = data.draw(posts(valid, bad={"version": st.sampled_from(["0", "2", "-1"])}), label="payload")
        snapshot = [period] if period else []
        response, saved = submit(client, reverse("monitoring:period-edit", args=[slug]), payload, *snapshot)
        if saved is not None and period is not None and period.is_locked:
            assert not saved, "a locked quarter changed"


@pytest.mark.django_db
@examples(0.4)
@given(data=st.data())
def test_locking_never_fails(client, calendar, monitored, ada, data):
    """With an approved plan running, so locking freezes its scorecard (checked too)."""
    with rolled_back(client, ada):
        slug = data.draw(st.sampled_from(PERIOD_SLUGS), label="period")
        payload = data.draw(st.dictionaries(st.sampled_from(["version", "reason"]), nasty(), max_size=2))
        response, saved = submit(client, reverse("monitoring:period-lock", args=[slug]), payload, refused=(404,))
        if saved is not None and slug in PERIOD_SLUGS[:4]:
            assert ReportingPeriod.objects.get(start_year=2013, quarter=slug[-1]).is_locked


@pytest.mark.django_db
@examples(0.4)
@given(data=st.data())
def test_chasing_never_fails(client, calendar, monitored, alice, data):
    with rolled_back(client, alice):
        slug = data.draw(st.sampled_from(PERIOD_SLUGS), label="period")
        payload = data.draw(st.dictionaries(st.sampled_from(["plan", "people"]), nasty(), max_size=2))
        url = reverse("monitoring:reminders-send", args=[monitored.slug, slug])
        response, saved = submit(client, url, payload, refused=(404,))
