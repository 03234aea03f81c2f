"""Organisations, as administrators manage them: the list as the council's tree and the
partner bodies by kind; adding, renaming and moving them with the mptt tree kept sound;
and bad input (a duplicate slug, a service under a partner body, a cycle) refused next
to the field with nothing changed."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse

from partners import services
from partners.models import Organisation
from tests.factories import OrganisationFactory, UserFactory


def _assert_tree_sound() -> None:
    """mptt's columns agree with the parent links: every node's lft/rght range holds
    exactly its descendants, and its level is its depth."""
    nodes = {org.pk: org for org in Organisation.objects.all()}
    children: dict[int | None, list[int]] = {}
    for org in nodes.values():
        children.setdefault(org.parent_id, []).append(org.pk)

    def descendants(pk):
        found = set()
        for child in children.get(pk, []):
            found |= {child} | descendants(child)
        return found

    for org in nodes.values():
        by_range = {
            other.pk
            for other in nodes.values()
            if other.tree_id == org.tree_id and org.lft < other.lft and other.rght < org.rght
        }
        assert by_range == descendants(org.pk), f"{org} holds the wrong nodes"
        expected_level = 0 if org.parent_id is None else nodes[org.parent_id].level + 1
        assert org.level == expected_level, f"{org} is at the wrong level"
    roots = [org for org in nodes.values() if org.parent_id is None]
    assert len({org.tree_id for org in roots}) == len(roots), "two roots share a tree"


def _data(**fields) -> dict:
    data = {"name": "", "slug": "", "kind": "", "parent": "", "is_active": "on"}
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def admin_client(client, ada):
    client.force_login(ada)
    return client


# --- the list ---------------------------------------------------------------------------


def test_the_list_shows_the_council_as_a_tree_then_partner_bodies_by_kind(
    admin_client, council, directorate, service, other_service, college, pat
):
    school = OrganisationFactory(name="Harbourside Primary", slug="harbourside", kind=Organisation.Kind.SCHOOL)
    police = OrganisationFactory(name="Northmoor Constabulary", slug="police", kind=Organisation.Kind.POLICE)

    response = admin_client.get(reverse("partners:organisation-list"))

    assert response.status_code == 200
    assert [org.name for org in response.context["council_trees"]] == [
        "Northmoor County Council",
        "Education",
        "Fair Access",
        "School Improvement",
    ]
    assert [org.level for org in response.context["council_trees"]] == [0, 1, 2, 2]
    assert [(label, [org.name for org in orgs]) for label, orgs in response.context["partner_groups"]] == [
        ("School", [school.name]),
        ("College", [college.name]),
        ("Police", [police.name]),
    ]
    page = response.content.decode()
    assert reverse("partners:organisation-edit", args=[service.pk]) in page
    assert "1 person" in page  # pat at the college


def test_the_list_costs_the_same_queries_however_many_organisations(
    admin_client, council, django_assert_max_num_queries
):
    for n in range(20):
        OrganisationFactory(name=f"Service {n}", slug=f"service-{n}", parent=council)
        OrganisationFactory(name=f"School {n}", slug=f"school-{n}", kind=Organisation.Kind.SCHOOL)
    with django_assert_max_num_queries(3):  # session, user, organisations with head counts
        assert admin_client.get(reverse("partners:organisation-list")).status_code == 200


# --- adding and editing --------------------------------------------------------------------


def test_an_admin_adds_a_directorate_and_a_service_beneath_it(admin_client, ada, council, directorate, service):
    response = admin_client.post(
        reverse("partners:organisation-create"),
        _data(name="Adult Social Care", slug="adults", kind="directorate", parent=council.pk),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("partners:organisation-list")
    assert "Adult Social Care saved." in response.content.decode()
    adults = Organisation.objects.get(slug="adults")
    assert (adults.parent, adults.kind, adults.is_active) == (council, "directorate", True)

    admin_client.post(
        reverse("partners:organisation-create"),
        _data(name="Day Services", slug="day-services", kind="service", parent=adults.pk),
    )
    assert Organisation.objects.get(slug="day-services").parent == adults
    _assert_tree_sound()
    row = adults.history.get()
    assert (row.history_type, row.history_user, row.history_change_reason) == ("+", ada, "Organisation added")


def test_renaming_and_moving_keep_the_tree_sound_and_write_history(admin_client, ada, council, directorate, service):
    adults = OrganisationFactory(name="Adults", slug="adults", kind="directorate", parent=council)
    url = reverse("partners:organisation-edit", args=[service.pk])

    response = admin_client.post(
        url, _data(name="Access to Learning", slug=service.slug, kind="service", parent=directorate.pk)
    )
    assert response.status_code == 302
    _assert_tree_sound()

    response = admin_client.post(
        url, _data(name="Access to Learning", slug=service.slug, kind="service", parent=adults.pk, is_active=None)
    )
    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.name, service.parent, service.is_active) == ("Access to Learning", adults, False)
    adults.refresh_from_db()  # mptt re-slotted it
    assert list(adults.get_children()) == [service]
    _assert_tree_sound()
    latest = service.history.first()
    assert (latest.parent_id, latest.history_user, latest.history_change_reason) == (
        adults.pk,
        ada,
        "Organisation updated",
    )


def test_the_edit_page_offers_no_parent_that_would_make_a_cycle(admin_client, council, directorate, service):
    response = admin_client.get(reverse("partners:organisation-edit", args=[directorate.pk]))
    offered = set(response.context["form"].fields["parent"].queryset)
    assert council in offered
    assert directorate not in offered and service not in offered


# --- bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slug": "college"}, "slug", "Another organisation already has this short name."),
        ({"slug": "Not A Slug"}, "slug", "Enter a valid “slug”"),
        ({"name": ""}, "name", "This field is required."),
        ({"kind": "service", "parent": "college"}, "parent", "A service sits under a directorate or a council."),
        ({"kind": "service", "parent": ""}, "parent", "A service sits under a directorate or a council."),
        ({"kind": "directorate", "parent": "service"}, "parent", "A directorate sits under a council."),
        ({"kind": "council", "parent": "council"}, "parent", "A council is the top of its own tree"),
        ({"kind": "school", "parent": "council"}, "parent", "A partner body is not part of the council"),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_changes_nothing(
    admin_client, council, service, college, fields, field, message
):
    places = {"college": college.pk, "council": council.pk, "service": service.pk, "": ""}
    data = _data(name="Northmoor Youth Trust", slug="youth-trust", kind="voluntary")
    data.update(fields)
    if "parent" in fields:
        data["parent"] = places[fields["parent"]]
    before = list(Organisation.objects.values_list("pk", "name", "lft", "rght", "tree_id"))

    response = admin_client.post(reverse("partners:organisation-create"), data)

    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert any(error.startswith(message) for error in errors), errors
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'id="id_{field}-error"' in page
    assert list(Organisation.objects.values_list("pk", "name", "lft", "rght", "tree_id")) == before


def test_a_cycle_is_refused_by_the_form_and_by_the_service(admin_client, ada, council, directorate, service):
    before = list(Organisation.objects.values_list("pk", "parent_id", "lft", "rght", "tree_id"))
    response = admin_client.post(
        reverse("partners:organisation-edit", args=[directorate.pk]),
        _data(name=directorate.name, slug=directorate.slug, kind="directorate", parent=service.pk),
    )
    assert response.status_code == 200
    assert "parent" in response.context["form"].errors

    directorate.parent = service
    with pytest.raises(ValidationError) as raised:
        services.organisation_save(organisation=directorate, user=ada)
    assert raised.value.message_dict["parent"] == ["Education cannot sit under itself or under one of its own parts."]
    assert list(Organisation.objects.values_list("pk", "parent_id", "lft", "rght", "tree_id")) == before
    assert not Organisation.history.filter(history_user=ada).exists()


def test_a_kind_its_children_cannot_sit_under_is_refused(admin_client, council, directorate, service, other_service):
    response = admin_client.post(
        reverse("partners:organisation-edit", args=[directorate.pk]),
        _data(name=directorate.name, slug=directorate.slug, kind="service", parent=council.pk),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["kind"] == [
        "Fair Access (service) sits under this organisation and cannot sit under a service: move it first.",
        "School Improvement (service) sits under this organisation and cannot sit under a service: move it first.",
    ]
    directorate.refresh_from_db()
    assert directorate.kind == "directorate"


def test_a_partner_body_may_sit_under_another(admin_client, college):
    response = admin_client.post(
        reverse("partners:organisation-create"),
        _data(name="College Sixth Form", slug="sixth-form", kind="college", parent=college.pk),
    )
    assert response.status_code == 302
    assert Organisation.objects.get(slug="sixth-form").parent == college
    _assert_tree_sound()


def test_an_organisation_with_people_can_be_deactivated_and_keeps_them(admin_client, college, pat):
    response = admin_client.post(
        reverse("partners:organisation-edit", args=[college.pk]),
        _data(name=college.name, slug=college.slug, kind="college", is_active=None),
    )
    assert response.status_code == 302
    college.refresh_from_db()
    pat.refresh_from_db()
    assert not college.is_active
    assert pat.organisation == college


def test_an_inactive_organisation_is_not_offered_for_new_people(admin_client, college):
    college.is_active = False
    college.save()
    response = admin_client.get(reverse("partners:person-create"))
    assert college not in set(response.context["form"].fields["organisation"].queryset)
    partner = UserFactory(username="sam", role="partner", organisation=college)
    response = admin_client.get(reverse("partners:person-edit", args=[partner.pk]))
    assert college in set(response.context["form"].fields["organisation"].queryset)  # their own stays


# --- concurrent writers ---------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="threads need a database server; runs on PostgreSQL")
def test_concurrent_writers_keep_the_organisation_tree_sound(ada):
    """mptt rewrites other rows' tree columns on every insert, rename and move; the
    advisory lock in ``organisation_save`` serialises them."""
    council = services.organisation_save(organisation=Organisation(name="Council", slug="c", kind="council"), user=ada)
    directorates = [
        services.organisation_save(
            organisation=Organisation(name=f"Directorate {n}", slug=f"d{n}", kind="directorate", parent=council),
            user=ada,
        )
        for n in range(3)
    ]
    before = Organisation.objects.count()
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def work(n: int) -> None:
        try:
            barrier.wait()
            for step in range(6):
                if step % 2:  # a partner body: a new root, which re-numbers the roots after it
                    org = Organisation(name=f"Body {5 - n}.{step}", slug=f"b-{n}-{step}", kind="voluntary")
                else:
                    org = Organisation(
                        name=f"Service {n}.{step}", slug=f"s-{n}-{step}", kind="service", parent=directorates[step // 2]
                    )
                saved = services.organisation_save(organisation=org, user=ada)
                if step == 4:  # rename and move it: mptt re-slots it among its new siblings
                    saved.name = f"A moved service {n}"
                    saved.parent = directorates[n % 3]
                    services.organisation_save(organisation=saved, user=ada)
        except BaseException as error:  # noqa: BLE001  (reported by the test)
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert Organisation.objects.count() == before + 6 * 6
    _assert_tree_sound()
