"""The map of plans as a diagram (issue 17, decision 0026): each plan a box that links to
it, indented beneath the plan it delivers; each pair of linked plans a line as thick as the
links it carries; readable at 40 plans, in the same queries as the list."""

import re

import pytest
from django.urls import reverse

from planning import overview
from planning import services as planning
from planning.access import plans_for
from planning.models import Link, Plan
from tests.factories import add_item, make_plan, vision_of


@pytest.fixture
def council_of_40(alice):
    """A corporate plan, three directorate plans beneath it and 36 service plans beneath
    those; every service plan's priority links to its directorate's, the first three of
    each directorate's with three links more."""
    corporate = make_plan(owner=alice, title="Corporate Plan", slug="corporate", kind=Plan.Kind.CORPORATE)
    plans = [corporate]
    for d in range(3):
        directorate = make_plan(owner=alice, parent=corporate, title=f"Directorate {d} Plan", slug=f"directorate-{d}")
        target = add_item(directorate, vision_of(directorate), "priority")
        plans.append(directorate)
        for s in range(12):
            service = make_plan(
                owner=alice, parent=directorate, title=f"Service {d}.{s} Business Plan 2013-14", slug=f"service-{d}-{s}"
            )
            top = add_item(service, vision_of(service), "priority")
            for _ in range(1 + (3 if s < 3 else 0)):
                planning.link_add(
                    source_id=add_item(service, top, "action").pk,
                    target_id=target.pk,
                    relation=Link.Relation.CONTRIBUTES_TO,
                    user=None,
                )
            plans.append(service)
    return plans


def test_every_plan_is_a_box_linking_to_it_and_lines_weigh_the_links(alice, council_of_40):
    diagram = overview.map_diagram(overview.plan_map(plans_for(alice)))
    assert len(diagram["boxes"]) == 40
    assert {box["plan"].slug for box in diagram["boxes"]} == {plan.slug for plan in council_of_40}
    assert len(diagram["lines"]) == 36
    widths = {line["count"]: line["width"] for line in diagram["lines"]}
    assert widths[4] > widths[1]
    tops = [box["y"] for box in diagram["boxes"]]
    assert tops == sorted(tops) and len(set(tops)) == 40  # one row each: no box over another
    depth = {box["plan"].slug: box["x"] for box in diagram["boxes"]}
    assert depth["corporate"] < depth["directorate-0"] < depth["service-0-0"]


def test_the_map_page_draws_the_diagram_beside_the_list_in_the_same_queries(
    client, alice, council_of_40, django_assert_num_queries
):
    client.force_login(alice)
    url = reverse("planning:plan-map")
    client.get(url)
    with django_assert_num_queries(len_queries := _count(client, url)):
        page = client.get(url).content.decode()
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert len(re.findall(r'<a href="/plans/[^"]+/" aria-label=', svg)) == 40
    assert 'aria-label="Service 0.0 Business Plan 2013-14: service business plan, 6 items"' in svg
    assert svg.count("<path ") == 36
    assert 'id="map-list"' in page  # the list of the same facts
    assert len_queries <= 8


def _count(client, url) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return len(queries)


def test_a_long_title_is_cut_in_its_box_and_whole_in_its_link_name(client, alice):
    make_plan(owner=alice, title="A very long plan title " * 4, slug="long")
    client.force_login(alice)
    page = client.get(reverse("planning:plan-map")).content.decode()
    assert "…</text>" in page and 'aria-label="A very long plan title A very long plan title' in page
