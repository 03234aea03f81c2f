"""Indicators defined in the app (issue 17, decision 0025): officers and administrators
define them (code, name, definition, unit, direction, source, who supplies the figure);
partners and members read them; a target choosing one takes its unit and direction unless it
says otherwise, so plans share one definition per measure."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planning import definitions
from planning.models import Indicator, PlanItem
from tests.factories import add_item, vision_of

FIELDS = {
    "code": "ks4-5ac",
    "name": "Pupils gaining five good GCSEs including English and maths",
    "definition": "Share of pupils at the end of key stage 4.",
    "unit": "percentage",
    "direction": "higher",
    "source": "School census",
    "supplier": "Welsh Government",
}
# session, user, the indicators
LIST_QUERIES = 3


def indicator(**fields) -> Indicator:
    return definitions.indicator_save(indicator=Indicator(), user=None, fields=FIELDS | fields)


@pytest.mark.parametrize("persona", ["bob", "alice", "ada"])
def test_council_staff_define_an_indicator_and_the_history_says_who(client, request, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("planning:indicator-create")).status_code == 200
    response = client.post(reverse("planning:indicator-create"), FIELDS)
    assert response.status_code == 302
    made = Indicator.objects.get()
    assert {name: getattr(made, name) for name in FIELDS} == FIELDS
    [row] = made.history.all()
    assert (row.history_user, row.history_change_reason, row.supplier) == (
        user,
        "Indicator defined",
        "Welsh Government",
    )


@pytest.mark.parametrize("persona", ["pat", "mel"])
def test_partners_and_members_read_indicators_but_may_not_define_them(db, client, request, persona):
    existing = indicator()
    client.force_login(request.getfixturevalue(persona))
    page = client.get(reverse("planning:indicator-list"))
    html = page.content.decode()
    assert page.status_code == 200 and FIELDS["name"] in html and "Welsh Government" in html
    assert reverse("planning:indicator-create") not in html
    assert reverse("planning:indicator-edit", args=[existing.code]) not in html
    assert client.get(reverse("planning:indicator-create")).status_code == 403
    assert client.post(reverse("planning:indicator-create"), FIELDS | {"code": "other"}).status_code == 403
    edit = reverse("planning:indicator-edit", args=[existing.code])
    assert client.get(edit).status_code == 403
    assert client.post(edit, FIELDS | {"name": "Changed", "version": 1}).status_code == 403
    assert list(Indicator.objects.values_list("name", flat=True)) == [FIELDS["name"]]


def test_officers_are_offered_to_define_and_edit(client, bob):
    existing = indicator()
    client.force_login(bob)
    html = client.get(reverse("planning:indicator-list")).content.decode()
    assert reverse("planning:indicator-create") in html
    assert reverse("planning:indicator-edit", args=[existing.code]) in html


def test_signing_in_comes_first(client):
    response = client.get(reverse("planning:indicator-list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "not a code", "Enter a valid “slug”"),
        ("code", "ks4-5ac", "already exists"),
        ("unit", "", "This field is required."),
        ("direction", "sideways", "Select a valid choice"),
        ("name", "", "This field is required."),
    ],
)
def test_bad_input_is_refused_beside_the_field(client, bob, field, value, message):
    indicator()
    client.force_login(bob)
    page = client.post(reverse("planning:indicator-create"), FIELDS | {"code": "new"} | {field: value})
    html = page.content.decode()
    assert page.status_code == 200 and f'id="id_{field}-error"' in html and message in html
    assert Indicator.objects.count() == 1


def test_an_edit_is_kept_with_history_and_a_stale_one_is_a_conflict(client, bob, carol):
    existing = indicator()
    edit = reverse("planning:indicator-edit", args=[existing.code])
    client.force_login(carol)
    assert client.post(edit, FIELDS | {"supplier": "Education Achievement Service", "version": 1}).status_code == 302
    existing.refresh_from_db()
    assert (existing.supplier, existing.version) == ("Education Achievement Service", 2)
    latest = existing.history.latest("history_date", "history_id")
    assert (latest.history_user, latest.history_change_reason) == (carol, "Indicator changed")
    client.force_login(bob)
    assert client.post(edit, FIELDS | {"supplier": "Stale", "version": 1}).status_code == 409
    existing.refresh_from_db()
    assert existing.supplier == "Education Achievement Service"


def test_an_indicator_that_is_not_there_is_404(client, bob):
    client.force_login(bob)
    assert client.get(reverse("planning:indicator-edit", args=["no-such"])).status_code == 404


def test_the_list_reads_in_a_fixed_number_of_queries(client, mel):
    for n in range(2):
        indicator(code=f"a{n}", name=f"A {n}")
    client.force_login(mel)
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("planning:indicator-list")).status_code == 200
    for n in range(30):
        indicator(code=f"b{n}", name=f"B {n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(reverse("planning:indicator-list")).status_code == 200
    assert len(small) == len(large) == LIST_QUERIES


# --- targets pick an indicator and take its defaults ------------------------------------------


@pytest.fixture
def action(plan):
    return add_item(plan, add_item(plan, vision_of(plan), "priority"), "action")


def test_a_target_takes_its_indicators_unit_and_direction_unless_it_says_otherwise(client, alice, plan, action):
    shared = indicator(unit="count", direction="lower")
    client.force_login(alice)
    url = reverse("planning:item-add", args=[plan.slug, action.pk, "target"])
    form = client.get(url).content.decode()
    assert FIELDS["name"] in form  # the indicator is offered
    base = {"title": "Fewer exclusions", "status": "not_started", "indicator": shared.pk, "target_value": "12"}
    assert client.post(url, base).status_code == 302
    made = PlanItem.objects.get(title="Fewer exclusions")
    assert (made.indicator, made.unit, made.direction) == (shared, "count", "lower")
    assert client.post(url, base | {"title": "Own unit", "unit": "number"}).status_code == 302
    own = PlanItem.objects.get(title="Own unit")
    assert (own.unit, own.direction) == ("number", "lower")


def test_a_target_without_a_unit_or_an_indicator_that_has_one_is_refused_beside_the_field(client, alice, plan, action):
    bare = definitions.indicator_save(indicator=Indicator(), user=None, fields={"code": "bare", "name": "Bare"})
    client.force_login(alice)
    url = reverse("planning:item-add", args=[plan.slug, action.pk, "target"])
    for extra in ({}, {"indicator": bare.pk}):
        page = client.post(url, {"title": "No unit", "status": "not_started", "target_value": "5"} | extra)
        html = page.content.decode()
        assert page.status_code == 200 and 'id="id_unit-error"' in html and 'id="id_direction-error"' in html
    assert not PlanItem.objects.filter(title="No unit").exists()


def test_plans_share_one_definition_the_alignment_report_compares_by(client, alice, carol, plan, action, council):
    """Two plans' targets on one indicator defined in the app: the council alignment report
    still puts them side by side (planning.alignment)."""
    from tests.factories import make_plan

    shared = indicator()
    add_item(plan, action, "target", title="Ours", indicator=shared, target_value=60)
    other = make_plan(owner=carol, title="Other Plan", slug="other")
    theirs = add_item(other, add_item(other, vision_of(other), "priority"), "action")
    add_item(other, theirs, "target", title="Theirs", indicator=shared, target_value=70)
    client.force_login(alice)
    html = client.get(reverse("planning:council-alignment")).content.decode()
    assert FIELDS["name"] in html and "Ours" in html and "Theirs" in html
