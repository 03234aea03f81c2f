"""What the API writes out, as DRF serializers (the OpenAPI schema is generated from them)."""

from django.urls import reverse
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from monitoring.models import ProgressReturn
from planning.models import Edition, Link, Plan, PlanItem

DECIMAL = {"max_digits": 14, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}


class NamedSerializer(serializers.Serializer):
    name = serializers.CharField()


class PlanSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    title = serializers.CharField()
    title_cy = serializers.CharField(help_text=gettext_lazy("The title in Welsh; empty where there is none."))
    kind = serializers.ChoiceField(choices=Plan.Kind.choices)
    kind_label = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=Plan.Status.choices)
    organisation = serializers.CharField(source="organisation.name")
    parent = serializers.SerializerMethodField(
        help_text=gettext_lazy("The slug of the plan this one delivers, if the caller may read it.")
    )
    start_year = serializers.IntegerField()
    end_year = serializers.IntegerField()
    period = serializers.CharField(
        help_text=gettext_lazy("The financial years it runs, for example “2013/14 to 2015/16”.")
    )
    approved_by = serializers.CharField()
    approved_on = serializers.DateField(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    version = serializers.IntegerField()
    item_count = serializers.IntegerField(help_text=gettext_lazy("Its number of items (at ``as_of``, if given)."))
    labels = serializers.SerializerMethodField(help_text=gettext_lazy("The plan's own names for its levels."))
    url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_parent(self, plan: Plan) -> str | None:
        readable = self.context.get("readable_parents")
        if plan.parent_id is None or (readable is not None and plan.parent_id not in readable):
            return None
        return plan.parent.slug

    @extend_schema_field(serializers.DictField(child=serializers.CharField()))
    def get_labels(self, plan: Plan) -> dict[str, str]:
        return {kind: plan.label_for(kind) for kind in PlanItem.Kind.values}

    def get_url(self, plan: Plan) -> str:
        return reverse("api:plan-detail", args=[plan.slug])


class PlanDetailSerializer(PlanSerializer):
    summary = serializers.CharField(help_text=gettext_lazy("Markdown."))
    summary_cy = serializers.CharField(
        help_text=gettext_lazy("The summary in Welsh (Markdown); empty where there is none.")
    )
    as_of = serializers.SerializerMethodField(help_text=gettext_lazy("The moment the plan is shown at; null: now."))

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_as_of(self, plan: Plan):
        when = self.context.get("as_of")
        return serializers.DateTimeField().to_representation(when) if when else None


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class MeasureSerializer(serializers.Serializer):
    """A target's measure: what it counts, from where to where, by when."""

    indicator = serializers.SerializerMethodField()
    unit = serializers.ChoiceField(choices=[("", ""), *PlanItem.Unit.choices])
    baseline_value = serializers.DecimalField(**DECIMAL)
    baseline_date = serializers.DateField(allow_null=True)
    target_value = serializers.DecimalField(**DECIMAL)
    target_date = serializers.DateField(allow_null=True)
    direction = serializers.ChoiceField(choices=[("", ""), *PlanItem.Direction.choices])
    target_type = serializers.ChoiceField(choices=[("", ""), *PlanItem.TargetType.choices])
    amber_tolerance = serializers.DecimalField(**DECIMAL)

    @extend_schema_field(IndicatorSerializer(allow_null=True))
    def get_indicator(self, item: PlanItem):
        if item.indicator_id is None:
            return None
        return {"code": getattr(item.indicator, "code", ""), "name": str(item.indicator.name)}


class CostSerializer(serializers.Serializer):
    amount = serializers.DecimalField(
        source="cost_amount", max_digits=12, decimal_places=2, coerce_to_string=False, allow_null=True
    )
    type = serializers.ChoiceField(source="cost_type", choices=[("", ""), *PlanItem.CostType.choices])
    funding_source = serializers.CharField()


class ItemSerializer(serializers.Serializer):
    """One item of a plan (``api.selectors.ApiItem``)."""

    id = serializers.IntegerField(source="item.pk")
    reference = serializers.CharField(
        help_text=gettext_lazy("Its number in the plan, for example “2.3.1”; the vision's is empty.")
    )
    kind = serializers.ChoiceField(
        source="item.kind", choices=PlanItem.Kind.choices, help_text=gettext_lazy("Its level.")
    )
    label = serializers.CharField(help_text=gettext_lazy("The plan's name for its level, for example “Outcome”."))
    depth = serializers.IntegerField()
    parent = serializers.IntegerField(source="item.parent_id", allow_null=True)
    position = serializers.IntegerField(source="item.position")
    title = serializers.CharField(source="item.title")
    title_cy = serializers.CharField(
        source="item.title_cy", help_text=gettext_lazy("In Welsh; empty where there is none.")
    )
    description = serializers.CharField(source="item.description", help_text=gettext_lazy("Markdown."))
    description_cy = serializers.CharField(
        source="item.description_cy", help_text=gettext_lazy("In Welsh (Markdown); empty where there is none.")
    )
    status = serializers.ChoiceField(source="item.status", choices=PlanItem.Status.choices)
    lead_officer = serializers.SerializerMethodField()
    lead_organisation = serializers.SerializerMethodField()
    supporting_organisations = serializers.ListField(source="supporters", child=serializers.CharField())
    start_date = serializers.DateField(source="item.start_date", allow_null=True)
    due_date = serializers.DateField(source="item.due_date", allow_null=True)
    cost = CostSerializer(allow_null=True, help_text=gettext_lazy("Actions and milestones only."))
    measure = MeasureSerializer(allow_null=True, help_text=gettext_lazy("Targets only."))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_officer(self, row) -> str | None:
        person = row.item.lead_officer if row.item.lead_officer_id else None
        return None if person is None else (person.get_full_name() or person.username)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_lead_organisation(self, row) -> str | None:
        return str(row.item.lead_organisation.name) if row.item.lead_organisation_id else None

    def to_representation(self, row) -> dict:
        """The fields above, written out directly: DRF's field-by-field walk took 130 ms for a
        page of 2,000 items, most of the answer's time (docs/performance.md). The fields stay
        declared for the schema; tests/api/test_item_representation.py holds this to DRF's
        own walk of them, field for field, for every kind of item."""
        item = row.item
        costed, target = item.is_costed, item.is_target
        return {
            "id": item.pk,
            "reference": row.reference,
            "kind": item.kind,
            "label": str(row.label),
            "depth": row.depth,
            "parent": item.parent_id,
            "position": item.position,
            "title": item.title,
            "title_cy": item.title_cy,
            "description": item.description,
            "description_cy": item.description_cy,
            "status": item.status,
            "lead_officer": self.get_lead_officer(row),
            "lead_organisation": self.get_lead_organisation(row),
            "supporting_organisations": [str(name) for name in row.supporters],
            "start_date": _date(item.start_date),
            "due_date": _date(item.due_date),
            "cost": {
                "amount": _decimal(item.cost_amount, _COST_AMOUNT),
                "type": item.cost_type,
                "funding_source": item.funding_source,
            }
            if costed
            else None,
            "measure": {
                "indicator": None
                if item.indicator_id is None
                else {"code": getattr(item.indicator, "code", ""), "name": str(item.indicator.name)},
                "unit": item.unit,
                "baseline_value": _decimal(item.baseline_value, _MEASURE_VALUE),
                "baseline_date": _date(item.baseline_date),
                "target_value": _decimal(item.target_value, _MEASURE_VALUE),
                "target_date": _date(item.target_date),
                "direction": item.direction,
                "target_type": item.target_type,
                "amber_tolerance": _decimal(item.amber_tolerance, _MEASURE_VALUE),
            }
            if target
            else None,
        }


# the decimal fields' own rounding, used by ItemSerializer.to_representation
_COST_AMOUNT = CostSerializer().fields["amount"]
_MEASURE_VALUE = serializers.DecimalField(**DECIMAL)


def _decimal(value, field: serializers.DecimalField):
    return None if value is None else field.to_representation(value)


def _date(value):
    return None if value is None else value.isoformat()


class LinkEndSerializer(serializers.Serializer):
    hidden = serializers.BooleanField(
        help_text=gettext_lazy("In a plan the caller may not read: only that the link exists is shown.")
    )
    item = serializers.IntegerField(source="item_id", allow_null=True)
    reference = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    title_cy = serializers.CharField(
        allow_null=True, help_text=gettext_lazy("The title in Welsh; empty where there is none.")
    )
    plan = serializers.CharField(allow_null=True, help_text=gettext_lazy("The plan's slug."))


class LinkSerializer(serializers.Serializer):
    """A line of the golden thread (``api.selectors.ApiLink``)."""

    id = serializers.IntegerField(source="pk")
    relation = serializers.ChoiceField(choices=Link.Relation.choices)
    direction = serializers.ChoiceField(
        choices=[("out", "out"), ("in", "in")],
        help_text=gettext_lazy("out: from one of this plan's items; in: to one of them from another item."),
    )
    note = serializers.CharField(allow_null=True)
    source = LinkEndSerializer()
    target = LinkEndSerializer()


class EditionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    moment = serializers.DateTimeField()
    note = serializers.CharField()
    items_url = serializers.SerializerMethodField(
        help_text=gettext_lazy("The plan's items as they stood at this edition.")
    )

    def get_items_url(self, edition: Edition) -> str:
        moment = serializers.DateTimeField().to_representation(edition.moment)
        return reverse("api:item-list", args=[edition.plan.slug]) + f"?as_of={moment.replace('+', '%2B')}"


class PeriodSerializer(serializers.Serializer):
    slug = serializers.CharField(
        help_text=gettext_lazy("How a quarter appears in addresses and filters, for example “2013-q2”.")
    )
    label = serializers.CharField()
    start_year = serializers.IntegerField()
    quarter = serializers.IntegerField()
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    due_on = serializers.DateField()
    locked = serializers.BooleanField(
        source="is_locked", help_text=gettext_lazy("Reported to members: nothing in it changes.")
    )
    locked_at = serializers.DateTimeField(allow_null=True)


class ReturnSerializer(serializers.Serializer):
    """An accepted progress return."""

    id = serializers.IntegerField(source="pk")
    plan = serializers.CharField(source="item.plan.slug")
    item = serializers.IntegerField(source="item_id")
    reference = serializers.CharField()
    item_title = serializers.CharField(source="item.title")
    period = serializers.CharField(source="period.slug")
    state = serializers.ChoiceField(choices=ProgressReturn.State.choices)
    rag = serializers.ChoiceField(choices=[("", ""), *ProgressReturn.Rag.choices])
    actual_value = serializers.DecimalField(**DECIMAL)
    spend_to_date = serializers.DecimalField(
        **DECIMAL,
        help_text=gettext_lazy(
            "An action's spend this financial year to the end of the quarter, in pounds (decision 0023)."
        ),
    )
    narrative = serializers.CharField()
    narrative_cy = serializers.CharField(help_text=gettext_lazy("The narrative in Welsh; empty where there is none."))
    soft_outcomes = serializers.CharField()
    next_steps = serializers.CharField()
    revised_due_date = serializers.DateField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)


