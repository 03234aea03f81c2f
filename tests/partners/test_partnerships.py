"""Partnerships, managed by administrators (issue 15): organisations and plan leads, each
change with its history; bad input named by line and field, changing nothing."""

import pytest
from django.urls import reverse

from partners.models import Organisation, Partnership, PartnershipLead, PartnershipMember, User
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    council = OrganisationFactory(name="Council", kind=Organisation.Kind.COUNCIL)
    health = OrganisationFactory(name="Health Board", kind=Organisation.Kind.HEALTH)
    police = OrganisationFactory(name="Police", kind=Organisation.Kind.POLICE)
    return {
        "admin": UserFactory(username="ada", organisation=council, role=User.Role.ADMIN),
        "officer": UserFactory(username="olly", organisation=council),
        "nurse": UserFactory(username="nurse", organisation=health, role=User.Role.PARTNER),
        "sergeant": UserFactory(username="sarge", organisation=police, role=User.Role.PARTNER),
        "orgs": (council, health, police),
    }


def _post(client, people, **changes):
    council, health, _ = people["orgs"]
    data = {
        "name": "Local Service Board",
        "slug": "lsb",
        "description": "",
        "organisations": [council.pk, health.pk],
        "leads": "olly@example.org\nNURSE@example.org\n",
    } | changes
    return client.post(reverse("partners:partnership-create"), data)


def test_an_admin_sets_up_a_partnership_with_its_leads(client, people):
    client.force_login(people["admin"])
    response = _post(client, people)
    assert response.status_code == 302
    board = Partnership.objects.get(slug="lsb")
    assert {row.organisation.name for row in board.members.all()} == {"Council", "Health Board"}
    assert {(lead.person.username, lead.organisation.name) for lead in board.leads.all()} == {
        ("olly", "Council"),
        ("nurse", "Health Board"),
    }
    assert PartnershipLead.history.filter(history_user=people["admin"]).count() == 2


def test_a_lead_outside_the_partnership_or_unknown_is_named_by_line_and_nothing_is_saved(client, people):
    client.force_login(people["admin"])
    response = _post(client, people, leads="olly@example.org\nsarge@example.org\nghost@example.org")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Line 2: " in page and "is at Police, which is not in the partnership." in page
    assert "Line 3: nobody active has the address ghost@example.org." in page
    assert not Partnership.objects.exists()


def test_one_organisation_is_not_a_partnership(client, people):
    client.force_login(people["admin"])
    response = _post(client, people, organisations=[people["orgs"][0].pk], leads="")
    assert "A partnership is made of at least two organisations." in response.content.decode()
    assert not Partnership.objects.exists()


def test_dropping_an_organisation_drops_its_leads_with_history(client, people):
    client.force_login(people["admin"])
    _post(client, people)
    board = Partnership.objects.get(slug="lsb")
    council, _, police = people["orgs"]
    response = client.post(
        reverse("partners:partnership-edit", args=[board.pk]),
        {"name": board.name, "slug": "lsb", "organisations": [council.pk, police.pk], "leads": "olly@example.org"},
    )
    assert response.status_code == 302
    assert [lead.person.username for lead in board.leads.all()] == ["olly"]
    assert PartnershipMember.history.filter(history_type="-").count() == 1


@pytest.mark.parametrize("who", ["officer", "nurse"])
def test_only_admins_manage_partnerships(client, people, who):
    client.force_login(people[who])
    assert client.get(reverse("partners:partnership-list")).status_code == 403
    assert _post(client, people).status_code == 403
    assert not Partnership.objects.exists()
