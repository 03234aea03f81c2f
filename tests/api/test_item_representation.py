"""ItemSerializer writes an item out directly instead of walking its declared fields (the
walk was most of a 2,000-item page's time). Its output must be the walk's, key for key and
value for value, for every kind of item, now and in the past view."""

import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from api import selectors
from api.serializers import ItemSerializer
from planning.models import Plan, PlanItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def council(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command(
        "generate_council", "--seed", "3", "--plans", "3", "--items", "240", "--quarters", "1", "--people", "12",
        stdout=io.StringIO(),
    )  # fmt: skip
    return list(Plan.objects.all())


def walked(rows) -> list[dict]:
    """DRF's own walk of the declared fields, which the schema describes."""
    serializer = ItemSerializer()
    return [serializers.Serializer.to_representation(serializer, row) for row in rows]


def rendered(data) -> bytes:
    return JSONRenderer().render(data)


def every_item_now(plan: Plan):
    ids, refs, depths = selectors.item_ids_in_order(plan)
    return selectors.items_now(plan, ids, refs, depths)


def test_the_written_out_items_are_the_declared_fields_for_every_kind(council):
    rows = [row for plan in council for row in every_item_now(plan)]
    fast = ItemSerializer(rows, many=True).data
    assert rendered(fast) == rendered(walked(rows))
    assert [list(entry) for entry in fast] == [list(entry) for entry in walked(rows)]  # the same order of keys
    # the council holds what could differ: every kind, costs, measures with indicators and
    # values, supporters, items with and without leads
    assert {row.item.kind for row in rows} == set(PlanItem.Kind.values)
    data = json.loads(rendered(fast))
    assert any(entry["cost"] and entry["cost"]["amount"] is not None for entry in data)
    assert any(entry["measure"] and entry["measure"]["indicator"] for entry in data)
    assert any(entry["measure"] and entry["measure"]["baseline_value"] is not None for entry in data)
    assert any(entry["supporting_organisations"] for entry in data)
    assert any(entry["lead_officer"] for entry in data) and any(entry["lead_officer"] is None for entry in data)
    assert any(entry["due_date"] for entry in data)


def test_the_past_view_is_written_out_as_the_declared_fields(council):
    plan = max(council, key=lambda plan: plan.items.count())
    rows = selectors.items_as_of(plan, timezone.now())
    assert rows
    assert rendered(ItemSerializer(rows, many=True).data) == rendered(walked(rows))


def test_an_amount_is_rounded_as_the_declared_field_rounds_it(council):
    row = next(row for plan in council for row in every_item_now(plan) if row.item.is_target)
    row.item.baseline_value = "12.345"  # as a form might leave it before saving
    row.item.target_value = None
    assert ItemSerializer(row).data["measure"] == walked([row])[0]["measure"]
    assert ItemSerializer(row).data["measure"]["target_value"] is None
