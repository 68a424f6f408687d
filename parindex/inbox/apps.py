from __future__ import annotations

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "parindex.inbox"
    verbose_name = "Việc cần làm"
