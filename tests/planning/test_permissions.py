"""Who may read and change a plan, through every plan URL, both ways: allowed and refused.

Out-of-scope plans are 404, forbidden actions on visible plans are 403, anonymous
visitors are sent to sign in. The table is the specification.
"""

import pytest
from django.urls import reverse

from planning.models import Plan, PlanShare
from tests.factories import add_item, vision_of

READ = "read"
CHANGE = "change"

# url name -> (needs change permission, args builder)
URLS = {
    "planning:plan-detail": (READ, lambda p, i: [p.slug]),
    "planning:plan-history": (READ, lambda p, i: [p.slug]),
    "planning:item-detail": (READ, lambda p, i: [p.slug, i.pk]),
    "planning:item-history": (READ, lambda p, i: [p.slug, i.pk]),
    "planning:plan-edit": (CHANGE, lambda p, i: [p.slug]),
    "planning:item-add": (CHANGE, lambda p, i: [p.slug, i.pk, "action"]),
    "planning:item-edit": (CHANGE, lambda p, i: [p.slug, i.pk]),
    "planning:item-move": (CHANGE, lambda p, i: [p.slug, i.pk]),
    "planning:item-delete": (CHANGE, lambda p, i: [p.slug, i.pk]),
    "planning:plan-editions": (READ, lambda p, i: [p.slug]),
    "planning:plan-as-of": (READ, lambda p, i: [p.slug]),
    "planning:plan-compare": (READ, lambda p, i: [p.slug]),
    "planning:plan-summary": (READ, lambda p, i: [p.slug]),
    "planning:plan-alignment": (READ, lambda p, i: [p.slug]),
    "planning:plan-duplicates": (READ, lambda p, i: [p.slug]),
    "planning:link-add": (CHANGE, lambda p, i: [p.slug, i.pk]),
    "planning:item-permalink": (READ, lambda p, i: [i.pk]),
    "planning:plan-permalink": (READ, lambda p, i: [p.pk]),
    "planning:plan-status": (READ, lambda p, i: [p.slug]),
    "planning:plan-comments": (READ, lambda p, i: [p.slug]),
    "planning:consultation-summary": (READ, lambda p, i: [p.slug]),
}
REDIRECTS_WHEN_ALLOWED = {"planning:item-permalink", "planning:plan-permalink"}

# persona -> (status for READ urls, status for CHANGE urls), on a draft plan
DRAFT = {
    "anonymous": (302, 302),
    "alice": (200, 200),  # plan owner
    "bob": (200, 200),  # officer in the owning service
    "director": (200, 200),  # officer in the directorate above the owning service
    "carol": (200, 403),  # officer in another service
    "pat": (404, 404),  # partner, plan not shared with their organisation
    "mel": (404, 404),  # elected member: drafts are not theirs to read
    "ada": (200, 200),  # administrator
}
# differences once the plan is approved and shared with pat's college
APPROVED_AND_SHARED = {**DRAFT, "pat": (200, 403), "mel": (200, 403)}


@pytest.fixture
def people(alice, bob, director, carol, pat, mel, ada):
    return {p.username: p for p in (alice, bob, director, carol, pat, mel, ada)} | {"dan": director}


def _persona_client(client, people, persona):
    if persona != "anonymous":
        client.force_login(people["dan" if persona == "director" else persona])
    return client


def _check(client, plan, item, persona, expected):
    read_status, change_status = expected[persona]
    for name, (need, args) in URLS.items():
        url = reverse(name, args=args(plan, item))
        response = client.get(url)
        wanted = read_status if need == READ else change_status
        if wanted == 200 and name in REDIRECTS_WHEN_ALLOWED:
            wanted = 302
        assert response.status_code == wanted, f"{persona} GET {name}: {response.status_code}, expected {wanted}"
        if persona == "anonymous":
            assert response["Location"].startswith(reverse("login"))
        elif wanted == 302:
            assert response["Location"].startswith(plan.get_absolute_url())


@pytest.mark.parametrize("persona", list(DRAFT))
def test_draft_plan_access(client, people, plan, persona):
    item = add_item(plan, vision_of(plan), "priority")
    _check(_persona_client(client, people, persona), plan, item, persona, DRAFT)


@pytest.mark.parametrize("persona", list(APPROVED_AND_SHARED))
def test_approved_shared_plan_access(client, people, plan, college, persona):
    plan.status = Plan.Status.APPROVED
    plan.save()
    PlanShare.objects.create(plan=plan, organisation=college)
    item = add_item(plan, vision_of(plan), "priority")
    _check(_persona_client(client, people, persona), plan, item, persona, APPROVED_AND_SHARED)


