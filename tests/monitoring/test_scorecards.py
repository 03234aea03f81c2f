"""Scorecards: the numbers agree with the returns; a locked quarter's scorecard does not
change after an edit; members read them and nothing else."""

from decimal import Decimal

import pytest
from django.urls import reverse

from monitoring import scorecards, services
from monitoring.models import ScorecardSnapshot
from planning import services as planning
from tests.factories import add_item, make_plan, make_return, vision_of


def _counts(card):
    return {row["rag"] or "none": row["count"] for row in card["rag_counts"]}


def test_the_numbers_agree_with_the_returns(reported, periods):
    card = scorecards.build(reported, periods[1])
    assert card["reported"] == 2 and card["received"] == 2
    assert _counts(card) == {"red": 1, "amber": 0, "green": 1, "complete": 0, "not_started": 0, "none": 0}
    assert card["movement"] == {"improved": 1, "worsened": 1, "same": 0, "new": 0}
    assert [(row["title"], row["why"]) for row in card["exceptions"]] == [("Train every maths teacher", "Red")]
    [target] = card["targets"]
    assert (target["baseline"], target["expected"], target["actual"], target["derived"]) == (
        "70%",
        "75.01%",
        "76%",
        "green",
    )
    assert [q["counts"] for q in card["trend"]] == [[0, 1, 1, 0, 0, 0], [1, 0, 1, 0, 0, 0]]
    assert card["priorities"][0]["counts"] == [1, 0, 1, 0, 0, 0]


def test_outstanding_returns_and_newly_amber(monitored, periods, bob):
    make_return(monitored.action, periods[0], bob, {"rag": "amber", "narrative": "Slipping"}, submit=True)
    card = scorecards.build(monitored, periods[0])
    assert [row["title"] for row in card["outstanding"]] == ["Pupils reaching level 4 in maths"]
    assert [row["why"] for row in card["exceptions"]] == ["Newly amber"]
    assert card["received"] == 1


def test_costs_by_priority_and_funding_source(monitored, periods, alice):
    add_item(
        monitored,
        monitored.priority,
        "action",
        title="Tutoring",
        cost_amount=Decimal("12000"),
        cost_type="revenue",
        funding_source="Pupil premium",
    )
    add_item(
        monitored,
        monitored.priority,
        "action",
        title="Laptops",
        cost_amount=Decimal("3000"),
        cost_type="capital",
        funding_source="Capital grant",
    )
    costs = scorecards.build(monitored, periods[0])["costs"]
    assert costs["sources"] == ["Capital grant", "Pupil premium"]
    assert costs["rows"][0]["amounts"] == ["£3,000", "£12,000"]
    assert costs["total"] == "£15,000"


def test_a_locked_quarters_scorecard_does_not_change_after_an_edit(client, reported, periods, alice, ada, mel):
    q2 = periods[1]
    services.period_lock(period_id=q2.pk, user=ada)
    url = reverse("monitoring:scorecard", args=[reported.slug, q2.slug])
    client.force_login(mel)
    before = client.get(url).content.decode()
    assert "Train every maths teacher" in before and "As reported to members" in before
    planning.item_update(
        item_id=reported.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed after the quarter was reported"}),
        expected_version=1,
        reason="Renamed",
    )
    after = client.get(url).content.decode()
    assert "Renamed after the quarter was reported" not in after
    assert "Train every maths teacher" in after
    assert ScorecardSnapshot.objects.filter(plan=reported, period=q2).count() == 1


def test_a_live_quarter_shows_the_edit(client, reported, periods, alice, mel):
    planning.item_update(
        item_id=reported.action.pk,
        user=alice,
        change=planning.ItemChange({"title": "Renamed"}),
        expected_version=1,
        reason="Renamed",
    )
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug])).content.decode()
    assert "Renamed" in page and "Live: as of" in page


def test_a_plan_rolls_up_the_plans_beneath_it(reported, periods, alice, service):
    child = make_plan(owner=alice, organisation=service, parent=reported, title="Maths hub plan", slug="maths-hub")
    priority = add_item(child, vision_of(child), "priority", title="Hub priority")
    action = add_item(child, priority, "action", title="Hub action", lead_officer=alice)
    child.status = "approved"
    child.save()
    make_return(action, periods[1], alice, {"rag": "red", "narrative": "Behind"}, submit=True)
    alone = scorecards.build(reported, periods[1])
    rolled = scorecards.build(reported, periods[1], include_children=True)
    assert alone["reported"] == 2 and rolled["reported"] == 3
    assert _counts(rolled)["red"] == 2
    assert [p["title"] for p in rolled["plans"]] == [reported.title, "Maths hub plan"]


