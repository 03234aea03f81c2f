"""What contributes to an item across every plan (issue 17): the thread followed through
links and down the trees, ratings combined without hiding a red, costs counted once."""

from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import thread_rollup
from monitoring.rollup_rules import RULES
from planning import services as planning
from planning.models import Link, Plan
from tests.factories import add_item, make_plan, make_return, vision_of

CONTRIBUTES = Link.Relation.CONTRIBUTES_TO


def link(source, target):
    return planning.link_add(source_id=source.pk, target_id=target.pk, relation=CONTRIBUTES, user=None)


@pytest.fixture
def thread(reported, director, carol, bob):
    """A corporate priority P with a sub-priority P1. alice's monitored service plan
    contributes: its action (£1,000, red in Q2) links to P, and a second action (£500)
    links to P and to P1, two routes. A draft plan's action (£9,999) links to P too."""
    corporate = make_plan(
        owner=director, title="Corporate Plan", slug="corporate", kind=Plan.Kind.CORPORATE, status=Plan.Status.APPROVED
    )
    p = add_item(corporate, vision_of(corporate), "priority", title="Children do well")
    p1 = add_item(corporate, p, "priority", title="Maths")
    reported.action = planning.item_update(
        item_id=reported.action.pk,
        user=None,
        change=planning.ItemChange({"cost_amount": 1000, "cost_type": "revenue"}),
        expected_version=reported.action.version,
        reason="Costed",
    )
    second = add_item(
        reported, reported.priority, "action", title="Visit every school", cost_amount=500, cost_type="revenue"
    )
    link(reported.action, p)
    link(second, p)
    link(second, p1)
    draft = make_plan(owner=carol, title="Draft Plan", slug="draft")
    stray = add_item(
        draft, add_item(draft, vision_of(draft), "priority"), "action", cost_amount=9999, cost_type="revenue"
    )
    link(stray, p)
    p.refresh_from_db()  # its tree numbers grew with P1 beneath it
    return {"corporate": corporate, "p": p, "p1": p1, "plan": reported, "second": second, "stray": stray}


def titles(rollup):
    return {c.title for _, contributors in rollup.opened for c in contributors}


def test_the_thread_is_followed_through_links_and_down_the_trees(thread, mel):
    rollup = thread_rollup.contributions(thread["p"], mel)
    plan = thread["plan"]
    assert titles(rollup) == {"Maths", plan.action.title, plan.target.title, "Visit every school"}
    assert [owner.slug for owner, _ in rollup.opened] == ["corporate", plan.slug]
    assert "Draft Plan" not in {owner.title for owner, _ in rollup.opened}  # a draft is no commitment yet


def test_costs_count_an_item_reached_by_two_routes_once(thread, mel):
    rollup = thread_rollup.contributions(thread["p"], mel)
    second = next(c for _, cs in rollup.opened for c in cs if c.title == "Visit every school")
    assert second.routes == 2
    assert rollup.total_cost == Decimal(1500) and rollup.total_cost_shown == "£1,500"
    assert (rollup.multi_route, rollup.multi_route_cost) == (1, Decimal(500))
    assert [(entry.plan.slug, entry.amount) for entry in rollup.costed] == [(thread["plan"].slug, Decimal(1500))]


def test_the_latest_quarter_is_combined_and_a_red_is_never_hidden(thread, mel, periods):
    rollup = thread_rollup.contributions(thread["p"], mel)
    assert rollup.period == periods[1]  # Q2, the newest with a return
    assert [p.slug for p in rollup.periods] == [periods[1].slug, periods[0].slug]
    assert rollup.combined == "red"  # the action is red; the target green
    assert {row["rag"]: row["count"] for row in rollup.counts} == {
        "red": 1, "amber": 0, "green": 1, "complete": 0, "not_started": 0, "": 1,
    }  # fmt: skip
    [target] = rollup.targets
    assert target["title"] == thread["plan"].target.title and target["derived"]
    q1 = thread_rollup.contributions(thread["p"], mel, periods[0].slug)
    assert q1.combined == "amber"  # Q1: action green, target amber


@pytest.mark.parametrize("name", sorted(RULES))
def test_every_rule_gives_red_for_any_red_and_says_so(name):
    rule = RULES[name]
    assert rule.combine(Counter(green=99, red=1)) == "red"
    assert rule.combine(Counter(complete=5)) == "complete"
    assert rule.combine(Counter(none=3)) == ""
    assert "red" in rule.wording


def test_the_share_rule_lets_a_few_ambers_through_and_the_worst_rule_does_not():
    assert RULES["share"].combine(Counter(green=4, amber=1)) == "green"
    assert RULES["share"].combine(Counter(green=3, amber=1)) == "amber"
    assert RULES["worst"].combine(Counter(green=4, amber=1)) == "amber"


def test_the_council_chooses_the_rule_in_one_setting(thread, mel, settings):
    settings.ROLLUP_RULE = "share"
    assert thread_rollup.contributions(thread["p"], mel).rule is RULES["share"]


def test_a_quarter_nobody_reported_in_is_refused_with_a_message(client, thread, mel):
    client.force_login(mel)
    url = reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk])
    response = client.get(url + "?period=2099-q1")
    assert response.status_code == 404


