from __future__ import annotations

from django.apps import AppConfig


class FrameworksConfig(AppConfig):
    name = "parindex.frameworks"
    verbose_name = "Bộ chỉ số"