def test_the_scorecard_page_reads_in_a_fixed_number_of_queries(
    client, reported, periods, mel, bob, django_assert_max_num_queries
):
    client.force_login(mel)
    url = reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug])
    with django_assert_max_num_queries(12) as small:
        client.get(url)
    for n in range(10):
        action = add_item(reported, reported.priority, "action", title=f"Extra {n}", lead_officer=bob)
        make_return(action, periods[1], bob, {"rag": "green", "narrative": "Fine"}, submit=True)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


@pytest.mark.parametrize(("persona", "status"), [("mel", 200), ("carol", 200), ("pat", 404), ("alice", 200)])
def test_who_reads_a_scorecard(client, reported, periods, request, persona, status):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[0].slug])).status_code == status


def test_members_cannot_reach_a_draft_plans_scorecard_or_edit_anything(client, reported, periods, mel):
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[0].slug])).content.decode()
    assert "My returns" not in page and "/edit/" not in page
    reported.status = "draft"
    reported.save()
    assert client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[0].slug])).status_code == 404
    assert (
        client.get(
            reverse("monitoring:return-edit", args=[reported.slug, reported.action.pk, periods[0].slug])
        ).status_code
        == 404
    )


def test_members_land_on_their_home_and_reach_a_scorecard_in_one_more_click(client, reported, periods, mel, bob):
    from tests.factories import PASSWORD

    response = client.post(reverse("login"), {"username": "mel", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("monitoring:members-home")
    page = response.content.decode()
    assert reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug]) in page
    assert reverse("monitoring:scorecard", args=[reported.slug, periods[0].slug]) in page
    client.logout()
    response = client.post(reverse("login"), {"username": "bob", "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("planning:plan-list")


def test_what_leads_typed_is_escaped_in_the_rows_written_in_python(client, monitored, periods, bob, mel):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    make_return(monitored.action, periods[0], bob, {"rag": "red", "narrative": payload}, submit=True)
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[monitored.slug, periods[0].slug])).content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page


def test_the_items_that_improved_or_worsened_are_listed(client, reported, periods, mel):
    card = scorecards.build(reported, periods[1])
    assert [(row["title"], row["change"], row["previous_rag"], row["rag"]) for row in card["changes"]] == [
        ("Train every maths teacher", "worsened", "green", "red"),
        ("Pupils reaching level 4 in maths", "improved", "amber", "green"),
    ]
    client.force_login(mel)
    page = client.get(reverse("monitoring:scorecard", args=[reported.slug, periods[1].slug])).content.decode()
    assert "Changed since last quarter" in page and "Worsened" in page and "Improved" in page


def test_a_long_targets_table_is_counted_by_priority_on_the_page_and_listed_in_full_in_the_pack(
    client, monitored, periods, mel, django_assert_num_queries
):
    """More than FOLDED_OVER targets: the page counts them under each top-level priority,
    each priority's targets (or all) one link away without JavaScript; the PDF lists every one."""
    from monitoring import scorecard_folds, scorecard_pack

    second = add_item(monitored, vision_of(monitored), "priority", title="Close the gap")
    action = add_item(monitored, second, "action", title="Mentoring")
    for n in range(scorecard_folds.FOLDED_OVER):
        add_item(monitored, action, "target", title=f"Gap target {n}")
    q1 = periods[0]
    url = reverse("monitoring:scorecard", args=[monitored.slug, q1.slug])
    client.force_login(mel)
    # 12: the milestones done (decision 0024), the budget profiles (decision 0023), the members'
    # questions (decision 0022) and the plan's risks (decision 0026), one query each
    with django_assert_num_queries(12) as folded:
        page = client.get(url).content.decode()
    assert "51 targets by priority" in page
    assert "Gap target 7" not in page and "Pupils reaching level 4 in maths" not in page.split("targets-heading")[1]
    assert "?targets=0-2#targets-heading" in page and ">50</td>" in page  # the second priority's 50 targets
    assert "?outstanding=0-2#outstanding-heading" in page  # 51 of 52 returns outstanding: folded too
    with django_assert_num_queries(len(folded.captured_queries)):
        opened = client.get(url, {"targets": "0-2"}).content.decode()
    targets = opened.split('id="targets-heading"')[1].split('id="outstanding-heading"')[0]
    assert "Gap target 7" in targets and "Pupils reaching level 4 in maths" not in targets
    assert "The 50 targets under 2 Close the gap, of 51" in targets
    everything = client.get(url, {"targets": "all"}).content.decode()
    targets = everything.split('id="targets-heading"')[1].split('id="outstanding-heading"')[0]
    assert "Gap target 7" in targets and "Pupils reaching level 4 in maths" in targets
    pack = scorecard_pack.scorecard_pack_html(monitored, q1, False)
    assert all(f"Gap target {n}<" in pack for n in range(scorecard_folds.FOLDED_OVER))
