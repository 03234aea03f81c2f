"""Django admin: people and organisations are editable, plans and items read-only
(they change only through the services that lock and version them)."""

from django.urls import reverse

from tests.factories import UserFactory, vision_of


def test_a_superuser_can_browse_and_plans_are_read_only(client, plan, council):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, organisation=council)
    client.force_login(root)
    for name in ("partners_organisation", "partners_user", "planning_indicator", "planning_plan", "planning_planitem"):
        assert client.get(reverse(f"admin:{name}_changelist")).status_code == 200, name
    assert client.get(reverse("admin:planning_plan_add")).status_code == 403
    item = vision_of(plan)
    response = client.post(reverse("admin:planning_planitem_change", args=[item.pk]), {"title": "Changed"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.title != "Changed"


def test_staff_without_permissions_cannot_use_the_admin_models(client, alice):
    alice.is_staff = True
    alice.save()
    client.force_login(alice)
    assert client.get(reverse("admin:partners_user_changelist")).status_code == 403


def test_people_are_deactivated_in_the_admin_never_deleted(client, council, alice):
    root = UserFactory(username="root", is_staff=True, is_superuser=True, organisation=council)
    client.force_login(root)
    response = client.post(reverse("admin:partners_user_delete", args=[alice.pk]), {"post": "yes"})
    assert response.status_code == 403
    alice.refresh_from_db()  # still there
    assert client.get(reverse("admin:partners_user_change", args=[alice.pk])).status_code == 200
