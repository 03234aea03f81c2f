"""The API serves both languages of a plan's content (docs/decisions/0033)."""

import pytest
from django.urls import reverse

from planning import services
from tests.factories import add_item, vision_of

pytestmark = pytest.mark.django_db


def test_plans_and_items_carry_their_welsh_beside_the_english(call, published, alice):
    services.plan_update(
        plan_id=published.pk,
        user=alice,
        fields={"title_cy": "Cynllun y Gwasanaeth", "summary_cy": "Crynodeb"},
        expected_version=published.version,
        reason="Welsh",
    )
    add_item(published, vision_of(published), "priority", title="Roads", title_cy="Ffyrdd", description_cy="Tyllau")
    plan = call(reverse("api:plan-detail", args=[published.slug])).json()
    assert (plan["title_cy"], plan["summary_cy"]) == ("Cynllun y Gwasanaeth", "Crynodeb")
    items = {item["title"]: item for item in call(reverse("api:item-list", args=[published.slug])).json()["results"]}
    assert (items["Roads"]["title_cy"], items["Roads"]["description_cy"]) == ("Ffyrdd", "Tyllau")
    assert items[vision_of(published).title]["title_cy"] == ""


def test_a_links_ends_carry_their_welsh_titles(call, published, alice):
    roads = add_item(published, vision_of(published), "priority", title="Roads", title_cy="Ffyrdd")
    paths = add_item(published, vision_of(published), "priority", title="Paths")
    services.link_add(source_id=paths.pk, target_id=roads.pk, relation="depends_on", user=alice)
    [link] = call(reverse("api:link-list", args=[published.slug])).json()["results"]
    assert (link["source"]["title"], link["source"]["title_cy"]) == ("Paths", "")
    assert (link["target"]["title"], link["target"]["title_cy"]) == ("Roads", "Ffyrdd")
