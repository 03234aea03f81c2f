""" "You said, we did" (issue 16, decision 0020): a published plan's closed consultations,
what was said, the council's responses and the changes made, with names only where the
commenter agreed."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle, suggestions
from planning.models import Comment, PlanItem
from public import consultation as service
from public import you_said
from public.models import PublicResponse
from tests.factories import UserFactory, add_item, vision_of

TODAY = timezone.localdate


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limits count in the cache: each test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def priority(plan, alice):
    return add_item(plan, vision_of(plan), PlanItem.Kind.PRIORITY, user=alice, title="Raise attainment")


def public_response(plan, *, name, body, name_public, moderator, approve=True, confirm=True, item=None):
    service.respond(
        plan=plan,
        item=item,
        name=name,
        email=f"{name.split()[0].lower()}@example.org",
        organisation="Friends of the Park",
        body=body,
        name_public=name_public,
        client="10.1.1.1",
    )
    stored = PublicResponse.objects.latest("pk")
    if confirm:
        stored.state = PublicResponse.State.WAITING  # as the link does (tested in test_public_consultation)
        stored.save()
        if approve is not None:
            service.moderate(
                response_id=stored.pk,
                user=moderator,
                approve=approve,
                reason="" if approve else "Off topic",
                expected_version=stored.version,
            )
    stored.refresh_from_db()
    return stored


@pytest.fixture
def consulted(plan, alice, bob, pat, mel, college, priority):
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=TODAY(),
        closes_on=TODAY() + timedelta(days=14),
        note="Your views, please.",
        organisations=[college],
        members=[mel],
        is_public=True,
    )
    plan.refresh_from_db()
    unnamed = lifecycle.comment_add(plan=plan, user=pat, body="Colleges are left out.", item=priority)
    lifecycle.comment_respond(
        comment_id=unnamed.pk,
        user=bob,
        response="We have added colleges.",
        state=Comment.State.ANSWERED,
        expected_version=unnamed.version,
    )
    lifecycle.comment_add(plan=plan, user=mel, body="Members support this.", name_public=True)
    suggestion = suggestions.suggestion_add(
        plan=plan, user=pat, item=priority, body="Broader.", proposed_title="Raise attainment for everyone"
    )
    suggestions.suggestion_accept(suggestion_id=suggestion.pk, user=alice)
    public_response(plan, name="Rita Resident", body="Think of the parks.", name_public=True, moderator=bob)
    public_response(plan, name="Sam Quiet", body="Anonymous view.", name_public=False, moderator=bob)
    public_response(plan, name="Troll Person", body="Rejected words.", name_public=True, moderator=bob, approve=False)
    public_response(plan, name="Wendy Waiting", body="Waiting words.", name_public=True, moderator=bob, approve=None)
    public_response(
        plan, name="Una Unconfirmed", body="Unconfirmed words.", name_public=True, moderator=bob, confirm=False
    )
    return plan


def publish(plan, alice):
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=TODAY())
    lifecycle.plan_publish(plan=plan, user=alice)
    plan.refresh_from_db()
    return plan


def page(client, plan) -> str:
    response = client.get(reverse("public:you-said-we-did", args=[plan.slug]))
    assert response.status_code == 200
    return response.content.decode()


def test_what_was_said_and_done_with_names_only_by_consent(client, consulted, alice):
    plan = publish(consulted, alice)
    shown = page(client, plan)
    assert "Colleges are left out." in shown and "We have added colleges." in shown
    assert "Comment from A college" in shown and "Pat Partner" not in shown  # no consent
    assert "Mel Member" in shown  # consented
    assert "Rita Resident, Friends of the Park" in shown and "Think of the parks." in shown
    assert "Anonymous view." in shown and "Sam Quiet" not in shown and "A member of the public" in shown
    for hidden in ("Rejected words.", "Troll Person", "Waiting words.", "Unconfirmed words.", "example.org"):
        assert hidden not in shown
    # the accepted suggestion and the change it made, linked to the item's public page
    assert "Raise attainment for everyone" in shown and "Accepted" in shown
    item = PlanItem.objects.get(title="Raise attainment for everyone")
    assert f'href="{you_said.public_item_url(plan, item.pk)}"' in shown
    assert "Bob Officer" not in shown  # the council answers, not a named officer


def test_it_is_cacheable_and_sets_no_cookie(client, consulted, alice):
    plan = publish(consulted, alice)
    response = client.get(reverse("public:you-said-we-did", args=[plan.slug]))
    assert "public" in response["Cache-Control"] and response["ETag"] and not response.cookies
    assert client.get(response.request["PATH_INFO"], headers={"If-None-Match": response["ETag"]}).status_code == 304


def test_an_unpublished_plan_has_no_page(client, consulted, alice):
    url = reverse("public:you-said-we-did", args=[consulted.slug])
    assert client.get(url).status_code == 404  # in consultation
    lifecycle.plan_approve(plan=consulted, user=alice, approved_by="Cabinet", approved_on=TODAY())
    assert client.get(url).status_code == 404  # approved, not published
    lifecycle.plan_publish(plan=consulted, user=alice)
    assert client.get(url).status_code == 200
    assert client.get(reverse("public:you-said-we-did", args=["no-such-plan"])).status_code == 404


def test_a_consultation_still_open_is_not_shown(plan, alice, pat, college, priority):
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=TODAY(),
        closes_on=TODAY() + timedelta(days=14),
        note="",
        organisations=[college],
        members=[],
    )
    plan.refresh_from_db()
    assert you_said.closed_consultations(plan) == []
    consultation = plan.consultations.get()
    consultation.opens_on, consultation.closes_on = TODAY() - timedelta(days=20), TODAY() - timedelta(days=1)
    consultation.save()
    assert you_said.closed_consultations(plan) == [consultation]


@pytest.mark.parametrize(
    ("role", "org_kind", "expected"),
    [
        ("partner", "college", "A college"),
        ("partner", "health", "A health body"),
        ("partner", "other", "A partner organisation"),
        ("officer", "service", "A council service"),
        ("member", "council", "An elected member"),
    ],
)
def test_who_is_said_without_consent(role, org_kind, expected, db):
    from tests.factories import OrganisationFactory

    org = OrganisationFactory(kind=org_kind)
    person = UserFactory(role=role, organisation=org, first_name="Secret", last_name="Name")
    comment = Comment(author=person, organisation=org, body="x")
    assert you_said.public_author(comment) == expected
    comment.name_public = True
    assert you_said.public_author(comment) == f"Secret Name, {org}"
    public = Comment(author=None, public_name="Rita", public_organisation="", body="x")
    assert you_said.public_author(public) == "A member of the public"
    public.name_public = True
    assert you_said.public_author(public) == "Rita"


def test_the_comment_form_asks_for_consent_default_off(client, plan, alice, pat, college):
    lifecycle.plan_consultation_open(
        plan=plan,
        user=alice,
        opens_on=TODAY(),
        closes_on=TODAY() + timedelta(days=14),
        note="",
        organisations=[college],
        members=[],
    )
    client.force_login(pat)
    url = reverse("planning:plan-comments", args=[plan.slug])
    form = client.get(url).content.decode()
    assert "You may publish my name with this comment" in form and 'name="name_public"' in form
    assert 'name="name_public" checked' not in form
    client.post(url, {"body": "Without consent"})
    client.post(url, {"body": "With consent", "name_public": "on"})
    assert dict(Comment.objects.values_list("body", "name_public")) == {"Without consent": False, "With consent": True}


def test_the_page_reads_in_the_same_queries_however_much_was_said(client, consulted, alice, pat, bob):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("public:you-said-we-did", args=[consulted.slug])).status_code == 200
        return len(captured.captured_queries)

    consultation = consulted.consultations.get()
    lifecycle.plan_approve(plan=consulted, user=alice, approved_by="Cabinet", approved_on=TODAY())
    lifecycle.plan_publish(plan=consulted, user=alice)
    few = count()
    for n in range(10):  # ten more threads, added to the closed consultation as they were
        comment = Comment.objects.create(
            plan=consulted, consultation=consultation, author=pat, organisation=pat.organisation,
            body=f"Point {n}", created_at=timezone.now(),
        )  # fmt: skip
        Comment.objects.create(
            plan=consulted, parent=comment, author=bob, organisation=bob.organisation, body="Noted",
            created_at=timezone.now(),
        )  # fmt: skip
    assert count() == few, "a query per comment"
    assert few <= 12, few
