"""The demo council's partnership plan (issue 15), told through the services after the
fixture has loaded, like ``demo.planning_story``.

Northmoor's single integrated plan, "Northmoor Delivers", is owned by the Northmoor Local
Service Board: the council, the primary care trust (the health board), the constabulary
and the college, each with a named plan lead. The Board has started its next plan as a
revision of the approved one. That draft is mid-way:

- it went out to consultation first, and partners and a councillor suggested changes:
  one is still open, one was accepted, one accepted with changes and one declined by the
  owner, and one accepted by the drafting group of its part once the plan was back in
  draft;
- two drafting groups write their parts: the health sub-group "Healthier Northmoor" (the
  trust's commissioner and the council's Troubled Families co-ordinator), and the
  Community Safety Partnership "Safer Northmoor" (the police inspector and the Connexions
  area manager); each has already added, changed and moved items in its part;
- the college has signed off, with a condition; the others have not yet.

Every change goes through ``planning.services`` and ``planning.co_writing`` as the person
who made it, so history, locking and the drafting rules are exactly what the app enforces.
"""

from datetime import date, timedelta

from django.utils import timezone

from partners.models import Organisation, Partnership, PartnershipLead, PartnershipMember, User
from partners.partnerships import partnership_save
from planning import co_writing, lifecycle, services, suggestions
from planning.models import Comment, DraftingGroup, Plan, PlanItem

BOARD = "Northmoor Local Service Board"
BOARD_SLUG = "northmoor-lsb"
APPROVED_SLUG = "northmoor-delivers-2013-17"
DRAFT_SLUG = "northmoor-delivers-2017-21"
DRAFT_TITLE = "Northmoor Delivers: Single Integrated Plan 2017–2021"
# organisation slug -> its plan leads (usernames)
LEADS = {
    "northmoor": ["cholloway"],
    "northmoor-pct": ["ewright"],
    "northmoor-police": ["gdawson"],
    "northmoor-college": ["partner"],
}
# part (themed outcome) -> (group name, members)
GROUPS = {
    "Healthier Northmoor": ("Health and wellbeing sub-group", ["ewright", "tharris"]),
    "Safer Northmoor": ("Community Safety Partnership", ["gdawson", "sahmed"]),
}
# organisations invited to the consultation on the draft (the Board's own, and Connexions)
CONSULTED = ["northmoor-pct", "northmoor-police", "northmoor-college", "connexions"]
COLLEGE_CONDITION = "the college's adult community learning offer is named under Learning Northmoor"


def tell(*, today: date | None = None) -> Plan:
    """The Board, its plans, the draft's consultation with suggestions in every state, its
    two groups mid-way and one sign-off; returns the draft."""
    today = today or timezone.localdate()
    people = {user.username: user for user in User.objects.all()}
    board = _board(people)
    approved = Plan.objects.get(slug=APPROVED_SLUG)
    owner = approved.owner
    fields = {name: getattr(approved, name) for name in Plan.EDITABLE_FIELDS} | {"partnership": board}
    approved = services.plan_update(
        plan_id=approved.pk,
        user=owner,
        fields=fields,
        expected_version=approved.version,
        reason="The Local Service Board owns the single integrated plan",
    )
    draft = lifecycle.plan_revise(
        plan=approved, user=owner, title=DRAFT_TITLE, slug=DRAFT_SLUG, start_year=2017, end_year=2020
    )
    for part, (name, members) in GROUPS.items():
        item = PlanItem.objects.get(plan=draft, kind=PlanItem.Kind.PRIORITY, title=part)
        group = co_writing.drafting_group_create(plan=draft, user=owner, name=name, item_id=item.pk)
        for username in members:
            co_writing.drafting_member_add(group=group, user=owner, email=people[username].email)
    _consult(draft, people, today)
    _health_writes(draft, people["ewright"])
    _safety_writes(draft, people["gdawson"])
    co_writing.sign_off_give(plan=draft, user=people["partner"], condition=COLLEGE_CONDITION)
    return draft


def _board(people: dict[str, User]) -> Partnership:
    board = Partnership(
        name=BOARD,
        slug=BOARD_SLUG,
        description="The county's public services planning together: one plan, signed by every partner.",
    )
    organisations = Organisation.objects.filter(slug__in=LEADS)
    leads = [people[username] for usernames in LEADS.values() for username in usernames]
    partnership_save(partnership=board, user=people["admin"], organisations=organisations, leads=leads)
    assert PartnershipMember.objects.filter(partnership=board).count() == len(LEADS)
    assert PartnershipLead.objects.filter(partnership=board).count() == len(leads)
    return board


