"""``parindex load_indicators``: the standard indicators of the directive, idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from parindex.indicators.services import indicators_load


class Command(BaseCommand):
    help = (
        "Tạo tám chỉ số CCHC theo dõi trong năm (hồ sơ đúng hạn, hồ sơ trực tuyến, thanh toán trực tuyến, "
        "số hóa hồ sơ, đơn giản hóa TTHC, hài lòng, phản ánh kiến nghị, văn bản ký số) với chỉ tiêu mặc định. "
        "Chạy lại nhiều lần không tạo bản trùng; chỉ số đã có được đưa về định nghĩa chuẩn."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        for line in indicators_load().lines():
            self.stdout.write(line)
