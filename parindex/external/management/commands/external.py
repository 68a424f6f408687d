"""``parindex external validate FILE | load [FILE] | import FILE``: external index definitions and results.

``validate`` follows formats.md §5's exit codes: 0 valid (a one-line summary), 1 invalid (every
problem printed), 2 unreadable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.core.management.arguments import iso_date
from parindex.core.numbers import vn_number
from parindex.external import definitions, services
from parindex.external.models import ExternalIndex
from parindex.units.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Kiểm tra, nạp định nghĩa chỉ số bên ngoài (parindex-external-index/1) và kết quả của các xã."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Kiểm tra một tệp định nghĩa chỉ số, báo mọi lỗi.")
        validate.add_argument("file")
        load = sub.add_parser("load", help="Nạp tệp định nghĩa (mặc định: các chỉ số có sẵn, như Chỉ số 766).")
        load.add_argument("file", nargs="?")
        imp = sub.add_parser("import", help="Nạp tệp kết quả (CSV/XLSX) của các xã một tỉnh.")
        imp.add_argument("file")
        imp.add_argument("--index", default="766", help="Mã chỉ số (mặc định 766).")
        imp.add_argument("--province", required=True, metavar="CODE", help="Mã tỉnh.")
        imp.add_argument("--source", required=True, help="Hệ thống nguồn của số liệu.")
        imp.add_argument("--extracted", type=iso_date, required=True, metavar="YYYY-MM-DD", help="Ngày trích xuất.")
        imp.add_argument("--contest-until", type=iso_date, metavar="YYYY-MM-DD", help="Hạn xã đề nghị xem xét.")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _read(self, path: str) -> definitions.IndexDefinition:
        try:
            return definitions.load_definition_path(path)
        except scoring.FileUnreadable as exc:
            self.stderr.write(f"{path}: {exc}")
            sys.exit(2)
        except scoring.ProblemsError as exc:
            self.stdout.write(f"{path}: {len(exc.problems)} lỗi")
            for problem in exc.problems:
                self.stdout.write(f"{path}: {problem}")
            sys.exit(1)

    def _validate(self, options: dict[str, Any]) -> None:
        d = self._read(options["file"])
        shown = ", ".join(
            f"phiên bản {v.number} từ {v.valid_from:%d/%m/%Y}: {len(v.components)} nhóm, {vn_number(v.max_total)} điểm"
            for v in d.versions
        )
        self.stdout.write(f"{options['file']}: hợp lệ: chỉ số {d.code}, {shown}")

    def _load(self, options: dict[str, Any]) -> None:
        if options["file"]:
            result = services.external_index_load(definition=self._read(options["file"]))
        else:
            result = services.external_indices_load()
        for line in result.lines():
            self.stdout.write(line)
        if result.refused:
            sys.exit(1)

    def _import(self, options: dict[str, Any]) -> None:
        index = ExternalIndex.objects.filter(code=options["index"]).first()
        province = AdministrativeUnit.objects.filter(
            era=AdministrativeUnit.Era.CURRENT, level=AdministrativeUnit.Level.PROVINCE, code=options["province"]
        ).first()
        if index is None or province is None:
            raise CommandError("Không có chỉ số hoặc tỉnh với mã đã cho.")
        path = Path(options["file"])
        try:
            result = services.external_results_import(
                index=index, province=province, file=path.read_bytes(), filename=path.name,
                source_system=options["source"], extracted_on=options["extracted"],
                contest_until=options["contest_until"], actor=None, principal=Principal(user_id=None, is_superuser=True),
            )  # fmt: skip
        except (OSError, ValidationError) as exc:
            raise CommandError(str(exc)) from None
        for problem in result.problems:
            self.stdout.write(str(problem))
        self.stdout.write(result.summary())
        if result.problems:
            sys.exit(1)
