"""Cross-cutting themes (issue 17, decision 0025): administrators define them in the app,
whoever may change an item's plan tags it, and every theme has a page that rolls up what is
tagged like a priority (monitoring.thread_rollup, started from the tagged items)."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from config.history import change_context
from monitoring import services as monitoring
from monitoring import thread_rollup
from planning import definitions
from planning import services as planning
from planning.models import ItemTheme, Link, Plan, Theme
from tests.factories import add_item, make_plan, make_return, vision_of
from tests.monitoring.conftest import make_monitored

# session, user, theme, the tagged items, the links, the contributors, their plans, the quarters,
# the quarter's returns, the plans' shapes (references)
THEME_PAGE_QUERIES = 10


def theme(name="Narrowing the gap", **fields) -> Theme:
    return definitions.theme_save(theme=Theme(), user=None, fields={"name": name, **fields})


def set_status(plan, status):
    plan.status = status
    plan.save()


def tag(item, *themes, user=None):
    return definitions.item_themes_set(item_id=item.pk, themes=themes, user=user)


# --- defining themes: administrators ----------------------------------------------------------


def test_an_admin_defines_a_theme_and_the_history_says_who(client, ada):
    client.force_login(ada)
    response = client.post(
        reverse("planning:theme-create"), {"name": "Welsh language", "description": "Services in **Welsh**."}
    )
    assert response.status_code == 302 and response["Location"] == reverse("planning:theme-list")
    made = Theme.objects.get()
    assert (made.name, made.slug) == ("Welsh language", "welsh-language")
    [row] = made.history.all()
    assert (row.history_user, row.history_change_reason) == (ada, "Theme defined")


@pytest.mark.parametrize("persona", ["alice", "bob", "pat", "mel"])
def test_nobody_but_an_admin_may_define_or_edit_a_theme(db, client, request, persona):
    existing = theme()
    client.force_login(request.getfixturevalue(persona))
    assert client.get(reverse("planning:theme-create")).status_code == 403
    assert client.post(reverse("planning:theme-create"), {"name": "Mine"}).status_code == 403
    edit = reverse("planning:theme-edit", args=[existing.slug])
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"name": "Renamed", "version": 1}).status_code == 403
    assert list(Theme.objects.values_list("name", flat=True)) == ["Narrowing the gap"]


def test_signing_in_comes_first(client):
    response = client.get(reverse("planning:theme-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_name_missing_or_taken_is_refused_beside_the_field(client, ada):
    theme()
    client.force_login(ada)
    for name, message in (("", "This field is required."), ("Narrowing the gap", "already exists")):
        page = client.post(reverse("planning:theme-create"), {"name": name})
        assert page.status_code == 200
        html = page.content.decode()
        assert 'id="id_name-error"' in html and message in html
    assert Theme.objects.count() == 1


def test_renaming_keeps_the_address_and_a_stale_edit_is_a_conflict(client, ada):
    existing = theme()
    client.force_login(ada)
    edit = reverse("planning:theme-edit", args=[existing.slug])
    assert client.post(edit, {"name": "Closing the gap", "version": 1}).status_code == 302
    existing.refresh_from_db()
    assert (existing.name, existing.slug, existing.version) == ("Closing the gap", "narrowing-the-gap", 2)
    assert client.post(edit, {"name": "Stale", "version": 1}).status_code == 409
    existing.refresh_from_db()
    assert existing.name == "Closing the gap"


def test_a_second_theme_of_the_same_slug_gets_its_own_and_new_is_never_one(db):
    assert theme("New").slug == "new-2"
    assert theme("Gap!").slug == "gap" and theme("Gap?").slug == "gap-2"


@pytest.mark.parametrize(("persona", "defines"), [("bob", False), ("pat", False), ("mel", False), ("ada", True)])
def test_everyone_signed_in_reads_the_list_and_only_admins_are_offered_to_define(db, client, request, persona, defines):
    theme(description="Pupils on free school meals")
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("planning:theme-list"))
    html = page.content.decode()
    assert page.status_code == 200 and "Narrowing the gap" in html and "free school meals" in html
    assert (reverse("planning:theme-create") in html) is defines


# --- tagging: whoever may change the item's plan ----------------------------------------------


@pytest.fixture
def action(plan, alice):
    return add_item(plan, add_item(plan, vision_of(plan), "priority", title="Raise attainment"), "action")


@pytest.mark.parametrize("persona", ["alice", "bob", "ada"])
def test_those_who_may_change_the_plan_tag_an_item_with_history(client, request, action, plan, persona):
    gap, welsh = theme(), theme("Welsh language")
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("planning:item-themes", args=[plan.slug, action.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"themes": [gap.pk, welsh.pk], "reason": "Agreed at the board"})
    assert response.status_code == 302 and response["Location"] == action.get_absolute_url()
    assert set(ItemTheme.objects.filter(item=action).values_list("theme__name", flat=True)) == {
        "Narrowing the gap",
        "Welsh language",
    }
    rows = ItemTheme.history.filter(item_id=action.pk)
    assert {(r.history_type, r.history_user, r.history_change_reason) for r in rows} == {
        ("+", user, "Agreed at the board")
    }
    client.post(url, {"themes": [welsh.pk]})  # untagged: the history says which, without a reason given
    removed = ItemTheme.history.get(item_id=action.pk, history_type="-")
    assert (removed.theme_id, removed.history_change_reason) == (gap.pk, "Themes: untagged “Narrowing the gap”")


@pytest.mark.parametrize(("persona", "status", "plan_status"), [("carol", 403, "draft"), ("mel", 403, "approved"),
                                                                 ("pat", 404, "draft"), ("mel", 404, "draft")])  # fmt: skip
def test_others_may_not_tag(client, request, action, plan, persona, status, plan_status):
    gap = theme()
    set_status(plan, plan_status)
    client.force_login(request.getfixturevalue(persona))
    url = reverse("planning:item-themes", args=[plan.slug, action.pk])
    assert client.get(url).status_code == status
    assert client.post(url, {"themes": [gap.pk]}).status_code == status
    assert not ItemTheme.objects.exists()


def test_the_service_refuses_whoever_may_not_change_the_plan(action, carol):
    with pytest.raises(PermissionDenied):
        tag(action, theme(), user=carol)
    assert not ItemTheme.objects.exists()


def test_a_theme_that_is_not_there_is_refused_beside_the_field(client, alice, action, plan):
    theme()
    client.force_login(alice)
    page = client.post(reverse("planning:item-themes", args=[plan.slug, action.pk]), {"themes": ["99999"]})
    assert page.status_code == 200 and 'id="id_themes-error"' in page.content.decode()


def test_an_approved_plan_is_tagged_without_a_reason_and_the_history_names_the_theme(action, plan, alice):
    set_status(plan, Plan.Status.APPROVED)
    tag(action, theme(), user=alice)
    row = ItemTheme.history.get(item_id=action.pk)
    assert row.history_change_reason == "Themes: tagged “Narrowing the gap”"


def test_the_item_page_shows_its_themes_as_links_and_offers_tagging_to_editors(client, alice, carol, action, plan):
    gap = theme()
    tag(action, gap)
    client.force_login(alice)
    html = client.get(action.get_absolute_url()).content.decode()
    assert f'href="{gap.get_absolute_url()}">Narrowing the gap</a>' in html
    assert reverse("planning:item-themes", args=[plan.slug, action.pk]) in html
    client.force_login(carol)
    html = client.get(action.get_absolute_url()).content.decode()
    assert "Narrowing the gap" in html and reverse("planning:item-themes", args=[plan.slug, action.pk]) not in html


# --- a theme's page: rolled up like a priority -------------------------------------------------


@pytest.fixture
def periods(db):
    return monitoring.financial_year_create(start_year=2013, user=None)


@pytest.fixture
def reported(plan, bob, college, pat, periods):
    """alice's plan approved with a priority, an action (Q2: red) and a target (Q2: green, 76)."""
    monitored = make_monitored(plan, bob, college)
    make_return(monitored.action, periods[1], bob, {"rag": "red", "narrative": "Late"}, submit=True)
    make_return(monitored.target, periods[1], pat, {"rag": "green", "narrative": "Up", "actual_value": 76}, submit=True)
    return monitored


