"""An organisation's home page: the plans shared with it, the consultations it is invited
to and the work it leads or supports — and nothing from plans its people cannot read."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from planning import lifecycle, services
from planning.models import Consultation, ConsultationInvite, PlanShare
from tests.factories import UserFactory, add_item, make_plan, vision_of

URL = reverse("planning:partner-home")
# session, user, organisation, plans, consultations, items
QUERIES = 6


def open_consultation_with(plan, owner, *organisations, closes_in: int = 14):
    today = timezone.localdate()
    return lifecycle.plan_consultation_open(
        plan=plan,
        user=owner,
        opens_on=today - timedelta(days=1),
        closes_on=today + timedelta(days=closes_in),
        note="",
        organisations=organisations,
        members=[],
    )


def add_work(plan, college, *, n: int = 1) -> list:
    """``n`` priorities, each with an action the college leads and one it supports."""
    items = []
    for i in range(n):
        priority = add_item(plan, vision_of(plan), "priority", title=f"Priority {i} of {plan.slug}")
        items.append(
            add_item(
                plan,
                priority,
                "action",
                title=f"Led {i} in {plan.slug}",
                lead_organisation=college,
                due_date=date(2014, 3, 31),
            )
        )
        supported = services.ItemChange({"title": f"Supported {i} in {plan.slug}"}, [college])
        items.append(services.item_add(plan=plan, parent_id=priority.pk, kind="action", user=None, change=supported))
    return items


@pytest.fixture
def world(alice, college, plan):
    """sip shared with the college and out to consultation; a second plan never shared."""
    led, supported = add_work(plan, college)
    open_consultation_with(plan, alice, college)
    hidden = make_plan(owner=alice, title="Fair Access Protocol", slug="fap")
    add_work(hidden, college)
    return {"plan": plan, "led": led, "supported": supported, "hidden": hidden}


def test_a_partner_sees_shared_plans_open_invitations_and_the_work_it_leads_or_supports(client, pat, world):
    client.force_login(pat)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Northmoor College" in page
    assert world["plan"].title in page and "Shared with it" in page
    assert reverse("planning:plan-comments", args=["sip"]) in page
    closes = timezone.localdate() + timedelta(days=14)
    assert f"{closes:%-d %B %Y}" in page
    assert world["led"].get_absolute_url() in page and world["supported"].get_absolute_url() in page
    assert "Leads" in page and "Supports" in page and "31 Mar 2014" in page
    rows = [(row.item.title, row.leads) for row in response.context["work"]]
    assert rows == [("Led 0 in sip", True), ("Supported 0 in sip", False)]


def test_a_partner_sees_nothing_from_plans_not_shared_with_it(client, alice, pat, college, world):
    hidden = world["hidden"]
    # an invitation whose share was later withdrawn does not reopen the plan
    consultation = Consultation.objects.create(
        plan=hidden, opens_on=timezone.localdate(), closes_on=timezone.localdate(), created_by=alice
    )
    ConsultationInvite.objects.create(consultation=consultation, organisation=college)
    client.force_login(pat)
    page = client.get(URL).content.decode()
    assert hidden.title not in page and "in fap" not in page and hidden.get_absolute_url() not in page


def test_closed_consultations_are_not_listed(client, alice, pat, college, plan):
    consultation = open_consultation_with(plan, alice, college)
    Consultation.objects.filter(pk=consultation.pk).update(closes_on=timezone.localdate() - timedelta(days=1))
    client.force_login(pat)
    response = client.get(URL)
    assert response.context["consultations"] == []
    assert "You are not invited to any consultation open now." in response.content.decode()


def test_approval_ends_the_consultation_before_its_closing_date(client, alice, pat, college, plan):
    open_consultation_with(plan, alice, college)
    client.force_login(pat)
    assert len(client.get(URL).context["consultations"]) == 1
    lifecycle.plan_approve(plan=plan, user=alice, approved_by="Cabinet", approved_on=timezone.localdate())
    response = client.get(URL)
    assert response.context["consultations"] == [] and plan.title in response.content.decode()


def test_an_officer_sees_the_plans_and_work_of_their_own_service(client, bob, service, college, plan):
    led = add_item(plan, vision_of(plan), "priority", title="Raise standards", lead_organisation=service)
    add_item(plan, led, "action", title="Someone else's", lead_organisation=college)
    client.force_login(bob)
    response = client.get(URL)
    assert [p.slug for p in response.context["plans"]] == ["sip"]
    assert [row.item.title for row in response.context["work"]] == ["Raise standards"]
    assert "Owns it" in response.content.decode()


def test_the_header_links_here_for_people_with_an_organisation(client, pat):
    client.force_login(pat)
    assert f'href="{URL}">My organisation<' in client.get(reverse("planning:plan-list")).content.decode()
    loner = UserFactory(username="lone", organisation=None)
    client.force_login(loner)
    assert "My organisation" not in client.get(reverse("planning:plan-list")).content.decode()
    assert "not linked to an organisation" in client.get(URL).content.decode()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_it_is_read_only(client, pat):
    client.force_login(pat)
    assert client.post(URL).status_code == 405


def test_the_query_count_does_not_grow_with_the_data(client, alice, pat, college, plan, django_assert_num_queries):
    PlanShare.objects.create(plan=plan, organisation=college)
    add_work(plan, college)
    client.force_login(pat)
    with django_assert_num_queries(QUERIES):
        small = client.get(URL)
    for n in range(4):
        more = make_plan(owner=alice, title=f"Plan {n}", slug=f"more-{n}")
        add_work(more, college, n=3)
        open_consultation_with(more, alice, college, closes_in=n + 1)
    with django_assert_num_queries(QUERIES):
        large = client.get(URL)
    assert (len(small.context["plans"]), len(small.context["work"])) == (1, 2)
    assert (len(large.context["plans"]), len(large.context["work"]), len(large.context["consultations"])) == (5, 26, 4)
