from __future__ import annotations

from django.apps import AppConfig


class ResultsConfig(AppConfig):
    name = "parindex.results"
    verbose_name = "Phê duyệt, công bố và xếp hạng"
