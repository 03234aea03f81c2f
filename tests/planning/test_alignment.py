"""The alignment report: priorities nothing serves, actions that serve nothing above them,
targets that disagree across plans, and the spread of targets across priorities."""

import datetime

import pytest
from django.urls import reverse

from planning import services
from planning.models import Plan, PlanShare
from tests.factories import IndicatorFactory, add_item, build_plan, make_plan, vision_of


@pytest.fixture
def corporate(alice, council):
    return make_plan(owner=alice, organisation=council, title="Council Plan", slug="council-plan", kind="corporate")


@pytest.fixture
def service_plan(alice, corporate):
    return make_plan(owner=alice, parent=corporate, title="School Improvement Plan", slug="sip")


def contributes(source, target, user):
    return services.link_add(source_id=source.pk, target_id=target.pk, relation="contributes_to", user=user)


def plan_report(client, user, plan):
    client.force_login(user)
    response = client.get(reverse("planning:plan-alignment", args=[plan.slug]))
    assert response.status_code == 200
    return response


def council_report(client, user):
    client.force_login(user)
    response = client.get(reverse("planning:council-alignment"))
    assert response.status_code == 200
    return response


def titles(rows):
    return [row.item.title for row in rows]


# --- 1. priorities that nothing contributes to ------------------------------------------


def test_a_priority_with_no_action_and_no_contribution_is_reported(client, alice, corporate):
    lonely = add_item(corporate, vision_of(corporate), "priority", title="Special educational needs")
    response = plan_report(client, alice, corporate)
    [row] = response.context["report"].unsupported_priorities
    assert (row.item.title, row.reference, row.plan) == ("Special educational needs", "1", corporate)
    page = response.content.decode()
    assert f'href="{lonely.get_absolute_url()}"' in page
    assert "Priority 1" in page


def test_a_priority_with_an_action_anywhere_beneath_it_is_not_reported(client, alice, corporate):
    served = add_item(corporate, vision_of(corporate), "priority", title="Early years")
    sub = add_item(corporate, served, "priority", title="Nursery places")
    add_item(corporate, sub, "action", title="Open two nurseries")
    add_item(corporate, vision_of(corporate), "priority", title="Special educational needs")
    report = plan_report(client, alice, corporate).context["report"]
    assert titles(report.unsupported_priorities) == ["Special educational needs"]


def test_a_priority_with_a_contributing_link_from_another_plan_is_not_reported(client, alice, corporate, service_plan):
    sen = add_item(corporate, vision_of(corporate), "priority", title="Special educational needs")
    local = add_item(service_plan, vision_of(service_plan), "priority", title="SEN support in schools")
    action = add_item(service_plan, local, "action", title="Train SENCOs")
    contributes(action, sen, alice)
    report = plan_report(client, alice, corporate).context["report"]
    assert report.unsupported_priorities == []
    assert "None found." in plan_report(client, alice, corporate).content.decode()


def test_a_contribution_to_a_sub_priority_serves_the_priority_above_it(client, alice, corporate, service_plan):
    top = add_item(corporate, vision_of(corporate), "priority", title="Learning")
    sub = add_item(corporate, top, "priority", title="Literacy")
    local = add_item(service_plan, vision_of(service_plan), "priority", title="Reading")
    contributes(add_item(service_plan, local, "action"), sub, alice)
    assert plan_report(client, alice, corporate).context["report"].unsupported_priorities == []


def test_a_link_that_is_not_contributes_to_does_not_serve_a_priority(client, alice, corporate, service_plan):
    sen = add_item(corporate, vision_of(corporate), "priority", title="Special educational needs")
    action = add_item(service_plan, add_item(service_plan, vision_of(service_plan), "priority"), "action")
    services.link_add(source_id=action.pk, target_id=sen.pk, relation="depends_on", user=alice)
    report = plan_report(client, alice, corporate).context["report"]
    assert titles(report.unsupported_priorities) == ["Special educational needs"]


# --- 2. actions that contribute to no higher priority ------------------------------------


def test_a_top_level_action_in_a_child_plan_without_a_link_up_is_reported(client, alice, service_plan):
    priority = add_item(service_plan, vision_of(service_plan), "priority")
    add_item(service_plan, priority, "action", title="Reading recovery")
    response = plan_report(client, alice, service_plan)
    [row] = response.context["report"].unaligned_actions
    assert (row.item.title, row.reference, row.plan) == ("Reading recovery", "1.1", service_plan)
    assert (
        f'href="{reverse("planning:item-detail", args=[service_plan.slug, row.item.pk])}"' in response.content.decode()
    )


