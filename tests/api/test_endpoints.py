"""The read API's endpoints: every answer checked against the schema the app serves, for an
anonymous caller and a token's; what each shows; pages, filters, ETags, as_of and caching."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from monitoring import services as monitoring
from planning import services
from tests.api.conftest import bearer, token_for
from tests.factories import IndicatorFactory, add_item, make_plan, vision_of


@pytest.fixture
def world(published, alice, bob, college):
    """A published plan (priority > action > target, milestone), linked to a draft plan's
    item; 2013's quarters, Q1 locked; accepted returns in Q1 and Q2, a submitted one in Q1."""
    plan = published
    vision = vision_of(plan)
    priority = add_item(plan, vision, "priority", title="Raise standards", user=alice)
    action = add_item(
        plan,
        priority,
        "action",
        title="Train heads",
        lead_officer=bob,
        cost_amount=1200,
        cost_type="revenue",
        user=alice,
    )
    indicator = IndicatorFactory(code="good-schools", name="Good schools")
    target = add_item(
        plan,
        action,
        "target",
        title="Good schools",
        indicator=indicator,
        baseline_value=70,
        target_value=85,
        user=alice,
    )
    milestone = add_item(plan, action, "milestone", title="Course booked", user=alice, lead_organisation=college)
    draft = make_plan(owner=alice, title="Secret draft", slug="secret-draft")
    hidden_goal = add_item(draft, vision_of(draft), "priority", title="Hidden goal", user=alice)
    services.link_add(source_id=action.pk, target_id=hidden_goal.pk, relation="contributes_to", note="Why", user=alice)
    services.link_add(source_id=milestone.pk, target_id=target.pk, relation="depends_on", user=alice)
    services.edition_create(plan=plan, name="As approved", user=alice)
    periods = monitoring.financial_year_create(start_year=2013, user=None)
    q1, q2 = periods[0], periods[1]
    accepted = {}
    for period in (q1, q2):
        ret = monitoring.return_save(
            item=action,
            period=period,
            user=bob,
            fields={"rag": "green", "narrative": f"On track in {period.label}"},
            expected_version=0,
            submit=True,
        )
        accepted[period.quarter] = monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)
    monitoring.return_save(
        item=target,
        period=q1,
        user=alice,
        fields={"rag": "amber", "narrative": "Submitted only", "actual_value": 80},
        expected_version=0,
        submit=True,
    )
    monitoring.period_lock(period_id=q1.pk, user=None)
    return {
        "plan": plan,
        "draft": draft,
        "priority": priority,
        "action": action,
        "target": target,
        "milestone": milestone,
        "q1": q1,
        "q2": q2,
        "accepted": accepted,
    }


def _addresses(world):
    plan = world["plan"].slug
    return [
        reverse("api:plan-list"),
        reverse("api:plan-detail", args=[plan]),
        reverse("api:item-list", args=[plan]),
        reverse("api:link-list", args=[plan]),
        reverse("api:edition-list", args=[plan]),
        reverse("api:period-list"),
        reverse("api:return-list"),
        reverse("api:scorecard-list"),
        reverse("api:scorecard-detail", args=[plan, world["q1"].slug]),
    ]


@pytest.mark.parametrize("who", ["anonymous", "alice", "pat", "mel"])
def test_every_endpoint_answers_as_its_schema_says(call, world, who, request):
    secret = None if who == "anonymous" else token_for(request.getfixturevalue(who))
    for url in _addresses(world):
        response = call(url, secret)  # validated against the served schema
        assert response.status_code == 200, (url, response.content)
        assert response["Content-Type"] == "application/json"


def test_the_schema_is_openapi_3_and_names_every_endpoint(client, db):
    schema = client.get(reverse("api:schema") + "?format=json").json()
    assert schema["openapi"].startswith("3.")
    paths = set(schema["paths"])
    assert {
        "/api/v1/plans/",
        "/api/v1/plans/{slug}/",
        "/api/v1/plans/{slug}/items/",
        "/api/v1/plans/{slug}/links/",
        "/api/v1/plans/{slug}/editions/",
        "/api/v1/plans/{slug}/scorecards/{period}/",
        "/api/v1/periods/",
        "/api/v1/returns/",
        "/api/v1/scorecards/",
    } == paths
    assert all(set(ops) <= {"get", "parameters"} for ops in schema["paths"].values()), "read only"
    assert schema["components"]["securitySchemes"]["apiToken"]["scheme"] == "bearer"


