"""The public plan pages (issue 16): the outline, the item pages and their thread, the plan's
place among plans, the summary, the editions, the downloads, robots.txt and the sitemap.

Anyone may read a published plan; nothing of a plan that is not published shows, not even
its title, though a link into one shows that it exists (decision 0016)."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle, services
from planning.models import Plan
from tests.factories import add_item, make_plan, vision_of

HIDDEN_TITLE = "Quiet Youth Plan"
HIDDEN_ITEM = "Secret youth action"
OFFICER = "Bob Officer"


def _approve(plan, user, publish=True):
    lifecycle.plan_approve(plan=plan, user=user, approved_by="Cabinet", approved_on=timezone.localdate())
    if publish:
        lifecycle.plan_publish(plan=plan, user=user)
    plan.refresh_from_db()
    return plan


class Council:
    """A published corporate plan; beneath it a published service plan, an approved plan
    that is not published, and a draft. Items link across them."""

    def __init__(self, alice, bob, council, college):
        self.corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan")
        self.goal = add_item(self.corporate, vision_of(self.corporate), "priority", title="A thriving county")
        self.plan = make_plan(owner=alice, title="Service Plan", slug="service", parent=self.corporate)
        self.priority = add_item(self.plan, vision_of(self.plan), "priority", title="Good schools")
        self.action = add_item(
            self.plan,
            self.priority,
            "action",
            title="Train governors",
            lead_officer=bob,
            lead_organisation=college,
            cost_amount=1200,
            cost_type="revenue",
        )
        self.target = add_item(self.plan, self.action, "target", title="Governors trained", target_value=90)
        self.hidden = make_plan(owner=alice, title=HIDDEN_TITLE, slug="youth", parent=self.corporate)
        self.hidden_action = add_item(
            self.hidden,
            add_item(self.hidden, vision_of(self.hidden), "priority", title="Youth"),
            "action",
            title=HIDDEN_ITEM,
        )
        self.draft = make_plan(owner=alice, title="Draft plan", slug="draft", parent=self.corporate)
        services.link_add(source_id=self.action.pk, target_id=self.goal.pk, relation="contributes_to", user=alice)
        services.link_add(
            source_id=self.hidden_action.pk, target_id=self.action.pk, relation="contributes_to", user=alice
        )
        _approve(self.corporate, alice)
        _approve(self.plan, alice)
        _approve(self.hidden, alice, publish=False)


@pytest.fixture
def world(db, alice, bob, council, college):
    cache.clear()  # each process's cache outlives a test (the outline is cached)
    return Council(alice, bob, council, college)


def _page(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def _pages(world) -> dict[str, str]:
    slug = world.plan.slug
    edition = world.plan.editions.order_by("moment").last()
    return {
        "plan": reverse("public:plan-detail", args=[slug]),
        "priorities": reverse("public:plan-detail", args=[slug]) + "?show=priorities",
        "summary": reverse("public:plan-summary", args=[slug]),
        "item": reverse("public:item-detail", args=[slug, world.action.pk]),
        "editions": reverse("public:plan-editions", args=[slug]),
        "edition": reverse("public:edition-detail", args=[slug, edition.pk]),
        "csv": reverse("public:plan-download", args=[slug, "csv"]),
        "json": reverse("public:plan-download", args=[slug, "json"]),
    }


# --- who may read ------------------------------------------------------------------------


def test_anyone_reads_every_page_of_a_published_plan_with_no_cookie(client, world):
    for name, url in _pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, name
        assert not response.cookies, f"{name} set {list(response.cookies)}"
        assert "public" in response["Cache-Control"] and response["ETag"], name


def test_a_signed_in_reader_sees_the_same_page_not_kept(client, world, pat):
    anonymous = _page(client, _pages(world)["item"])
    client.force_login(pat)  # a partner who may not read the corporate plan in the app
    response = client.get(_pages(world)["item"])
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "A thriving county" in page and HIDDEN_ITEM not in page and HIDDEN_TITLE not in page
    assert anonymous.split("<main")[1].split("</main>")[0] == page.split("<main")[1].split("</main>")[0]


@pytest.mark.parametrize("state", ["unpublished", "withdrawn", "archived", "draft"])
def test_a_plan_that_is_not_public_is_404_on_every_page(client, world, alice, state):
    if state == "withdrawn":
        lifecycle.plan_withdraw(plan=world.plan, user=alice, reason="Replaced")
    elif state == "archived":
        lifecycle.plan_status_set(plan=world.plan, user=alice, status=Plan.Status.ARCHIVED, reason="Old")
    pages = _pages(world)
    if state in {"unpublished", "draft"}:
        target = world.hidden if state == "unpublished" else world.draft
        pages = {name: url.replace(f"/{world.plan.slug}/", f"/{target.slug}/") for name, url in pages.items()}
    for name, url in pages.items():
        assert client.get(url).status_code == 404, f"{state} {name}"
    permalink = world.action if state in {"withdrawn", "archived"} else world.hidden_action
    assert client.get(reverse("public:item-permalink", args=[permalink.pk])).status_code == 404


def test_an_item_of_another_plan_or_an_unknown_edition_is_404(client, world):
    slug = world.plan.slug
    assert client.get(reverse("public:item-detail", args=[slug, world.goal.pk])).status_code == 404
    assert client.get(reverse("public:item-detail", args=[slug, world.hidden_action.pk])).status_code == 404
    assert client.get(reverse("public:edition-detail", args=[slug, 999999])).status_code == 404
    assert client.get(reverse("public:plan-download", args=[slug, "xlsx"])).status_code == 404


def test_public_pages_answer_only_reads(client, world):
    for name, url in _pages(world).items():
        assert client.post(url).status_code == 405, name


# --- what they show ------------------------------------------------------------------------


def test_the_outline_links_to_public_pages_redacts_unpublished_ends_and_names_no_officer(client, world):
    page = _page(client, _pages(world)["plan"])
    slug = world.plan.slug
    assert f'href="/public/plans/{slug}/items/{world.action.pk}/"' in page
    assert f'href="/public/plans/{world.corporate.slug}/items/{world.goal.pk}/"' in page  # a published end
    assert "An item in a plan that is not published" in page
    assert HIDDEN_TITLE not in page and HIDDEN_ITEM not in page
    assert "/plans/service/items/" not in page.replace("/public/plans/service/items/", "")  # no app links
    assert "/edit/" not in page and "Move up" not in page and "csrfmiddlewaretoken" not in page
    assert OFFICER not in page and "Lead officer" not in page
    assert "Northmoor College" in page and "1.1" in page and "£1,200" in page and "Governors trained" in page


def test_the_level_choice_shows_priorities_only(client, world):
    page = _page(client, _pages(world)["priorities"])
    assert "Good schools" in page and "Train governors" not in page


def test_the_item_page_shows_the_thread_both_ways(client, world):
    page = _page(client, _pages(world)["item"])
    assert f'href="/public/plans/{world.corporate.slug}/items/{world.goal.pk}/"' in page  # contributes to
    assert "an item in a plan that is not published" in page  # what contributes to it, from the quiet plan
    assert HIDDEN_TITLE not in page and HIDDEN_ITEM not in page and OFFICER not in page
    assert "Northmoor College" in page  # the lead organisation is named
    assert f'href="/public/plans/service/items/{world.target.pk}/"' in page  # under it
    assert f'href="/public/plans/service/items/{world.priority.pk}/"' in page  # its breadcrumb
    # following the link from the published corporate plan back to this item
    goal = _page(client, reverse("public:item-detail", args=[world.corporate.slug, world.goal.pk]))
    assert f'href="/public/plans/service/items/{world.action.pk}/"' in goal


def test_the_thread_of_plans_names_public_plans_and_counts_the_others(client, world, alice):
    corporate = _page(client, reverse("public:plan-detail", args=[world.corporate.slug]))
    assert 'href="/public/plans/service/"' in corporate
    assert "2 plans that are not published" in corporate  # the quiet plan and the draft
    assert HIDDEN_TITLE not in corporate and "Draft plan" not in corporate
    service = _page(client, _pages(world)["plan"])
    assert 'href="/public/plans/council-plan/"' in service and "Delivers" in service
    lifecycle.plan_withdraw(plan=world.corporate, user=alice, reason="Being rewritten")
    service = _page(client, _pages(world)["plan"])
    assert "Council Plan" not in service and "A plan that is not published" in service


def test_the_summary_counts_and_links_to_public_items(client, world):
    page = _page(client, _pages(world)["summary"])
    assert f'href="/public/plans/service/items/{world.priority.pk}/"' in page
    assert "£1,200" in page and HIDDEN_TITLE not in page


def test_editions_list_approved_moments_and_show_the_plan_as_it_stood(client, world, alice):
    approved = world.plan.editions.get()
    lifecycle.plan_status_set(plan=world.plan, user=alice, status=Plan.Status.SUPERSEDED, reason="Next year")
    # a moment named while the plan was a draft is not public (the draft was never published)
    created = world.plan.history.earliest("history_date").history_date
    draft_moment = services.edition_create(plan=world.plan, name="First draft", user=alice, when=created)
    world.plan.refresh_from_db()
    services.plan_update(
        plan_id=world.plan.pk,
        user=alice,
        fields={"title": "Service Plan, renamed"},
        expected_version=world.plan.version,
        reason="Renamed",
    )
    pages = _pages(world)
    editions = _page(client, pages["editions"])
    assert approved.name in editions and "First draft" not in editions
    assert client.get(reverse("public:edition-detail", args=[world.plan.slug, draft_moment.pk])).status_code == 404
    past = _page(client, reverse("public:edition-detail", args=[world.plan.slug, approved.pk]))
    assert '<h1 class="govuk-heading-xl">Service Plan</h1>' in past and "Train governors" in past
    assert "An item in a plan that is not published" in past and HIDDEN_ITEM not in past and OFFICER not in past
    assert f'href="/public/plans/service/items/{world.action.pk}/"' in past
    assert f'href="/public/items/{world.goal.pk}/"' in past  # a link end: the public permalink
    assert client.get(f"/public/items/{world.goal.pk}/")["Location"] == (
        f"/public/plans/{world.corporate.slug}/items/{world.goal.pk}/"
    )


def test_the_csv_download_has_the_public_rows_only(client, world):
    response = client.get(_pages(world)["csv"])
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="service.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:4] == ["Reference", "Level", "Kind", "Title"] and "Lead officer" not in rows[0]
    by_title = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    action = by_title["Train governors"]
    assert action["Reference"] == "1.1" and action["Lead organisation"] == "Northmoor College"
    assert "Contributes to A thriving county (Council Plan)" in action["Links"]
    assert "An item in a plan that is not published" in action["Links"]
    assert HIDDEN_TITLE not in response.content.decode() and OFFICER not in response.content.decode()


def test_the_json_download_has_the_public_rows_only(client, world, settings):
    settings.SITE_URL = "https://plans.example.org"
    response = client.get(_pages(world)["json"], HTTP_HOST="testserver")
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == 'attachment; filename="service.json"'
    document = json.loads(response.content)
    assert document["plan"]["title"] == "Service Plan"
    assert document["plan"]["address"] == "https://plans.example.org/public/plans/service/"
    action = next(item for item in document["items"] if item["Title"] == "Train governors")
    assert action["Cost (£)"] == "1200.00" and "Lead officer" not in action
    assert any(not end["published"] and set(end) == {"relation", "published"} for end in action["Links"])
    assert any(end.get("plan") == "Council Plan" for end in action["Links"])
    assert HIDDEN_TITLE not in response.content.decode() and OFFICER not in response.content.decode()


def test_the_downloads_carry_the_welsh_where_the_council_writes_it(client, world, settings):
    for thing, welsh in ((world.action, "Hyfforddi llywodraethwyr"), (world.goal, "Sir ffyniannus"),
                         (world.plan, "Cynllun Gwasanaeth")):  # fmt: skip
        thing.title_cy = welsh
        thing.save()
    cache.clear()
    rows = list(csv.reader(io.StringIO(client.get(_pages(world)["csv"]).content.decode())))
    action = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}["Train governors"]
    assert (action["Title in Welsh"], action["Description in Welsh"]) == ("Hyfforddi llywodraethwyr", "")
    document = json.loads(client.get(_pages(world)["json"]).content)
    assert document["plan"]["title_cy"] == "Cynllun Gwasanaeth"
    item = next(item for item in document["items"] if item["Title"] == "Train governors")
    assert item["Title in Welsh"] == "Hyfforddi llywodraethwyr"
    assert {"item_cy": "Sir ffyniannus", "plan_cy": ""}.items() <= next(
        end for end in item["Links"] if end.get("plan") == "Council Plan").items()  # fmt: skip
    settings.WELSH_CONTENT = False  # a council that does not write Welsh: no Welsh columns
    cache.clear()
    assert "Title in Welsh" not in client.get(_pages(world)["csv"]).content.decode()
    assert "Title in Welsh" not in client.get(_pages(world)["json"]).content.decode()


# --- for search engines and caches -----------------------------------------------------------


def test_robots_txt_allows_the_public_pages_and_names_the_sitemap(client, world, settings):
    settings.SITE_URL = "https://plans.example.org"
    response = client.get("/robots.txt", HTTP_HOST="testserver")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    text = response.content.decode()
    assert "Allow: /public/" in text and "Disallow: /\n" in text
    assert "Sitemap: https://plans.example.org/sitemap.xml" in text
    assert not response.cookies


def test_the_sitemap_lists_published_pages_on_the_site_s_address(client, world, settings):
    settings.SITE_URL = "https://plans.example.org"
    response = client.get("/sitemap.xml", HTTP_HOST="testserver")
    assert response.status_code == 200 and not response.cookies
    text = response.content.decode()
    edition = world.plan.editions.get()
    for path in (
        "/public/",
        "/public/plans/service/",
        "/public/plans/council-plan/summary/",
        f"/public/plans/service/editions/{edition.pk}/",
    ):
        assert f"<loc>https://plans.example.org{path}</loc>" in text, path
    assert "testserver" not in text and "/youth/" not in text and "/draft/" not in text


def test_every_public_page_has_its_canonical_address(client, world, settings):
    settings.SITE_URL = "https://plans.example.org"
    for name in ("plan", "summary", "item", "editions", "edition"):
        url = _pages(world)[name]
        page = _page(client, url)
        assert f'<link rel="canonical" href="https://plans.example.org{url.split("?")[0]}">' in page, name


def test_an_unchanged_page_is_not_modified(client, world):
    for name in ("plan", "item", "csv"):
        first = client.get(_pages(world)[name])
        again = client.get(_pages(world)[name], headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304 and not again.content, name


def test_the_public_outline_is_one_cached_copy_for_everyone(client, world, pat):
    url = _pages(world)["plan"]
    first = _page(client, url)
    client.force_login(pat)
    with CaptureQueriesContext(connection) as captured:
        second = _page(client, url)
    assert first.split("<main")[1].split("</main>")[0] == second.split("<main")[1].split("</main>")[0]
    assert not any("planning_planitem" in query["sql"] and "lft" in query["sql"] for query in captured)


# --- query counts ------------------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_plan_and_item_pages_cost_the_same_queries_however_long_the_plan(client, world, alice, bob):
    counts = []
    for round_ in range(2):
        if round_:  # ten more priorities, each with an action led by bob and a target
            world.plan.status = Plan.Status.DRAFT
            world.plan.save()
            for n in range(10):
                priority = add_item(world.plan, vision_of(world.plan), "priority", title=f"More {n}")
                action = add_item(world.plan, priority, "action", title=f"Act {n}", lead_officer=bob)
                add_item(world.plan, action, "target", title=f"Target {n}")
            world.plan.status = Plan.Status.APPROVED
            world.plan.save()
        urls = _pages(world)
        counts.append(
            (
                _queries(client, urls["plan"]),  # built
                _queries(client, urls["plan"]),  # from the cache
                _queries(client, urls["item"]),
            )
        )
    assert counts[0] == counts[1] == EXPECTED_QUERIES


# plan page built, plan page cached, item page (anonymous reader)
EXPECTED_QUERIES = (9, 5, 8)
