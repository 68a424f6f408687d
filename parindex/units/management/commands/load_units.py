"""``parindex load_units [--province CODE]``: administrative units from the vietnam-provinces package."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex.units.services import units_load


class Command(BaseCommand):
    help = (
        "Nạp đơn vị hành chính hai giai đoạn (trước và từ 01/7/2025) cùng bảng chuyển đổi "
        "đơn vị cũ → mới từ gói vietnam-provinces. Chạy lại nhiều lần không tạo bản trùng."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--province",
            metavar="CODE",
            help="Chỉ nạp một tỉnh, thành phố hiện nay (ví dụ 44 là tỉnh Quảng Trị) cùng các xã của nó "
            "và các đơn vị cũ đã hợp thành các xã ấy.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        progress = self.stdout if options["verbosity"] > 1 else None
        try:
            result = units_load(province_code=options["province"], stdout=progress)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for line in result.lines():
            self.stdout.write(line)