@pytest.fixture
def themed(reported, director, carol, periods):
    """ "Narrowing the gap" tags alice's reported action (£1,000; Q2 red) and its priority,
    so the action is reached by two routes; a corporate priority with a £300 action (green in
    Q2) linking to it; a draft plan's tagged action (not counted); a £50 action tagged in an
    approved plan that pat may not read."""
    gap = theme()
    plan = reported
    plan.action = planning.item_update(
        item_id=plan.action.pk, user=None, change=planning.ItemChange({"cost_amount": 1000, "cost_type": "revenue"}),
        expected_version=plan.action.version, reason="Costed",
    )  # fmt: skip
    tag(plan.action, gap)
    tag(plan.priority, gap)
    corporate = make_plan(owner=director, title="Corporate Plan", slug="corporate", status=Plan.Status.APPROVED)
    aim = add_item(corporate, vision_of(corporate), "priority", title="Children do well")
    tag(aim, gap)
    feeder = add_item(corporate, vision_of(corporate), "priority", title="Feeder")
    linked = add_item(corporate, feeder, "action", title="Tutoring", cost_amount=300, cost_type="revenue")
    planning.link_add(source_id=linked.pk, target_id=aim.pk, relation=Link.Relation.CONTRIBUTES_TO, user=None)
    make_return(linked, periods[1], director, {"rag": "green", "narrative": "Fine"}, submit=True)
    draft = make_plan(owner=carol, title="Draft Plan", slug="draft")
    tag(add_item(draft, vision_of(draft), "priority", title="Not yet"), gap)
    return {"theme": gap, "plan": plan, "aim": aim, "linked": linked, "corporate": corporate}