def test_items_carry_references_levels_leads_costs_and_measures(call, world):
    items = call(reverse("api:item-list", args=[world["plan"].slug])).json()["results"]
    by_title = {item["title"]: item for item in items}
    assert [item["reference"] for item in items] == ["", "1", "1.1", "1.1.1", "1.1.2"]
    action = by_title["Train heads"]
    assert action["kind"] == "action" and action["label"] == "Action"
    assert action["lead_officer"] == world["action"].lead_officer.get_full_name()
    assert action["cost"] == {"amount": 1200.0, "type": "revenue", "funding_source": ""}
    assert action["measure"] is None
    target = by_title["Good schools"]
    assert target["cost"] is None
    assert target["measure"]["indicator"] == {"code": "good-schools", "name": "Good schools"}
    assert target["measure"]["baseline_value"] == 70 and target["measure"]["target_value"] == 85
    assert target["measure"]["unit"] == "percentage" and target["measure"]["direction"] == "higher"
    assert by_title["Course booked"]["lead_organisation"] == world["milestone"].lead_organisation.name


def test_a_plan_shows_its_own_level_names(call, world, alice):
    plan = world["plan"]
    services.plan_update(
        plan_id=plan.pk, user=alice, fields={"label_action": "Step"}, expected_version=plan.version, reason="Renamed"
    )
    items = call(reverse("api:item-list", args=[plan.slug])).json()["results"]
    assert {item["label"] for item in items if item["kind"] == "action"} == {"Step"}
    assert call(reverse("api:plan-detail", args=[plan.slug])).json()["labels"]["action"] == "Step"


def test_a_link_into_a_plan_the_caller_may_not_read_shows_only_that_it_exists(call, world, alice):
    url = reverse("api:link-list", args=[world["plan"].slug])
    anonymous = call(url).json()["results"]
    hidden = next(link for link in anonymous if link["relation"] == "contributes_to")
    assert hidden["target"] == {
        "hidden": True, "item": None, "reference": None, "title": None, "title_cy": None, "plan": None,
    }  # fmt: skip
    assert hidden["note"] is None
    assert "Hidden goal" not in str(anonymous) and "secret-draft" not in str(anonymous)
    inside = next(link for link in anonymous if link["relation"] == "depends_on")
    assert inside["source"]["title"] == "Course booked" and inside["target"]["reference"] == "1.1.1"
    assert inside["source"]["title_cy"] == ""  # no Welsh written: empty, not missing
    # the owner reads the draft in the app, so with a token they see the link's other end
    mine = call(url, token_for(alice)).json()["results"]
    shown = next(link for link in mine if link["relation"] == "contributes_to")
    assert shown["target"]["title"] == "Hidden goal" and shown["target"]["plan"] == "secret-draft"
    assert shown["note"] == "Why" and shown["direction"] == "out"


def test_anonymous_callers_see_published_plans_only(call, world, alice):
    slugs = [plan["slug"] for plan in call(reverse("api:plan-list")).json()["results"]]
    assert slugs == [world["plan"].slug]
    assert call(reverse("api:plan-detail", args=["secret-draft"])).status_code == 404
    assert call(reverse("api:item-list", args=["secret-draft"])).status_code == 404
    mine = [plan["slug"] for plan in call(reverse("api:plan-list"), token_for(alice)).json()["results"]]
    assert set(mine) == {world["plan"].slug, "secret-draft"}


def test_returns_are_accepted_ones_and_for_the_public_only_in_locked_quarters(call, world, alice):
    anonymous = call(reverse("api:return-list")).json()["results"]
    assert [(r["period"], r["narrative"]) for r in anonymous] == [(world["q1"].slug, "On track in Q1 2013/14")]
    assert anonymous[0]["rag"] == "green" and anonymous[0]["reference"] == "1.1" and anonymous[0]["state"] == "accepted"
    mine = call(reverse("api:return-list"), token_for(alice)).json()["results"]
    assert [r["period"] for r in mine] == [world["q1"].slug, world["q2"].slug]  # the submitted one never
    assert "Submitted only" not in str(mine)


