"""``parindex restore ARCHIVE``: an empty installation rebuilt from a backup, every row count
and every file's sha256 checked (``core.backups``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from parindex.core.backups import BackupError, restore


class Command(BaseCommand):
    help = "Khôi phục một cài đặt trống từ bản sao lưu của parindex backup."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="tệp .tar do parindex backup tạo")

    def handle(self, *args: Any, archive: str, **options: Any) -> None:
        try:
            manifest = restore(Path(archive))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Đã khôi phục {len(manifest.tables)} bảng, {sum(manifest.tables.values())} dòng và "
            f"{len(manifest.files)} tệp; số dòng và sha256 khớp bản sao lưu."
        )
