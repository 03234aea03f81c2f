"""Each list endpoint reads in a fixed number of queries, whatever the number of rows it
returns: pinned for an anonymous caller and a token's, with a small plan and a larger one."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from monitoring import services as monitoring
from planning import services
from tests.api.conftest import bearer, token_for
from tests.factories import add_item, make_plan, vision_of

# endpoint -> queries (anonymous, token): the token's one more (the token) and, for the plans
# readable in the app, their subquery folded into the same statements
EXPECTED = {
    "plans": (5, 6),
    "items": (6, 7),
    "links": (6, 7),
    "editions": (4, 5),
    "periods": (3, 4),
    "returns": (4, 5),
    "scorecards": (3, 5),
}


def _grow(plan, alice, other, priorities: int, periods, start: int = 0) -> None:
    """Priorities with an action each (linked to another plan's item, with an accepted
    return per quarter) and a target each; an edition per priority."""
    goal = add_item(other, vision_of(other), "priority", title="Goal", user=alice)
    for n in range(start, start + priorities):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Priority {n}", user=alice)
        action = add_item(plan, priority, "action", title=f"Action {n}", lead_officer=alice, user=alice)
        add_item(plan, action, "target", title=f"Target {n}", user=alice)
        services.link_add(source_id=action.pk, target_id=goal.pk, relation="contributes_to", user=alice)
        services.edition_create(plan=plan, name=f"Edition {n}", user=alice)
        for period in periods[:2]:
            ret = monitoring.return_save(
                item=action,
                period=period,
                user=alice,
                fields={"rag": "green", "narrative": "Done"},
                expected_version=0,
                submit=True,
            )
            monitoring.return_accept(return_id=ret.pk, user=alice, expected_version=ret.version)


def _counts(client, plan, secret) -> dict[str, int]:
    addresses = {
        "plans": reverse("api:plan-list"),
        "items": reverse("api:item-list", args=[plan.slug]),
        "links": reverse("api:link-list", args=[plan.slug]),
        "editions": reverse("api:edition-list", args=[plan.slug]),
        "periods": reverse("api:period-list"),
        "returns": reverse("api:return-list"),
        "scorecards": reverse("api:scorecard-list"),
    }
    counts = {}
    for name, url in addresses.items():
        client.get(url, headers=bearer(secret))  # the token's first use is written down once
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers=bearer(secret))
        assert response.status_code == 200, name
        assert response.json()["count"] > 0, name
        counts[name] = len(queries)
    return counts


@pytest.mark.parametrize("who", ["anonymous", "token"])
def test_list_endpoints_read_in_a_fixed_number_of_queries(client, published, alice, who):
    other = make_plan(owner=alice, title="Other", slug="other")
    periods = monitoring.financial_year_create(start_year=2013, user=None)
    secret = token_for(alice) if who == "token" else None
    _grow(published, alice, other, 1, periods)
    monitoring.period_lock(period_id=periods[0].pk, user=None)
    small = _counts(client, published, secret)
    _grow(published, alice, other, 12, periods[1:], start=1)  # more rows of every kind (Q1 is locked)
    large = _counts(client, published, secret)
    column = 0 if who == "anonymous" else 1
    assert small == large, "the number of queries grew with the number of rows"
    assert large == {name: pinned[column] for name, pinned in EXPECTED.items()}
