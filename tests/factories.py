"""factory-boy factories. Plans are created through the service so that every plan
has its vision and its history, exactly as in the app."""

import factory
from django.contrib.auth.hashers import make_password

from partners.models import Organisation, User
from planning import services
from planning.models import Indicator, Plan, PlanItem

PASSWORD = "correct-horse-battery"
_HASHED = make_password(PASSWORD, salt="factorysaltfactorysalt01")  # 24 characters: no re-hash at sign-in


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Service {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    kind = Organisation.Kind.SERVICE


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = User.Role.OFFICER
    password = _HASHED
    organisation = factory.SubFactory(OrganisationFactory)


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    code = factory.Sequence(lambda n: f"indicator-{n}")
    name = factory.Sequence(lambda n: f"Indicator {n}")


def make_plan(*, owner: User, organisation: Organisation | None = None, parent: Plan | None = None, **fields) -> Plan:
    n = Plan.objects.count() + 1
    values = {
        "title": f"Plan {n}",
        "slug": f"plan-{n}",
        "kind": Plan.Kind.SERVICE,
        "organisation": organisation or owner.organisation,
        "owner": owner,
        "parent": parent,
        "start_year": 2013,
        "end_year": 2015,
        "summary": "",
    }
    values.update(fields)
    status = values.pop("status", None)
    plan = services.plan_create(user=owner, fields=values)
    if status:
        plan.status = status
        plan.save()
    return plan


def add_item(plan: Plan, parent: PlanItem, kind: str, user: User | None = None, **fields) -> PlanItem:
    defaults = {"title": f"{kind.title()} {PlanItem.objects.count() + 1}"}
    if kind == PlanItem.Kind.TARGET:
        defaults.update({"unit": "percentage", "direction": "higher", "target_value": 85})
    defaults.update(fields)
    return services.item_add(
        plan=plan,
        parent_id=parent.pk,
        kind=kind,
        user=user,
        change=services.ItemChange(defaults),
        reason="Built by a test",  # approved plans need a reason for every change
    )


def vision_of(plan: Plan) -> PlanItem:
    return PlanItem.objects.get(plan=plan, parent__isnull=True)


def build_plan(plan: Plan, *, priorities: int, actions: int, targets: int, milestones: int) -> None:
    """A regular plan: priorities, each with actions, each with targets and milestones."""
    vision = vision_of(plan)
    for _ in range(priorities):
        priority = add_item(plan, vision, "priority")
        for _ in range(actions):
            action = add_item(plan, priority, "action", cost_amount=1000, cost_type="revenue")
            for _ in range(targets):
                add_item(plan, action, "target")
            for _ in range(milestones):
                add_item(plan, action, "milestone")


def sized_plan(size: str, *, owner: User) -> Plan:
    """A regular plan of 21 items with the vision ("small") or 501 ("large"), for tests that
    hold a page's query count the same at both sizes."""
    plan = make_plan(owner=owner)
    if size == "small":
        build_plan(plan, priorities=2, actions=3, targets=1, milestones=1)
    else:
        build_plan(plan, priorities=10, actions=7, targets=3, milestones=3)
    return plan


def edited_plan(size: str, *, owner: User, other_owner: User, organisation: Organisation):
    """A plan whose items have leads, supporters, indicators and links to another plan,
    named as an edition and then changed (its first action renamed): what the history views
    read. ``size``: "small" (about 20 items) or "large" (about 200). Returns the plan, the
    edition and the renamed action."""
    plan = make_plan(owner=owner)
    if size == "small":
        build_plan(plan, priorities=2, actions=2, targets=1, milestones=1)
    else:
        build_plan(plan, priorities=6, actions=6, targets=2, milestones=2)
    other = make_plan(owner=other_owner, slug="corporate")
    theirs = add_item(other, vision_of(other), "priority", user=other_owner, title="Their priority")
    indicator = IndicatorFactory()
    for n, item in enumerate(PlanItem.objects.filter(plan=plan).exclude(kind="vision").order_by("lft")):
        fields = {"lead_officer": (owner, other_owner)[n % 2], "lead_organisation": organisation}
        if item.kind == "target":
            fields["indicator"] = indicator
        services.item_update(
            item_id=item.pk, user=owner, change=services.ItemChange(fields, supporting_organisations=[organisation]),
            expected_version=item.version,
        )  # fmt: skip
        if item.kind == "action":
            services.link_add(source_id=item.pk, target_id=theirs.pk, relation="contributes_to", user=owner)
    edition = services.edition_create(plan=plan, name="Named", user=owner)
    action = PlanItem.objects.filter(plan=plan, kind="action").order_by("lft").first()
    services.item_update(
        item_id=action.pk, user=owner, change=services.ItemChange({"title": "Renamed"}),
        expected_version=action.version,
    )  # fmt: skip
    return plan, edition, action


def make_return(
    item: PlanItem, period, user: User, fields: dict | None = None, *, submit: bool = False, version: int = 0
):
    """A progress return saved (and with ``submit`` submitted) through the service, as
    the return form saves it."""
    from monitoring import services as monitoring

    return monitoring.return_save(
        item=item,
        period=period,
        user=user,
        fields=fields if fields is not None else {"rag": "green", "narrative": "Done"},
        expected_version=version,
        submit=submit,
    )


def make_partnership(name: str, leads: dict, *, slug: str | None = None):
    """A partnership of the organisations in ``leads`` (organisation -> its plan leads)."""
    from partners.models import Partnership, PartnershipLead, PartnershipMember

    partnership = Partnership.objects.create(name=name, slug=slug or name.lower().replace(" ", "-"))
    for organisation, people in leads.items():
        PartnershipMember.objects.create(partnership=partnership, organisation=organisation)
        for person in people:
            PartnershipLead.objects.create(partnership=partnership, person=person, organisation=organisation)
    return partnership
