"""Reading ``parindex-responses/1`` documents (formats.md §3)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .decimals import NotADecimal, to_int
from .errors import Problem, ResponsesInvalid
from .framework_file import code_text

FORMAT = "parindex-responses/1"


@dataclass(frozen=True)
class ResponsesDocument:
    """One unit's answers for one year, keyed by criterion code."""

    framework: str
    unit_code: str
    unit_name: str
    year: int | None
    responses: Mapping[str, Any] = field(default_factory=dict)


def parse_responses(data: Any, *, framework_code: str | None = None) -> ResponsesDocument:
    """Check the document's shape; the engine checks each response against its rule."""
    problems: list[Problem] = []
    if not isinstance(data, Mapping):
        raise ResponsesInvalid(
            [Problem("", "tệp số liệu phải là một bảng khóa: giá trị (format, framework, unit, responses)")]
        )
    if data.get("format") != FORMAT:
        problems.append(Problem("format", f"phải là '{FORMAT}' (đang là {data.get('format')!r})"))
    framework = code_text(data.get("framework")) or ""
    if not framework:
        problems.append(Problem("framework", "thiếu mã bộ chỉ số"))
    elif framework_code is not None and framework != framework_code:
        problems.append(Problem("framework", f"số liệu dành cho bộ chỉ số {framework}, không phải {framework_code}"))
    unit = data.get("unit")
    unit_code = unit_name = ""
    if unit is not None:
        if not isinstance(unit, Mapping):
            problems.append(Problem("unit", "phải có dạng {code: mã đơn vị, name: tên}"))
        else:
            unit_code = code_text(unit.get("code")) or ""
            unit_name = str(unit.get("name") or "")
    year = None
    if data.get("year") is not None:
        try:
            year = to_int(data["year"])
        except NotADecimal as exc:
            problems.append(Problem("year", str(exc)))
    raw = data.get("responses")
    responses: dict[str, Any] = {}
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        problems.append(Problem("responses", "phải là bảng mã tiêu chí: số liệu"))
        raw = {}
    for key, value in raw.items():
        code = code_text(key)
        if code is None:
            problems.append(Problem(f"responses.{key!r}", "mã tiêu chí không hợp lệ"))
        else:
            responses[code] = value
    if problems:
        raise ResponsesInvalid(problems)
    return ResponsesDocument(framework, unit_code, unit_name, year, responses)