def _consult(plan: Plan, people: dict[str, User], today: date) -> list[Comment]:
    """Three weeks' consultation closing today, with five suggestions; the owner decides
    three of them, takes the plan back to draft for the groups to finish, and the health
    sub-group accepts the one on its part."""
    owner = plan.owner
    lifecycle.plan_consultation_open(
        plan=plan,
        user=owner,
        opens_on=today - timedelta(days=21),
        closes_on=today,
        note="Please **suggest changes** to the wording, or new actions, as well as commenting.",
        organisations=list(Organisation.objects.filter(slug__in=CONSULTED)),
        members=[people["member"]],
    )

    def item(title: str) -> PlanItem:
        return PlanItem.objects.get(plan=plan, title=title)

    suggest = suggestions.suggestion_add
    still_open = suggest(
        plan=plan,
        user=people["partner"],
        item=item("Raise standards so every child attends a good school"),
        body="Adults learn with us too: the plan should say so.",
        proposed_title="Raise standards so every child and adult learner attends a good school or college",
    )
    new_action = suggest(
        plan=plan,
        user=people["gdawson"],
        item=item("Safer Northmoor"),
        body="Schools tell us a named officer works better than a rota.",
        proposed_title="Give every secondary school a named police officer",
        proposed_kind=PlanItem.Kind.ACTION,
    )
    reworded = suggest(
        plan=plan,
        user=people["ewright"],
        item=item("Help people who are out of work into jobs"),
        body="Half of those out of work here have a long-term health condition.",
        proposed_title="Help people who are out of work, including people with long-term health conditions, into jobs",
    )
    declined = suggest(
        plan=plan,
        user=people["member"],
        item=item("Recycle and compost more household waste"),
        body="Members want a number in the words.",
        proposed_title="Recycle and compost 70% of household waste",
    )
    for_the_group = suggest(
        plan=plan,
        user=people["sahmed"],
        item=item("Reduce childhood obesity"),
        body="Young people told us they want this to start with what they eat at school.",
        proposed_title="Reduce childhood obesity, starting with school food",
    )
    suggestions.suggestion_accept(
        suggestion_id=new_action.pk, user=owner, response="Agreed: added under Safer Northmoor."
    )
    suggestions.suggestion_accept(
        suggestion_id=reworded.pk,
        user=owner,
        title="Help people out of work into jobs, including people with long-term health conditions",
        response="Agreed, with shorter wording.",
    )
    suggestions.suggestion_decline(
        suggestion_id=declined.pk,
        user=owner,
        reason="The 70% belongs in the outcome measure under this action, which already says it.",
    )
    lifecycle.plan_status_set(
        plan=plan, user=owner, status=Plan.Status.DRAFT, reason="Back to the sub-groups to finish their parts"
    )
    suggestions.suggestion_accept(
        suggestion_id=for_the_group.pk,
        user=people["ewright"],
        response="The health sub-group agrees.",
    )
    assert Comment.objects.get(pk=still_open.pk).state == Comment.State.OPEN
    return [still_open, new_action, reworded, declined, for_the_group]


def _in_part(plan: Plan, part: str, title: str) -> PlanItem:
    top = PlanItem.objects.get(plan=plan, kind=PlanItem.Kind.PRIORITY, title=part)
    return top.get_descendants().get(title=title)


def _health_writes(plan: Plan, commissioner: User) -> None:
    """The health sub-group sharpens one action and adds another."""
    smoking = _in_part(plan, "Healthier Northmoor", "Help mothers to stop smoking in pregnancy")
    services.item_update(
        item_id=smoking.pk,
        user=commissioner,
        expected_version=smoking.version,
        change=services.ItemChange({"title": "Help mothers and their partners to stop smoking in pregnancy"}),
        reason="Health sub-group: partners who smoke are the strongest predictor of relapse",
    )
    services.item_add(
        plan=plan,
        parent_id=smoking.parent_id,
        kind=PlanItem.Kind.ACTION,
        user=commissioner,
        change=services.ItemChange(
            {
                "title": "Offer every child a school nurse health review at eleven",
                "description": "Drafted by the health sub-group; costs to follow from the trust.",
                "lead_organisation": commissioner.organisation,
            }
        ),
        reason="Health sub-group: new action",
    )


def _safety_writes(plan: Plan, inspector: User) -> None:
    """The Community Safety Partnership adds an action and puts it first."""
    part = PlanItem.objects.get(plan=plan, kind=PlanItem.Kind.PRIORITY, title="Safer Northmoor")
    added = services.item_add(
        plan=plan,
        parent_id=part.pk,
        kind=PlanItem.Kind.ACTION,
        user=inspector,
        change=services.ItemChange(
            {
                "title": "Keep young people safe online with every secondary school",
                "lead_organisation": inspector.organisation,
            }
        ),
        reason="Community Safety Partnership: new action",
    )
    services.item_move(
        item_id=added.pk,
        user=inspector,
        new_parent_id=part.pk,
        new_position=1,
        reason="Community Safety Partnership: our first priority for 2017",
    )
    assert DraftingGroup.objects.filter(plan=plan).count() == len(GROUPS)
