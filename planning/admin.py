"""Django admin for planning: read-only for plans and items.

Plans and items change only through the app's services, which lock the plan, keep
positions contiguous and check versions; an admin form would bypass all three.
Indicators are plain rows and may be edited here.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from planning.models import Indicator, Plan, PlanItem


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class ReadOnlyAdmin(SimpleHistoryAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "status", "organisation", "owner"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "slug"]


@admin.register(PlanItem)
class PlanItemAdmin(ReadOnlyAdmin):
    list_display = ["title", "kind", "plan", "position"]
    list_filter = ["kind", "plan"]
    search_fields = ["title"]
    list_select_related = ["plan"]
