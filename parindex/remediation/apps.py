from __future__ import annotations

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "parindex.remediation"
    verbose_name = "Khắc phục Chỉ số CCHC"
