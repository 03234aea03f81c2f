"""Search across every plan the reader may see, through the HTTP client: what the page
shows, held against what is in the database."""

import pytest
from django.db import connection
from django.urls import reverse

from planning import services
from planning.models import Plan, PlanShare
from tests.factories import UserFactory, add_item, build_plan, make_plan, vision_of


def search(client, query: str):
    response = client.get(reverse("planning:search"), {"q": query})
    assert response.status_code == 200
    return response


def found(response) -> list[str]:
    return [result.item.title for result in response.context["results"]]


@pytest.fixture
def items(plan, college):
    """The owner's plan: 1 Every child in a good school > 1.1 Train governors,
    1.2 Recruit headteachers (led by Priya Haddock of Northmoor College); 2 Narrow the gap."""
    lead = UserFactory(first_name="Priya", last_name="Haddock", organisation=college)
    vision = vision_of(plan)
    school = add_item(plan, vision, "priority", title="Every child in a good school")
    train = add_item(plan, school, "action", title="Train governors")
    recruit = add_item(
        plan,
        school,
        "action",
        title="Recruit headteachers",
        description="Work with the **diocese** on appointments.",
        lead_officer=lead,
        lead_organisation=college,
    )
    gap = add_item(plan, vision, "priority", title="Narrow the gap")
    return {"school": school, "train": train, "recruit": recruit, "gap": gap}


def test_it_finds_an_item_by_a_word_in_its_title(client, alice, items):
    client.force_login(alice)
    response = search(client, "governors")
    assert found(response) == ["Train governors"]
    assert f'href="{items["train"].get_absolute_url()}"' in response.content.decode()


def test_it_finds_an_item_by_a_word_in_its_description(client, alice, items):
    client.force_login(alice)
    assert found(search(client, "diocese")) == ["Recruit headteachers"]


def test_it_finds_an_item_by_its_lead_officers_surname(client, alice, items):
    client.force_login(alice)
    assert found(search(client, "Haddock")) == ["Recruit headteachers"]


def test_it_finds_an_item_by_its_lead_organisations_name(client, alice, items):
    client.force_login(alice)
    assert found(search(client, "college")) == ["Recruit headteachers"]


def test_every_word_must_match(client, alice, items):
    client.force_login(alice)
    assert found(search(client, "recruit diocese")) == ["Recruit headteachers"]
    assert found(search(client, "recruit governors")) == []


def test_it_finds_an_item_by_its_reference(client, alice, plan, items):
    client.force_login(alice)
    response = search(client, "1.2")
    [result] = response.context["results"]
    assert (result.item, result.reference, result.label) == (items["recruit"], "1.2", "Action")
    page = response.content.decode()
    assert '<span class="app-item__ref">1.2</span>' in page
    assert plan.title in page


def test_a_reference_and_a_word_must_both_match(client, alice, items):
    client.force_login(alice)
    assert found(search(client, "2 gap")) == ["Narrow the gap"]
    assert found(search(client, "1.1 diocese")) == []


def test_references_follow_the_items_current_positions(client, alice, plan, items):
    services.item_delete(item_id=items["train"].pk, user=alice, reason="Merged")
    client.force_login(alice)
    assert found(search(client, "1.2")) == []
    assert search(client, "1.1").context["results"][0].item == items["recruit"]


def test_a_result_shows_the_plans_and_items_above_it(client, alice, plan, items):
    parent = make_plan(owner=alice, title="Education Directorate Plan", slug="education-plan")
    plan.parent = parent
    plan.save()
    client.force_login(alice)
    response = search(client, "headteachers")
    [result] = response.context["results"]
    assert result.breadcrumb == [
        ("Education Directorate Plan", parent.get_absolute_url()),
        ("1 Every child in a good school", items["school"].get_absolute_url()),
    ]
    assert result.plan == plan
    assert "Lead: Priya Haddock, Northmoor College" in response.content.decode()


def test_a_partner_finds_only_items_in_plans_shared_with_their_organisation(client, alice, pat, college):
    shared = make_plan(owner=alice, title="Shared plan", slug="shared")
    private = make_plan(owner=alice, title="Private plan", slug="private", parent=shared)
    add_item(shared, vision_of(shared), "priority", title="Governor training for all")
    add_item(private, vision_of(private), "priority", title="Governor training in private")
    PlanShare.objects.create(plan=shared, organisation=college)
    client.force_login(pat)
    assert found(search(client, "governor")) == ["Governor training for all"]
    assert {r.plan for r in search(client, "1").context["results"]} == {shared}
    client.force_login(alice)
    assert len(found(search(client, "governor"))) == 2


