"""``parindex backup [ARCHIVE]``: a consistent archive of the database and the files
(``core.backups``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from parindex.core.backups import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và các tệp vào một tệp lưu trữ (.tar) có danh mục sha256."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", nargs="?", help="tệp .tar sẽ tạo (mặc định parindex-<ngày giờ>.tar)")

    def handle(self, *args: Any, archive: str | None = None, **options: Any) -> None:
        path = Path(archive or f"parindex-{timezone.localtime():%Y%m%d-%H%M%S}.tar")
        try:
            manifest = backup(path)
        except (BackupError, FileExistsError) as exc:
            raise CommandError(str(exc) if isinstance(exc, BackupError) else f"{path} đã có: chọn tên khác.") from exc
        rows = sum(manifest.tables.values())
        where = "kèm tệp" if manifest.files_included else "tệp ở kho S3, chỉ ghi danh mục sha256"
        self.stdout.write(
            f"Đã sao lưu vào {path}: {len(manifest.tables)} bảng, {rows} dòng, {len(manifest.files)} tệp ({where})."
        )
