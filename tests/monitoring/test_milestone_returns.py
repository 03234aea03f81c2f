"""Milestones in returns (issue 17, decision 0024): done with its day, on track, or late
with a new date and its reason; asked for only in the quarters they are due, never again
once done; outstanding like any other return when due and missing."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from monitoring import milestones, selectors, services
from monitoring.models import ProgressReturn, ReportingPeriod
from planning.models import PlanItem
from tests.factories import add_item, make_return

Milestone = ProgressReturn.Milestone


@pytest.fixture
def steps(monitored, bob):
    """Two milestones under bob's action: one due in Q1, one at the end of the year."""
    monitored.first = add_item(
        monitored,
        monitored.action,
        "milestone",
        title="Trainers appointed",
        lead_officer=bob,
        start_date=date(2013, 4, 1),
        due_date=date(2013, 6, 30),
    )
    monitored.last = add_item(
        monitored,
        monitored.action,
        "milestone",
        title="Last cohort trained",
        lead_officer=bob,
        due_date=date(2014, 3, 31),
    )
    return monitored


def _save(item, period, user, version=0, submit=False, **fields):
    return services.return_save(
        item=item, period=period, user=user, fields=fields, expected_version=version, submit=submit
    )


def _rows(plan, period, reader):
    return [row.item.title for row in selectors.plan_quarter(plan, period, reader=reader).rows]


# --- which milestones are asked for --------------------------------------------------------


def test_a_milestone_is_asked_for_from_the_quarter_it_is_due_until_it_is_done(steps, periods, alice, bob):
    q1, q2, _, q4 = periods
    assert "Trainers appointed" in _rows(steps, q1, alice)
    assert "Last cohort trained" not in _rows(steps, q1, alice)  # not due yet: no row
    assert "Last cohort trained" in _rows(steps, q4, alice)
    assert "Trainers appointed" in _rows(steps, q2, alice)  # overdue and not done: asked again
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    assert "Trainers appointed" in _rows(steps, q1, alice)
    assert "Trainers appointed" not in _rows(steps, q2, alice)  # done is final
    assert "Trainers appointed" not in [i.title for i in services.outstanding_items(q2)]


