"""The corporate scorecard's thread view (issue 17, decision 0026): each corporate priority
with its contributors' ratings counted and combined by the council's rule, their costs
counted once, one link to its contributions page; in the page, the pack and the stored
copy of a locked quarter; nothing counted of plans the reader may not read."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import scorecard_pack, scorecard_thread, scorecards
from monitoring import services as monitoring
from monitoring.models import ScorecardSnapshot
from planning import services as planning
from planning.models import Link, Plan, PlanShare
from tests.factories import add_item, make_plan, make_return, vision_of

APPROVED = Plan.Status.APPROVED
# a member reading a corporate scorecard, at every size: the service plan's 12 and the thread view's
# 7 (the demo's is one more: a college reporting termly feeds it, read in its own terms, decision 0028)
CORPORATE_SCORECARD_QUERIES = 19


def link(source, target):
    return planning.link_add(source_id=source.pk, target_id=target.pk, relation=Link.Relation.CONTRIBUTES_TO, user=None)


@pytest.fixture
def thread(reported, director, carol, periods):
    """A corporate plan with two priorities. To P ("Children do well") alice's reported plan
    contributes its action (£1,000, red in Q2) and a second action (£500, no return) that
    links to P and to P1 beneath it: two routes. To Q ("A strong economy") carol's plan,
    not shared with the college, contributes an action rated green in Q2."""
    corporate = make_plan(
        owner=director, title="Corporate Plan", slug="corporate", kind=Plan.Kind.CORPORATE, status=APPROVED
    )
    p = add_item(corporate, vision_of(corporate), "priority", title="Children do well")
    p1 = add_item(corporate, p, "priority", title="Maths")
    q = add_item(corporate, vision_of(corporate), "priority", title="A strong economy")
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
    other = make_plan(owner=carol, title="Economy Plan", slug="economy", status=APPROVED)
    jobs = add_item(
        other, add_item(other, vision_of(other), "priority"), "action", title="Jobs fair", lead_officer=carol
    )
    link(jobs, q)
    make_return(jobs, periods[1], carol, {"rag": "green", "narrative": "Held"}, submit=True)
    return {"corporate": corporate, "p": p, "q": q, "plan": reported, "other": other}


def scorecard_url(plan, period):
    return reverse("monitoring:scorecard", args=[plan.slug, period.slug])


def test_each_priority_counts_its_contributors_per_plan_with_costs_once(thread, periods):
    card = scorecards.build(thread["corporate"], periods[1])
    assert card["schema"] == 2
    first, second = card["thread"]["priorities"]
    assert (first["reference"], first["title"], second["title"]) == ("1", "Children do well", "A strong economy")
    corporate, service = first["plans"]
    assert (corporate["title"], corporate["contributors"]) == ("Corporate Plan", 1)  # P1, beneath P
    assert service["title"] == thread["plan"].title
    assert service["counts"] == [1, 0, 1, 0, 0, 1]  # the action red, the target green, the second action no return
    assert Decimal(service["amount"]) == 1500 and service["multi_route"] == 1
    assert [entry["title"] for entry in second["plans"]] == ["Economy Plan"]


def test_the_combined_rating_follows_the_council_rule_and_never_hides_a_red(thread, periods, settings):
    card = scorecards.build(thread["corporate"], periods[1])
    every = scorecard_thread.plan_ids(card["thread"])
    shown = scorecard_thread.view(card["thread"], every, periods[1].slug)
    assert [row["combined"] for row in shown["priorities"]] == ["red", "green"]
    assert shown["priorities"][0]["cost"] == "£1,500" and shown["priorities"][0]["multi_route"] == 1
    settings.ROLLUP_RULE = "share"
    card = scorecards.build(thread["corporate"], periods[1])
    assert card["thread"]["rule"] == "share"
    assert scorecard_thread.view(card["thread"], every, periods[1].slug)["priorities"][0]["combined"] == "red"


def test_a_member_reads_the_thread_view_with_one_link_to_each_priority(client, mel, thread, periods):
    client.force_login(mel)
    page = client.get(scorecard_url(thread["corporate"], periods[1])).content.decode()
    assert "What contributes to each priority" in page
    for priority in (thread["p"], thread["q"]):
        url = reverse("monitoring:item-contributions", args=["corporate", priority.pk]) + f"?period={periods[1].slug}"
        assert page.count(f'href="{url}"') == 1
        assert client.get(url).status_code == 200
    assert "£1,500" in page and "by more than one route, counted once" in page
    assert "The combined rating is the worst received" in page


def test_a_partner_sees_nothing_of_a_plan_they_may_not_read(client, pat, thread, periods):
    for shared in (thread["corporate"], thread["plan"]):
        PlanShare.objects.create(plan=shared, organisation=pat.organisation)
    client.force_login(pat)
    page = client.get(scorecard_url(thread["corporate"], periods[1])).content.decode()
    assert "1 contributor in plans you may not read is neither shown nor counted" in page
    assert "Economy Plan" not in page and "£1,500" in page


def test_a_service_plan_has_no_thread_view(client, alice, thread, periods):
    assert scorecards.build(thread["plan"], periods[1])["thread"] is None
    client.force_login(alice)
    assert "What contributes to each" not in client.get(scorecard_url(thread["plan"], periods[1])).content.decode()


def test_a_locked_quarter_keeps_its_thread_view_and_an_older_snapshot_still_reads(client, mel, ada, thread, periods):
    monitoring.period_lock(period_id=periods[1].pk, user=ada)
    stored = ScorecardSnapshot.objects.get(plan=thread["corporate"], period=periods[1], include_children=False)
    assert stored.data["schema"] == 2 and stored.data["thread"]["priorities"]
    client.force_login(mel)
    url = scorecard_url(thread["corporate"], periods[1])
    assert "What contributes to each priority" in client.get(url).content.decode()
    old = {key: value for key, value in stored.data.items() if key != "thread"}
    ScorecardSnapshot.objects.filter(pk=stored.pk).update(data={**old, "schema": 1})
    page = client.get(url)
    assert page.status_code == 200 and "What contributes to each priority" not in page.content.decode()


def test_the_pack_prints_the_thread_view_and_leaves_out_hidden_plans(thread, periods):
    html = scorecard_pack.scorecard_pack_html(thread["corporate"], periods[1], False)
    assert "What contributes to each priority" in html and 'id="thread-heading"' in html
    hidden = scorecard_pack.scorecard_pack_context(
        thread["corporate"], periods[1], False, frozenset({thread["other"].pk})
    )["thread"]
    assert hidden["hidden"] == 1 and hidden["priorities"][1]["combined"] == ""


def test_the_corporate_scorecard_reads_the_thread_in_a_fixed_number_of_queries(
    client, mel, thread, periods, alice, bob
):
    # a plan beneath it, as every corporate plan has (a plan with none is not asked whether it has)
    make_plan(owner=alice, parent=thread["corporate"], title="Beneath", slug="beneath", status=APPROVED)
    client.force_login(mel)
    url = scorecard_url(thread["corporate"], periods[1])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(3):  # three more plans, each with actions reported on, linked to both priorities
        more = make_plan(owner=alice, title=f"More {n}", slug=f"more-{n}", status=APPROVED)
        top = add_item(more, vision_of(more), "priority")
        for m in range(4):
            action = add_item(more, top, "action", lead_officer=bob, cost_amount=10, cost_type="revenue")
            link(action, thread["p"] if m % 2 else thread["q"])
            make_return(action, periods[1], bob, {"rag": "amber", "narrative": "Going"}, submit=True)
    with CaptureQueriesContext(connection) as large:
        page = client.get(url).content.decode()
    assert "More 2" not in page and "£1,560" in page  # P: £1,500 and six actions of £10
    assert len(large) == len(small) == CORPORATE_SCORECARD_QUERIES
