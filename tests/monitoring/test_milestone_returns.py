"""Milestones in returns (issue 17, decision 0024): done with its day, on track, or late
with a new date and its reason; asked for only in the quarters they are due, never again
once done; outstanding like any other return when due and missing."""

import csv
import io
import json
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from monitoring import milestones, scorecards, selectors, services
from monitoring.models import ProgressReturn, ReportingPeriod, ScorecardSnapshot, WorkbookUpload
from planning.models import PlanItem
from tests.factories import add_item, make_return
from tests.monitoring.uploads import corpus

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
    assert done == {steps.first.pk: date(2013, 4, 1)}  # the first day of the quarter it was done in
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
    assert "Milestone status" in page and "Day it was done" in page and 'name="rag"' not in page
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
    # session, user, periods, items, returns, milestones done, members' questions to answer
    with django_assert_num_queries(7):
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Trainers appointed" in page and "Last cohort trained" not in page


def test_my_returns_query_count_does_not_grow_with_milestones(client, steps, open_q1, bob, django_assert_num_queries):
    for n in range(12):
        add_item(steps, steps.action, "milestone", title=f"Step {n}", lead_officer=bob, due_date=date(2013, 5, n + 1))
    make_return(steps.first, open_q1, bob, {"milestone_state": "done", "completed_on": date(2013, 6, 1)}, submit=True)
    client.force_login(bob)
    with django_assert_num_queries(7):
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


# --- the workbook: milestone rows, round trip, the same checks ------------------------------


def _book_rows(content: bytes) -> dict[str, tuple[int, dict]]:
    sheet = load_workbook(io.BytesIO(content))["Returns"]
    lines = list(sheet.iter_rows(values_only=True))
    return {row[3]: (n, dict(zip(lines[0], row, strict=True))) for n, row in enumerate(lines[1:], start=2)}


def _download(client, user) -> bytes:
    client.force_login(user)
    response = client.get(reverse("monitoring:workbook-download"), {"period": "2013-q1", "plan": "sip"})
    assert response.status_code == 200
    return response.content


def _upload(client, name, content):
    upload = {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)}
    return client.post(reverse("monitoring:workbook-upload"), upload, follow=True)


def test_a_workbook_round_trip_with_a_late_milestone(client, steps, q1, alice):
    content = _download(client, alice)
    rows = _book_rows(content)
    assert "Last cohort trained" not in rows  # not due in Q1
    number, row = rows["Trainers appointed"]
    assert row["Milestone status"] is None and row["Done on"] is None and row["Kind"] == "Milestone"
    sheet = load_workbook(io.BytesIO(content))["Returns"]
    headings = [cell.value for cell in sheet[1]]
    rag_cell = sheet.cell(row=number, column=headings.index("RAG") + 1)
    state_cell = sheet.cell(row=number, column=headings.index("Milestone status") + 1)
    assert rag_cell.protection.locked and not state_cell.protection.locked  # a milestone's RAG is derived
    action_state = sheet.cell(row=rows["Train every maths teacher"][0], column=headings.index("Milestone status") + 1)
    assert action_state.protection.locked
    name, edited = corpus.edit(
        content,
        {
            (number, "Milestone status"): "Late",
            (number, "Revised due date"): date(2013, 9, 30),
            (number, "Reason for new date"): "Interviews re-run",
            (number, "Submit?"): "Yes",
        },
    )
    page = _upload(client, name, edited).content.decode()
    upload = WorkbookUpload.objects.get()
    assert upload.problems == [] and len(upload.changes) == 1, upload.problems
    assert "Milestone status" in page and "Late" in page
    assert client.post(reverse("monitoring:workbook-preview", args=[upload.pk])).status_code == 302
    ret = ProgressReturn.objects.get(item=steps.first, period=q1)
    assert (ret.state, ret.milestone_state, ret.rag, ret.revised_due_date) == (
        "submitted",
        "late",
        "amber",
        date(2013, 9, 30),
    )
    _, again = _book_rows(_download(client, alice))["Trainers appointed"]
    assert (again["Milestone status"], again["Current state"], again["RAG"]) == ("Late", "Submitted", "Amber")


@pytest.mark.parametrize(
    ("item", "cells", "column", "message"),
    [
        ("first", {"Milestone status": "Finished"}, "Milestone status", "“Finished” is not a milestone status."),
        ("first", {"Milestone status": "Late", "Submit?": "Yes"}, "Revised due date", "Give the new date"),
        ("first", {"Milestone status": "Done", "Done on": "soon"}, "Done on", "“soon” is not a date."),
        ("action", {"Milestone status": "Done"}, "Milestone status", "Only milestones are reported done"),
    ],
)
def test_a_bad_milestone_cell_is_named_by_sheet_row_and_column_and_nothing_changes(
    client, steps, q1, alice, item, cells, column, message
):
    content = _download(client, alice)
    title = {"first": "Trainers appointed", "action": "Train every maths teacher"}[item]
    number = _book_rows(content)[title][0]
    name, edited = corpus.edit(content, {(number, heading): value for heading, value in cells.items()})
    before = ProgressReturn.objects.count(), ProgressReturn.history.count()
    page = _upload(client, name, edited).content.decode()
    assert f"Sheet Returns, row {number}, column {column}" in page
    assert message in page
    assert (ProgressReturn.objects.count(), ProgressReturn.history.count()) == before