def test_a_theme_rolls_up_what_is_tagged_and_what_contributes_to_it(themed, mel, periods):
    rollup = thread_rollup.theme_contributions(themed["theme"], mel)
    titles = {c.title for _, contributors in rollup.opened for c in contributors}
    plan = themed["plan"]
    assert titles == {"Raise attainment", plan.action.title, plan.target.title, "Children do well", "Tutoring"}
    assert "Not yet" not in titles  # a draft's items are not a commitment yet
    assert rollup.period == periods[1]
    counts = {row["rag"]: row["count"] for row in rollup.counts}
    assert counts["red"] == 1 and counts["green"] == 2 and rollup.combined == "red"  # never hides a red
    action = next(c for _, cs in rollup.opened for c in cs if c.pk == plan.action.pk)
    assert action.routes == 2 and rollup.total_cost == Decimal(1300)  # tagged twice over, counted once
    assert [row["title"] for row in rollup.targets] == [plan.target.title]
    assert rollup.targets[0]["derived"]  # its status is derived from the actual and the trajectory


def test_the_theme_page_links_to_each_contributor_and_says_the_rule(client, themed, mel):
    client.force_login(mel)
    html = client.get(themed["theme"].get_absolute_url()).content.decode()
    plan = themed["plan"]
    for item in (plan.action, themed["linked"], themed["aim"]):
        assert f'href="{reverse("planning:item-detail", args=[item.plan.slug, item.pk])}"' in html
    assert "How the ratings are combined" in html and "£1,300" in html and "Tagged" in html


def test_contributions_in_plans_the_reader_may_not_read_are_counted_not_shown(client, themed, pat):
    """pat reads alice's plan (shared with the college), not the corporate plan."""
    with change_context(reason="Shared"):
        planning.plan_share_set(plan=themed["plan"], organisations=[pat.organisation])
    rollup = thread_rollup.theme_contributions(themed["theme"], pat)
    assert rollup.hidden == 2  # "Children do well" and the action linked to it, not the rest of the corporate plan
    assert "Corporate Plan" not in {owner.title for owner, _ in rollup.opened}
    assert rollup.total_cost == Decimal(1000)
    client.force_login(pat)
    html = client.get(themed["theme"].get_absolute_url()).content.decode()
    assert "Tutoring" not in html and "2 more contribute from plans you cannot read" in html


def test_a_theme_nothing_is_tagged_with_says_so(client, mel):
    empty = theme("Welsh language")
    client.force_login(mel)
    page = client.get(empty.get_absolute_url())
    assert page.status_code == 200 and "Nothing in an approved plan you can read is tagged" in page.content.decode()


def test_a_theme_that_is_not_there_is_404(client, mel):
    client.force_login(mel)
    assert client.get(reverse("monitoring:theme-detail", args=["no-such-theme"])).status_code == 404


def test_the_theme_page_reads_the_same_number_of_queries_on_a_larger_council(client, themed, mel, director):
    client.force_login(mel)
    url = themed["theme"].get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for n in range(4):  # four more approved plans, each with tagged and linked items
        more = make_plan(owner=director, title=f"More {n}", slug=f"more-{n}", status=Plan.Status.APPROVED)
        priority = add_item(more, vision_of(more), "priority")
        tag(priority, themed["theme"])
        for _ in range(3):
            action = add_item(more, priority, "action", cost_amount=10, cost_type="revenue")
            add_item(more, action, "target")
            planning.link_add(
                source_id=action.pk, target_id=themed["aim"].pk, relation=Link.Relation.CONTRIBUTES_TO, user=None
            )
    with CaptureQueriesContext(connection) as large:
        page = client.get(url)
    assert page.status_code == 200 and "More 3" in page.content.decode()
    assert len(small) == len(large) == THEME_PAGE_QUERIES
