"""Django admin for planning: read-only for plans and items.

Plans and items change only through the app's services, which lock the plan, keep
positions contiguous and check versions; an admin form would bypass all three.
Indicators are plain rows and may be edited here, and so are self-evaluation frameworks
with their levels (decision 0032): an administrator defines the scale priorities are judged
against and which framework is in use.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from planning.models import EvaluationFramework, EvaluationLevel, Indicator, Plan, PlanItem


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


class EvaluationLevelInline(admin.TabularInline):
    model = EvaluationLevel
    extra = 1
    ordering = ["position"]
    fields = ["position", "name", "description"]


@admin.register(EvaluationFramework)
class EvaluationFrameworkAdmin(SimpleHistoryAdmin):
    """Judgements keep the level they were made against, so a level in use cannot be deleted
    (``PROTECT``): retire a framework by putting another in use."""

    list_display = ["name", "in_use"]
    inlines = [EvaluationLevelInline]