def test_a_draft_saying_done_does_not_end_the_asking(steps, periods, bob):
    q1, q2 = periods[0], periods[1]
    _save(steps.first, q1, bob, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    assert steps.first in services.outstanding_items(q1)
    assert steps.first in services.outstanding_items(q2)


def test_an_overdue_milestone_with_no_return_is_outstanding_and_reminded(steps, periods, bob):
    q1 = periods[0]
    outstanding = services.outstanding_items(q1)
    assert steps.first in outstanding and steps.last not in outstanding
    services.reminders_send(period=q1, plan=steps, user=None)
    reminded = bob.notifications.get()
    assert "Trainers appointed" in reminded.body and "Last cohort trained" not in reminded.body


def test_a_milestone_reported_early_shows_in_that_quarter(steps, periods, alice, bob):
    q1 = periods[0]
    _save(steps.last, q1, bob, milestone_state=Milestone.ON_TRACK)
    assert "Last cohort trained" in _rows(steps, q1, alice)
    assert steps.last in milestones.reported_items(q1)


def test_the_rule_in_sql_and_in_python_agree(steps, periods, bob):
    q1, q2 = periods[0], periods[1]
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    done = milestones.done_in(PlanItem.objects.filter(plan=steps).values("pk"))
    for period in periods:
        in_sql = set(milestones.reported_items(period).filter(kind="milestone").values_list("pk", flat=True))
        found = set(ProgressReturn.objects.filter(period=period).values_list("item_id", flat=True))
        in_python = {
            m.pk
            for m in (steps.first, steps.last)
            if milestones.expects(m.kind, m.due_date, period, done=done.get(m.pk), has_return=m.pk in found)
        }
        assert in_sql == in_python, period
    assert done == {steps.first.pk: (2013, 1)}
    assert q2 and steps.first.pk not in set(milestones.reported_items(q2).values_list("pk", flat=True))


# --- states and checks -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "fields", "rag"),
    [
        (Milestone.DONE, {"completed_on": date(2013, 6, 20)}, "complete"),
        (Milestone.ON_TRACK, {}, "green"),
        (Milestone.LATE, {"revised_due_date": date(2013, 9, 30), "revision_reason": "Interviews re-run"}, "amber"),
    ],
)
def test_each_state_saves_with_its_rating_derived(steps, q1, bob, state, fields, rag):
    ret = _save(steps.first, q1, bob, submit=True, milestone_state=state, rag="red", **fields)
    ret.refresh_from_db()
    assert (ret.state, ret.milestone_state, ret.rag) == ("submitted", state, rag)  # the RAG given is ignored


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"milestone_state": "done"}, "completed_on", "Give the day the milestone was done."),
        ({"milestone_state": "done", "completed_on": date(2099, 1, 1)}, "completed_on", "cannot be in the future"),
        (
            {"milestone_state": "done", "completed_on": date(2013, 6, 1), "revised_due_date": date(2013, 9, 1)},
            "revised_due_date",
            "needs no new date",
        ),
        ({"milestone_state": "on_track", "completed_on": date(2013, 6, 1)}, "completed_on", "only when"),
        ({"milestone_state": "late", "revision_reason": "Slipped"}, "revised_due_date", "Give the new date"),
        ({"milestone_state": "late", "revised_due_date": date(2013, 9, 1)}, "revision_reason", "Say why"),
        (
            {"milestone_state": "late", "revised_due_date": date(2013, 6, 1), "revision_reason": "Slipped"},
            "revised_due_date",
            "after the quarter ends (30 June 2013)",
        ),
        ({"narrative": "Nearly"}, "milestone_state", "done, on track or late before you submit"),
    ],
)
def test_each_problem_is_named_by_its_field(steps, q1, bob, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        _save(steps.first, q1, bob, submit=True, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not ProgressReturn.objects.exists()


def test_on_track_is_refused_once_the_due_date_is_before_the_quarter(steps, periods, bob):
    with pytest.raises(ValidationError, match="before this quarter began"):
        _save(steps.first, periods[1], bob, submit=True, milestone_state=Milestone.ON_TRACK)


def test_only_milestones_take_a_milestone_status(steps, q1, bob):
    with pytest.raises(ValidationError) as refused:
        _save(steps.action, q1, bob, rag="green", narrative="x", milestone_state=Milestone.DONE)
    assert "Only milestones" in refused.value.message_dict["milestone_state"][0]


def test_done_is_final(steps, periods, bob):
    q1, q2 = periods[0], periods[1]
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    with pytest.raises(ValidationError, match="reported done in Q1 2013/14: done is final"):
        _save(steps.first, q2, bob, milestone_state=Milestone.LATE)


# --- review: what accepting does, with history ---------------------------------------------


def test_accepting_a_late_milestone_moves_its_date_with_the_reason(steps, q1, bob, alice):
    ret = _save(
        steps.first,
        q1,
        bob,
        submit=True,
        milestone_state=Milestone.LATE,
        revised_due_date=date(2013, 9, 30),
        revision_reason="Interviews re-run",
    )
    services.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    steps.first.refresh_from_db()
    assert steps.first.due_date == date(2013, 9, 30)
    reasons = list(steps.first.history.values_list("history_change_reason", flat=True))
    assert "Due date revised in the Q1 2013/14 return: Interviews re-run" in reasons
    steps_ret = list(ret.history.order_by("history_id").values_list("history_change_reason", "milestone_state"))
    assert steps_ret == [("Submitted", "late"), ("Accepted", "late")]


def test_accepting_done_completes_the_milestone_in_its_plan(steps, q1, bob, alice):
    ret = _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    services.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    steps.first.refresh_from_db()
    assert steps.first.status == PlanItem.Status.COMPLETE
    assert steps.first.history.filter(history_change_reason__contains="Reported done in the Q1 2013/14 return").exists()


# --- pages: allowed and refused ------------------------------------------------------------


@pytest.fixture
def open_q1(periods):
    """Q1 the only open quarter (the rest locked), so that "My returns" lists Q1 alone."""
    ReportingPeriod.objects.exclude(pk=periods[0].pk).update(locked_at=timezone.now())
    return ReportingPeriod.objects.get(pk=periods[0].pk)


def test_the_lead_fills_a_milestone_return_and_problems_show_by_the_field(client, steps, q1, bob):
    client.force_login(bob)
    url = reverse("monitoring:return-edit", args=[steps.slug, steps.first.pk, q1.slug])
    page = client.get(url).content.decode()
    assert "Is the milestone done?" in page and "Day it was done" in page and 'name="rag"' not in page
    response = client.post(url, {"version": 0, "milestone_state": "late", "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 200 and "Give the new date for a late milestone." in page
    assert 'id="id_revised_due_date-error"' in page and "Say why the milestone is late." in page
    response = client.post(
        url,
        {
            "version": 0,
            "milestone_state": "late",
            "revised_due_date": "2013-09-30",
            "revision_reason": "Interviews re-run",
            "action": "submit",
        },
    )
    assert response.status_code == 302
    detail = client.get(response["Location"]).content.decode()
    assert "Late" in detail and "now 30 Sep 2013" in detail and "Interviews re-run" in detail


def test_an_action_form_has_no_milestone_fields(client, steps, q1, bob):
    client.force_login(bob)
    page = client.get(reverse("monitoring:return-edit", args=[steps.slug, steps.action.pk, q1.slug])).content.decode()
    assert 'name="rag"' in page and "milestone_state" not in page


def test_who_may_fill_a_milestone_return(client, steps, q1, carol, mel, alice):
    url = reverse("monitoring:return-edit", args=[steps.slug, steps.first.pk, q1.slug])
    client.force_login(carol)  # another service's officer reads the plan but does not report on it
    assert client.get(url).status_code == 403
    client.force_login(mel)  # a member reads the plan but reports on nothing
    assert client.get(url).status_code == 403
    client.force_login(alice)
    not_reported = reverse("monitoring:return-edit", args=[steps.slug, steps.priority.pk, q1.slug])
    assert client.get(not_reported).status_code == 404  # a priority makes no return
    client.force_login(alice)  # the owner may fill in for a lead
    assert client.get(url).status_code == 200


def test_my_returns_lists_a_milestone_only_when_it_is_due(client, steps, open_q1, bob, django_assert_num_queries):
    client.force_login(bob)
    with django_assert_num_queries(6):  # session, user, periods, items, returns, milestones done
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Trainers appointed" in page and "Last cohort trained" not in page


def test_my_returns_query_count_does_not_grow_with_milestones(client, steps, open_q1, bob, django_assert_num_queries):
    for n in range(12):
        add_item(steps, steps.action, "milestone", title=f"Step {n}", lead_officer=bob, due_date=date(2013, 5, n + 1))
    make_return(steps.first, open_q1, bob, {"milestone_state": "done", "completed_on": date(2013, 6, 1)}, submit=True)
    client.force_login(bob)
    with django_assert_num_queries(6):
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Step 11" in page


def test_the_plans_quarter_page_shows_milestones_due(client, steps, q1, alice, bob, django_assert_num_queries):
    make_return(steps.first, q1, bob, {"milestone_state": "done", "completed_on": date(2013, 6, 20)}, submit=True)
    client.force_login(alice)
    url = reverse("monitoring:plan-period", args=[steps.slug, q1.slug])
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert "Trainers appointed" in page and "Done" in page and "20 Jun 2013" in page
    assert "Last cohort trained" not in page
    for n in range(10):
        add_item(steps, steps.action, "milestone", title=f"Step {n}", lead_officer=bob, due_date=date(2013, 5, n + 1))
    with django_assert_num_queries(8):
        page = client.get(url).content.decode()
    assert "Step 9" in page and "<strong>1</strong> received of 13" in page
