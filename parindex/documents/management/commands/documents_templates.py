"""Write (or check) the built-in .docx templates from ``parindex.documents.builtin``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from parindex.documents import builtin


class Command(BaseCommand):
    help = "Ghi lại (--write) hoặc kiểm tra (mặc định) các mẫu văn bản Word có sẵn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--write", action="store_true", help="ghi lại các tệp mẫu trong parindex/documents/docx/")

    def handle(self, *args, write: bool = False, **options) -> None:
        stale = []
        for kind in builtin.BUILDERS:
            path = builtin.builtin_path(kind)
            if write:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(builtin.template_bytes(kind))
                self.stdout.write(f"đã ghi {path.name}")
            elif not path.exists() or not builtin.same_template(path.read_bytes(), builtin.template_bytes(kind)):
                stale.append(path.name)
        if stale:
            raise CommandError("Mẫu chưa khớp với mã nguồn, chạy lại với --write: " + ", ".join(stale))
        if not write:
            self.stdout.write("Các mẫu văn bản có sẵn khớp với mã nguồn.")
