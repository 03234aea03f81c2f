"""The return workflow in the service layer: draft, submit, accept or return, resubmit;
one return per item and quarter; conflicts; locks; the revised date moving the plan."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from monitoring import services
from monitoring.models import ProgressReturn, ReportingPeriod
from planning.conflicts import EditConflict
from planning.models import PlanItem

State = ProgressReturn.State


def _save(item, period, user, version=0, submit=False, **fields):
    values = {"rag": "green", "narrative": "Going well"}
    values.update(fields)
    return services.return_save(
        item=item, period=period, user=user, fields=values, expected_version=version, submit=submit
    )


def test_a_financial_year_has_four_quarters_april_to_march(periods):
    assert [p.label for p in periods] == ["Q1 2013/14", "Q2 2013/14", "Q3 2013/14", "Q4 2013/14"]
    assert (periods[0].starts_on, periods[0].ends_on) == (date(2013, 4, 1), date(2013, 6, 30))
    assert (periods[3].starts_on, periods[3].ends_on) == (date(2014, 1, 1), date(2014, 3, 31))
    assert periods[0].due_on == date(2013, 7, 15)


def test_a_year_cannot_be_added_twice(periods):
    with pytest.raises(ValidationError, match="exist"):
        services.financial_year_create(start_year=2013, user=None)
    assert ReportingPeriod.objects.count() == 4


def test_draft_submit_accept_with_history(monitored, q1, bob, alice):
    ret = _save(monitored.action, q1, bob)
    assert (ret.state, ret.version) == (State.DRAFT, 1)
    ret = _save(monitored.action, q1, bob, version=1, submit=True, narrative="All trained")
    assert ret.state == State.SUBMITTED and ret.submitted_by == bob
    ret = services.return_accept(return_id=ret.pk, user=alice, expected_version=2)
    assert ret.state == State.ACCEPTED and ret.reviewed_by == alice
    reasons = list(ret.history.order_by("history_id").values_list("history_change_reason", "history_user__username"))
    assert reasons == [("Draft saved", "bob"), ("Submitted", "bob"), ("Accepted", "alice")]
    with pytest.raises(ValidationError, match="accepted"):
        _save(monitored.action, q1, bob, version=3)


def test_returned_then_resubmitted(monitored, q1, bob, alice):
    ret = _save(monitored.action, q1, bob, submit=True)
    with pytest.raises(ValidationError, match="what needs to change"):
        services.return_send_back(return_id=ret.pk, user=alice, expected_version=ret.version, reason=" ")
    ret = services.return_send_back(return_id=ret.pk, user=alice, expected_version=ret.version, reason="Add numbers")
    assert ret.state == State.RETURNED and ret.review_note == "Add numbers"
    assert bob.notifications.filter(subject__contains="needs changes").exists()
    ret = _save(monitored.action, q1, bob, version=ret.version, submit=True, narrative="120 of 130 trained")
    assert ret.state == State.SUBMITTED
    assert ret.history.first().history_change_reason == "Resubmitted"


def test_submitting_needs_a_rating_a_narrative_and_a_targets_value(monitored, q1, pat):
    with pytest.raises(ValidationError) as caught:
        _save(monitored.target, q1, pat, submit=True, rag="", narrative="")
    assert set(caught.value.message_dict) == {"rag", "narrative", "actual_value"}
    assert not ProgressReturn.objects.exists()
    # a draft may be incomplete
    assert _save(monitored.target, q1, pat, rag="", narrative="").state == State.DRAFT


@pytest.mark.parametrize(
    ("unit", "value", "message"),
    [
        ("percentage", "101", "between 0 and 100"),
        ("percentage", "-1", "between 0 and 100"),
        ("count", "2.5", "whole number"),
        ("count", "-3", "whole number"),
        ("days", "-1", "cannot be negative"),
    ],
)
def test_actual_values_are_checked_against_the_unit(monitored, q1, pat, unit, value, message):
    target = monitored.target
    target.unit = unit
    target.target_value = 80
    target.save()
    with pytest.raises(ValidationError, match=message):
        _save(target, q1, pat, actual_value=Decimal(value))
    assert not ProgressReturn.objects.exists()


@pytest.mark.parametrize(
    ("unit", "value"), [("percentage", "0"), ("percentage", "100"), ("count", "12"), ("number", "-4.5")]
)
def test_actual_values_in_range_are_kept(monitored, q1, pat, unit, value):
    target = monitored.target
    target.unit = unit
    target.save()
    assert _save(target, q1, pat, actual_value=Decimal(value)).actual_value == Decimal(value)


def test_an_action_has_no_actual_value(monitored, q1, bob):
    with pytest.raises(ValidationError, match="Only targets"):
        _save(monitored.action, q1, bob, actual_value=Decimal(3))


def test_a_stale_version_is_a_conflict_and_changes_nothing(monitored, q1, bob, alice):
    _save(monitored.action, q1, bob, narrative="Bob's words")
    _save(monitored.action, q1, alice, version=1, narrative="Alice's words")
    with pytest.raises(EditConflict) as caught:
        _save(monitored.action, q1, bob, version=1, narrative="Bob again")
    assert caught.value.stored.narrative == "Alice's words"
    assert ProgressReturn.objects.get().narrative == "Alice's words"


def test_two_first_saves_make_one_return(monitored, q1, bob, alice):
    _save(monitored.action, q1, bob)
    with pytest.raises(EditConflict):
        _save(monitored.action, q1, alice, version=0)
    assert ProgressReturn.objects.count() == 1


def test_the_database_refuses_a_second_return_for_the_same_quarter(monitored, q1, bob):
    _save(monitored.action, q1, bob)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReturn.objects.create(item=monitored.action, period=q1)


def test_a_locked_quarter_cannot_change(monitored, q1, bob, alice, ada):
    ret = _save(monitored.action, q1, bob, submit=True)
    services.period_lock(period_id=q1.pk, user=ada)
    q1.refresh_from_db()
    with pytest.raises(ValidationError, match="locked"):
        services.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    with pytest.raises(ValidationError, match="locked"):
        _save(monitored.target, q1, bob)
    with pytest.raises(ValidationError, match="locked"):
        services.period_update(period_id=q1.pk, user=ada, due_on=date(2013, 8, 1), expected_version=q1.version)
    with pytest.raises(ValidationError, match="locked"):
        services.period_lock(period_id=q1.pk, user=ada)
    assert ProgressReturn.objects.get().state == State.SUBMITTED


def test_returns_are_for_approved_plans_only(monitored, q1, bob):
    monitored.status = "draft"
    monitored.save()
    with pytest.raises(ValidationError, match="approved plans only"):
        _save(monitored.action, q1, bob)


def test_a_revised_date_moves_the_items_due_date_on_acceptance_with_history(monitored, q1, bob, alice):
    action = monitored.action
    with pytest.raises(ValidationError) as caught:
        _save(action, q1, bob, revised_due_date=date(2014, 3, 31))
    assert "revision_reason" in caught.value.message_dict
    ret = _save(action, q1, bob, submit=True, revised_due_date=date(2014, 3, 31), revision_reason="Trainer left")
    assert PlanItem.objects.get(pk=action.pk).due_date == date(2013, 12, 31)  # not until accepted
    services.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    action = PlanItem.objects.get(pk=action.pk)
    assert action.due_date == date(2014, 3, 31)
    latest = action.history.first()
    assert latest.history_user == alice
    assert latest.history_change_reason == "Due date revised in the Q1 2013/14 return: Trainer left"
    assert action.history.count() == 2


def test_a_revised_date_before_the_item_starts_is_refused_to_the_lead(monitored, q1, bob):
    action = monitored.action
    action.start_date = date(2013, 6, 1)
    action.save()
    with pytest.raises(ValidationError) as caught:
        _save(action, q1, bob, revised_due_date=date(2013, 5, 1), revision_reason="Sooner")
    assert caught.value.message_dict["revised_due_date"] == ["The new date is before the action starts (1 June 2013)."]
    assert not ProgressReturn.objects.exists()
    assert _save(action, q1, bob, revised_due_date=date(2013, 6, 1), revision_reason="Sooner").revised_due_date


def test_evidence_links_must_be_web_addresses(monitored, q1, bob):
    with pytest.raises(ValidationError, match="https://"):
        _save(monitored.action, q1, bob, evidence_url="javascript:alert(1)")


def test_the_due_date_can_move_until_the_quarter_is_locked(q1, ada):
    period = services.period_update(period_id=q1.pk, user=ada, due_on=date(2013, 7, 31), expected_version=1)
    assert period.due_on == date(2013, 7, 31)
    with pytest.raises(EditConflict):
        services.period_update(period_id=q1.pk, user=ada, due_on=date(2013, 8, 1), expected_version=1)
    with pytest.raises(ValidationError, match="before the quarter ends"):
        services.period_update(period_id=q1.pk, user=ada, due_on=date(2013, 6, 1), expected_version=2)


def test_a_long_reason_fits_the_history_column_and_the_return_keeps_it_whole(monitored, q1, bob, alice):
    reason = "The hub's trainer left in May and the replacement starts in September; " * 3
    ret = _save(monitored.action, q1, bob, submit=True, revised_due_date=date(2014, 3, 31), revision_reason=reason)
    ret = services.return_send_back(return_id=ret.pk, user=alice, expected_version=ret.version, reason=reason)
    assert ret.review_note == reason.strip()
    stored = ret.history.first().history_change_reason
    assert len(stored) == 100 and stored.endswith("…")


def test_checking_a_return_asks_the_database_nothing_and_refuses_what_saving_refuses(
    monitored, q1, bob, django_assert_num_queries
):
    """``return_check`` is the check ``return_save`` makes; the workbook's preview calls it
    for every row on what it has already read."""
    stored = _save(monitored.action, q1, bob, narrative="Bob's words")
    # as read with what a conflict names: its author, item and quarter
    stored = ProgressReturn.objects.select_related("author", "item", "period").get(pk=stored.pk)
    fields = {"rag": "", "narrative": " ", "revised_due_date": date(2014, 1, 31)}
    with django_assert_num_queries(0):
        with pytest.raises(ValidationError) as checked:
            services.return_check(
                item=monitored.action, period=q1, stored=stored, fields=fields, expected_version=1, submit=True
            )
        with pytest.raises(EditConflict):
            services.return_check(item=monitored.action, period=q1, stored=stored, fields={}, expected_version=0)
        fine = services.return_check(
            item=monitored.target, period=q1, stored=None, fields={"actual_value": "71.5"}, expected_version=0
        )
    assert fine.pk is None and fine.actual_value == Decimal("71.5")
    with pytest.raises(ValidationError) as saved:
        _save(monitored.action, q1, bob, version=1, submit=True, **fields)
    assert checked.value.message_dict == saved.value.message_dict
    assert set(saved.value.message_dict) == {"rag", "narrative", "revision_reason"}
    assert ProgressReturn.objects.get().narrative == "Bob's words"
    assert not ProgressReturn.objects.filter(item=monitored.target).exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("narrative", "x" * 10_001, "at most 10000 characters"),
        ("next_steps", "Ask \u202eCabinet", "U+202E"),
        ("soft_outcomes", "Bell\x07", "U+0007"),
    ],
)
def test_saving_refuses_text_the_return_form_refuses_whoever_calls_it(monitored, q1, bob, field, value, message):
    """The model's text rules hold in the service itself (issue 12, items 2 and 10), not
    only in the forms and the workbook that call it."""
    with pytest.raises(ValidationError) as refused:
        services.return_save(item=monitored.action, period=q1, user=bob, fields={field: value}, expected_version=0)
    assert message in refused.value.message_dict[field][0]
    assert not ProgressReturn.objects.exists()