def test_a_partner_sees_no_trail_through_a_plan_not_shared_with_them(client, alice, pat, college):
    parent = make_plan(owner=alice, title="Unshared parent", slug="unshared")
    child = make_plan(owner=alice, title="Shared child", slug="shared-child", parent=parent)
    add_item(child, vision_of(child), "priority", title="Governor training")
    PlanShare.objects.create(plan=child, organisation=college)
    client.force_login(pat)
    response = search(client, "governor")
    [result] = response.context["results"]
    assert result.breadcrumb == []
    assert "Unshared parent" not in response.content.decode()


def test_a_member_finds_only_items_in_approved_plans(client, alice, mel):
    approved = make_plan(owner=alice, title="Approved plan", slug="approved", status=Plan.Status.APPROVED)
    draft = make_plan(owner=alice, title="Draft plan", slug="draft")
    add_item(approved, vision_of(approved), "priority", title="Attainment for all")
    add_item(draft, vision_of(draft), "priority", title="Attainment in draft")
    client.force_login(mel)
    assert found(search(client, "attainment")) == ["Attainment for all"]
    client.force_login(alice)
    assert len(found(search(client, "attainment"))) == 2


def test_it_requires_sign_in(client, items):
    response = client.get(reverse("planning:search"), {"q": "governors"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("query", ["", "   "])
def test_an_empty_query_shows_the_form_and_no_results(client, alice, items, query):
    client.force_login(alice)
    response = search(client, query)
    page = response.content.decode()
    assert response.context["results"] == []
    assert 'id="search-q"' in page
    assert "No results" not in page and "app-search-result" not in page


def test_a_query_that_matches_nothing_says_so(client, alice, items):
    client.force_login(alice)
    page = search(client, "ofsted").content.decode()
    assert "No results for “ofsted”" in page


def test_the_query_is_escaped_in_the_page(client, alice, items):
    client.force_login(alice)
    page = search(client, "<script>alert(1)</script>").content.decode()
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_title_match_is_listed_before_a_description_match(client, alice, plan):
    vision = vision_of(plan)
    add_item(plan, vision, "priority", title="Early years", description="Raise attainment at five.")
    add_item(plan, vision, "priority", title="Raise attainment at sixteen")
    client.force_login(alice)
    assert found(search(client, "attainment")) == ["Raise attainment at sixteen", "Early years"]


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="weighted ranking (title A, lead names B, description C) is PostgreSQL full-text search; "
    "SQLite ranks by title matches alone. Runs in CI's PostgreSQL pass.",
)
def test_results_are_ranked_title_then_lead_then_description(client, alice, plan):
    lead = UserFactory(first_name="Sam", last_name="Attainment", organisation=alice.organisation)
    vision = vision_of(plan)
    add_item(plan, vision, "priority", title="Early years", description="Raise attainment at five.")
    add_item(plan, vision, "priority", title="Secondary schools", lead_officer=lead)
    add_item(plan, vision, "priority", title="Raise attainment at sixteen")
    client.force_login(alice)
    assert found(search(client, "attainment")) == ["Raise attainment at sixteen", "Secondary schools", "Early years"]
    # websearch syntax: a quoted phrase and an excluded word
    assert found(search(client, '"raise attainment" -sixteen')) == ["Early years"]


@pytest.mark.parametrize("query", ["target", "1.1"])
@pytest.mark.parametrize("size", ["small", "large"])
def test_the_query_count_does_not_grow_with_the_plan(client, alice, size, query, django_assert_num_queries):
    parent = make_plan(owner=alice, title="Directorate plan")
    plan = make_plan(owner=alice, parent=parent)
    if size == "small":
        build_plan(plan, priorities=2, actions=3, targets=1, milestones=1)  # 20 items under the vision
    else:
        build_plan(plan, priorities=4, actions=7, targets=3, milestones=3)  # 200 items under the vision
    assert plan.items.count() == (21 if size == "small" else 201)
    client.force_login(alice)
    with django_assert_num_queries(SEARCH_PAGE_QUERIES):
        response = search(client, query)
    results = response.context["results"]
    assert results and all(r.plan_trail == [("Directorate plan", parent.get_absolute_url())] for r in results)
    if size == "large" and query == "target":
        assert len(results) == 50 and results.truncated
        assert "The first 50 results" in response.content.decode()


SEARCH_PAGE_QUERIES = 6  # session, user, item tree (ids only), matches, ancestor titles, visible plans
