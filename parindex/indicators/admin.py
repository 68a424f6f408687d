"""The indicators in the admin site: definitions are edited here (by whoever holds the model's
permissions, a superuser by default); figures, imports and targets are written only through
the pages and services (revisions, all-or-nothing imports), so the admin shows them."""

from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.indicators.models import ImportBatch, ImportMapping, Indicator, IndicatorTarget, IndicatorValue


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "direction", "target", "period", "active")
    list_filter = ("kind", "period", "active")
    search_fields = ("code", "name")


@admin.register(IndicatorTarget)
class IndicatorTargetAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("indicator", "province", "year", "target")
    list_filter = ("year",)
    list_select_related = ("indicator", "province")


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("indicator", "unit", "year", "month", "numerator", "denominator", "source", "revision")
    list_filter = ("year", "source", "indicator")
    list_select_related = ("indicator", "unit")
    search_fields = ("unit__code", "unit__name")


@admin.register(ImportMapping)
class ImportMappingAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "province", "indicator", "header_row", "owner")
    list_select_related = ("province", "indicator", "owner")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("file_name", "indicator", "province", "rows_total", "rows_written", "duration_ms", "created_at")
    list_select_related = ("indicator", "province")
