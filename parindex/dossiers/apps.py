from __future__ import annotations

from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "parindex.dossiers"
    verbose_name = "Hồ sơ trễ hạn và thư xin lỗi"