class ScorecardEntrySerializer(serializers.Serializer):
    plan = serializers.CharField(source="plan.slug")
    plan_title = serializers.CharField(source="plan.title")
    period = serializers.CharField(source="period.slug")
    locked = serializers.BooleanField(help_text=gettext_lazy("Locked: the scorecard as reported to members."))
    url = serializers.SerializerMethodField()

    def get_url(self, entry) -> str:
        return reverse("api:scorecard-detail", args=[entry.plan.slug, entry.period.slug])


class ScorecardSerializer(serializers.Serializer):
    """A plan's scorecard for a quarter, as members read it (``monitoring.scorecards``):
    each list holds the scorecard's rows as plain values, formatted as on the page."""

    plan = serializers.DictField()
    period = serializers.DictField()
    labels = serializers.DictField(child=serializers.CharField())
    generated = serializers.CharField()
    frozen = serializers.BooleanField(default=False, help_text=gettext_lazy("As stored when the quarter was locked."))
    reported = serializers.IntegerField()
    received = serializers.IntegerField()
    rag_counts = serializers.ListField(child=serializers.DictField())
    movement = serializers.DictField(child=serializers.IntegerField())
    priorities = serializers.ListField(child=serializers.DictField())
    exceptions = serializers.ListField(child=serializers.DictField())
    outstanding = serializers.ListField(child=serializers.DictField())
    targets = serializers.ListField(child=serializers.DictField())
    trend = serializers.ListField(child=serializers.DictField())
    costs = serializers.DictField()
    spend = serializers.DictField(
        allow_null=True,
        help_text=gettext_lazy(
            "Each action's budget, profile to date, spend to date and variance (decision 0023); "
            "null in a scorecard stored before budgets were reported."
        ),
    )
    rows = serializers.ListField(child=serializers.DictField())
