"""The alignment reports in a real browser, with findings in every section, checked by axe-core."""

import datetime

import pytest

from planning import services
from tests.browser.conftest import follow, sign_in, visit
from tests.factories import IndicatorFactory, add_item, make_plan, vision_of

pytestmark = pytest.mark.browser


@pytest.fixture
def thread(alice, council):
    """A corporate plan and a service plan that delivers it, with something to report in
    each section: an unserved priority, an unlinked action, disagreeing targets, a
    lopsided spread."""
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan")
    service_plan = make_plan(owner=alice, parent=corporate, title="School Improvement Plan", slug="sip")
    indicator = IndicatorFactory(name="Schools judged good or outstanding")
    aim = add_item(corporate, vision_of(corporate), "priority", title="Every child in a good school")
    add_item(corporate, vision_of(corporate), "priority", title="Special educational needs")
    corporate_action = add_item(corporate, aim, "action", title="Challenge and support schools")
    add_item(corporate, corporate_action, "target", title="85% good", indicator=indicator, target_value=85,
             target_date=datetime.date(2015, 3, 31))  # fmt: skip
    for title, targets in (("Early years", 3), ("Schools", 1), ("Post-16", 0)):
        priority = add_item(service_plan, vision_of(service_plan), "priority", title=title)
        action = add_item(service_plan, priority, "action", title=f"{title} action")
        for _ in range(targets):
            add_item(service_plan, action, "target", indicator=indicator, target_value=80,
                     target_date=datetime.date(2015, 3, 31))  # fmt: skip  # the same date: a real disagreement
    services.link_add(source_id=action.pk, target_id=aim.pk, relation="contributes_to", user=alice)
    return corporate, service_plan


def test_both_alignment_reports_pass_axe(page, alice, thread):
    corporate, service_plan = thread
    sign_in(page, alice)
    follow(page, page.get_by_role("link", name="Council alignment report"))
    assert page.get_by_role("heading", level=1, name="Council alignment report").is_visible()
    unserved = page.get_by_role("table", name="that nothing contributes to")
    assert unserved.get_by_role("link", name="Special educational needs").is_visible()
    unlinked = page.get_by_role("table", name="to no higher priority")
    assert unlinked.get_by_role("link", name="Early years action").is_visible()
    assert unlinked.get_by_role("link", name="Post-16 action").count() == 0
    assert page.get_by_text("Differs", exact=True).count() >= 1
    visit(page, f"/plans/{service_plan.slug}/")
    follow(page, page.get_by_role("link", name="Alignment report"))
    assert page.get_by_role("heading", level=1, name="Alignment report").is_visible()
    assert page.get_by_text("More than 30%", exact=True).count() == 1
    assert page.get_by_text("No targets", exact=True).count() == 1
    visit(page, f"/plans/{corporate.slug}/alignment/")
