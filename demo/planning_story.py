"""A short, true history for the demo council, told through the services after
``load_demo`` has loaded the fixture.

A fixture can only hold how plans stand; editions, past views and comparisons need a
plan that has *changed* between two named moments. So the story takes the Standards and
School Improvement business plan, loaded as a draft, names its draft edition, makes four
ordinary changes as its owner, each with a reason (an officer would give the same ones),
links the new action to Bold Steps, and approves it (Cabinet, 18 March 2013), which names
the second edition. The past view of the first edition then differs from the second in
an edit, an addition, a move and a deletion, and in its status: Draft, then Approved.

Every change goes through ``planning.services``, so history, locking and validation are
exactly what an officer's edits produce. Items are found by title: if the demo content
is edited so that one is missing, ``tell`` fails loudly rather than telling half a story.
"""

import time
from datetime import date, timedelta
from decimal import Decimal

from config.history import change_context, database_now
from partners.models import Organisation, User
from planning import lifecycle, services
from planning.models import Comment, Consultation, Edition, Link, Plan, PlanItem
from public import consultation as public_consultation
from public.models import PublicAddress, PublicResponse

PLAN_SLUG = "standards-school-improvement-2013-14"
DRAFT = "Draft for consultation"
APPROVED_BY, APPROVED_ON = "Cabinet", date(2013, 3, 18)
APPROVED = f"Approved by {APPROVED_BY}, {APPROVED_ON:%-d %B %Y}"  # the edition approval names
CONSULTATION_REASON = "Revised after consultation with headteachers"

EDITED_TITLE = "Target support on reading, writing and mathematics at Key Stage 2"
EDITED_TO = "Target support on reading, writing and mathematics in the 40 primary schools furthest below the floor"
EDITED_DUE = date(2014, 5, 9)  # the Friday before the Key Stage 2 tests
NEW_ACTION_UNDER = "Narrow the gap for disadvantaged pupils"
NEW_ACTION = "Fund a pupil premium champion in each collaborative hub"
BOLD_STEPS_SLUG = "bold-steps-for-education-2013-16"
LINKED_TO = "Narrow the achievement gaps"
MOVED_UP = "Help governing bodies challenge school leaders"
DELETED_MILESTONE = "Buy-back rates reviewed with the Schools Forum"


def tell(*, owner: User) -> list[Edition]:
    """Draft edition, four changes, approval (which names the second edition); returns the
    two editions, oldest first.

    Each step starts only once the database clock has moved past the previous one, so
    every step's history rows carry their own timestamp even on a fast machine with a
    coarse clock, and "between the two editions" means exactly these edits.
    """
    plan = Plan.objects.get(slug=PLAN_SLUG)
    if plan.status != Plan.Status.DRAFT:
        raise ValueError(f"{plan} must be loaded as a draft: the story approves it")
    items = PlanItem.objects.filter(plan=plan)

    _tick()  # the draft names the plan exactly as loaded
    draft = services.edition_create(
        plan=plan,
        name=DRAFT,
        note="The plan as it went out to headteachers and governors for comment.",
        user=owner,
    )

    _tick()
    edited = items.get(title=EDITED_TITLE)
    services.item_update(
        item_id=edited.pk,
        user=owner,
        expected_version=edited.version,
        change=services.ItemChange(fields={"title": EDITED_TO, "due_date": EDITED_DUE}),
        reason=CONSULTATION_REASON,
    )

    _tick()
    added = services.item_add(
        plan=plan,
        parent_id=items.get(kind=PlanItem.Kind.PRIORITY, title=NEW_ACTION_UNDER).pk,
        kind=PlanItem.Kind.ACTION,
        user=owner,
        change=services.ItemChange(
            fields={
                "title": NEW_ACTION,
                "description": "A lead teacher in each hub who shows other schools how to spend the pupil "
                "premium on what works.",
                "lead_officer": User.objects.get(username="officer"),
                "start_date": date(2013, 9, 1),
                "due_date": date(2014, 3, 31),
                "cost_amount": Decimal("120000.00"),
                "cost_type": PlanItem.CostType.REVENUE,
                "funding_source": "Dedicated Schools Grant (de-delegated)",
            }
        ),
        reason="Added after consultation: headteachers asked for help from a peer, not only challenge",
    )
    _tick()  # and threaded to Bold Steps, as an officer would, so it is not a second orphan
    services.link_add(
        source_id=added.pk,
        target_id=PlanItem.objects.get(plan__slug=BOLD_STEPS_SLUG, title=LINKED_TO).pk,
        relation=Link.Relation.CONTRIBUTES_TO,
        note="Pupil premium spent on what works",
        user=owner,
    )

    _tick()
    moved = items.get(title=MOVED_UP)
    services.item_move(
        item_id=moved.pk,
        user=owner,
        new_parent_id=moved.parent_id,
        new_position=moved.position - 1,
        reason="Moved up after consultation: governors' challenge comes first",
    )

    _tick()
    services.item_delete(
        item_id=items.get(kind=PlanItem.Kind.MILESTONE, title=DELETED_MILESTONE).pk,
        user=owner,
        reason="Removed after consultation: the Schools Forum reviews buy-back rates in its own cycle",
    )

    _tick()
    approved = lifecycle.plan_approve(plan=plan, user=owner, approved_by=APPROVED_BY, approved_on=APPROVED_ON)
    return [draft, approved]


