from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.results.models import Approval, Publication, PublishedResult


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("cycle", "name", "approved_by", "approved_at")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Snapshots are frozen: published and corrected only through the results pages."""

    list_display = ("decision_number", "decision_date", "approval", "number", "is_current", "published_at")
    list_filter = ("is_current", "year")


@admin.register(PublishedResult)
class PublishedResultAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("publication", "rank", "rank_of", "unit_name", "total", "percent", "classification", "rank_change")
    list_select_related = ("publication",)
