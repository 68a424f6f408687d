"""``parindex projections``: compute every stored forecast projection again from the engine.

``--check`` compares instead and writes nothing: it lists each assessment whose stored total,
percent, classification or missing count differs from the engine's, and exits with status 1
if any does (a stored figure must never differ from its recomputation).
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.indicators import projections


def _figure(stored: projections.Stored | None) -> str:
    if stored is None:
        return "chưa tính"
    percent = "—" if stored.percent is None else f"{stored.percent}%"
    return f"{stored.total} điểm, {percent}, {stored.classification or 'chưa xếp loại'}, thiếu {stored.missing}"


class Command(BaseCommand):
    help = (
        "Tính lại điểm dự kiến (tổng điểm, chỉ số, xếp loại) lưu sẵn của mọi hồ sơ đánh giá bằng bộ máy tính điểm; "
        "--check chỉ so sánh và liệt kê hồ sơ lệch, không ghi."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="So sánh, không ghi; mã thoát 1 nếu có hồ sơ lệch.")
        parser.add_argument("--cycle", type=int, action="append", help="Chỉ các kỳ đánh giá này (mã số).")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        cycles = options["cycle"]
        if options["check"]:
            differences = projections.check(cycle_ids=cycles)
            for d in differences:
                self.stdout.write(
                    f"{d.unit} (hồ sơ {d.assessment_id}): lưu {_figure(d.stored)}; tính lại {_figure(d.computed)}"
                )
            seconds = time.perf_counter() - started
            if differences:
                raise CommandError(f"{len(differences)} hồ sơ có điểm dự kiến lưu sẵn khác với tính lại.")
            self.stdout.write(f"Điểm dự kiến lưu sẵn khớp với tính lại ({seconds:.1f} giây).")
            return
        written = projections.refresh_all(cycle_ids=cycles)
        self.stdout.write(f"Đã tính lại điểm dự kiến của {written} hồ sơ ({time.perf_counter() - started:.1f} giây).")