def test_an_action_contributing_to_a_parent_plan_priority_is_not_reported(client, alice, corporate, service_plan):
    aim = add_item(corporate, vision_of(corporate), "priority", title="Every child reads")
    priority = add_item(service_plan, vision_of(service_plan), "priority")
    linked = add_item(service_plan, priority, "action", title="Reading recovery")
    add_item(service_plan, priority, "action", title="Unlinked work")
    contributes(linked, aim, alice)
    report = plan_report(client, alice, service_plan).context["report"]
    assert titles(report.unaligned_actions) == ["Unlinked work"]


def test_a_link_to_an_item_in_the_same_plan_does_not_count(client, alice, service_plan):
    priority = add_item(service_plan, vision_of(service_plan), "priority")
    other = add_item(service_plan, vision_of(service_plan), "priority")
    action = add_item(service_plan, priority, "action", title="Reading recovery")
    contributes(action, other, alice)
    report = plan_report(client, alice, service_plan).context["report"]
    assert titles(report.unaligned_actions) == ["Reading recovery"]


def test_a_link_up_from_the_priority_above_or_from_beneath_the_action_counts(client, alice, corporate, service_plan):
    aim = add_item(corporate, vision_of(corporate), "priority")
    linked_priority = add_item(service_plan, vision_of(service_plan), "priority")
    add_item(service_plan, linked_priority, "action", title="Served by its priority")
    contributes(linked_priority, aim, alice)
    other = add_item(service_plan, vision_of(service_plan), "priority")
    action = add_item(service_plan, other, "action", title="Served by its target")
    contributes(add_item(service_plan, action, "target"), aim, alice)
    assert plan_report(client, alice, service_plan).context["report"].unaligned_actions == []


def test_actions_in_a_root_plan_and_sub_actions_are_not_reported(client, alice, corporate, service_plan):
    add_item(corporate, add_item(corporate, vision_of(corporate), "priority"), "action", title="Corporate action")
    top = add_item(service_plan, add_item(service_plan, vision_of(service_plan), "priority"), "action", title="Top")
    add_item(service_plan, top, "action", title="Sub-action")
    response = plan_report(client, alice, corporate)
    assert response.context["report"].unaligned_actions == []
    assert "this is a top-level plan" in response.content.decode()
    assert titles(council_report(client, alice).context["report"].unaligned_actions) == ["Top"]


# --- 3. targets that disagree across plans -----------------------------------------------


@pytest.fixture
def schools_good(db):
    return IndicatorFactory(code="schools-good", name="Schools judged good or outstanding")


def target(plan, value, *, indicator, date=datetime.date(2015, 3, 31), unit="percentage", **fields):
    action = add_item(plan, add_item(plan, vision_of(plan), "priority"), "action")
    return add_item(
        plan, action, "target", indicator=indicator, target_value=value, target_date=date, unit=unit, **fields
    )


def test_targets_on_one_indicator_for_the_same_date_that_disagree_across_plans_are_reported_with_the_differences_marked(
    client, alice, corporate, service_plan, schools_good
):
    target(corporate, 85, indicator=schools_good, title="Corporate: 85% good")
    target(service_plan, 80, indicator=schools_good, title="Service: 80% good")
    other = make_plan(owner=alice, parent=corporate, title="Fair Access Plan", slug="fap")
    target(other, 85, indicator=schools_good, title="Fair access: 85% good")
    response = council_report(client, alice)
    [group] = response.context["report"].disagreements
    assert group.indicator == schools_good
    assert group.due == datetime.date(2015, 3, 31)
    assert group.fields == ["target value"]
    assert [(row.item.title, row.plan.slug, row.reference) for row in group.rows] == [
        ("Corporate: 85% good", "council-plan", "1.1.1"),
        ("Fair access: 85% good", "fap", "1.1.1"),
        ("Service: 80% good", "sip", "1.1.1"),
    ]
    assert [row.differs for row in group.rows] == [set(), set(), {"target_value"}]
    page = response.content.decode()
    assert page.count(">Differs</strong>") == 1
    assert "Schools judged good or outstanding, by 31 March 2015: 3 targets in 3 plans disagree on target value" in page


