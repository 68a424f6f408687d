"""``parindex files_to_bucket``: move the files kept on the local disk (MEDIA_ROOT) to the
bucket the installation now uses (S3_BUCKET), under the same names, checking every sha256.

Every file field of every model is covered (evidence revisions, result files, open data,
document templates and issued documents, remediation notes). A file already in the bucket with
the same bytes is left as it is, so the command can run again after an interruption. Evidence
revisions are checked against the sha256 recorded at upload, before and after the copy; the
other files against the local copy's. Nothing is deleted from the disk: remove MEDIA_ROOT once
``--check`` reports every file in the bucket. Exit status 1 when a file is missing or differs.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management.base import BaseCommand, CommandError

from parindex.core.stored import file_fields, on_local_disk, sha256_of


class Command(BaseCommand):
    help = "Chuyển tệp từ ổ đĩa (MEDIA_ROOT) lên kho S3 đang dùng, kiểm tra sha256 từng tệp."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--check", action="store_true", help="chỉ kiểm tra tệp trong kho, không chép")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        if on_local_disk():
            raise CommandError("Kho tệp đang là ổ đĩa: đặt S3_BUCKET (và S3_ENDPOINT_URL …) trước khi chuyển.")
        disk = FileSystemStorage(location=settings.MEDIA_ROOT)
        copied = kept = 0
        problems: list[str] = []
        for model, name in file_fields():
            for pk, stored_name, *recorded in model.objects.exclude(**{name: ""}).values_list(
                "pk", name, *(["sha256"] if model.__name__ == "EvidenceFile" else [])
            ):
                expected = recorded[0] if recorded else None
                label = f"{model._meta.label} #{pk} {stored_name}"
                in_bucket = self._bucket_sha(stored_name)
                if check:
                    if in_bucket is None:
                        problems.append(f"{label}: chưa có trong kho")
                    elif expected and in_bucket != expected:
                        problems.append(f"{label}: sha256 trong kho khác sha256 đã ghi")
                    else:
                        kept += 1
                    continue
                if not disk.exists(stored_name):
                    if in_bucket is not None and (expected is None or in_bucket == expected):
                        kept += 1
                    else:
                        problems.append(f"{label}: không có trên ổ đĩa lẫn trong kho")
                    continue
                with disk.open(stored_name, "rb") as handle:
                    local = sha256_of(handle)
                if expected and local != expected:
                    problems.append(f"{label}: tệp trên ổ đĩa khác sha256 đã ghi lúc tải lên: không chép")
                    continue
                if in_bucket == local:
                    kept += 1
                    continue
                if in_bucket is not None:
                    default_storage.delete(stored_name)  # a partial copy of an earlier run
                with disk.open(stored_name, "rb") as handle:
                    saved = default_storage.save(stored_name, File(handle))
                if saved != stored_name or self._bucket_sha(stored_name) != local:
                    problems.append(f"{label}: bản trong kho không khớp sau khi chép")
                    continue
                copied += 1
        verb = "đã kiểm tra" if check else "đã chép"
        self.stdout.write(f"{verb} {copied} tệp, {kept} tệp đã có đúng trong kho, {len(problems)} lỗi.")
        for line in problems:
            self.stdout.write(f"  - {line}")
        if problems:
            raise CommandError(f"{len(problems)} tệp chưa chuyển được: xem danh sách trên.")

    @staticmethod
    def _bucket_sha(name: str) -> str | None:
        if not default_storage.exists(name):
            return None
        with default_storage.open(name, "rb") as handle:
            return sha256_of(handle)
