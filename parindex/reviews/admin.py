from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.reviews.models import ReviewRequest


@admin.register(ReviewRequest)
class ReviewRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Requests move only through the review pages (events written by the services)."""

    list_display = ("unit", "publication", "status", "filed_at")
    list_filter = ("status",)
