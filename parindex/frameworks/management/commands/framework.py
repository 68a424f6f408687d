"""``parindex framework validate|import|export|list|extend``: framework files and versions on the command line.

Exit codes follow formats.md §5: 0 valid, 1 invalid (every problem printed), 2 unreadable.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from parindex import scoring
from parindex.core.management.arguments import iso_date
from parindex.frameworks import selectors, services
from parindex.frameworks.excel import framework_to_xlsx
from parindex.frameworks.files import load_framework_path
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.permissions import NATIONAL_LABEL
from parindex.units.models import AdministrativeUnit


class Command(BaseCommand):
    help = "Kiểm tra, nạp, xuất bộ chỉ số (parindex-framework/1, YAML/JSON/Excel)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        validate = sub.add_parser("validate", help="Kiểm tra một tệp bộ chỉ số, báo mọi lỗi.")
        validate.add_argument("file")
        imp = sub.add_parser("import", help="Nạp một tệp bộ chỉ số thành một phiên bản.")
        imp.add_argument("file")
        imp.add_argument("--publish", action="store_true", help="Ban hành ngay phiên bản vừa nạp.")
        imp.add_argument(
            "--province",
            metavar="CODE",
            help="Mã tỉnh sở hữu bộ chỉ số (ví dụ 44); bỏ trống: bộ chỉ số dùng chung toàn quốc.",
        )
        export = sub.add_parser("export", help="Xuất một phiên bản bộ chỉ số.")
        export.add_argument("code")
        export.add_argument("--format", choices=["yaml", "json", "xlsx"], default="yaml")
        export.add_argument("--version", dest="number", type=int, help="Số phiên bản (mặc định: mới nhất đã ban hành).")
        export.add_argument("--output", "-o", help="Tệp đích (mặc định: YAML/JSON ra màn hình, Excel ra CODE-vN.xlsx).")
        sub.add_parser("list", help="Liệt kê các bộ chỉ số đã nạp.")
        extend = sub.add_parser(
            "extend", help="Ghi quyết định kéo dài thời gian áp dụng một phiên bản đã ban hành đến một năm."
        )
        extend.add_argument("code")
        extend.add_argument("--version", dest="number", type=int, required=True, help="Số phiên bản.")
        extend.add_argument("--to", dest="to_year", type=int, required=True, metavar="YEAR", help="Kéo dài đến năm.")
        extend.add_argument("--decision", required=True, help='Số quyết định, ví dụ "2156/QĐ-UBND".')
        extend.add_argument(
            "--date", dest="decision_date", type=iso_date, required=True, metavar="YYYY-MM-DD", help="Ngày quyết định."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"_{options['action']}")(options)

    def _read(self, path: str) -> scoring.Framework:
        try:
            return load_framework_path(path)
        except scoring.FileUnreadable as exc:
            self.stderr.write(f"{path}: {exc}")
            sys.exit(2)
        except scoring.ProblemsError as exc:
            self.stdout.write(f"{path}: {len(exc.problems)} lỗi")
            for problem in exc.problems:
                self.stdout.write(f"{path}: {problem}")
            sys.exit(1)

    def _validate(self, options: dict[str, Any]) -> None:
        spec = self._read(options["file"])
        self.stdout.write(
            f"{options['file']}: hợp lệ: {spec.code}, {len(spec.nodes)} tiêu chí, "
            f"{len(spec.leaves)} tiêu chí chấm điểm, tổng điểm tối đa {scoring.decimals.plain(spec.max_total)}"
        )

    def _import(self, options: dict[str, Any]) -> None:
        owner = self._province(options["province"]) if options["province"] else None
        spec = self._read(options["file"])
        try:
            result = services.framework_import(
                spec=spec, publish=options["publish"], source_name=Path(options["file"]).name, owner=owner
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"{result.message} ({result.version.get_status_display()})")

    def _province(self, code: str) -> AdministrativeUnit:
        province = AdministrativeUnit.objects.filter(
            era=AdministrativeUnit.Era.CURRENT, level=AdministrativeUnit.Level.PROVINCE, code=code
        ).first()
        if province is None:
            raise CommandError(f"Không có tỉnh mã {code} (đơn vị hiện hành, cấp tỉnh); nạp đơn vị bằng load_units.")
        return province

    def _export(self, options: dict[str, Any]) -> None:
        code, number = options["code"], options["number"]
        qs = FrameworkVersion.objects.select_related("framework").filter(framework__code=code)
        if number is not None:
            version = qs.filter(number=number).first()
        else:
            version = selectors.framework_version_latest(code) or qs.order_by("-number").first()
        if version is None:
            self.stderr.write(f"Không có bộ chỉ số {code}" + (f" phiên bản {number}" if number else ""))
            sys.exit(2)
        spec = selectors.framework_version_spec(version)
        fmt, output = options["format"], options["output"]
        if fmt == "xlsx":
            target = Path(output or f"{code}-v{version.number}.xlsx")
            target.write_bytes(framework_to_xlsx(spec))
            self.stdout.write(f"Đã ghi {target}")
            return
        doc = scoring.framework_to_dict(spec)
        text = scoring.dumps_json(doc) if fmt == "json" else scoring.dumps(doc)
        if output:
            Path(output).write_text(text, encoding="utf-8")
            self.stdout.write(f"Đã ghi {output}")
        else:
            self.stdout.write(text, ending="")

    def _extend(self, options: dict[str, Any]) -> None:
        code, number = options["code"], options["number"]
        version = (
            FrameworkVersion.objects.select_related("framework").filter(framework__code=code, number=number).first()
        )
        if version is None:
            raise CommandError(f"Không có bộ chỉ số {code} phiên bản {number}")
        try:
            version = services.framework_version_extend(
                version=version,
                to_year=options["to_year"],
                decision_number=options["decision"],
                decision_date=options["decision_date"],
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"Đã kéo dài {code} phiên bản {number} (giai đoạn {version.period_label}) đến năm {version.extended_to} "
            f"theo Quyết định số {version.extension_decision_number} ngày {version.extension_decision_date:%d/%m/%Y}."
        )

    def _list(self, options: dict[str, Any]) -> None:
        versions = FrameworkVersion.objects.select_related("framework__owner").order_by("framework__code", "number")
        for version in versions:
            owner = version.framework.owner.name if version.framework.owner else NATIONAL_LABEL
            self.stdout.write(
                f"{version.framework.code}\tv{version.number}\t{version.get_status_display()}\t{owner}\t{version.name}"
            )
