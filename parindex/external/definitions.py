"""External index definition files (``format: parindex-external-index/1``). Pure Python.

An external index (the 766 service index, a survey) is scored by someone else; parindex keeps
its structure as versioned data: the index (code, name, issuing decision) and its versions,
each valid from a date, with components (code, name, maximum and an optional formula over
named ratios). ``parse_definition`` reads a loaded document and returns an ``IndexDefinition``
or raises ``scoring.ProblemsError`` listing **every** problem, each with its YAML path (and
the component code when it belongs to one), like ``parindex framework validate``.

The format is documented in ``docs/indices.md``; ``data/766.yaml`` is the shipped
definition of the 766 index (version 1 from 01/8/2022, version 2 as seen in 2025 reports).
"""

from __future__ import annotations

import ast
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex import scoring
from parindex.core.numbers import vn_number
from parindex.scoring.decimals import NotADecimal, decimal_places, to_decimal
from parindex.scoring.errors import Problem, ProblemsError

FORMAT = "parindex-external-index/1"
DATA_DIR = Path(__file__).resolve().parent / "data"
SHIPPED = (DATA_DIR / "766.yaml",)
CODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$")
COMPONENT_CODE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_PLACES = 2  # a component's maximum: at most two decimals (18, 12.5)
_TOP_KEYS = {"format", "code", "name", "issuer", "decision", "versions"}
_VERSION_KEYS = {"number", "valid_from", "max_total", "description", "components"}
_COMPONENT_KEYS = {"code", "name", "max", "formula", "ratios"}
_FORMULA_NODES = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Name, ast.Load, ast.Constant, ast.Call)
_FORMULA_OPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.USub)
_FORMULA_CALLS = {"min", "max"}


class DefinitionInvalid(ProblemsError):
    """An external index definition breaks the parindex-external-index/1 rules."""


@dataclass(frozen=True)
class ComponentDef:
    code: str
    name: str
    max: Decimal
    formula: str = ""
    ratios: tuple[str, ...] = ()


@dataclass(frozen=True)
class VersionDef:
    number: int
    valid_from: dt.date
    max_total: Decimal
    description: str
    components: tuple[ComponentDef, ...]


@dataclass(frozen=True)
class IndexDefinition:
    code: str
    name: str
    issuer: str
    decision_number: str
    decision_date: dt.date | None
    versions: tuple[VersionDef, ...] = field(default_factory=tuple)


def load_definition_path(path: str | Path) -> IndexDefinition:
    """Read and check a definition file (raises scoring.FileUnreadable or DefinitionInvalid)."""
    return parse_definition(scoring.load_path(Path(path)))


def parse_definition(doc: Any) -> IndexDefinition:
    problems: list[Problem] = []

    def bad(path: str, message: str, code: str | None = None) -> None:
        problems.append(Problem(path, message, code))

    if not isinstance(doc, dict):
        raise DefinitionInvalid([Problem("", "tệp phải là một bảng khóa: giá trị (mapping)")])
    for key in sorted(set(doc) - _TOP_KEYS, key=str):
        bad(str(key), "khóa không được hỗ trợ")
    if doc.get("format") != FORMAT:
        bad("format", f"phải là '{FORMAT}'")
    code = _text(doc.get("code"))
    if not CODE.match(code):
        bad("code", "mã chỉ số bắt buộc: chữ, số, '-', '_', '.', tối đa 32 ký tự")
    name = _text(doc.get("name"))
    if not name:
        bad("name", "tên chỉ số bắt buộc")
    decision = doc.get("decision") or {}
    number, date = "", None
    if not isinstance(decision, dict):
        bad("decision", "phải có dạng {number: ..., date: YYYY-MM-DD}")
    else:
        number = _text(decision.get("number"))
        if not number:
            bad("decision.number", "số văn bản ban hành bắt buộc (ví dụ 766/QĐ-TTg)")
        date = _date(decision.get("date"), "decision.date", bad)
    versions_raw = doc.get("versions")
    versions: list[VersionDef] = []
    if not isinstance(versions_raw, list) or not versions_raw:
        bad("versions", "phải có ít nhất một phiên bản")
        versions_raw = []
    for i, raw in enumerate(versions_raw):
        version = _version(raw, f"versions[{i}]", bad)
        if version is not None:
            versions.append(version)
    numbers = [v.number for v in versions]
    for i, v in enumerate(versions):
        where = f"versions[{i}]"
        if numbers.count(v.number) > 1:
            bad(f"{where}.number", f"phiên bản {v.number} được khai báo nhiều lần")
        if i and v.number <= versions[i - 1].number:
            bad(f"{where}.number", "các phiên bản phải ghi theo số tăng dần")
        if i and v.valid_from <= versions[i - 1].valid_from:
            bad(f"{where}.valid_from", "ngày áp dụng phải sau ngày áp dụng của phiên bản trước")
        if date is not None and v.valid_from < date:
            bad(f"{where}.valid_from", "ngày áp dụng không được trước ngày ban hành quyết định")
    if problems:
        raise DefinitionInvalid(problems)
    return IndexDefinition(
        code=code,
        name=name,
        issuer=_text(doc.get("issuer")),
        decision_number=number,
        decision_date=date,
        versions=tuple(versions),
    )


