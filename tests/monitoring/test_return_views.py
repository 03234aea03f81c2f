"""The return pages end to end through the test client: fill, submit, review, resubmit,
my returns, fill several, the plan owner's quarter and chase, the admin's quarters."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from monitoring import services
from monitoring.models import ProgressReturn, ReminderSent, ReportingPeriod
from partners.models import Notification
from planning.models import PlanItem
from tests.factories import add_item, make_return

State = ProgressReturn.State


def _edit_url(item, period):
    return reverse("monitoring:return-edit", args=[item.plan.slug, item.pk, period.slug])


def _detail_url(item, period):
    return reverse("monitoring:return-detail", args=[item.plan.slug, item.pk, period.slug])


def _review_url(item, period):
    return reverse("monitoring:return-review", args=[item.plan.slug, item.pk, period.slug])


@pytest.fixture
def open_quarter(periods):
    """Q1 made current: it started a month ago and is due in ten days."""
    today = timezone.localdate()
    q1 = periods[0]
    ReportingPeriod.objects.filter(pk=q1.pk).update(
        starts_on=today - timedelta(days=40), ends_on=today - timedelta(days=1), due_on=today + timedelta(days=10)
    )
    ReportingPeriod.objects.filter(pk__in=[p.pk for p in periods[1:]]).update(starts_on=today + timedelta(days=100))
    q1.refresh_from_db()
    return q1


def test_the_lead_fills_saves_a_draft_then_submits(client, monitored, q1, bob):
    client.force_login(bob)
    action = monitored.action
    page = client.get(_edit_url(action, q1))
    assert page.status_code == 200 and "Actual value" not in page.content.decode()
    response = client.post(
        _edit_url(action, q1), {"rag": "amber", "narrative": "Half trained", "version": 0, "action": "draft"}
    )
    assert response.status_code == 302
    ret = ProgressReturn.objects.get()
    assert (ret.state, ret.rag, ret.author) == (State.DRAFT, "amber", bob)
    response = client.post(
        _edit_url(action, q1), {"rag": "amber", "narrative": "Half trained", "version": 1, "action": "submit"}
    )
    assert response.status_code == 302
    assert ProgressReturn.objects.get().state == State.SUBMITTED
    detail = client.get(_detail_url(action, q1)).content.decode()
    assert "Submitted" in detail and "Half trained" in detail and "Fill in this return" not in detail


def test_bad_input_is_shown_next_to_the_field_and_saves_nothing(client, monitored, q1, pat):
    client.force_login(pat)
    response = client.post(
        _edit_url(monitored.target, q1),
        {"rag": "green", "narrative": "", "actual_value": "180", "version": 0, "action": "submit"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="id_actual_value-error"' in body and "between 0 and 100" in body
    assert not ProgressReturn.objects.exists()
    response = client.post(
        _edit_url(monitored.target, q1),
        {"rag": "green", "narrative": "", "actual_value": "75", "version": 0, "action": "submit"},
    )
    assert 'id="id_narrative-error"' in response.content.decode()
    assert not ProgressReturn.objects.exists()


def test_evidence_files_are_checked_and_served_as_downloads(client, monitored, q1, bob, mel, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bob)
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    response = client.post(
        _edit_url(monitored.action, q1),
        {"rag": "green", "narrative": "x", "version": 0, "action": "draft", "evidence_file": fake},
    )
    assert response.status_code == 200 and "report.pdf" in response.content.decode()
    assert not ProgressReturn.objects.exists()
    pdf = SimpleUploadedFile(
        "report.pdf", b"%PDF-1.4\n%\xe2\xe3\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf"
    )
    response = client.post(
        _edit_url(monitored.action, q1),
        {"rag": "green", "narrative": "x", "version": 0, "action": "draft", "evidence_file": pdf},
    )
    assert response.status_code == 302
    download = client.get(reverse("monitoring:return-evidence", args=[monitored.slug, monitored.action.pk, q1.slug]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Type"] == "application/octet-stream"
    evidence = reverse("monitoring:return-evidence", args=[monitored.slug, monitored.action.pk, q1.slug])
    client.force_login(mel)  # a draft's evidence stays with its authors and reviewers (issue 12, item 13)
    assert client.get(evidence).status_code == 404
    client.force_login(bob)
    ret = ProgressReturn.objects.get()
    client.post(
        _edit_url(monitored.action, q1),
        {"rag": "green", "narrative": "x", "version": ret.version, "action": "submit"},
    )
    assert ProgressReturn.objects.get().state == ProgressReturn.State.SUBMITTED
    client.force_login(mel)  # members read approved plans' submitted returns, and so their evidence
    assert client.get(evidence).status_code == 200


def test_the_owner_returns_it_the_author_resubmits_the_owner_accepts(client, monitored, q1, bob, alice):
    make_return(monitored.action, q1, bob, submit=True)
    client.force_login(alice)
    page = client.get(_detail_url(monitored.action, q1)).content.decode()
    assert "Review this return" in page
    response = client.post(_review_url(monitored.action, q1), {"decision": "return", "reason": "", "version": 1})
    assert response.status_code == 400 and "Say what needs to change" in response.content.decode()
    assert ProgressReturn.objects.get().state == State.SUBMITTED
    response = client.post(
        _review_url(monitored.action, q1), {"decision": "return", "reason": "How many?", "version": 1}
    )
    assert response.status_code == 302
    assert ProgressReturn.objects.get().state == State.RETURNED

    client.force_login(bob)
    mine = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Returned to you for changes" in mine and "How many?" in mine
    edit = client.get(_edit_url(monitored.action, q1)).content.decode()
    assert "Returned for changes" in edit and "How many?" in edit
    client.post(
        _edit_url(monitored.action, q1), {"rag": "green", "narrative": "130 trained", "version": 2, "action": "submit"}
    )
    assert ProgressReturn.objects.get().state == State.SUBMITTED

    client.force_login(alice)
    client.post(_review_url(monitored.action, q1), {"decision": "accept", "reason": "", "version": 3})
    ret = ProgressReturn.objects.get()
    assert ret.state == State.ACCEPTED and ret.reviewed_by == alice
    history = client.get(_detail_url(monitored.action, q1)).content.decode()
    for step in ("Draft saved", "Returned for changes: How many?", "Resubmitted", "Accepted"):
        if step != "Draft saved":
            assert step in history
    assert Notification.objects.filter(recipient=bob).count() == 2


def test_two_people_saving_one_return_get_the_conflict_page(client, monitored, q1, bob, alice):
    services.return_save(
        item=monitored.action, period=q1, user=alice, fields={"narrative": "Alice first"}, expected_version=0
    )
    client.force_login(bob)
    response = client.post(
        _edit_url(monitored.action, q1), {"rag": "red", "narrative": "Bob's", "version": 0, "action": "draft"}
    )
    assert response.status_code == 409
    assert "Alice first" in response.content.decode() and "Bob&#x27;s" in response.content.decode()
    assert ProgressReturn.objects.get().narrative == "Alice first"


def test_the_conflict_page_writes_ratings_and_figures_as_the_pages_do(client, monitored, q1, bob, alice):
    """Labels, not codes; numbers without trailing zeros (issue 12, item 18)."""
    services.return_save(
        item=monitored.target, period=q1, user=alice, fields={"rag": "not_started", "actual_value": 70},
        expected_version=0,
    )  # fmt: skip
    client.force_login(bob)
    response = client.post(
        _edit_url(monitored.target, q1), {"rag": "amber", "actual_value": "70.5", "version": 0, "action": "draft"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Not started" in page and "Amber" in page and "not_started" not in page
    assert "70.5" in page and "70.00" not in page


def test_a_stale_review_is_refused(client, monitored, q1, bob, alice):
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "x"}, submit=True)
    client.force_login(alice)
    response = client.post(_review_url(monitored.action, q1), {"decision": "accept", "version": 7})
    assert response.status_code == 400 and "changed since you opened it" in response.content.decode()
    assert ProgressReturn.objects.get().state == State.SUBMITTED


@pytest.mark.parametrize(
    ("persona", "fill", "review"),
    [
        ("bob", 200, 403),  # the lead officer, also an officer of the owning service
        ("pat", 200, 403),  # a person from the lead organisation of the target
        ("alice", 200, "ok"),  # the plan owner
        ("carol", 403, 403),  # an officer elsewhere: reads, may not fill
        ("mel", 403, 403),  # a member: reads approved plans
        ("ada", 200, "ok"),
    ],
)
def test_who_may_fill_and_review(client, monitored, q1, request, persona, fill, review):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    target = monitored.target
    ret = make_return(
        target, q1, request.getfixturevalue("pat"), {"rag": "green", "narrative": "x", "actual_value": 74}, submit=True
    )
    assert client.get(_detail_url(target, q1)).status_code == 200
    assert client.get(_edit_url(target, q1)).status_code in ({200: 302, 403: 403}[fill],)  # submitted: back to the page
    response = client.post(_review_url(target, q1), {"decision": "accept", "version": ret.version})
    assert (response.status_code == 302) if review == "ok" else response.status_code == review
    expected = State.ACCEPTED if review == "ok" else State.SUBMITTED
    assert ProgressReturn.objects.get().state == expected


def test_a_partner_from_the_lead_organisation_reaches_the_return_even_if_the_plan_is_not_shared(
    client, monitored, q1, pat
):
    assert not monitored.shares.exists()
    client.force_login(pat)
    assert client.get(_edit_url(monitored.target, q1)).status_code == 200
    assert client.get(_edit_url(monitored.action, q1)).status_code == 404  # not theirs, plan not shared
    assert client.get(reverse("planning:plan-detail", args=[monitored.slug])).status_code == 404


def test_no_returns_on_a_plan_that_is_not_approved(client, monitored, q1, alice):
    monitored.status = "draft"
    monitored.save()
    client.force_login(alice)
    assert client.get(_edit_url(monitored.action, q1)).status_code == 404
    assert client.get(reverse("monitoring:plan-monitoring", args=[monitored.slug])).status_code == 404


def test_priorities_make_no_return_and_milestones_do(client, monitored, q1, alice):
    milestone = add_item(monitored, monitored.action, "milestone", title="Half way")
    client.force_login(alice)
    assert "Milestone status" in client.get(_edit_url(milestone, q1)).content.decode()  # decision 0024
    assert client.get(_edit_url(monitored.priority, q1)).status_code == 404


def test_anonymous_people_are_sent_to_sign_in(client, monitored, q1):
    for url in (_edit_url(monitored.action, q1), reverse("monitoring:my-returns")):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_my_returns_sorts_what_is_due_overdue_returned_and_done(
    client, monitored, open_quarter, bob, alice, django_assert_num_queries
):
    client.force_login(bob)
    # session, user, periods, items, returns, milestones done, members' questions to answer
    with django_assert_num_queries(7):
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Due (1)" in page and "Train every maths teacher" in page
    ReportingPeriod.objects.filter(pk=open_quarter.pk).update(due_on=timezone.localdate() - timedelta(days=1))
    page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Overdue (1)" in page and "Late" in page
    make_return(monitored.action, open_quarter, bob, {"rag": "green", "narrative": "x"}, submit=True)
    assert "Submitted, awaiting review (1)" in client.get(reverse("monitoring:my-returns")).content.decode()


def test_my_returns_query_count_does_not_grow_with_items(
    client, monitored, open_quarter, bob, django_assert_num_queries
):
    for n in range(8):
        add_item(monitored, monitored.priority, "action", title=f"Extra {n}", lead_officer=bob)
    client.force_login(bob)
    with django_assert_num_queries(7):
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Due (9)" in page


def test_fill_several_saves_every_row_or_none(client, monitored, open_quarter, bob, college):
    second = add_item(monitored, monitored.priority, "action", title="Second action", lead_officer=bob)
    client.force_login(bob)
    url = reverse("monitoring:fill-several", args=[open_quarter.slug])
    page = client.get(url).content.decode()
    assert "Train every maths teacher" in page and "Second action" in page
    first = f"item-{monitored.action.pk}"
    other = f"item-{second.pk}"
    data = {
        f"{first}-rag": "green",
        f"{first}-narrative": "Fine",
        f"{first}-version": 0,
        f"{other}-rag": "",
        f"{other}-narrative": "",
        f"{other}-version": 0,
        "action": "submit",
    }
    data_bad = dict(data, **{f"{other}-narrative": "Forgot the rating"})
    response = client.post(url, data_bad)
    assert response.status_code == 200 and "Choose a RAG rating" in response.content.decode()
    assert not ProgressReturn.objects.exists()
    response = client.post(url, data)
    assert response.status_code == 302
    assert list(ProgressReturn.objects.values_list("item_id", "state")) == [(monitored.action.pk, "submitted")]


def test_the_owners_quarter_page_and_chase(client, monitored, q1, alice, bob, pat, django_assert_num_queries):
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "x"}, submit=True)
    make_return(monitored.target, q1, pat, {"rag": "green", "narrative": "x", "actual_value": 71})
    client.force_login(alice)
    url = reverse("monitoring:plan-period", args=[monitored.slug, q1.slug])
    with django_assert_num_queries(8):  # with the milestones done (decision 0024)
        page = client.get(url).content.decode()
    assert "<strong>1</strong> received of 2" in page
    assert "Send reminders for the 1 outstanding return" in page
    assert "differs" in page  # green given; 71 against a trajectory of 72.49 with tolerance 2 is amber
    response = client.post(reverse("monitoring:reminders-send", args=[monitored.slug, q1.slug]))
    assert response.status_code == 302
    assert list(ReminderSent.objects.values_list("recipient__username", "kind")) == [("pat", "chase")]
    assert Notification.objects.filter(recipient=pat).count() == 1


def test_only_those_who_may_change_the_plan_chase(client, monitored, q1, carol, mel):
    url = reverse("monitoring:reminders-send", args=[monitored.slug, q1.slug])
    for person in (carol, mel):
        client.force_login(person)
        assert client.get(reverse("monitoring:plan-period", args=[monitored.slug, q1.slug])).status_code == 200
        assert client.post(url).status_code == 403
    assert not ReminderSent.objects.exists()


def test_item_progress_shows_the_trajectory_and_the_derived_status(client, monitored, periods, pat, mel):
    for period, value in zip(periods[:3], ["71", "75", "74"], strict=True):
        make_return(
            monitored.target, period, pat, {"rag": "green", "narrative": "x", "actual_value": value}, submit=True
        )
    client.force_login(mel)  # members read submitted returns (drafts stay with their authors)
    page = client.get(reverse("monitoring:item-progress", args=[monitored.slug, monitored.target.pk])).content.decode()
    # trajectory 70 → 80 over the year: 72.49 at 30 June, 75.01 at 30 September, 77.53 at 31 December
    for text in ("72.49%", "75.01%", "77.53%", "80%", "Amber", "Red"):
        assert text in page


def test_admins_add_years_move_due_dates_and_lock_quarters(client, ada, alice):
    client.force_login(alice)
    assert client.get(reverse("monitoring:year-create")).status_code == 403
    assert client.get(reverse("monitoring:period-list")).status_code == 200
    client.force_login(ada)
    response = client.post(reverse("monitoring:year-create"), {"start_year": "twenty", "days_to_return": 15})
    assert "Enter a whole number" in response.content.decode()
    client.post(reverse("monitoring:year-create"), {"start_year": 2014, "days_to_return": 20})
    assert ReportingPeriod.objects.count() == 4
    response = client.post(reverse("monitoring:year-create"), {"start_year": 2014, "days_to_return": 20})
    assert "exist" in response.content.decode() and ReportingPeriod.objects.count() == 4
    q1 = ReportingPeriod.objects.get(quarter=1)
    assert q1.due_on == date(2014, 7, 20)
    response = client.post(reverse("monitoring:period-edit", args=[q1.slug]), {"due_on": "2014-06-01", "version": 1})
    assert "before the quarter ends" in response.content.decode()
    client.post(reverse("monitoring:period-edit", args=[q1.slug]), {"due_on": "2014-07-31", "version": 1})
    client.post(reverse("monitoring:period-lock", args=[q1.slug]))
    q1.refresh_from_db()
    assert q1.due_on == date(2014, 7, 31) and q1.is_locked and q1.locked_by == ada
    client.force_login(alice)
    assert (
        client.post(reverse("monitoring:period-lock", args=[ReportingPeriod.objects.get(quarter=2).slug])).status_code
        == 403
    )


def test_an_unknown_quarter_is_404(client, monitored, alice):
    client.force_login(alice)
    for slug in ("2099-q1", "nonsense", "2013-q9"):
        assert client.get(_edit_url(monitored.action, type("P", (), {"slug": slug}))).status_code == 404


def test_the_revised_date_reaches_the_plan_via_the_pages(client, monitored, q1, bob, alice):
    client.force_login(bob)
    client.post(
        _edit_url(monitored.action, q1),
        {
            "rag": "amber",
            "narrative": "Late",
            "revised_due_date": "2014-02-28",
            "revision_reason": "Trainer left",
            "version": 0,
            "action": "submit",
        },
    )
    client.force_login(alice)
    client.post(_review_url(monitored.action, q1), {"decision": "accept", "version": 1})
    assert PlanItem.objects.get(pk=monitored.action.pk).due_date == date(2014, 2, 28)


def test_my_returns_folds_a_long_list_of_submitted_returns_by_plan_and_quarter(
    client, monitored, open_quarter, bob, django_assert_num_queries
):
    """Returns that need nothing more from the lead are counted by plan and quarter once
    there are more than FOLDED_OVER; every row is one link away, without JavaScript."""
    extra = [
        add_item(monitored, monitored.priority, "action", title=f"Folded {n}", lead_officer=bob) for n in range(21)
    ]
    for item in [monitored.action, *extra[:20]]:
        make_return(item, open_quarter, bob, submit=True)
    client.force_login(bob)
    with django_assert_num_queries(7):  # folded or not, the same reads
        page = client.get(reverse("monitoring:my-returns")).content.decode()
    assert "Submitted, awaiting review (21)" in page and "Due (1)" in page
    assert "Folded 20" in page  # the one still due is listed in full
    assert "Folded 3" not in page  # the submitted ones are counted, not listed
    assert f"{monitored.title}</th>" in page and ">21</td>" in page
    assert "?show=awaiting#awaiting" in page
    with django_assert_num_queries(7):
        opened = client.get(reverse("monitoring:my-returns") + "?show=awaiting").content.decode()
    assert "Folded 3" in opened and "Submitted, awaiting review (21)" in opened
    assert "?show=awaiting#awaiting" not in opened  # no link to open it again (the language switch names the address)
