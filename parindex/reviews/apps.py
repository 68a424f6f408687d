from __future__ import annotations

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    name = "parindex.reviews"
    verbose_name = "Phúc tra kết quả Chỉ số CCHC"