def test_the_page_shows_the_rating_its_rule_costs_and_a_link_to_each_contributor(client, thread, mel):
    client.force_login(mel)
    page = client.get(reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk])).content.decode()
    assert "What contributes to Children do well" in page
    assert RULES["worst"].wording in page
    assert "£1,500" in page and "£9,999" not in page
    second = thread["second"]
    assert reverse("planning:item-detail", args=[thread["plan"].slug, second.pk]) in page
    assert "by 2 routes, counted once" in page
    item_page = client.get(reverse("planning:item-detail", args=["corporate", thread["p"].pk])).content.decode()
    assert reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk]) in item_page


def test_a_reader_who_may_not_read_the_plan_gets_404(client, thread, pat):
    client.force_login(pat)
    response = client.get(reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk]))
    assert response.status_code == 404


def test_contributors_in_plans_the_reader_may_not_read_are_counted_not_shown(thread, pat):
    """pat reads alice's plan (the college leads its target), not the corporate plan."""
    plan = thread["plan"]
    corporate_child = make_plan(
        owner=plan.owner,
        title="Hidden Plan",
        slug="hidden",
        status=Plan.Status.APPROVED,
        organisation=plan.organisation,
    )
    top = add_item(corporate_child, vision_of(corporate_child), "priority")
    hidden = add_item(corporate_child, top, "action", cost_amount=7, cost_type="revenue")
    link(hidden, plan.priority)
    plan.priority.refresh_from_db()  # its tree numbers grew with the items added beneath it
    rollup = thread_rollup.contributions(plan.priority, pat)
    assert rollup.hidden == 1 and rollup.total_cost == Decimal(1500)
    assert "Hidden Plan" not in {owner.title for owner, _ in rollup.opened}


def test_the_page_reads_the_same_number_of_queries_for_a_longer_thread(client, thread, mel):
    client.force_login(mel)
    url = reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    more = make_plan(owner=thread["plan"].owner, title="More", slug="more", status=Plan.Status.APPROVED)
    for n in range(6):
        action = add_item(
            more, add_item(more, vision_of(more), "priority"), "action", cost_amount=n + 1, cost_type="revenue"
        )
        add_item(more, action, "milestone")
        link(action, thread["p1"])
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.status_code == 200 and "More" in page.content.decode()
    assert len(large) == len(small)


def test_a_rule_the_app_does_not_know_stops_start_up_naming_the_setting(monkeypatch):
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured

    from config.env import env_choice

    assert set(settings.ROLLUP_RULES) == set(RULES)  # the names settings accept are the rules'
    monkeypatch.setenv("ROLLUP_RULE", "average")
    with pytest.raises(ImproperlyConfigured, match="ROLLUP_RULE must be one of worst, share, not 'average'"):
        env_choice("ROLLUP_RULE", "worst", settings.ROLLUP_RULES)
    monkeypatch.setenv("ROLLUP_RULE", "share")
    assert env_choice("ROLLUP_RULE", "worst", settings.ROLLUP_RULES) == "share"


def test_a_large_roll_up_lists_each_plan_in_a_row_and_one_plan_item_by_item(client, thread, mel, monkeypatch):
    monkeypatch.setattr(thread_rollup, "FOLD_OVER", 2)
    plan = thread["plan"]
    rollup = thread_rollup.contributions(thread["p"], mel)
    assert rollup.folded and rollup.opened == [] and rollup.targets == []
    assert [(s.plan.slug, s.contributors, s.targets, s.amount) for s in rollup.summaries] == [
        ("corporate", 1, 0, Decimal(0)),
        (plan.slug, 3, 1, Decimal(1500)),
    ]
    assert rollup.combined == "red" and rollup.total_cost == Decimal(1500)  # counted over every plan
    opened = thread_rollup.contributions(thread["p"], mel, open_plan=plan.slug)
    assert [owner.slug for owner, _ in opened.opened] == [plan.slug] and len(opened.targets) == 1
    client.force_login(mel)
    url = reverse("monitoring:item-contributions", args=["corporate", thread["p"].pk])
    page = client.get(url).content.decode()
    assert f"?period={rollup.period.slug}&amp;plan={plan.slug}#plan-{plan.slug}" in page
    assert "Visit every school" not in page
    page = client.get(url + f"?plan={plan.slug}").content.decode()
    assert "Visit every school" in page and "Maths</a>" not in page
    assert client.get(url + "?plan=no-such-plan").status_code == 404


def test_the_quarter_shown_is_the_newest_a_contributor_reported_in(thread, mel, periods, bob):
    """Another action of the same plan, contributing nothing, reports in Q3: the roll-up
    still opens at Q2 (the demo's corporate priority read "no rating" when it did not)."""
    plan = thread["plan"]
    elsewhere = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action", lead_officer=bob)
    make_return(elsewhere, periods[2], bob, {"rag": "green", "narrative": "Fine"}, submit=True)
    rollup = thread_rollup.contributions(thread["p"], mel)
    assert rollup.period == periods[1] and rollup.combined == "red"
