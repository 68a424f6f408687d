from __future__ import annotations

from django.apps import AppConfig


class AppraisalsConfig(AppConfig):
    name = "parindex.appraisals"
    verbose_name = "Thẩm định và giải trình"