def test_annual_steps_towards_another_plan_s_target_are_not_a_disagreement(
    client, alice, corporate, service_plan, schools_good
):
    """A service plan's target for this year on the way to its directorate's three-year
    target is a step, not a contradiction, whether or not it sits on a straight line."""
    target(corporate, 85, indicator=schools_good, date=datetime.date(2016, 3, 31), baseline_value=62,
           baseline_date=datetime.date(2013, 3, 31))  # fmt: skip
    target(service_plan, 70, indicator=schools_good, date=datetime.date(2014, 3, 31))
    target(service_plan, 78, indicator=schools_good, date=datetime.date(2015, 3, 31))
    assert council_report(client, alice).context["report"].disagreements == []
    assert plan_report(client, alice, service_plan).context["report"].disagreements == []


def test_a_floor_and_an_aspirational_target_for_the_same_date_are_not_compared(
    client, alice, corporate, service_plan, schools_good
):
    target(corporate, 81, indicator=schools_good, target_type="floor")
    target(corporate, 84, indicator=schools_good, target_type="aspirational")
    target(service_plan, 81, indicator=schools_good, target_type="floor")
    assert council_report(client, alice).context["report"].disagreements == []
    target(service_plan, 86, indicator=schools_good, target_type="aspirational")
    [group] = council_report(client, alice).context["report"].disagreements
    assert (group.target_type, [str(row.item.target_value) for row in group.rows]) == (
        "aspirational",
        ["84.00", "86.00"],
    )


def test_a_target_without_a_date_is_compared_as_due_at_the_end_of_its_plan(
    client, alice, corporate, service_plan, schools_good
):
    # both plans run 2013/14 to 2015/16: an undated target is due by 31 March 2016
    target(corporate, 85, indicator=schools_good, date=datetime.date(2016, 3, 31))
    target(service_plan, 80, indicator=schools_good, date=None)
    [group] = council_report(client, alice).context["report"].disagreements
    assert group.due == datetime.date(2016, 3, 31)
    assert "Not set (by the end of the plan)" in council_report(client, alice).content.decode()


def test_when_two_plans_disagree_the_plan_lower_in_the_thread_is_marked_however_many_targets_it_has(
    client, alice, corporate, service_plan, schools_good
):
    target(corporate, 85, indicator=schools_good)
    target(service_plan, 80, indicator=schools_good)
    target(service_plan, 80, indicator=schools_good)
    [group] = council_report(client, alice).context["report"].disagreements
    assert [(row.plan.slug, row.differs) for row in group.rows] == [
        ("council-plan", set()),
        ("sip", {"target_value"}),
        ("sip", {"target_value"}),
    ]


def test_targets_with_the_same_indicator_and_the_same_values_are_not_reported(
    client, alice, corporate, service_plan, schools_good
):
    target(corporate, 85, indicator=schools_good)
    target(service_plan, 85, indicator=schools_good)
    target(service_plan, 60, indicator=IndicatorFactory(), title="Another indicator")
    assert council_report(client, alice).context["report"].disagreements == []


def test_targets_that_differ_only_within_one_plan_are_not_reported(client, alice, corporate, schools_good):
    target(corporate, 80, indicator=schools_good, date=datetime.date(2014, 3, 31))
    target(corporate, 85, indicator=schools_good, date=datetime.date(2015, 3, 31))
    assert council_report(client, alice).context["report"].disagreements == []


def test_a_different_unit_is_a_disagreement(client, alice, corporate, service_plan, schools_good):
    target(corporate, 85, indicator=schools_good)
    target(service_plan, 85, indicator=schools_good, unit="number")
    [group] = plan_report(client, alice, service_plan).context["report"].disagreements
    assert group.fields == ["unit"]


def test_the_plan_report_compares_only_indicators_the_plan_uses(client, alice, corporate, service_plan, schools_good):
    other = make_plan(owner=alice, parent=corporate, title="Fair Access Plan", slug="fap")
    target(corporate, 85, indicator=schools_good)
    target(other, 80, indicator=schools_good)
    target(service_plan, 50, indicator=IndicatorFactory())
    assert plan_report(client, alice, service_plan).context["report"].disagreements == []
    [group] = plan_report(client, alice, other).context["report"].disagreements
    assert {row.plan.slug for row in group.rows} == {"council-plan", "fap"}


