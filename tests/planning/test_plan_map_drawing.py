"""The map of plans as a diagram (issue 17): boxes in the tree's columns that never overlap,
the tree's lines and the links between plans weighted by the items they carry, every box a
link named with its plan's full title, a table with the same links, and the same number of
queries for a council of 40 plans as for three."""

import re

import pytest
from django.urls import reverse

from planning import map_drawing, services
from planning.map_drawing import BOX_HEIGHT, BOX_WIDTH, TITLE_CHARACTERS, draw, stroke_for
from planning.models import Plan
from planning.overview import MapEntry, plan_map
from tests.factories import add_item, make_plan, vision_of

pytestmark = pytest.mark.django_db


def _overlap(a, b) -> bool:
    return a.x < b.x + BOX_WIDTH and b.x < a.x + BOX_WIDTH and a.y < b.y + BOX_HEIGHT and b.y < a.y + BOX_HEIGHT


@pytest.fixture
def thread(alice, council):
    """A corporate plan with two plans beneath it, both linking up to its priority: one with
    three items, the other with one."""
    corporate = make_plan(
        owner=alice, organisation=council, title="Council Plan", slug="council-plan", kind="corporate"
    )
    priority = add_item(corporate, vision_of(corporate), "priority", title="Good schools")
    beneath = []
    for title, count in (("Schools Plan", 3), ("Youth Plan", 1)):
        plan = make_plan(
            owner=alice, organisation=council, parent=corporate, title=title, slug=title.lower().replace(" ", "-")
        )
        top = add_item(plan, vision_of(plan), "priority", title="Learning")
        for n in range(count):
            action = add_item(plan, top, "action", title=f"Action {n}")
            services.link_add(source_id=action.pk, target_id=priority.pk, relation="contributes_to", user=alice)
        beneath.append(plan)
    return corporate, beneath


def test_plans_sit_in_the_columns_of_the_tree_and_links_are_weighted_by_their_items(thread):
    corporate, (schools, youth) = thread
    drawing = draw(plan_map(Plan.objects.all()))
    boxes = {box.entry.plan.title: box for box in drawing.boxes}
    assert boxes["Council Plan"].x < boxes["Schools Plan"].x == boxes["Youth Plan"].x
    # the parent sits level with the middle of the plans beneath it
    assert boxes["Council Plan"].middle == (boxes["Schools Plan"].middle + boxes["Youth Plan"].middle) // 2
    assert len(drawing.tree_lines) == 2
    assert [(line.source, line.target, line.count) for line in drawing.links] == [
        ("Schools Plan", "Council Plan", 3),
        ("Youth Plan", "Council Plan", 1),
    ]
    assert drawing.links[0].width > drawing.links[1].width


def test_a_line_grows_with_its_items_and_never_past_the_cap():
    widths = [stroke_for(n) for n in (1, 2, 5, 20, 100, 10_000)]
    assert widths == sorted(widths) and widths[0] < widths[3]
    assert widths[-1] == map_drawing.MAX_STROKE


def test_a_long_title_is_shortened_in_its_box_and_named_in_full_on_its_link(client, alice, council):
    title = "A plan for everyone who lives, works or studies in the county, 2026 to 2030"
    make_plan(owner=alice, organisation=council, title=title, slug="long")
    client.force_login(alice)
    page = client.get(reverse("planning:plan-map")).content.decode()
    box = next(box for box in draw(plan_map(Plan.objects.all())).boxes if box.entry.plan.slug == "long")
    # cut at a word: what the box shows is the start of its link's name, word for word (WCAG 2.5.3)
    assert box.label == "A plan for everyone who…" and len(box.label) <= TITLE_CHARACTERS
    assert title.startswith(box.label.removesuffix("…") + " ")
    assert re.search(r'<a href="/plans/long/" class="app-plan-map__box" aria-label="A plan for everyone who', page)
    assert f">{box.label}</text>" in page


def test_the_page_has_the_diagram_and_the_table_of_links(client, alice, thread):
    client.force_login(alice)
    page = client.get(reverse("planning:plan-map")).content.decode()
    assert page.count('class="app-plan-map__box"') == 3
    assert re.search(r"<td[^>]*>Schools Plan</td><td[^>]*>Council Plan</td><td[^>]*>3</td>", page)
    assert "Schools Plan to Council Plan: 3 items" in page  # the curve's tooltip


def test_with_no_plans_there_is_no_diagram(client, mel):
    client.force_login(mel)
    page = client.get(reverse("planning:plan-map")).content.decode()
    assert "<svg" not in page and "There are no plans you can see yet." in page


def _council_of_forty() -> list[MapEntry]:
    """The shape of a generated council of 40 plans (demo/generator.py): one corporate plan,
    six directorates, 33 service plans, every service linking up to the corporate plan and
    to its directorate, some across to another service. Built in memory: the layout reads
    nothing else."""
    corporate = Plan(pk=1, title="Council Plan 2026 to 2030")
    directorates = [Plan(pk=2 + d, parent_id=1, title=f"Directorate {d} business plan") for d in range(6)]
    services = [Plan(pk=10 + s, parent_id=2 + s % 6, title=f"Service {s} plan for the people") for s in range(33)]
    entries = [MapEntry(plan=corporate, depth=0, items=40)]
    for directorate in directorates:
        entries.append(MapEntry(plan=directorate, depth=1, items=60, links_to=[(corporate, 8)]))
        for service in services:
            if service.parent_id == directorate.pk:
                across = [(services[(service.pk + 1) % 33], 1)] if service.pk % 5 == 0 else []
                entries.append(
                    MapEntry(plan=service, depth=2, items=120, links_to=[(corporate, 3), (directorate, 12), *across])
                )
    return entries


def test_forty_plans_are_drawn_without_one_box_over_another():
    entries = _council_of_forty()
    assert len(entries) == 40
    drawing = draw(entries)
    for n, box in enumerate(drawing.boxes):
        assert box.x >= 0 and box.x + BOX_WIDTH <= drawing.width
        assert box.y >= 0 and box.y + BOX_HEIGHT <= drawing.height
        assert not [other for other in drawing.boxes[n + 1 :] if _overlap(box, other)]
        assert len(box.label) <= TITLE_CHARACTERS
    assert drawing.height == 2 * map_drawing.MARGIN + 32 * map_drawing.ROW + BOX_HEIGHT  # a row per service plan
    assert len(drawing.tree_lines) == 39 and len(drawing.link_lines) == 6 + 33 * 2 + 7


def test_the_map_reads_the_same_queries_for_forty_plans_as_for_three(
    client, alice, council, thread, django_assert_num_queries
):
    corporate, (schools, _) = thread
    client.force_login(alice)
    client.get(reverse("planning:plan-map"))
    with django_assert_num_queries(5) as three:
        client.get(reverse("planning:plan-map"))
    target = corporate.items.get(kind="priority")
    for n in range(37):
        plan = make_plan(owner=alice, organisation=council, parent=schools, title=f"Service {n}", slug=f"service-{n}")
        action = add_item(plan, add_item(plan, vision_of(plan), "priority", title="Top"), "action", title="Do")
        services.link_add(source_id=action.pk, target_id=target.pk, relation="contributes_to", user=alice)
    with django_assert_num_queries(len(three.captured_queries)):
        page = client.get(reverse("planning:plan-map")).content.decode()
    assert page.count('class="app-plan-map__box"') == 40