def test_returns_filter_by_plan_and_period(call, world, alice):
    secret = token_for(alice)
    url = reverse("api:return-list")
    assert [r["period"] for r in call(f"{url}?period={world['q2'].slug}", secret).json()["results"]] == ["2013-q2"]
    assert call(f"{url}?plan={world['plan'].slug}", secret).json()["count"] == 2
    assert call(f"{url}?plan=secret-draft", secret).json()["count"] == 0
    refused = call(f"{url}?period=2013-q2")  # not locked: the public may not filter by it
    assert refused.status_code == 404 and "2013-q2" in refused.json()["detail"]
    assert call(f"{url}?period=nonsense").status_code == 404


def test_scorecards_for_the_public_only_in_locked_quarters(call, world, alice):
    plan, q1, q2 = world["plan"].slug, world["q1"].slug, world["q2"].slug
    listed = call(reverse("api:scorecard-list")).json()["results"]
    assert [(s["plan"], s["period"], s["locked"]) for s in listed] == [(plan, q1, True)]
    card = call(reverse("api:scorecard-detail", args=[plan, q1])).json()
    assert card["frozen"] is True and card["period"]["slug"] == q1 and card["reported"] == 2
    assert call(reverse("api:scorecard-detail", args=[plan, q2])).status_code == 404
    secret = token_for(alice)
    mine = call(f"{reverse('api:scorecard-list')}?plan={plan}", secret).json()["results"]
    assert [s["period"] for s in mine] == [q1, q2, "2013-q3", "2013-q4"]  # any quarter, locked or not
    live = call(reverse("api:scorecard-detail", args=[plan, q2]), secret).json()
    assert live["frozen"] is False and live["rag_counts"]


def test_pages_of_a_list_and_their_limit(call, world, alice):
    plan = world["plan"]
    url = reverse("api:item-list", args=[plan.slug])
    first = call(f"{url}?page_size=2").json()
    assert first["count"] == 5 and len(first["results"]) == 2 and first["previous"] is None
    second = call(first["next"].replace("http://testserver", "")).json()
    assert [item["reference"] for item in second["results"]] == ["1.1", "1.1.1"]
    assert call(f"{url}?page=99").status_code == 404
    assert call(f"{url}?page_size=100000").json()["count"] == 5  # capped at 2,000 a page, not refused


def test_as_of_reads_the_plan_and_its_items_as_they_stood(call, world, alice):
    plan = world["plan"]
    before = timezone.now()
    add_item(plan, world["priority"], "action", title="Added later", user=alice)
    now = call(reverse("api:item-list", args=[plan.slug])).json()
    assert now["count"] == 6
    url = reverse("api:item-list", args=[plan.slug])
    then = call(f"{url}?as_of={before.isoformat().replace('+', '%2B')}").json()
    assert then["count"] == 5 and "Added later" not in str(then)
    assert [item["reference"] for item in then["results"]] == ["", "1", "1.1", "1.1.1", "1.1.2"]
    assert then["results"][3]["measure"]["indicator"] == {"code": "good-schools", "name": "Good schools"}
    assert then["results"][2]["lead_officer"] == world["action"].lead_officer.get_full_name()
    detail = call(f"{reverse('api:plan-detail', args=[plan.slug])}?as_of={before.isoformat().replace('+', '%2B')}")
    assert detail.json()["item_count"] == 5 and detail.json()["as_of"]
    assert call(f"{url}?as_of=2001-01-01").status_code == 404  # before the plan existed
    bad = call(f"{url}?as_of=yesterday")
    assert bad.status_code == 400 and "as_of" in bad.json()


def test_an_edition_points_at_its_items_then(call, world):
    edition = call(reverse("api:edition-list", args=[world["plan"].slug])).json()["results"][0]
    assert edition["name"] == "As approved"
    items = call(edition["items_url"])
    assert items.status_code == 200 and items.json()["count"] == 5


def test_etag_answers_not_modified_until_something_changes(call, world, alice):
    url = reverse("api:item-list", args=[world["plan"].slug])
    first = call(url)
    assert first["ETag"]
    again = call(url, **{"If-None-Match": first["ETag"]})
    assert again.status_code == 304 and again.content == b""
    weak = call(url, **{"If-None-Match": f"W/{first['ETag']}"})
    assert weak.status_code == 304
    add_item(world["plan"], world["priority"], "action", title="New", user=alice)
    assert call(url, **{"If-None-Match": first["ETag"]}).status_code == 200


