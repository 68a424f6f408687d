from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.dossiers.models import LateDossier


@admin.register(LateDossier)
class LateDossierAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Written only through the register's pages (revisions, frozen years): the admin shows them."""

    list_display = ("code", "unit", "procedure", "due_on", "resolved_on", "apology_issued", "letter_number")
    list_filter = ("apology_issued",)
    list_select_related = ("unit",)
    search_fields = ("code", "procedure", "applicant")