@pytest.mark.parametrize(
    ("persona", "status", "changed"),
    [("bob", 302, True), ("carol", 403, False), ("pat", 404, False), ("mel", 404, False), ("anonymous", 302, False)],
)
def test_posting_an_edit_is_allowed_or_refused(client, people, plan, persona, status, changed):
    item = add_item(plan, vision_of(plan), "priority", title="Before")
    client = _persona_client(client, people, persona)
    response = client.post(
        reverse("planning:item-edit", args=[plan.slug, item.pk]),
        {"title": "After", "status": "not_started", "version": 1},
    )
    assert response.status_code == status
    item.refresh_from_db()
    assert (item.title == "After") is changed


@pytest.mark.parametrize(("persona", "can_create"), [("bob", True), ("ada", True), ("pat", False), ("mel", False)])
def test_who_may_create_a_plan(client, people, persona, can_create):
    client = _persona_client(client, people, persona)
    assert client.get(reverse("planning:plan-create")).status_code == (200 if can_create else 403)


def test_the_plan_list_shows_only_what_each_person_may_read(client, people, plan, college, alice):
    shared = Plan.objects.get(pk=plan.pk)
    client.force_login(people["pat"])
    assert plan.title not in client.get(reverse("planning:plan-list")).content.decode()
    PlanShare.objects.create(plan=shared, organisation=college)
    assert plan.title in client.get(reverse("planning:plan-list")).content.decode()
    client.force_login(people["mel"])
    assert plan.title not in client.get(reverse("planning:plan-list")).content.decode()


def test_every_planning_url_has_a_row_in_this_table():
    from planning.urls import urlpatterns

    covered_elsewhere = {
        "planning:plan-list",  # tested just above
        "planning:plan-create",  # tested just above
        "planning:link-delete",  # POST only: tests/planning/test_links.py
        # an action's budget profile: every persona in tests/test_permission_matrix.py, both ways
        # in tests/planning/test_budget_profiles.py (this table's item is a priority)
        "planning:budget-line-add",
        "planning:budget-line-delete",
        "planning:plan-map",  # every reader, filtered: tests/planning/test_overview.py
        "planning:search",  # every reader, filtered: tests/planning/test_search.py
        "planning:council-alignment",  # every reader, filtered: tests/planning/test_alignment.py
        "planning:council-duplicates",  # every reader, filtered: tests/planning/test_evidence.py
        # the lifecycle and consultation URLs: every persona and plan state in tests/test_permission_matrix.py
        "planning:plan-approve",
        "planning:plan-status-set",
        "planning:plan-revise",
        "planning:plan-publish",
        "planning:plan-withdraw",
        "planning:consultation-open",
        "planning:partner-home",
        "planning:item-comment",
        "planning:comment-respond",
        # writing together (issue 15): every persona and plan state in tests/test_permission_matrix.py
        "planning:plan-drafting",
        "planning:drafting-group-create",
        "planning:drafting-group",
        "planning:drafting-member-remove",
        "planning:drafting-group-delete",
        "planning:sign-off",
        "planning:partner-invite",
        "planning:sign-off-withdraw",
        # suggested changes: the matrix, and both ways in tests/planning/test_suggestions.py
        "planning:item-suggest",
        "planning:item-suggest-new",
        "planning:suggestion-accept",
        "planning:suggestion-decline",
        # importing plans (issue 16): admins only, in the matrix and tests/planning/test_browser_import.py
        "planning:import-upload",
        "planning:import-preview",
        # themes and indicators (issue 17): the matrix, and both ways for every persona in
        # tests/planning/test_themes.py and tests/planning/test_indicators.py
        "planning:theme-list",
        "planning:theme-create",
        "planning:theme-edit",
        "planning:item-themes",
        "planning:indicator-list",
        "planning:indicator-create",
        "planning:indicator-edit",
        # evidence in the plan (issue 18): the matrix, and both ways in tests/planning/test_evidence.py
        "planning:needs-assessment",
        "planning:evidence-source-add",
        "planning:finding-add",
        "planning:finding-edit",
        "planning:priority-findings",
        "planning:item-merge",
        "planning:plan-merge",
        # self-evaluation and equality impact (issue 18): the matrix, and both ways in
        # tests/planning/test_self_evaluation.py and tests/planning/test_equality_impact.py
        "planning:item-self-evaluation",
        "planning:plan-equality",
        "planning:plan-equality-edit",
    }
    names = {f"planning:{pattern.name}" for pattern in urlpatterns}
    assert names - set(URLS) - covered_elsewhere == set()