def test_a_workbook_row_for_a_milestone_done_before_is_refused(client, steps, periods, alice, bob):
    q1, q2 = periods[0], periods[1]
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    content = _download(client, alice)  # Q1: the row is there, submitted and locked
    number = _book_rows(content)["Trainers appointed"][0]
    name, edited = corpus.edit(content, {(number, "Narrative"): "Again"})
    page = client.post(
        reverse("monitoring:workbook-upload"), {"period": q2.slug, "workbook": SimpleUploadedFile(name, edited)}
    )
    assert WorkbookUpload.objects.get().problems  # the quarter differs, and the milestone is done
    assert "done is final" in str(WorkbookUpload.objects.get().problems) and page.status_code in {200, 302}


# --- the export and the scorecard -----------------------------------------------------------


def test_the_export_carries_the_milestone_columns(client, steps, q1, alice, bob):
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    client.force_login(alice)
    text = client.get(reverse("monitoring:returns-export", args=[steps.slug, q1.slug, "csv"])).content.decode()
    lines = list(csv.reader(io.StringIO(text)))
    heads = lines[0]
    row = next(line for line in lines if "Trainers appointed" in line)
    assert row[heads.index("Milestone status")] == "Done" and row[heads.index("Done on")] == "2013-06-20"
    assert not any("Last cohort trained" in line for line in lines)


def _reported_milestones(steps, periods, bob, alice):
    """In Q4: the first milestone late (accepted in Q3, so its date moved), the last done;
    a third one due in Q4 has no return."""
    q3, q4 = periods[2], periods[3]
    late = _save(
        steps.first,
        q3,
        bob,
        submit=True,
        milestone_state=Milestone.LATE,
        revised_due_date=date(2014, 2, 28),
        revision_reason="Interviews re-run",
    )
    services.return_accept(return_id=late.pk, user=alice, expected_version=late.version)
    _save(steps.first, q4, bob, submit=True, milestone_state=Milestone.LATE, revised_due_date=date(2014, 5, 30),
          revision_reason="Second round of interviews")  # fmt: skip
    _save(steps.last, q4, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2014, 3, 20))
    add_item(
        steps, steps.action, "milestone", title="Evaluation published", lead_officer=bob, due_date=date(2014, 1, 31)
    )
    return q4


def test_the_scorecard_has_a_milestones_section(steps, periods, bob, alice):
    q4 = _reported_milestones(steps, periods, bob, alice)
    card = scorecards.build(steps, q4)
    section = card["milestones"]
    assert card["schema"] == 2
    assert {row["label"]: row["count"] for row in section["counts"]} == {
        "Done": 1,
        "On track": 0,
        "Late": 1,
        "No return": 1,
    }
    by_title = {row["title"]: row for row in section["rows"]}
    late = by_title["Trainers appointed"]
    assert (late["status"], late["revised"], late["reason"]) == ("late", "30 May 2014", "Second round of interviews")
    assert by_title["Last cohort trained"]["done_on"] == "20 Mar 2014"
    assert "Evaluation published" in [row["title"] for row in card["outstanding"]]
    assert card["received"] == card["reported"] - sum(1 for r in card["outstanding"] if r["label"] != "Milestone")
    json.dumps(card)  # plain data: what a locked quarter stores


def test_the_scorecard_page_shows_milestones_in_fixed_queries(
    client, steps, periods, bob, alice, mel, django_assert_num_queries
):
    q4 = _reported_milestones(steps, periods, bob, alice)
    client.force_login(mel)
    url = reverse("monitoring:scorecard", args=[steps.slug, q4.slug])
    with django_assert_num_queries(12) as small:  # 9, and budgets, questions and risks (issue 17)
        page = client.get(url).content.decode()
    assert "Milestones due" in page and "New date 30 May 2014: Second round of interviews" in page
    assert "Done on 20 Mar 2014" in page
    for n in range(15):
        add_item(steps, steps.action, "milestone", title=f"Step {n}", lead_officer=bob, due_date=date(2013, 5, n + 1))
    with django_assert_num_queries(len(small.captured_queries)):
        page = client.get(url).content.decode()
    assert "Step 14" in page


def test_a_scorecard_stored_before_milestones_still_reads(client, steps, periods, ada, mel):
    q1 = periods[0]
    services.period_lock(period_id=q1.pk, user=ada)
    snapshot = ScorecardSnapshot.objects.get(plan=steps, period=q1, include_children=False)
    old = {key: value for key, value in snapshot.data.items() if key != "milestones"} | {"schema": 1}
    ScorecardSnapshot.objects.filter(pk=snapshot.pk).update(data=old)  # the store is never written: a test's stand-in
    q1.refresh_from_db()
    card = scorecards.scorecard_data(steps, q1)
    assert card["milestones"] == {"counts": [], "rows": []}
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[steps.slug, q1.slug])).content.decode()
    assert "Milestones due" not in page and "Trainers appointed" in page  # outstanding, as it was stored


def test_fill_several_links_to_milestones_rather_than_rating_them(client, steps, q1, bob):
    client.force_login(bob)
    page = client.get(reverse("monitoring:fill-several", args=[q1.slug])).content.decode()
    edit = reverse("monitoring:return-edit", args=[steps.slug, steps.first.pk, q1.slug])
    assert f'href="{edit}"' in page and f'id="row-{steps.first.pk}"' not in page
    assert f'id="row-{steps.action.pk}"' in page


def test_a_milestones_progress_by_quarter_reads(client, steps, q1, bob, mel):
    _save(steps.first, q1, bob, submit=True, milestone_state=Milestone.DONE, completed_on=date(2013, 6, 20))
    client.force_login(mel)
    response = client.get(reverse("monitoring:item-progress", args=[steps.slug, steps.first.pk]))
    assert response.status_code == 200 and "Trainers appointed" in response.content.decode()
    detail = client.get(reverse("monitoring:return-detail", args=[steps.slug, steps.first.pk, q1.slug]))
    assert "Done" in detail.content.decode() and "20 Jun 2013" in detail.content.decode()
