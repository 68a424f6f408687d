from __future__ import annotations

from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "parindex.assessments"
    verbose_name = "Kỳ đánh giá và tự đánh giá"
