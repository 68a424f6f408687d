from __future__ import annotations

from django.contrib import admin

from parindex.core.admin import ReadOnlyAdminMixin
from parindex.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "user", "title", "read_at", "emailed_at")
    list_filter = ("read_at",)
    search_fields = ("user__username", "title")
