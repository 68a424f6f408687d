"""``parindex import_indicator FILE --mapping ID --user LOGIN``: an indicator file imported from
the command line through a saved mapping, as LOGIN, saying each phase as it starts (a file of
100,000 rows takes some 10 s). All rows or none, as on the page."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from parindex.accounts.selectors import principal_for
from parindex.indicators import services
from parindex.indicators.models import ImportJob, ImportMapping

PHASES = dict(ImportJob.State.choices)


class Command(BaseCommand):
    help = "Nạp tệp số liệu chỉ số (CSV, Excel) theo một cách đọc tệp đã lưu, in từng bước."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="tệp CSV hoặc Excel")
        parser.add_argument("--mapping", type=int, required=True, help="số của cách đọc tệp (trang Nạp số liệu)")
        parser.add_argument("--user", required=True, help="tên đăng nhập của người nạp (quyền của người đó)")

    def handle(self, *args: Any, file: str, mapping: int, user: str, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        chosen = ImportMapping.objects.select_related("indicator", "province").filter(pk=mapping).first()
        if chosen is None:
            raise CommandError(f"Không có cách đọc tệp số {mapping}.")
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"Không có tài khoản {user}.")
        started = time.perf_counter()

        def progress(phase: str, rows: int | None) -> None:
            counted = f" ({rows} dòng)" if rows is not None else ""
            self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {PHASES[phase]}{counted}…")
            self.stdout.flush()

        try:
            result = services.indicator_import(
                indicator=chosen.indicator, mapping=chosen, file=path.read_bytes(), filename=path.name,
                actor=actor, principal=principal_for(actor), progress=progress,
            )  # fmt: skip
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        if not result.ok:
            for problem in result.problems:
                self.stdout.write(f"  - {problem}")
            raise CommandError(result.summary())
        self.stdout.write(f"[{time.perf_counter() - started:6.1f} s] {result.summary()}")