def test_the_plan_report_compares_only_with_plans_the_reader_may_see(
    client, alice, pat, college, corporate, service_plan, schools_good
):
    target(corporate, 85, indicator=schools_good, title="Hidden corporate target")
    target(service_plan, 80, indicator=schools_good)
    PlanShare.objects.create(plan=service_plan, organisation=college)
    response = plan_report(client, pat, service_plan)
    assert response.context["report"].disagreements == []
    assert "Hidden corporate target" not in response.content.decode()
    assert len(plan_report(client, alice, service_plan).context["report"].disagreements) == 1


# --- 4. spread of targets across priorities ----------------------------------------------


def priority_with_targets(plan, title, n):
    priority = add_item(plan, vision_of(plan), "priority", title=title)
    action = add_item(plan, priority, "action")
    sub = add_item(plan, action, "action")  # targets under a sub-action still count
    for _ in range(n):
        add_item(plan, sub, "target")
    return priority


def test_the_spread_counts_targets_per_priority_and_flags_the_lopsided_ones(client, alice, corporate):
    priority_with_targets(corporate, "Early years", 4)
    priority_with_targets(corporate, "Schools", 1)
    priority_with_targets(corporate, "Post-16", 1)
    priority_with_targets(corporate, "Special educational needs", 0)
    response = plan_report(client, alice, corporate)
    [spread] = response.context["report"].spreads
    assert spread.total == 6
    assert [(r.priority.item.title, r.targets, r.percent, r.no_targets, r.over_threshold) for r in spread.rows] == [
        ("Early years", 4, "66.7%", False, True),
        ("Schools", 1, "16.7%", False, False),
        ("Post-16", 1, "16.7%", False, False),
        ("Special educational needs", 0, "0%", True, False),
    ]
    page = response.content.decode()
    assert ">No targets</strong>" in page and ">More than 30%</strong>" in page
    assert "6 targets across 4 priorities, 2 flagged" in page


def test_a_big_share_is_not_flagged_when_the_plan_has_fewer_than_three_priorities(client, alice, corporate):
    priority_with_targets(corporate, "Early years", 3)
    priority_with_targets(corporate, "Schools", 1)
    [spread] = plan_report(client, alice, corporate).context["report"].spreads
    assert [(r.percent, r.over_threshold) for r in spread.rows] == [("75%", False), ("25%", False)]


def test_an_even_split_across_three_priorities_is_not_lopsided(client, alice, corporate):
    for title in ("Early years", "Schools", "Post-16"):
        priority_with_targets(corporate, title, 2)
    [spread] = plan_report(client, alice, corporate).context["report"].spreads
    assert [(r.percent, r.over_threshold) for r in spread.rows] == [("33.3%", False)] * 3


def test_a_plan_without_targets_flags_every_priority(client, alice, corporate):
    priority_with_targets(corporate, "Early years", 0)
    [spread] = plan_report(client, alice, corporate).context["report"].spreads
    [row] = spread.rows
    assert (row.targets, row.share, row.no_targets) == (0, None, True)


def test_the_council_report_has_one_spread_per_plan_in_tree_order(client, alice, corporate, service_plan):
    priority_with_targets(service_plan, "Reading", 2)
    report = council_report(client, alice).context["report"]
    assert [spread.plan for spread in report.spreads] == [corporate, service_plan]
    assert "has no priorities yet" in council_report(client, alice).content.decode()


# --- who sees what ------------------------------------------------------------------------


def test_the_council_report_leaves_out_plans_a_partner_is_not_shared(client, pat, college, alice, corporate):
    add_item(corporate, vision_of(corporate), "priority", title="Secret priority")
    response = council_report(client, pat)
    assert response.context["report"].plans == []
    assert response.context["report"].unsupported_priorities == []
    assert "Secret priority" not in response.content.decode()
    PlanShare.objects.create(plan=corporate, organisation=college)
    assert titles(council_report(client, pat).context["report"].unsupported_priorities) == ["Secret priority"]


def test_the_council_report_shows_a_member_only_approved_plans(client, mel, alice, corporate):
    approved = make_plan(owner=alice, title="Approved plan", slug="approved", status=Plan.Status.APPROVED)
    add_item(approved, vision_of(approved), "priority", title="Published priority")
    add_item(corporate, vision_of(corporate), "priority", title="Draft priority")
    response = council_report(client, mel)
    assert response.context["report"].plans == [approved]
    assert titles(response.context["report"].unsupported_priorities) == ["Published priority"]
    assert "Draft priority" not in response.content.decode()


def test_a_plan_the_reader_may_not_see_gives_404(client, pat, mel, corporate):
    for user in (pat, mel):
        client.force_login(user)
        assert client.get(reverse("planning:plan-alignment", args=[corporate.slug])).status_code == 404


