"""Spend to date on returns, and the scorecard's budget, profile to date, spend and variance
(decision 0023): the return form, its page, the workbook round-trip, the export, the
variance maths (a zero budget too), the flag past the plan's threshold, old snapshots,
and query counts."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from monitoring import scorecard_pack, scorecards
from monitoring import services as monitoring
from monitoring.models import ProgressReturn, ScorecardSnapshot, WorkbookUpload
from planning import budgets, services
from tests.factories import add_item, make_return
from tests.monitoring.uploads import corpus

ACTION_ROW, TARGET_ROW = 2, 3
D = Decimal


def _line(year, amount, cost_type="revenue"):
    return budgets.CostLine(cost_type, "Grant", D(amount), year)


# --- the maths ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("profile", "quarter", "spend", "limit", "expected"),
    [
        # £40,000 for the year: £20,000 by the end of Q2; £23,000 spent is 15% over
        ([_line(2013, 30000), _line(2013, 10000, "capital")], 2, 23000, 10, (40000, 20000, 3000, D("15.0"), True)),
        ([_line(2013, 40000)], 2, 23000, 15, (40000, 20000, 3000, D("15.0"), False)),  # at the threshold: not past
        ([_line(2013, 40000)], 1, 8000, 10, (40000, 10000, -2000, D("-20.0"), True)),  # under is flagged too
        ([_line(2013, 40000)], 4, 40000, 10, (40000, 40000, 0, D("0.0"), False)),
        ([_line(2014, 40000)], 1, 500, 10, (0, 0, 500, None, True)),  # no budget this year, but spend
        ([_line(2013, 0)], 3, 0, 10, (0, 0, 0, None, False)),  # a zero budget and nothing spent
        ([], 2, None, 10, (0, 0, None, None, False)),
    ],
)
def test_the_variance_against_the_profile_to_date(profile, quarter, spend, limit, expected):
    found = budgets.variance(profile, 2013, quarter, None if spend is None else D(spend), D(limit))
    assert (found.budget, found.to_date, found.amount, found.percent, found.flagged) == expected


def test_without_spend_there_is_no_variance_and_no_flag():
    found = budgets.variance([_line(2013, 1000)], 2013, 3, None, D(10))
    assert (found.to_date, found.spend, found.amount, found.flagged) == (D(750), None, None, False)


# --- the return ------------------------------------------------------------------------------


def _edit_url(plan, item, period):
    return reverse("monitoring:return-edit", args=[plan.slug, item.pk, period.slug])


def test_the_lead_gives_spend_to_date_on_the_form_and_it_is_kept_with_history(client, bob, monitored, q1):
    client.force_login(bob)
    form = client.get(_edit_url(monitored, monitored.action, q1)).content.decode()
    assert "Spend to date (£)" in form
    response = client.post(
        _edit_url(monitored, monitored.action, q1),
        {"version": 0, "rag": "green", "narrative": "On track", "spend_to_date": "12500.50", "action": "save"},
    )
    assert response.status_code == 302
    ret = ProgressReturn.objects.get(item=monitored.action, period=q1)
    assert ret.spend_to_date == D("12500.50")
    assert ret.history.latest().history_user == bob
    page = client.get(ret.get_absolute_url()).content.decode()
    assert "Spend to date" in page and "£12,500.50" in page


def test_a_target_has_no_spend_field_and_the_service_refuses_one(client, pat, monitored, q1):
    client.force_login(pat)
    assert "Spend to date" not in client.get(_edit_url(monitored, monitored.target, q1)).content.decode()
    with pytest.raises(ValidationError) as refused:
        make_return(monitored.target, q1, pat, {"rag": "green", "narrative": "x", "spend_to_date": 10})
    assert "Only actions report spend" in refused.value.message_dict["spend_to_date"][0]


@pytest.mark.parametrize(("value", "message"), [("-1", "cannot be negative"), ("lots", "Enter a number")])
def test_bad_spend_is_shown_beside_its_field_and_nothing_is_saved(client, bob, monitored, q1, value, message):
    client.force_login(bob)
    page = client.post(
        _edit_url(monitored, monitored.action, q1),
        {"version": 0, "rag": "green", "narrative": "x", "spend_to_date": value, "action": "save"},
    ).content.decode()
    assert 'id="id_spend_to_date-error"' in page and message in page
    assert not ProgressReturn.objects.exists()


def test_someone_who_may_not_report_cannot_give_spend(client, carol, monitored, q1):
    client.force_login(carol)
    response = client.post(
        _edit_url(monitored, monitored.action, q1),
        {"version": 0, "rag": "green", "narrative": "x", "spend_to_date": "100", "action": "save"},
    )
    assert response.status_code == 403
    assert not ProgressReturn.objects.exists()


def test_the_returns_export_carries_spend(client, alice, bob, monitored, q1):
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "x", "spend_to_date": 900}, submit=True)
    client.force_login(alice)
    text = client.get(reverse("monitoring:returns-export", args=[monitored.slug, q1.slug, "csv"])).content.decode()
    heading, action_row = text.splitlines()[:2]
    assert "Spend to date (£)" in heading
    assert action_row.split(",")[heading.split(",").index("Spend to date (£)")] == "900.00"


# --- the workbook ----------------------------------------------------------------------------


def _workbook(client, user):
    client.force_login(user)
    return client.get(reverse("monitoring:workbook-download"), {"period": "2013-q1", "plan": "sip"}).content


def _upload(client, name, content):
    return client.post(
        reverse("monitoring:workbook-upload"),
        {"period": "2013-q1", "workbook": SimpleUploadedFile(name, content)},
        follow=True,
    )


def test_the_workbook_round_trips_spend_to_date(client, alice, bob, monitored, q1):
    make_return(monitored.action, q1, bob, {"rag": "amber", "narrative": "Half", "spend_to_date": 100})
    content = _workbook(client, alice)
    action, target = corpus.rows(content)
    assert action["Spend to date (£)"] == 100 and target["Spend to date (£)"] is None
    name, content = corpus.edit(content, {(ACTION_ROW, "Spend to date (£)"): "£4,250.75"})
    page = _upload(client, name, content).content.decode()
    assert "4250.75" in page
    upload = WorkbookUpload.objects.get()
    assert (
        "Saved 1 return"
        in client.post(reverse("monitoring:workbook-preview", args=[upload.pk]), follow=True).content.decode()
    )
    ret = ProgressReturn.objects.get(item=monitored.action, period=q1)
    assert ret.spend_to_date == D("4250.75") and ret.history.latest().history_user == alice


@pytest.mark.parametrize(
    ("row", "value", "message"),
    [
        (ACTION_ROW, -5, "Spend to date cannot be negative."),
        (ACTION_ROW, "a lot", "“a lot” is not a number."),
        (ACTION_ROW, 1.234, "more than 2 decimal places"),
        (TARGET_ROW, 10, "Only actions report spend to date."),
    ],
)
def test_bad_spend_in_the_workbook_is_named_by_row_and_column(client, alice, monitored, q1, row, value, message):
    content = _workbook(client, alice)
    name, content = corpus.edit(content, {(row, "Spend to date (£)"): value, (row, "Narrative"): "Something."})
    before = ProgressReturn.objects.count(), ProgressReturn.history.count()
    page = _upload(client, name, content).content.decode()
    assert f"Sheet Returns, row {row}, column Spend to date (£)" in page
    assert message in page
    assert (ProgressReturn.objects.count(), ProgressReturn.history.count()) == before


# --- the scorecard -------------------------------------------------------------------------


@pytest.fixture
def profiled(monitored, alice, q1, periods, bob):
    """The action budgeted £40,000 in 2013/14 (revenue and capital), £23,000 spent by Q2."""
    for cost_type, amount in (("revenue", 30000), ("capital", 10000)):
        services.budget_line_add(
            item_id=monitored.action.pk,
            user=alice,
            year=2013,
            cost_type=cost_type,
            funding_source="Grant",
            amount=amount,
            reason="Budget set",
        )
    make_return(
        monitored.action, periods[1], bob, {"rag": "green", "narrative": "x", "spend_to_date": 23000}, submit=True
    )
    return monitored


def test_the_scorecard_shows_budget_spend_and_a_flagged_variance_beside_the_rag(client, mel, profiled, periods):
    card = scorecards.build(profiled, periods[1])
    assert card["schema"] == 2
    (row,) = card["spend"]["rows"]
    assert (row["rag"], row["budget"], row["to_date"], row["spend"], row["variance"], row["percent"]) == (
        "green",
        "£40,000",
        "£20,000",
        "£23,000",
        "+£3,000",
        "+15.0%",
    )
    assert row["flagged"] and card["spend"]["flagged"] == 1
    assert card["spend"]["threshold"] == "10%" and card["spend"]["threshold_set_by"] == "the council’s default"
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[profiled.slug, periods[1].slug])).content.decode()
    spend = page.split('id="spend-heading"')[1]
    assert "Past threshold" in spend and "+£3,000" in spend and "Green" in spend


def test_the_plans_own_threshold_decides_the_flag(profiled, periods):
    services.plan_update(
        plan_id=profiled.pk, user=profiled.owner, fields={"variance_threshold": 20}, expected_version=profiled.version,
        reason="Members asked for 20%",
    )  # fmt: skip
    profiled.refresh_from_db()
    card = scorecards.build(profiled, periods[1])
    assert not card["spend"]["rows"][0]["flagged"] and card["spend"]["threshold_set_by"] == "the plan"


def test_the_costs_table_uses_the_profile(profiled, periods):
    card = scorecards.build(profiled, periods[1])
    assert card["costs"]["total"] == "£40,000" and card["costs"]["sources"] == ["Grant"]


def test_the_pack_names_the_flagged_action(profiled, periods):
    pack = scorecard_pack.scorecard_pack_html(profiled, periods[1], False)
    assert "Budget and spend" in pack and "further than 10% from its budget profile to date" in pack
    assert "Train every maths teacher (+£3,000, +15.0%)" in pack


def test_a_scorecard_stored_before_spend_still_reads(client, mel, profiled, periods):
    old = scorecards.build(profiled, periods[0])
    del old["spend"]
    old["schema"] = 1
    period = monitoring.period_lock(period_id=periods[0].pk, user=None)
    ScorecardSnapshot.objects.filter(plan=profiled, period=period).update(data=old)
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[profiled.slug, period.slug])).content.decode()
    assert "stored before budgets and spend were reported" in page


@pytest.mark.parametrize("actions", [1, 15])
def test_the_scorecard_reads_budgets_and_spend_in_a_fixed_number_of_queries(
    client, mel, profiled, periods, bob, alice, actions, django_assert_num_queries
):
    for n in range(actions - 1):
        action = add_item(profiled, profiled.priority, "action", title=f"Action {n}", lead_officer=bob)
        services.budget_line_add(
            item_id=action.pk, user=alice, year=2013, cost_type="revenue", funding_source="", amount=1000,
            reason="Budget set",
        )  # fmt: skip
        make_return(action, periods[1], bob, {"rag": "green", "narrative": "x", "spend_to_date": 900}, submit=True)
    client.force_login(mel)
    with django_assert_num_queries(12):  # 9, and milestones, questions and risks (issue 17)
        page = client.get(reverse("monitoring:scorecard", args=[profiled.slug, periods[1].slug])).content.decode()
    assert page.count("Past threshold") == actions  # £900 of a £500 profile to date: +80%


def test_the_public_scorecard_links_spend_rows_to_public_pages_only(
    client, monitored, alice, bob, q1, settings, tmp_path
):
    from planning import lifecycle

    settings.MEDIA_ROOT = tmp_path
    services.budget_line_add(
        item_id=monitored.action.pk, user=alice, year=2013, cost_type="revenue", funding_source="Grant",
        amount=8000, reason="Budget set",
    )  # fmt: skip
    make_return(monitored.action, q1, bob, {"rag": "green", "narrative": "x", "spend_to_date": 5000}, submit=True)
    q1 = monitoring.period_lock(period_id=q1.pk, user=None)
    lifecycle.plan_publish(plan=monitored, user=alice)
    page = client.get(reverse("public:scorecard", args=[monitored.slug, q1.slug])).content.decode()
    spend = page.split('id="spend-heading"')[1]
    assert "+£3,000" in spend and "Past threshold" in spend  # £5,000 against £2,000 profiled
    assert reverse("public:item-detail", args=[monitored.slug, monitored.action.pk]) in spend
    assert reverse("monitoring:return-detail", args=[monitored.slug, monitored.action.pk, q1.slug]) not in page
