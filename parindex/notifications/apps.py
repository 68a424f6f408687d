from __future__ import annotations

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parindex.notifications"
    verbose_name = "Thông báo và nhắc hạn"
