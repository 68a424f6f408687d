from __future__ import annotations

from typing import Any

from django.apps import AppConfig


def _schedule_reminders(sender: object, **kwargs: Any) -> str:
    from parindex.notifications.tasks import ensure_scheduled, next_run

    return f"nhắc hạn hằng ngày, lần tới lúc {next_run():%H:%M %d/%m/%Y}" if ensure_scheduled() else ""


class NotificationsConfig(AppConfig):
    name = "parindex.notifications"
    verbose_name = "Thông báo và nhắc hạn"

    def ready(self) -> None:
        from parindex.core.signals import serve_starting

        serve_starting.connect(_schedule_reminders, dispatch_uid="notifications.daily_reminders")
