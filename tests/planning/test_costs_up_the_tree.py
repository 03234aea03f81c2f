"""Costs roll up the plan tree and along contributes-to links (issue 17, decision 0026): a
plan's summary and its printed document add the costs of the approved plans beneath it and
of the items contributing through links, each item once, and say how."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import services as planning
from planning import thread
from planning.access import plans_for, plans_hidden_from
from planning.models import Link, Plan, PlanShare
from planning.plan_document import plan_document_context
from tests.factories import add_item, make_plan, vision_of

APPROVED = Plan.Status.APPROVED


def link(source, target):
    return planning.link_add(source_id=source.pk, target_id=target.pk, relation=Link.Relation.CONTRIBUTES_TO, user=None)


def costed(plan, parent, amount, **fields):
    return add_item(plan, parent, "action", cost_amount=amount, cost_type="revenue", **fields)


@pytest.fixture
def tree(director, alice, carol, college):
    """A corporate plan (its own action £100) with an approved service plan beneath it (an
    action £1,000 that also links to the corporate priority: two routes), an approved plan
    beneath that (£200), a draft plan beneath the corporate plan (£9,999, not counted), and
    an approved plan outside the tree whose action (£300) contributes to the service action."""
    corporate = make_plan(
        owner=director, title="Corporate Plan", slug="corporate", kind=Plan.Kind.CORPORATE, status=APPROVED
    )
    priority = add_item(corporate, vision_of(corporate), "priority", title="Children do well")
    costed(corporate, priority, 100, title="Corporate action")
    service = make_plan(owner=alice, parent=corporate, title="Service Plan", slug="service", status=APPROVED)
    action = costed(service, add_item(service, vision_of(service), "priority"), 1000, title="Service action")
    link(action, priority)
    team = make_plan(owner=alice, parent=service, title="Team Plan", slug="team", status=APPROVED)
    costed(team, add_item(team, vision_of(team), "priority"), 200, title="Team action")
    draft = make_plan(owner=carol, parent=corporate, title="Draft Plan", slug="draft")
    costed(draft, add_item(draft, vision_of(draft), "priority"), 9999)
    partner = make_plan(owner=carol, title="Partner Plan", slug="partner", status=APPROVED)
    helper = costed(partner, add_item(partner, vision_of(partner), "priority"), 300, title="Partner action")
    link(helper, action)
    for each in (corporate, service):
        each.refresh_from_db()  # their tree numbers grew with the plans beneath
    return {"corporate": corporate, "service": service, "team": team, "partner": partner, "action": action}


def test_the_total_counts_the_plans_beneath_and_the_linked_items_once(tree, director):
    costs = thread.thread_costs(tree["corporate"], plans_for(director))
    assert costs.own == Decimal(100)
    assert costs.total == Decimal(1600)  # 100 + 1,000 once + 200 + 300; the draft's 9,999 not
    assert costs.costed == 4
    assert [(entry.plan.slug, entry.how, entry.amount) for entry in costs.plans] == [
        ("corporate", "this plan", Decimal(100)),
        ("service", "beneath", Decimal(1000)),
        ("team", "beneath", Decimal(200)),
        ("partner", "linked", Decimal(300)),
    ]


def test_an_action_reached_by_two_routes_is_counted_once_and_said(tree, director):
    """The service action sits beneath the corporate plan and links to its priority; the
    partner's action reaches the thread through it, by one route only."""
    costs = thread.thread_costs(tree["corporate"], plans_for(director))
    assert (costs.multi_route, costs.multi_route_cost) == (1, Decimal(1000))
    link(tree["action"], add_item(tree["corporate"], vision_of(tree["corporate"]), "priority"))
    again = thread.thread_costs(tree["corporate"], plans_for(director))
    assert again.total == Decimal(1600)  # a third route adds nothing
    assert again.multi_route == 1


def test_a_plan_beneath_counts_only_its_own_thread(tree, director):
    costs = thread.thread_costs(tree["service"], plans_for(director))
    assert costs.total == Decimal(1500)  # its action, the team plan's and the partner's; not the corporate plan's
    assert not costs.multi_route


def test_plans_the_reader_may_not_read_are_neither_counted_nor_named(tree, pat, client):
    PlanShare.objects.create(plan=tree["corporate"], organisation=pat.organisation)
    PlanShare.objects.create(plan=tree["service"], organisation=pat.organisation)
    costs = thread.thread_costs(tree["corporate"], plans_for(pat))
    assert costs.total == Decimal(1100)
    assert costs.hidden == 2  # the team plan's and the partner plan's
    client.force_login(pat)
    page = client.get(reverse("planning:plan-summary", args=["corporate"])).content.decode()
    assert "£1,100" in page and "2 costed items in plans you may not read" in page
    assert "Team Plan" not in page and "Partner Plan" not in page


def test_the_summary_page_shows_the_total_and_says_how(client, director, tree):
    client.force_login(director)
    page = client.get(reverse("planning:plan-summary", args=["corporate"])).content.decode()
    assert "Cost across the thread" in page and "£1,600" in page
    assert "1 costed item (£1,000) is reached by more than one route and counted once" in page
    assert "Beneath this plan" in page and "Contributes through links" in page
    assert "Draft Plan" not in page


def test_a_plan_with_nothing_beneath_says_so(client, alice, plan):
    costed(plan, add_item(plan, vision_of(plan), "priority"), 50)
    client.force_login(alice)
    page = client.get(reverse("planning:plan-summary", args=[plan.slug])).content.decode()
    assert "Nothing beneath this plan or linked to it carries a cost" in page


def test_the_plan_document_adds_the_thread_and_hides_what_its_readers_may_not_read(tree, pat):
    PlanShare.objects.create(plan=tree["corporate"], organisation=pat.organisation)
    PlanShare.objects.create(plan=tree["service"], organisation=pat.organisation)
    hidden = plans_hidden_from(pat, tree["corporate"])
    assert {tree["team"].pk, tree["partner"].pk} <= hidden
    across = plan_document_context(tree["corporate"], hidden=hidden)["thread_costs"]
    assert across.total == Decimal(1100) and across.hidden == 2
    whole = plan_document_context(tree["corporate"])["thread_costs"]
    assert whole.total == Decimal(1600)


def test_the_summary_reads_the_thread_in_a_fixed_number_of_queries(client, director, tree, alice):
    client.force_login(director)
    url = reverse("planning:plan-summary", args=["corporate"])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    more = make_plan(owner=alice, parent=tree["service"], title="Another", slug="another", status=APPROVED)
    for n in range(5):
        action = costed(more, add_item(more, vision_of(more), "priority"), 10 + n)
        link(action, tree["action"])
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "£1,660" in page
    assert len(large) == len(small)