def _tick() -> None:
    """Wait (10 ms at a time) until the database clock has moved on from now: everything
    written so far is stamped at or before this moment, everything after it later."""
    moment = database_now()
    while True:
        time.sleep(0.01)
        if database_now() > moment:
            return


CONSULTATION_SLUG = "fair-access-2013-14"
INVITED_ORGANISATIONS = ["northmoor-college", "northmoor-police", "northmoor-pct", "northmoor-lsc"]
INVITED_MEMBERS = ["member", "gbramwell"]


def consult(*, today: date | None = None) -> Consultation:
    """Open a consultation on the Fair Access plan that is open today, with comments from
    several partners and a councillor in every state: some answered, one accepted with the
    change it caused, one declined, some still open, and a reply in a thread."""
    today = today or date.today()
    plan = Plan.objects.get(slug=CONSULTATION_SLUG)
    owner = plan.owner
    people = {user.username: user for user in User.objects.filter(role__in=["partner", "member"])}
    consultation = lifecycle.plan_consultation_open(
        plan=plan,
        user=owner,
        opens_on=today - timedelta(days=14),
        closes_on=today + timedelta(days=21),
        note="We would welcome comments on the **home to school transport review** and on in-year admissions.",
        organisations=list(Organisation.objects.filter(slug__in=INVITED_ORGANISATIONS)),
        members=[people[name] for name in INVITED_MEMBERS],
        is_public=True,  # anyone may read it and respond on the public pages (issue 16)
    )
    actions = list(PlanItem.objects.filter(plan=plan, kind=PlanItem.Kind.ACTION).order_by("lft")[:4])
    say = lifecycle.comment_add
    college = say(plan=plan, user=people["partner"], item=actions[0], body="Students travelling to the college "
                  "from the north of the county are not mentioned. Could the review include post-16 transport?")  # fmt: skip
    police = say(plan=plan, user=people["gdawson"], item=actions[1],
                 body="We can share data on pupils missing from education found during the day.")  # fmt: skip
    health = say(plan=plan, user=people["ewright"], body="The plan could say more about children with medical "
                 "needs who cannot attend school. School nurses would like to be involved.")  # fmt: skip
    member = say(plan=plan, user=people["member"], item=actions[2], body="What will the transport review cost, "
                 "and when will Cabinet see the options?")  # fmt: skip
    say(plan=plan, user=people["partner"], parent=police, body="The college would like to be part of that too.")
    say(plan=plan, user=people["pquinn"], item=actions[3], body="Please align the in-year admissions dates with "
        "the LSC's funding census.")  # fmt: skip
    _tick()
    change = services.item_update(
        item_id=actions[0].pk,
        user=owner,
        expected_version=actions[0].version,
        change=services.ItemChange(
            fields={
                "description": (
                    actions[0].description + "\n\nThe review includes post-16 transport to the college."
                ).strip()
            }
        ),  # fmt: skip
        reason="Changed in reply to Northmoor College's comment",
    )
    history_id = PlanItem.history.filter(id=change.pk).latest("history_date", "history_id").history_id
    lifecycle.comment_respond(comment_id=college.pk, user=owner, state=Comment.State.ACCEPTED,
                              response="Agreed: post-16 transport is now part of the review.",
                              expected_version=college.version, change_history_id=history_id)  # fmt: skip
    lifecycle.comment_respond(comment_id=police.pk, user=owner, state=Comment.State.ANSWERED,
                              response="Thank you: the Children Missing Education officer will contact you.",
                              expected_version=police.version)  # fmt: skip
    lifecycle.comment_respond(comment_id=health.pk, user=owner, state=Comment.State.DECLINED,
                              response="Medical needs provision sits in the Inclusion business plan (priority 2).",
                              expected_version=health.version)  # fmt: skip
    assert member.state == Comment.State.OPEN  # the councillor's question is still to be answered
    _public_responses(plan, consultation, owner, actions[0])
    return consultation


def _public_responses(plan: Plan, consultation: Consultation, owner: User, item: PlanItem) -> None:
    """Two responses from the public, their addresses confirmed: one approved (shown on the
    public consultation page, named by consent), one waiting in the moderation queue. Made
    as the confirmation link leaves them, without sending the demo's addresses an email."""
    waiting = PublicResponse.State.WAITING
    with change_context(reason="Response from the public", user=None) as change:
        rows = []
        for name, email, body, named, on in (
            (
                "Rita Dawes",
                "rita.dawes@example.org",
                "Please keep the school bus from the villages: it is the only way my children can get to school.",
                True,
                item,
            ),  # fmt: skip
            (
                "Sam Hill",
                "sam.hill@example.org",
                "In-year admissions should publish how many places are left at each school.",
                False,
                None,
            ),  # fmt: skip
        ):
            address = PublicAddress.objects.create(email=email, sent_at=change.when, expires_at=change.when,
                                                   confirmed_at=change.when)  # fmt: skip
            rows.append(
                PublicResponse.objects.create(
                    consultation=consultation,
                    plan=plan,
                    item=on,
                    item_title=on.title if on else "",
                    address=address,
                    name=name,
                    body=body,
                    name_public=named,
                    created_at=change.when,
                    state=waiting,
                    confirmed_at=change.when,
                )  # fmt: skip
            )
    public_consultation.moderate(response_id=rows[0].pk, user=owner, approve=True, expected_version=1)
