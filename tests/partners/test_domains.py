"""Email domains an administrator maps to an organisation for single sign-on, and the
organisation's switch for password sign-in: both tracked, both refused beside the field
when wrong, changing nothing."""

import pytest
from django.urls import reverse

from partners import services
from partners.models import Organisation, OrganisationDomain

pytestmark = pytest.mark.django_db


def _page(organisation: Organisation) -> str:
    return reverse("partners:organisation-domains", args=[organisation.pk])


def test_an_admin_maps_a_domain_and_history_says_who(client, ada, college):
    client.force_login(ada)
    response = client.post(_page(college), {"domain": " @Northmoor-College.AC.UK ", "role": "partner"}, follow=True)
    assert response.redirect_chain[-1][0] == _page(college)
    assert "People signing in with an address at northmoor-college.ac.uk now join Northmoor College." in (
        response.content.decode()
    )
    mapping = OrganisationDomain.objects.get()
    assert (mapping.domain, mapping.organisation, mapping.role) == ("northmoor-college.ac.uk", college, "partner")
    row = mapping.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", ada, "Email domain mapped")


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"domain": "not a domain", "role": "partner"}, "domain", "Enter a domain such as"),
        ({"domain": "taken.example", "role": "partner"}, "domain", "This domain is mapped already"),
        ({"domain": "x.example", "role": "admin"}, "role", "Select a valid choice."),
        ({"domain": "x.example", "role": "officer"}, "role", "A council officer belongs to the council"),
        ({"domain": "", "role": "partner"}, "domain", "This field is required."),
    ],
)
def test_a_bad_mapping_is_refused_beside_the_field(client, ada, college, service, data, field, message):
    services.domain_add(organisation=service, domain="taken.example", role="officer", user=ada)
    client.force_login(ada)
    response = client.post(_page(college), data)
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors), errors
    assert f'id="id_{field}-error"' in response.content.decode()
    assert OrganisationDomain.objects.count() == 1


def test_the_service_never_maps_a_domain_to_administrators(ada, council):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.domain_add(organisation=council, domain="council.example", role="admin", user=ada)
    assert "role" in refused.value.message_dict
    assert not OrganisationDomain.objects.exists()


def test_removing_a_mapping_keeps_its_history(client, ada, college):
    mapping = services.domain_add(organisation=college, domain="college.example", role="partner", user=ada)
    client.force_login(ada)
    url = reverse("partners:organisation-domain-remove", args=[college.pk, mapping.pk])
    response = client.post(url, follow=True)
    assert "college.example removed" in response.content.decode()
    assert not OrganisationDomain.objects.exists()
    assert [row.history_type for row in OrganisationDomain.history.order_by("history_id")] == ["+", "-"]
    assert client.post(url).status_code == 404


def test_a_mapping_is_removed_only_through_its_own_organisation(client, ada, college, service):
    mapping = services.domain_add(organisation=college, domain="college.example", role="partner", user=ada)
    client.force_login(ada)
    response = client.post(reverse("partners:organisation-domain-remove", args=[service.pk, mapping.pk]))
    assert response.status_code == 404
    assert OrganisationDomain.objects.exists()


def test_the_domain_page_costs_the_same_queries_for_many_domains(client, ada, college, django_assert_max_num_queries):
    client.force_login(ada)
    for number in range(20):
        services.domain_add(organisation=college, domain=f"site{number}.example", role="partner", user=ada)
    # session, user, the organisation, its domains
    with django_assert_max_num_queries(4):
        response = client.get(_page(college))
    assert response.status_code == 200
    assert response.content.decode().count("Remove<span") == 20


def test_the_organisation_page_links_to_its_domains(client, ada, college):
    client.force_login(ada)
    page = client.get(reverse("partners:organisation-edit", args=[college.pk])).content.decode()
    assert f'href="{_page(college)}"' in page


def test_password_sign_in_is_switched_off_on_the_organisation_form_and_tracked(client, ada, college):
    client.force_login(ada)
    data = {"name": college.name, "slug": college.slug, "kind": college.kind, "is_active": "on"}
    response = client.post(reverse("partners:organisation-edit", args=[college.pk]), data)
    assert response.status_code == 302
    college.refresh_from_db()
    assert college.password_sign_in is False
    assert college.history.first().password_sign_in is False
    client.post(reverse("partners:organisation-edit", args=[college.pk]), {**data, "password_sign_in": "on"})
    college.refresh_from_db()
    assert college.password_sign_in is True
