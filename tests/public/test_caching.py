"""Public pages for anonymous readers: cacheable, conditional, cookie-free; nothing that is
not published (issue 16)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle, services
from planning.models import Plan
from tests.factories import make_plan


@pytest.fixture
def published(plan, alice):
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    lifecycle.plan_publish(plan=plan, user=alice)
    plan.refresh_from_db()
    return plan


LIST = reverse("public:plan-list")


def test_an_anonymous_reader_gets_a_cacheable_page_with_no_cookie(client, published):
    response = client.get(LIST)
    assert response.status_code == 200
    assert published.title in response.content.decode()
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    assert not response.cookies, f"cookies set for an anonymous reader: {list(response.cookies)}"


def test_an_unchanged_page_is_not_modified_and_a_change_makes_it_fresh(client, published, alice):
    first = client.get(LIST)
    again = client.get(LIST, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    by_date = client.get(LIST, headers={"If-Modified-Since": first["Last-Modified"]})
    assert by_date.status_code == 304

    services.plan_update(
        plan_id=published.pk,
        user=alice,
        fields={"title": "Renamed plan"},
        expected_version=published.version,
        reason="Renamed",
    )
    changed = client.get(LIST, headers={"If-None-Match": first["ETag"]})
    assert changed.status_code == 200
    assert "Renamed plan" in changed.content.decode() and changed["ETag"] != first["ETag"]


def test_a_signed_in_reader_sees_the_page_but_it_is_not_kept(client, published, bob):
    client.force_login(bob)
    response = client.get(LIST)
    assert response.status_code == 200 and published.title in response.content.decode()
    assert "no-store" in response["Cache-Control"] and "ETag" not in response


def test_nothing_unpublished_is_listed_or_readable(client, published, alice):
    draft = make_plan(owner=alice, organisation=published.organisation, title="Secret draft", slug="secret")
    approved_only = make_plan(owner=alice, organisation=published.organisation, title="Not published", slug="quiet")
    lifecycle.plan_approve(plan=approved_only, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    page = client.get(LIST).content.decode()
    assert "Secret draft" not in page and "Not published" not in page
    for slug in (draft.slug, approved_only.slug, "no-such-plan"):
        assert client.get(reverse("public:plan-detail", args=[slug])).status_code == 404
    assert client.get(reverse("public:plan-detail", args=[published.slug])).status_code == 200


def test_withdrawing_takes_the_plan_off_at_once(client, published, alice):
    assert client.get(reverse("public:plan-detail", args=[published.slug])).status_code == 200
    lifecycle.plan_withdraw(plan=published, user=alice, reason="Replaced")
    assert client.get(reverse("public:plan-detail", args=[published.slug])).status_code == 404
    assert published.title not in client.get(LIST).content.decode()


def test_the_canonical_address_is_the_site_s_not_the_request_s(client, published, settings):
    settings.SITE_URL = "https://plans.example.org"
    page = client.get(reverse("public:plan-detail", args=[published.slug]), HTTP_HOST="testserver").content.decode()
    assert f'<link rel="canonical" href="https://plans.example.org/public/plans/{published.slug}/">' in page


def test_a_public_page_answers_only_reads(client, published):
    assert client.post(LIST).status_code == 405
    assert Plan.objects.public().count() == 1
