"""The pages for writing together read in a fixed number of queries, whatever the number of
drafting groups, members, organisations and sign-offs (issue 15: query counts pinned)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from partners.models import Organisation, User
from planning import co_writing
from tests.factories import OrganisationFactory, UserFactory, add_item, make_partnership, make_plan, vision_of

pytestmark = pytest.mark.django_db

# page -> queries (session and user included), for the owner and for a partner's plan lead
PINNED = {"drafting": 10, "group": 6, "partnerships": 3}


def _world(size: int):
    council = OrganisationFactory(kind=Organisation.Kind.COUNCIL)
    owner = UserFactory(organisation=council)
    admin = UserFactory(organisation=council, role=User.Role.ADMIN)
    partners = [OrganisationFactory(kind=Organisation.Kind.HEALTH) for _ in range(size)]
    leads = {org: [UserFactory(organisation=org, role=User.Role.PARTNER)] for org in partners}
    board = make_partnership(f"Board {size}", {council: [owner], **leads})
    plan = make_plan(owner=owner, organisation=council, partnership=board)
    group = None
    for n in range(size):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Priority {n}")
        add_item(plan, priority, "action")
        group = co_writing.drafting_group_create(plan=plan, user=owner, name=f"Group {n}", item_id=priority.pk)
        for org in partners:
            co_writing.drafting_member_add(group=group, user=owner, email=leads[org][0].email)
    for org in partners[: size - 1]:
        co_writing.sign_off_give(plan=plan, user=leads[org][0])
    return plan, group, owner, leads[partners[-1]][0], admin


def _count(client, user, url) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("who", ["owner", "lead"])
def test_the_drafting_pages_read_the_same_queries_at_any_size(client, who):
    counts = []
    for size in (2, 6):
        plan, group, owner, lead, _ = _world(size)
        user = owner if who == "owner" else lead
        counts.append(
            {
                "drafting": _count(client, user, reverse("planning:plan-drafting", args=[plan.slug])),
                "group": _count(client, user, reverse("planning:drafting-group", args=[plan.slug, group.pk])),
            }
        )
    assert counts[0] == counts[1] == {"drafting": PINNED["drafting"], "group": PINNED["group"]}


def test_the_partnership_list_reads_the_same_queries_at_any_size(client):
    counts = []
    for size in (2, 6):
        *_, admin = _world(size)
        counts.append(_count(client, admin, reverse("partners:partnership-list")))
    assert counts[0] == counts[1] == PINNED["partnerships"], counts
