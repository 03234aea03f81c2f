"""The demo's corporate plan in Welsh as well as English (issue 18, decision 0033): every
item has its Welsh title, each change kept with who and why; the other plans are in
English only; a Welsh reader's search finds the Welsh."""

import pytest
from django.utils import translation

from config import bilingual
from demo import welsh_story
from partners.models import User
from planning.models import Plan, PlanItem
from planning.search import search_items


@pytest.fixture
def council_plan(demo_output, db) -> Plan:
    return Plan.objects.get(slug=welsh_story.PLAN_SLUG)


def test_the_corporate_plan_and_every_item_have_their_welsh(council_plan, demo_output):
    assert council_plan.title_cy == "Cynllun y Cyngor Northmoor 2013–2017" and council_plan.summary_cy
    items = PlanItem.objects.filter(plan=council_plan)
    assert items.count() == len(welsh_story.ITEMS)
    assert not items.filter(title_cy="").exists()
    assert "Welsh: Northmoor Council Plan 2013–2017 is in Welsh as well as English" in demo_output


def test_each_welsh_version_was_written_by_the_translator_with_a_reason(council_plan):
    item = PlanItem.objects.get(plan=council_plan, title="Help the Northmoor economy grow")
    written = item.history.first()
    assert written.title_cy == "Helpu economi Northmoor i dyfu"
    assert written.history_change_reason == welsh_story.REASON
    assert written.history_user == council_plan.owner


def test_the_other_plans_are_in_english_only_and_fall_back_marked(council_plan):
    assert not PlanItem.objects.exclude(plan=council_plan).exclude(title_cy="").exists()
    other = PlanItem.objects.exclude(plan=council_plan).filter(kind="priority").first()
    with translation.override("cy"):
        assert bilingual.shown(other, "title") == (other.title, "en-GB", True)


def test_search_finds_the_corporate_plan_in_welsh(council_plan):
    results = search_items(User.objects.get(username="member"), "uchelgais")
    assert {result.plan.slug for result in results} == {council_plan.slug}
