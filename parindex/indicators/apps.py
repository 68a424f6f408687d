from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "parindex.indicators"
    verbose_name = "Chỉ tiêu CCHC theo dõi trong năm"
