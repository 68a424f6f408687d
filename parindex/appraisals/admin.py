from __future__ import annotations

from django.contrib import admin

from parindex.appraisals.models import AppraiserAssignment, ClarificationItem, ClarificationRequest, ItemAppraisal
from parindex.core.admin import ReadOnlyAdminMixin


@admin.register(AppraiserAssignment)
class AppraiserAssignmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Assigned on the cycle's assignment page (appraiser_assignments_set checks the roles)."""

    list_display = ("cycle", "criterion", "appraiser", "sector", "unit")
    list_filter = ("sector",)


@admin.register(ItemAppraisal)
class ItemAppraisalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "criterion", "round", "inputs", "needs_clarification", "updated_by", "updated_at")
    list_filter = ("round", "needs_clarification")


class ClarificationItemInline(admin.TabularInline):
    model = ClarificationItem
    fields = ("criterion", "question", "answer", "answered_by", "answered_at")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(ClarificationRequest)
class ClarificationRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("assessment", "number", "deadline", "sent_by", "sent_at", "answered_at")
    inlines = [ClarificationItemInline]
