"""``parindex score FRAMEWORK RESPONSES [--json]`` (formats.md §4).

FRAMEWORK is a framework file (YAML, JSON or Excel) or, as an extension, the code of a
framework stored in the database (its newest published version). Exit codes: 0 scored,
1 a file is invalid (errors on standard error), 2 a file cannot be read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError

from parindex import scoring
from parindex.frameworks.files import load_framework_path
from parindex.scoring.decimals import fixed, plain


class Command(BaseCommand):
    help = "Chấm điểm số liệu của một đơn vị theo một bộ chỉ số."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("framework", help="Tệp bộ chỉ số, hoặc mã bộ chỉ số đã nạp.")
        parser.add_argument("responses", help="Tệp số liệu (parindex-responses/1).")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        problems: list[str] = []
        spec = self._framework(options["framework"], problems)
        try:
            data = scoring.load_path(options["responses"])
            doc = scoring.parse_responses(data, framework_code=spec.code if spec else None)
        except scoring.FileUnreadable as exc:
            self._fail(2, [f"{options['responses']}: {exc}"])
        except scoring.ProblemsError as exc:
            problems.extend(f"{options['responses']}: {p}" for p in exc.problems)
            doc = None
        if spec is None or doc is None:
            self._fail(1, problems)
        try:
            result = scoring.score(spec, doc.responses)
        except scoring.ResponsesInvalid as exc:
            self._fail(1, [f"{options['responses']}: {p}" for p in exc.problems])
        if options["json"]:
            self.stdout.write(scoring.dumps_json(result.to_dict(unit=doc.unit_code or None, year=doc.year)), ending="")
        else:
            self._table(result, doc)

    def _framework(self, ref: str, problems: list[str]) -> scoring.Framework | None:
        if not Path(ref).exists():
            spec = self._stored(ref)
            if spec is not None:
                return spec
        try:
            return load_framework_path(ref)
        except scoring.FileUnreadable as exc:
            self._fail(2, [f"{ref}: {exc}"])
        except scoring.ProblemsError as exc:
            problems.extend(f"{ref}: {p}" for p in exc.problems)
        return None

    def _stored(self, code: str) -> scoring.Framework | None:
        from parindex.frameworks.selectors import framework_version_latest, framework_version_spec

        try:
            version = framework_version_latest(code)
        except DatabaseError:
            return None
        return framework_version_spec(version) if version is not None else None

    def _fail(self, code: int, lines: list[str]) -> None:
        for line in lines:
            self.stderr.write(line)
        sys.exit(code)

    def _table(self, result: scoring.UnitScore, doc: scoring.ResponsesDocument) -> None:
        unit = " ".join(x for x in (doc.unit_code, doc.unit_name) if x)
        self.stdout.write(f"{result.framework.code} · {unit or 'đơn vị'} · năm {doc.year or '–'}")
        for ns in result.nodes():
            mark = "" if ns.applicable else " (không áp dụng)"
            line = f"{'  ' * ns.node.depth}{ns.code:<8} {fixed(ns.score):>7} / {plain(ns.applicable_max):<5}{mark}"
            if ns.explanation and ns.applicable:
                line += f"  {ns.explanation}"
            self.stdout.write(line)
        percent = fixed(result.percent) if result.percent is not None else "–"
        self.stdout.write(
            f"Tổng: {fixed(result.total)} / {plain(result.applicable_max)} điểm áp dụng "
            f"({percent}%), xếp loại: {result.classification or '–'}"
        )
        if result.missing:
            self.stdout.write(f"Chưa có số liệu ({len(result.missing)}): {', '.join(result.missing)}")
