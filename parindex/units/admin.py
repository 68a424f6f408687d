from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.units.models import AdministrativeUnit, UnitSuccession


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Units are reference data loaded by ``load_units``: the admin only shows them."""


class PredecessorInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = UnitSuccession
    fk_name = "successor"
    fields = ("predecessor", "is_partial", "effective_date")
    readonly_fields = fields
    verbose_name = "đơn vị cũ hợp thành"
    verbose_name_plural = "đơn vị cũ hợp thành"
    extra = 0


class SuccessorInline(PredecessorInline):
    fk_name = "predecessor"
    fields = ("successor", "is_partial", "effective_date")
    readonly_fields = fields
    verbose_name = "đơn vị mới kế thừa"
    verbose_name_plural = "đơn vị mới kế thừa"


@admin.register(AdministrativeUnit)
class AdministrativeUnitAdmin(ReadOnlyAdmin):
    list_display = ("code", "name", "kind", "era", "parent", "province")
    list_filter = ("era", "kind", "level")
    # search_name lets "trieu trach" find "Xã Triệu Trạch".
    search_fields = ("code", "name", "search_name")
    list_select_related = ("parent", "province")
    ordering = ("era", "code")
    inlines = [PredecessorInline, SuccessorInline]


@admin.register(UnitSuccession)
class UnitSuccessionAdmin(ReadOnlyAdmin):
    list_display = ("predecessor", "successor", "is_partial", "effective_date")
    list_filter = ("is_partial", "successor__kind", "predecessor__kind")
    search_fields = (
        "predecessor__code",
        "predecessor__name",
        "predecessor__search_name",
        "successor__code",
        "successor__name",
        "successor__search_name",
    )
    list_select_related = ("predecessor", "successor")
