"""Editions, the plan as it stood at any moment, and comparing two moments."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from config.spreadsheets import SPREADSHEET_TRIGGERS
from planning import services, snapshots
from planning.models import Edition
from tests.factories import add_item, edited_plan, make_plan, vision_of


def titles(snapshot):
    return [(row.reference, row.item.title) for row in snapshot.rows[1:]]


@pytest.fixture
def story(plan, alice, corporate_priority):
    """A plan named as a draft, then changed in every way, then named as approved."""
    vision = vision_of(plan)
    first = add_item(plan, vision, "priority", title="First")
    second = add_item(plan, vision, "priority", title="Second")
    action = add_item(plan, first, "action", title="Old action title")
    doomed = add_item(plan, second, "action", title="Doomed")
    services.link_add(source_id=action.pk, target_id=corporate_priority.pk, relation="contributes_to", user=alice)
    draft = services.edition_create(plan=plan, name="Draft for consultation", user=alice)
    services.item_update(
        item_id=action.pk, user=alice, change=services.ItemChange({"title": "New action title"}),
        expected_version=1, reason="After consultation",
    )  # fmt: skip
    services.item_move(item_id=second.pk, user=alice, new_parent_id=vision.pk, new_position=1)
    services.item_delete(item_id=doomed.pk, user=alice)
    add_item(plan, first, "action", title="Added later")
    approved = services.edition_create(plan=plan, name="Approved by Cabinet, 18 March 2013", user=alice)
    return draft, approved


@pytest.fixture
def corporate_priority(alice, council):
    corporate = make_plan(owner=alice, organisation=council, title="Council Plan", slug="council", kind="corporate")
    return add_item(corporate, vision_of(corporate), "priority", title="A good school for every child")


def test_a_past_view_shows_the_plan_as_it_stood(plan, story):
    draft, approved = story
    assert titles(snapshots.plan_at(plan, draft.moment)) == [
        ("1", "First"),
        ("1.1", "Old action title"),
        ("2", "Second"),
        ("2.1", "Doomed"),
    ]
    assert titles(snapshots.plan_at(plan, approved.moment)) == [
        ("1", "Second"),
        ("2", "First"),
        ("2.1", "New action title"),
        ("2.2", "Added later"),
    ]


def test_a_past_view_keeps_links_as_they_were(plan, story):
    draft, _ = story
    row = next(r for r in snapshots.plan_at(plan, draft.moment).rows if r.item.title == "Old action title")
    assert [(end.relation, end.title) for end in row.links_out] == [("contributes to", "A good school for every child")]


def test_before_the_plan_existed_there_is_nothing(plan):
    assert snapshots.plan_at(plan, timezone.now() - timedelta(days=3650)) is None


def test_comparing_two_editions(plan, story):
    draft, approved = story
    differences = snapshots.compare(plan, draft.moment, approved.moment)
    found = {(d.kind, d.title) for d in differences}
    assert ("added", "Added later") in found
    assert ("removed", "Doomed") in found
    assert ("moved", "Second") in found
    assert ("renumbered", "First") in found  # it only moved because Second went above it
    changed = next(d for d in differences if d.title == "New action title")
    assert changed.kind == "renumbered" and changed.before_reference == "1.1" and changed.after_reference == "2.1"
    assert [(c.label, c.old, c.new) for c in changed.changes] == [("Title", "Old action title", "New action title")]


def test_the_past_view_page_is_bannered_and_has_no_editing_controls(client, alice, plan, story):
    draft, _ = story
    client.force_login(alice)
    response = client.get(reverse("planning:plan-as-of", args=[plan.slug]), {"edition": draft.pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "You are reading a past view: Draft for consultation" in page
    assert "Old action title" in page and "New action title" not in page
    assert "/edit/" not in page.split("The plan</h2>")[1]


def test_a_bad_date_is_explained(client, alice, plan):
    client.force_login(alice)
    response = client.get(reverse("planning:plan-as-of", args=[plan.slug]), {"at": "18/03/2013"})
    assert response.status_code == 400 and "is not a date" in response.content.decode()


def test_a_date_shows_the_end_of_that_day(client, alice, plan, story):
    client.force_login(alice)
    today = timezone.localdate().isoformat()
    page = client.get(reverse("planning:plan-as-of", args=[plan.slug]), {"at": today}).content.decode()
    assert "New action title" in page


def test_the_comparison_page_and_its_csv(client, alice, plan, story):
    draft, approved = story
    client.force_login(alice)
    url = reverse("planning:plan-compare", args=[plan.slug])
    query = {"from": f"edition-{draft.pk}", "to": f"edition-{approved.pk}"}
    page = client.get(url, query).content.decode()
    assert "Draft for consultation → Approved by Cabinet, 18 March 2013" in page
    assert "Added later" in page and "Doomed" in page
    response = client.get(url, {**query, "format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="{plan.slug}-comparison.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert ["removed", "2.1", "", plan.label_action, "Doomed", "", "", ""] in rows


def test_csv_cells_that_look_like_formulas_are_escaped(client, alice, plan):
    draft = services.edition_create(plan=plan, name="Before", user=alice)
    add_item(plan, vision_of(plan), "priority", title='=HYPERLINK("http://evil")')
    client.force_login(alice)
    response = client.get(
        reverse("planning:plan-compare", args=[plan.slug]), {"from": f"edition-{draft.pk}", "format": "csv"}
    )
    assert "'=HYPERLINK" in response.content.decode()


def test_every_cell_of_the_comparison_csv_is_escaped_the_title_row_too(client, alice, plan):
    """Issue 12, item 8: the title row (plan title and the names of both moments) was
    written unescaped."""
    services.plan_update(
        plan_id=plan.pk, user=alice, fields={"title": '=HYPERLINK("http://evil")'}, expected_version=plan.version
    )
    draft = services.edition_create(plan=plan, name="@SUM(1+1)", user=alice)
    add_item(plan, vision_of(plan), "priority", title="+Added", description="-1")
    client.force_login(alice)
    response = client.get(
        reverse("planning:plan-compare", args=[plan.slug]), {"from": f"edition-{draft.pk}", "format": "csv"}
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ['\'=HYPERLINK("http://evil"): @SUM(1+1) compared with Now']
    assert ["added", "", "1", plan.label_priority, "'+Added", "", "", ""] in rows
    assert not [cell for row in rows for cell in row if cell.startswith(SPREADSHEET_TRIGGERS)]


def test_only_people_who_may_change_the_plan_name_editions(client, alice, carol, plan):
    url = reverse("planning:plan-editions", args=[plan.slug])
    client.force_login(carol)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Carol's"}).status_code == 403
    client.force_login(alice)
    assert client.post(url, {"name": "Draft for consultation"}).status_code == 302
    assert list(Edition.objects.values_list("name", flat=True)) == ["Draft for consultation"]
    response = client.post(url, {"name": "Draft for consultation"})
    assert response.status_code == 200 and "There is a problem" in response.content.decode()


@pytest.mark.parametrize("size", ["small", "large"])
def test_the_past_view_and_comparison_query_counts_do_not_grow_with_the_plan(
    client, alice, bob, college, size, django_assert_num_queries
):
    plan, edition, _ = edited_plan(size, owner=alice, other_owner=bob, organisation=college)
    client.force_login(alice)
    client.get(reverse("planning:plan-list"))  # the session's first request stamps it (a write)
    with django_assert_num_queries(PAST_VIEW_QUERIES):
        response = client.get(reverse("planning:plan-as-of", args=[plan.slug]), {"edition": edition.pk})
    assert response.status_code == 200
    assert "Their priority" in response.content.decode() and college.name in response.content.decode()
    with django_assert_num_queries(COMPARE_QUERIES):
        response = client.get(reverse("planning:plan-compare", args=[plan.slug]), {"from": f"edition-{edition.pk}"})
    assert response.status_code == 200
    assert len(response.context["differences"]) == 1


# session, user, plan (with its ancestors), edition; then one query each for the plan,
# links, items (with the other ends of links), supporters, and people/organisations/indicators
PAST_VIEW_QUERIES = 9
COMPARE_QUERIES = 9  # the same: both moments come in the same five queries


@pytest.mark.parametrize("raw", ["edition-²", "edition-" + "9" * 5000, "edition-١٢"])
def test_an_edition_address_that_is_not_a_number_is_refused_not_a_server_error(client, alice, plan, raw):
    client.force_login(alice)
    for url, params in (
        (reverse("planning:plan-as-of", args=[plan.slug]), {"at": raw}),
        (reverse("planning:plan-compare", args=[plan.slug]), {"from": raw}),
    ):
        assert client.get(url, params).status_code in {400, 404}


# --- the comparison form: moments by name ------------------------------------------------


def compare(client, plan, **params):
    return client.get(reverse("planning:plan-compare", args=[plan.slug]), params)


def test_the_comparison_form_offers_the_plan_s_editions_by_name_now_and_a_date(client, alice, plan, story):
    draft, approved = story
    client.force_login(alice)
    page = compare(client, plan).content.decode()
    for side, legend in (("from", "From"), ("to", "To")):
        assert f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{legend}</legend>' in page
        for value, name in (
            ("now", "Now"),
            (f"edition-{draft.pk}", draft.name),
            (f"edition-{approved.pk}", approved.name),
        ):
            assert f'name="{side}" value="{value}"' in page
            assert f'for="compare-{side}-{value}">{name}' in page
        assert f'name="{side}" value="date"' in page
        assert f'<input class="govuk-input govuk-input--width-10" type="date" name="{side}_date"' in page
    assert "<code>edition-" not in page and "such as 2013-03-18" not in page
    # by default the oldest edition is compared with now
    assert f'id="compare-from-edition-{draft.pk}" name="from" value="edition-{draft.pk}" checked' in page
    assert 'id="compare-to-now" name="to" value="now" checked' in page


def test_two_editions_chosen_by_name_are_compared(client, alice, plan, story):
    draft, approved = story
    client.force_login(alice)
    page = compare(client, plan, **{"from": f"edition-{draft.pk}", "to": f"edition-{approved.pk}"}).content.decode()
    assert "Draft for consultation → Approved by Cabinet, 18 March 2013" in page
    assert "Added later" in page


def test_a_date_chosen_in_the_form_is_compared(client, alice, plan, story):
    client.force_login(alice)
    today = timezone.localdate()
    response = compare(client, plan, **{"from": "date", "from_date": today.isoformat(), "to": "now"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f"As at {today:%-d %B %Y}" in page
    assert f'type="date" name="from_date" id="compare-from_date" value="{today.isoformat()}"' in page
    assert 'id="compare-from-date" name="from" value="date" checked' in page


def test_choosing_a_date_without_one_is_explained_beside_the_field_and_compares_nothing(client, alice, plan, story):
    client.force_login(alice)
    response = compare(client, plan, **{"from": "date", "from_date": "", "to": "now"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="compare-from_date-error"' in page and "Enter the date to compare" in page
    assert 'href="#compare-from_date"' in page  # the error summary links to the field
    assert "app-compare-table" not in page


def test_a_date_that_is_not_a_date_is_explained_beside_the_field(client, alice, plan):
    client.force_login(alice)
    response = compare(client, plan, **{"from": "date", "from_date": "18/03/2013", "to": "now"})
    assert response.status_code == 400
    assert "“18/03/2013” is not a date" in response.content.decode()


def test_an_edition_of_another_plan_is_refused_beside_the_field(client, alice, plan, corporate_priority):
    theirs = services.edition_create(plan=corporate_priority.plan, name="Theirs", user=alice)
    client.force_login(alice)
    response = compare(client, plan, **{"from": f"edition-{theirs.pk}"})
    assert response.status_code == 400
    assert 'id="compare-from-error"' in response.content.decode()
    assert 'href="#compare-from-now"' in response.content.decode()  # the summary links to the first choice
    assert "Choose now, one of this plan’s editions or a date" in response.content.decode()


def test_old_addresses_with_edition_codes_and_dates_still_work(client, alice, plan, story):
    draft, _ = story
    client.force_login(alice)
    assert "Draft for consultation → Now" in compare(client, plan, **{"from": f"edition-{draft.pk}"}).content.decode()
    today = timezone.localdate()
    page = compare(client, plan, **{"from": today.isoformat(), "to": "now"}).content.decode()
    assert f"As at {today:%-d %B %Y}" in page
    assert 'id="compare-from-date" name="from" value="date" checked' in page