def _version(raw: Any, where: str, bad: Any) -> VersionDef | None:
    if not isinstance(raw, dict):
        bad(where, "mỗi phiên bản phải là một bảng khóa: giá trị")
        return None
    for key in sorted(set(raw) - _VERSION_KEYS, key=str):
        bad(f"{where}.{key}", "khóa không được hỗ trợ")
    number = raw.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 1:
        bad(f"{where}.number", "số phiên bản phải là số nguyên từ 1")
        number = 0
    valid_from = _date(raw.get("valid_from"), f"{where}.valid_from", bad)
    max_total = _amount(raw.get("max_total"), f"{where}.max_total", bad)
    components: list[ComponentDef] = []
    comps_raw = raw.get("components")
    if not isinstance(comps_raw, list) or not comps_raw:
        bad(f"{where}.components", "phiên bản phải có ít nhất một nhóm chỉ số thành phần")
        comps_raw = []
    seen: set[str] = set()
    ok = True
    for j, craw in enumerate(comps_raw):
        component = _component(craw, f"{where}.components[{j}]", bad)
        if component is None:
            ok = False
            continue
        if component.code in seen:
            bad(f"{where}.components[{j}].code", "mã nhóm chỉ số bị trùng trong phiên bản", component.code)
            ok = False
        seen.add(component.code)
        components.append(component)
    if ok and max_total is not None and components:
        total = scoring.aggregates.total(c.max for c in components)
        if total != max_total:
            bad(
                f"{where}.max_total",
                f"tổng điểm tối đa các nhóm ({_shown(total)}) khác tổng điểm của phiên bản ({_shown(max_total)})",
            )
    if not number or valid_from is None or max_total is None:
        return None
    return VersionDef(number, valid_from, max_total, _text(raw.get("description")), tuple(components))


def _component(raw: Any, where: str, bad: Any) -> ComponentDef | None:
    if not isinstance(raw, dict):
        bad(where, "mỗi nhóm chỉ số phải là một bảng khóa: giá trị")
        return None
    code = _text(raw.get("code"))
    label = code or None
    for key in sorted(set(raw) - _COMPONENT_KEYS, key=str):
        bad(f"{where}.{key}", "khóa không được hỗ trợ", label)
    valid = True
    if not COMPONENT_CODE.match(code):
        bad(f"{where}.code", "mã nhóm bắt buộc: chữ thường không dấu, số, '_', bắt đầu bằng chữ", label)
        valid = False
    name = _text(raw.get("name"))
    if not name:
        bad(f"{where}.name", "tên nhóm bắt buộc", label)
        valid = False
    maximum = _amount(raw.get("max"), f"{where}.max", bad, label)
    ratios_raw = raw.get("ratios") or []
    ratios: list[str] = []
    if not isinstance(ratios_raw, list) or not all(isinstance(r, str) and COMPONENT_CODE.match(r) for r in ratios_raw):
        bad(f"{where}.ratios", "danh sách tên tỷ lệ: chữ thường không dấu, số, '_'", label)
        valid = False
    else:
        ratios = list(ratios_raw)
    formula = _text(raw.get("formula"))
    if formula:
        for message in formula_problems(formula, ratios):
            bad(f"{where}.formula", message, label)
            valid = False
    if not valid or maximum is None:
        return None
    return ComponentDef(code, name, maximum, formula, tuple(ratios))


def formula_problems(formula: str, ratios: list[str]) -> list[str]:
    """Why ``formula`` is not an arithmetic expression over the named ``ratios`` (+ − × ÷, numbers,
    min, max); empty when it is. The formula documents how the issuer computes the points; parindex
    stores the points it is given, it does not evaluate the formula."""
    try:
        tree = ast.parse(formula, mode="eval")
    except SyntaxError:
        return [f"công thức '{formula}' viết sai cú pháp"]
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.operator | ast.unaryop):
            if not isinstance(node, _FORMULA_OPS):
                out.append("công thức chỉ dùng + - * / và min, max")
        elif not isinstance(node, _FORMULA_NODES):
            out.append("công thức chỉ dùng số, tên tỷ lệ, + - * / và min, max")
        elif isinstance(node, ast.Call) and not (isinstance(node.func, ast.Name) and node.func.id in _FORMULA_CALLS):
            out.append("công thức chỉ gọi được min, max")
        elif isinstance(node, ast.Constant) and not isinstance(node.value, int | float):
            out.append("công thức chỉ chứa số và tên tỷ lệ")
        elif isinstance(node, ast.Name) and node.id not in _FORMULA_CALLS and node.id not in ratios:
            out.append(f"tên tỷ lệ '{node.id}' chưa khai báo trong ratios")
    return list(dict.fromkeys(out))


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _shown(value: Decimal) -> str:
    return vn_number(value)


def _date(value: Any, where: str, bad: Any) -> dt.date | None:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    bad(where, "ngày phải có dạng YYYY-MM-DD")
    return None


def _amount(value: Any, where: str, bad: Any, code: str | None = None) -> Decimal | None:
    if value is None or isinstance(value, bool):
        bad(where, "điểm tối đa bắt buộc, là số dương", code)
        return None
    try:
        number = to_decimal(value)
    except NotADecimal:
        bad(where, f"'{value}' không phải là số", code)
        return None
    if number <= 0:
        bad(where, "điểm tối đa phải lớn hơn 0", code)
        return None
    if decimal_places(number) > MAX_PLACES:
        bad(where, f"điểm tối đa có quá {MAX_PLACES} chữ số thập phân", code)
        return None
    return number
