from __future__ import annotations

from typing import Any

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion, FrameworkVersionEvent


class CriterionInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Trees change only through import (validated as a whole), never row by row."""

    model = Criterion
    fields = ("position", "code", "name", "max_points", "rule_kind", "rule_params")
    ordering = ("position",)
    extra = 0
    show_change_link = False


class EventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = FrameworkVersionEvent
    fields = ("at", "actor", "from_status", "to_status", "note")
    readonly_fields = fields
    extra = 0


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "owner", "created_at")
    list_select_related = ("owner",)
    search_fields = ("code", "name")
    # Empty owner: a national framework, managed by operators only.
    autocomplete_fields = ("owner",)


@admin.register(FrameworkVersion)
class FrameworkVersionAdmin(admin.ModelAdmin):
    list_display = ("framework", "number", "status", "name", "decision_number", "published_at")
    list_filter = ("status",)
    search_fields = ("framework__code", "name", "decision_number")
    inlines = [CriterionInline, EventInline]

    def get_readonly_fields(self, request: Any, obj: Any = None) -> Any:
        # Status changes go through the workflow service (with its event row), content through import.
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: Any) -> bool:
        return False