def test_anonymous_readers_are_sent_to_sign_in(client, corporate):
    for url in (reverse("planning:plan-alignment", args=[corporate.slug]), reverse("planning:council-alignment")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_plan_page_and_plan_list_link_to_the_reports(client, alice, corporate):
    client.force_login(alice)
    assert (
        reverse("planning:plan-alignment", args=[corporate.slug])
        in client.get(corporate.get_absolute_url()).content.decode()
    )
    assert reverse("planning:council-alignment") in client.get(reverse("planning:plan-list")).content.decode()


def test_a_long_group_of_disagreeing_targets_shows_each_plan_s_values_and_lists_its_targets_on_request(
    client, alice, corporate, service_plan, schools_good, django_assert_num_queries
):
    """More than FOLDED_OVER targets in a group: each plan's count, values and units, the
    differing ones marked, and every target one link away (no JavaScript needed)."""
    target(corporate, 85, indicator=schools_good, title="Corporate: 85% good")
    action = service_plan.items.get(pk=target(service_plan, 80, indicator=schools_good, title="Service 0").parent_id)
    for n in range(1, 21):
        add_item(service_plan, action, "target", indicator=schools_good, target_value=80, title=f"Service {n}",
                 target_date=datetime.date(2015, 3, 31), unit="percentage")  # fmt: skip
    client.force_login(alice)
    url = reverse("planning:plan-alignment", args=[service_plan.slug])
    with django_assert_num_queries(PLAN_REPORT_QUERIES):
        page = client.get(url).content.decode()
    [group] = client.get(url).context["report"].disagreements
    assert group.folded and len(group.rows) == 22
    assert "22 targets in 2 plans disagree on target value" in page
    assert "Service 7" not in page  # listed one link away
    assert ">21</td>" in page and ">1</td>" in page  # each plan's count of targets
    assert page.count(">Differs</strong>") == 1  # 80%, the service plan's value, marked once (tie: the top plan wins)
    assert f"?group={group.key}#{group.key}" in page
    with django_assert_num_queries(PLAN_REPORT_QUERIES):
        opened = client.get(url, {"group": group.key}).content.decode()
    assert "Service 7" in opened and opened.count(">Differs</strong>") == 21
    assert f"?group={group.key}" not in opened


# --- queries do not grow with the plans ----------------------------------------------------


def linked_pair(alice, corporate, size, indicator):
    """A corporate plan and a service plan delivering it, 10x bigger when large, with links
    and targets on one shared indicator."""
    child = make_plan(owner=alice, parent=corporate, slug=f"child-{size}")
    n = 1 if size == "small" else 10
    for plan in (corporate, child):
        build_plan(plan, priorities=2 * n, actions=2, targets=1, milestones=1)
        target(plan, 85 if plan == corporate else 80, indicator=indicator)
    aims = list(corporate.items.filter(kind="priority"))
    for i, action in enumerate(child.items.filter(kind="action")[: 2 * n]):
        contributes(action, aims[i % len(aims)], alice)
    return child


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_plan_and_council_reports_query_counts_do_not_grow_with_the_plans(
    client, alice, corporate, schools_good, size, django_assert_num_queries
):
    """Both reports read the same pair of plans (built once: the large pair is the slow part)."""
    child = linked_pair(alice, corporate, size, schools_good)
    client.force_login(alice)
    with django_assert_num_queries(PLAN_REPORT_QUERIES):
        response = client.get(reverse("planning:plan-alignment", args=[child.slug]))
    assert response.status_code == 200
    assert len(response.context["report"].disagreements) == 1

    with django_assert_num_queries(COUNCIL_REPORT_QUERIES):
        response = client.get(reverse("planning:council-alignment"))
    assert response.status_code == 200
    assert len(response.context["report"].spreads) == 2


# session, user, plan (with its ancestors, for the breadcrumbs, and what the rules need about the
# reader), plans to compare with, the plan's items, the other plans' targets on its indicators, the
# other plans' shape (for references), links; and (issue 18) priorities linked to a finding,
# actions without success criteria, the plan's actions and targets merged into others (the
# near-duplicates have their own page: tests/planning/test_evidence.py)
PLAN_REPORT_QUERIES = 11
# session, user, plans, items, targets with an indicator, links; priorities linked to a finding,
# actions without success criteria, actions and targets merged into others
COUNCIL_REPORT_QUERIES = 9
