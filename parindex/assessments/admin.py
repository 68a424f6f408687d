from __future__ import annotations

from django.contrib import admin

from parindex.assessments.models import Assessment, AssessmentEvent, AuditEntry, Cycle, DeadlineExtension
from parindex.core.admin import ReadOnlyAdminMixin


class AssessmentInline(admin.TabularInline):
    model = Assessment
    fields = ("unit", "status", "submitted_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Cycle)
class CycleAdmin(admin.ModelAdmin):
    list_display = ("name", "province", "year", "framework_version", "self_assessment_due", "publication_due")
    list_filter = ("year",)
    readonly_fields = ("province", "year", "framework_version", "opened_at", "opened_by")
    inlines = [AssessmentInline]

    def has_add_permission(self, request):  # cycles are opened through cycle_open (it creates the assessments)
        return False


@admin.register(AssessmentEvent)
class AssessmentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "from_status", "to_status", "actor", "at")


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "assessment", "criterion", "action", "actor")
    list_filter = ("action",)
    list_select_related = ("assessment__unit", "assessment__cycle", "criterion", "actor")


@admin.register(DeadlineExtension)
class DeadlineExtensionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "stage", "until", "reason", "granted_by", "granted_at")