def test_the_etag_depends_on_who_asks(call, world, alice):
    url = reverse("api:plan-list")
    public = call(url)["ETag"]
    secret = token_for(alice)
    mine = call(url, secret)["ETag"]
    assert public != mine
    assert call(url, secret, **{"If-None-Match": public}).status_code == 200


def test_cache_control_is_public_for_anonymous_and_private_for_a_token(call, world, alice):
    url = reverse("api:plan-list")
    anonymous = call(url)
    assert "public" in anonymous["Cache-Control"] and "max-age=300" in anonymous["Cache-Control"]
    assert "Authorization" in anonymous["Vary"]
    assert not anonymous.cookies
    mine = call(url, token_for(alice))
    assert "private" in mine["Cache-Control"] and "public" not in mine["Cache-Control"]


def test_head_is_answered_and_writes_are_refused(client, world):
    url = reverse("api:plan-list")
    assert client.head(url).status_code == 200
    for method in ("post", "put", "patch", "delete"):
        assert getattr(client, method)(url).status_code == 405


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ("Bearer not-a-token", "not recognised"),
        ("Basic YWxpY2U6c2VjcmV0", "must be"),
        ("Bearer", "must be"),
    ],
)
def test_a_bad_authorization_header_is_refused_never_anonymous(client, world, header, message):
    response = client.get(reverse("api:plan-list"), headers={"Authorization": header})
    assert response.status_code == 401
    assert message in response.json()["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_expired_revoked_and_inactive_tokens_are_refused(client, world, alice, bob):
    from api import services as api_services

    url = reverse("api:plan-list")
    expired = token_for(bob, name="Old")
    ApiToken.objects.filter(person=bob).update(  # made long ago, expired a second ago
        created_at=timezone.now() - timedelta(days=9), expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.get(url, headers=bearer(expired))
    assert response.status_code == 401 and "expired" in response.json()["detail"]
    revoked = token_for(alice, name="Gone")
    api_services.token_revoke(token=ApiToken.objects.get(person=alice, name="Gone"), user=alice)
    response = client.get(url, headers=bearer(revoked))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    working = token_for(alice, name="Working")
    assert client.get(url, headers=bearer(working)).status_code == 200
    alice.is_active = False
    alice.save()
    response = client.get(url, headers=bearer(working))
    assert response.status_code == 401 and "no longer active" in response.json()["detail"]


def test_a_signed_in_session_is_not_accepted_the_browser_reads_as_the_public(client, world, alice):
    client.force_login(alice)
    slugs = [plan["slug"] for plan in client.get(reverse("api:plan-list")).json()["results"]]
    assert slugs == [world["plan"].slug]
    assert client.get(reverse("api:plan-detail", args=["secret-draft"])).status_code == 404


def test_a_token_records_when_it_was_last_used(client, world, alice):
    secret = token_for(alice)
    assert ApiToken.objects.get(person=alice).last_used_at is None
    client.get(reverse("api:plan-list"), headers=bearer(secret))
    token = ApiToken.objects.get(person=alice)
    assert token.last_used_at is not None
    assert token.history.count() == 1  # the use is not a change with history


def test_a_token_shows_no_more_than_its_person_reads_in_the_app(call, world, pat):
    """pat (a partner at the college) reads no plan in the app: the public's view, no more."""
    secret = token_for(pat)
    assert [p["slug"] for p in call(reverse("api:plan-list"), secret).json()["results"]] == [world["plan"].slug]
    assert call(reverse("api:plan-detail", args=["secret-draft"]), secret).status_code == 404
    assert call(reverse("api:return-list"), secret).json()["count"] == 1  # q1's, public: q2's is not


def test_the_api_page_describes_it_and_links_the_schema(client, db):
    response = client.get(reverse("api:docs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert reverse("api:schema") in page and "Bearer" in page
    assert "cdn" not in page.lower() and "swagger" not in page.lower()  # no script from elsewhere (CSP)
    assert not response.cookies
