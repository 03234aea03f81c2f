"""A plan's breadcrumbs and its "Delivers" line name the plans above it only to readers who
may read them (decision 0016; left open by decision 0009 for issue 16): a partner reading
the service plan shared with them sees that a plan is above it, not its title."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import services
from tests.factories import add_item, make_plan, vision_of

SECRET = "Confidential Corporate Plan"


def _plans(alice, college, council):
    corporate = make_plan(owner=alice, organisation=council, title=SECRET, slug="corporate")
    shared = make_plan(owner=alice, title="Shared Service Plan", slug="shared", parent=corporate)
    services.plan_share_set(plan=shared, organisations=[college])
    priority = add_item(shared, vision_of(shared), "priority", title="A shared priority")
    return corporate, shared, priority


def test_a_partner_sees_no_title_of_a_plan_above_that_they_may_not_read(client, alice, pat, college, council):
    corporate, shared, priority = _plans(alice, college, council)
    client.force_login(pat)
    for url in (
        shared.get_absolute_url(),
        reverse("planning:plan-summary", args=[shared.slug]),
        reverse("planning:item-detail", args=[shared.slug, priority.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.content.decode()
        assert SECRET not in page and corporate.get_absolute_url() not in page, url
        assert "A plan not shared with you" in page, url


def test_an_officer_who_reads_the_plan_above_sees_its_title(client, alice, bob, college, council):
    corporate, shared, priority = _plans(alice, college, council)
    client.force_login(bob)
    page = client.get(reverse("planning:item-detail", args=[shared.slug, priority.pk])).content.decode()
    assert SECRET in page and corporate.get_absolute_url() in page
    page = client.get(shared.get_absolute_url()).content.decode()
    assert page.count(SECRET) == 2  # the breadcrumb and "Delivers"


def test_the_plans_above_cost_no_query_of_their_own(client, alice, pat, college, council):
    """Whether the reader may read the plans above is asked in the query that fetches the
    plan: a plan with a parent costs a partner the same queries as one at the top."""
    corporate, shared, priority = _plans(alice, college, council)
    top = make_plan(owner=alice, title="A plan at the top", slug="top")
    services.plan_share_set(plan=top, organisations=[college])
    add_item(top, vision_of(top), "priority", title="A priority")
    client.force_login(pat)
    counts = []
    for plan in (shared, top):
        client.get(reverse("planning:plan-summary", args=[plan.slug]))  # the session's first request
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("planning:plan-summary", args=[plan.slug])).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
