"""Django admin for people and organisations; every save writes history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from partners.models import Organisation, User


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin, MPTTModelAdmin):
    list_display = ["name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(User)
class PersonAdmin(SimpleHistoryAdmin, UserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "is_active", "organisation"]
    fieldsets = [
        *UserAdmin.fieldsets,
        ("Golden Thread", {"fields": ["role", "organisation", "job_title"]}),
    ]

    def has_delete_permission(self, request, obj=None) -> bool:
        """People are deactivated, never deleted: their names stay on the history they wrote
        (and the application's database role may not delete history rows, docs/deployment.md)."""
        return False

    def has_add_permission(self, request) -> bool:
        """People are invited ("Invite a person" in the app) and choose their own password:
        Django's add form would have an administrator type one (decision 0014)."""
        return False

    def get_urls(self):
        """Without Django's "change password" page, for the same reason: a forgotten password
        is reset by its owner from the sign-in page."""
        return [url for url in super().get_urls() if not str(url.pattern).endswith("password/")]
