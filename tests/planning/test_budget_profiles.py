"""An action's budget profile (decision 0023): lines per financial year, revenue or capital,
by funding source, added and removed on the action's page through the planning services,
under the plan's edit permission, with history; and the one rule for what an item costs."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from planning import budgets, plan_document, services
from planning.models import BudgetLine, Plan, PlanItem
from planning.selectors import plan_outline
from tests.factories import add_item, vision_of


@pytest.fixture
def action(plan):
    priority = add_item(plan, vision_of(plan), "priority", title="Raise attainment")
    return add_item(plan, priority, "action", title="Train every maths teacher")


def _add(item, user, **fields):
    values = {"year": 2013, "cost_type": "revenue", "funding_source": "Dedicated Schools Grant", "amount": 12000}
    values.update(fields)
    return services.budget_line_add(item_id=item.pk, user=user, **values)


def _form(**fields):
    values = {"year": "2014", "cost_type": "capital", "funding_source": "Capital programme", "amount": "50000"}
    values.update(fields)
    return values


# --- the service --------------------------------------------------------------------------


def test_a_line_is_added_with_history_saying_who_and_why(action, alice):
    line = _add(action, alice, reason="Budget set by Cabinet")
    row = line.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", alice, "Budget set by Cabinet")
    assert line.year_label == "2013/14"


def test_a_removed_line_leaves_its_history(action, alice):
    line = _add(action, alice)
    services.budget_line_delete(item_id=action.pk, line_id=line.pk, user=alice, reason="Grant withdrawn")
    assert not BudgetLine.objects.exists()
    gone = BudgetLine.history.filter(id=line.pk).order_by("history_id").last()
    assert (gone.history_type, gone.history_change_reason) == ("-", "Grant withdrawn")


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"amount": -1}, "amount", "greater than or equal to 0"),
        ({"year": 2016}, "year", "The plan runs 2013/14 to 2015/16"),
        ({"year": 2012}, "year", "choose a year within it"),
        ({"cost_type": "neither"}, "cost_type", "not a valid choice"),
    ],
)
def test_bad_lines_are_refused_by_field(action, alice, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        _add(action, alice, **fields)
    assert message in " ".join(refused.value.message_dict[field])
    assert not BudgetLine.objects.exists()


def test_one_line_per_year_type_and_source(action, alice):
    _add(action, alice)
    _add(action, alice, funding_source="Pupil premium")  # another source: its own line
    _add(action, alice, cost_type="capital")  # another type
    with pytest.raises(ValidationError) as refused:
        _add(action, alice, amount=5)
    assert "already has a line" in refused.value.message_dict["funding_source"][0]
    assert BudgetLine.objects.count() == 3


def test_only_actions_carry_a_profile(plan, action, alice):
    target = add_item(plan, action, "target", title="Pupils at level 4")
    with pytest.raises(ValidationError) as refused:
        _add(target, alice)
    assert "Only actions carry a budget profile" in refused.value.message_dict["item"][0]


def test_an_approved_plan_needs_a_reason(plan, action, alice):
    plan.status = Plan.Status.APPROVED
    plan.save()
    with pytest.raises(ValidationError) as refused:
        _add(action, alice)
    assert "reason" in refused.value.message_dict
    assert _add(action, alice, reason="Budget revised at Cabinet").amount == 12000


def test_the_service_refuses_someone_who_may_not_change_the_plan(action, carol):
    with pytest.raises(PermissionDenied):
        _add(action, carol)
    assert not BudgetLine.objects.exists()


# --- the pages ------------------------------------------------------------------------------


def test_an_officer_adds_a_line_on_the_actions_page(client, plan, action, bob):
    client.force_login(bob)
    page = client.get(action.get_absolute_url()).content.decode()
    assert "Budget profile" in page and "Add a budget line" in page
    response = client.post(reverse("planning:budget-line-add", args=[plan.slug, action.pk]), _form())
    assert response.status_code == 302
    line = BudgetLine.objects.get()
    assert (line.year, line.cost_type, line.amount, line.history.get().history_user) == (
        2014,
        "capital",
        Decimal(50000),
        bob,
    )
    page = client.get(action.get_absolute_url()).content.decode()
    assert "2014/15" in page and "£50,000" in page and "Capital programme" in page


def test_bad_input_is_shown_beside_its_field(client, plan, action, bob):
    client.force_login(bob)
    url = reverse("planning:budget-line-add", args=[plan.slug, action.pk])
    page = client.post(url, _form(amount="-5", year="2019")).content.decode()
    assert 'id="id_amount-error"' in page and "greater than or equal to 0" in page
    assert 'id="id_year-error"' in page
    _add(action, bob, year=2014, cost_type="capital", funding_source="Capital programme")
    page = client.post(url, _form()).content.decode()
    assert 'id="id_funding_source-error"' in page and "already has a line" in page
    assert BudgetLine.objects.count() == 1


@pytest.mark.parametrize("who", ["carol", "pat"])
def test_others_are_refused_and_nothing_changes(client, plan, action, bob, who, request):
    line = _add(action, bob)
    client.force_login(request.getfixturevalue(who))
    add = client.post(reverse("planning:budget-line-add", args=[plan.slug, action.pk]), _form())
    delete = client.post(reverse("planning:budget-line-delete", args=[plan.slug, action.pk, line.pk]))
    # carol reads the plan but may not change it (403); pat cannot see a draft plan (404)
    assert (add.status_code, delete.status_code) == ((403, 403) if who == "carol" else (404, 404))
    assert list(BudgetLine.objects.values_list("pk", flat=True)) == [line.pk]
    if who == "carol":
        assert "Add a budget line" not in client.get(action.get_absolute_url()).content.decode()


def test_removing_asks_first_and_needs_a_reason_on_an_approved_plan(client, plan, action, alice):
    line = _add(action, alice)
    plan.status = Plan.Status.APPROVED
    plan.save()
    client.force_login(alice)
    url = reverse("planning:budget-line-delete", args=[plan.slug, action.pk, line.pk])
    assert "Remove this budget line" in client.get(url).content.decode()
    page = client.post(url, {"reason": ""}).content.decode()
    assert 'id="id_reason-error"' in page and BudgetLine.objects.exists()
    assert client.post(url, {"reason": "Grant withdrawn"}).status_code == 302
    assert not BudgetLine.objects.exists()


def test_another_actions_line_or_a_priority_is_not_found(client, plan, action, alice):
    other = add_item(plan, action.parent, "action", title="Another action")
    line = _add(other, alice)
    client.force_login(alice)
    assert client.get(reverse("planning:budget-line-delete", args=[plan.slug, action.pk, line.pk])).status_code == 404
    assert client.get(reverse("planning:budget-line-add", args=[plan.slug, action.parent.pk])).status_code == 404


@pytest.mark.parametrize("lines", [1, 12])
def test_the_pages_read_in_a_fixed_number_of_queries(client, plan, action, alice, lines, django_assert_num_queries):
    for n in range(lines):
        _add(action, alice, year=2013 + n % 3, funding_source=f"Source {n}")
    client.force_login(alice)
    with django_assert_num_queries(4):
        client.get(reverse("planning:budget-line-add", args=[plan.slug, action.pk]))
    # its budget profile, its themes and the recommendations it addresses (0030), one query each
    with django_assert_num_queries(11):
        client.get(action.get_absolute_url())


# --- the one rule for what an item costs ----------------------------------------------------


def test_an_items_cost_is_its_profile_where_it_has_one_else_its_single_cost(plan, action, alice):
    services.item_update(
        item_id=action.pk,
        user=alice,
        change=services.ItemChange({"cost_amount": Decimal(900), "cost_type": "revenue", "funding_source": "Old"}),
        expected_version=action.version,
    )
    action.refresh_from_db()
    assert budgets.item_cost(action, budgets.profiles_for([plan])) == 900
    _add(action, alice, amount=1000)
    _add(action, alice, year=2014, cost_type="capital", amount=250)
    profiles = budgets.profiles_for([plan])
    assert budgets.item_cost(action, profiles) == 1250
    assert [line.year for line in budgets.cost_lines(action, profiles)] == [2013, 2014]


def test_the_plan_documents_costs_use_the_profile_by_type_source_and_year(plan, action, alice):
    other = add_item(plan, action.parent, "action", title="Unprofiled", cost_amount=300, cost_type="revenue")
    _add(action, alice, amount=1000)
    _add(action, alice, year=2014, cost_type="capital", funding_source="Capital programme", amount=2500.5)
    costs = plan_document.plan_costs(plan_outline(plan), plan, budgets.profiles_for([plan]))
    assert costs["total"] == "£3,800.50"
    assert costs["types"] == ["Revenue", "Capital"] and costs["totals"] == ["£1,300", "£2,500.50"]
    assert {source["name"]: source["amount"] for source in costs["sources"]} == {
        "Capital programme": "£2,500.50",
        "Dedicated Schools Grant": "£1,000",
        "Not stated": "£300",
    }
    assert [(year["year"], year["total"]) for year in costs["years"]] == [
        ("2013/14", "£1,000"),
        ("2014/15", "£2,500.50"),
        ("Year not profiled", "£300"),
    ]
    assert other.cost_amount == 300
    html = plan_document.plan_document_html(plan)
    assert "Budget profile by financial year" in html and "£3,800.50" in html


def test_an_editions_costs_are_its_profile_as_it_stood(plan, action, alice):
    line = _add(action, alice, amount=1000)
    edition = services.edition_create(plan=plan, name="Draft for Cabinet", user=alice)
    services.budget_line_delete(item_id=action.pk, line_id=line.pk, user=alice)
    _add(action, alice, amount=7000)
    assert plan_document.plan_document_context(plan, edition)["costs"]["total"] == "£1,000"
    assert plan_document.plan_document_context(plan)["costs"]["total"] == "£7,000"


# --- the variance threshold, set by the plan's owner ---------------------------------------


def _plan_form(plan, **fields):
    values = {
        "title": plan.title,
        "slug": plan.slug,
        "kind": plan.kind,
        "organisation": plan.organisation_id,
        "owner": plan.owner_id,
        "start_year": plan.start_year,
        "end_year": plan.end_year,
        "summary": "",
        "label_vision": "Vision",
        "label_priority": "Priority",
        "label_action": "Action",
        "label_target": "Target",
        "label_milestone": "Milestone",
        "version": plan.version,
    }
    values.update(fields)
    return values


def test_the_owner_sets_the_threshold_with_history(client, plan, alice):
    client.force_login(alice)
    response = client.post(reverse("planning:plan-edit", args=[plan.slug]), _plan_form(plan, variance_threshold="5"))
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.variance_threshold == 5 and budgets.threshold(plan) == 5
    assert plan.history.latest().history_user == alice


def test_an_officer_may_not_set_the_threshold(client, plan, bob):
    client.force_login(bob)
    page = client.get(reverse("planning:plan-edit", args=[plan.slug])).content.decode()
    assert "Only the plan’s owner or an administrator can change its budget variance threshold" in page
    page = client.post(
        reverse("planning:plan-edit", args=[plan.slug]), _plan_form(plan, variance_threshold="50")
    ).content.decode()
    assert 'id="id_variance_threshold-error"' in page
    plan.refresh_from_db()
    assert plan.variance_threshold is None
    with pytest.raises(ValidationError):
        services.plan_update(plan_id=plan.pk, user=bob, fields={"variance_threshold": 50}, expected_version=1)


def test_an_unset_threshold_is_the_councils_default(plan, settings):
    settings.BUDGET_VARIANCE_THRESHOLD = 15
    assert budgets.threshold(plan) == 15


def test_a_negative_threshold_is_refused(client, plan, alice):
    client.force_login(alice)
    page = client.post(
        reverse("planning:plan-edit", args=[plan.slug]), _plan_form(plan, variance_threshold="-1")
    ).content.decode()
    assert 'id="id_variance_threshold-error"' in page
    assert PlanItem.objects.filter(plan=plan).count() == 1
    plan.refresh_from_db()
    assert plan.variance_threshold is None
