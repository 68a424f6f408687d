"""Reading and writing ``parindex-framework/1`` documents (formats.md §1).

``parse_framework(data)`` checks a loaded YAML/JSON document and returns a ``Framework``,
or raises ``FrameworkInvalid`` with every problem found (not just the first), each with
its criterion code or YAML path. ``framework_to_dict`` is the inverse, used by exports.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from .decimals import ZERO, NotADecimal, decimal_places, plain, to_decimal, to_int
from .errors import FrameworkInvalid, Problem
from .model import UNIT_KINDS, Band, Framework, Node, Rule
from .rules import RULE_KINDS, Params

FORMAT = "parindex-framework/1"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
NODE_KEYS = {"code", "name", "max", "children", "rule", "evidence", "guidance", "responsible"}
TEXT_KEYS = ("evidence", "guidance", "responsible")
MAX_DEPTH = 8


def code_text(value: Any) -> str | None:
    """A criterion code as text. Unquoted YAML codes arrive as numbers: ``1.6`` or ``3.10``
    (read as exact decimals, so '3.10' keeps its zero) or ``7``."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | Decimal):
        return str(value)
    return None


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, code: str | None = None) -> None:
        self.problems.append(Problem(path, message, code))

    def text(
        self, data: Mapping[str, Any], key: str, *, required: bool, path: str = "", code: str | None = None
    ) -> str:
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.problem(where, "thiếu trường bắt buộc", code)
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            self.problem(where, "phải là một chuỗi văn bản", code)
            return ""
        text = str(value).strip()
        if required and not text:
            self.problem(where, "không được để trống", code)
        return text


def parse_framework(data: Any) -> Framework:
    """Validate a loaded framework document and build the Framework it describes."""
    r = _Reader()
    if not isinstance(data, Mapping):
        raise FrameworkInvalid(
            [Problem("", "tệp bộ chỉ số phải là một bảng khóa: giá trị (format, code, name, criteria ...)")]
        )
    if data.get("format") != FORMAT:
        r.problem("format", f"phải là '{FORMAT}' (đang là {data.get('format')!r})")
    code = r.text(data, "code", required=True)
    if code and not CODE_RE.match(code):
        r.problem("code", f"mã bộ chỉ số '{code}' chỉ được gồm chữ, số và các dấu - _ .")
    name = r.text(data, "name", required=True)
    issuer = r.text(data, "issuer", required=False)
    description = r.text(data, "description", required=False)

    rounding = 2
    if "rounding" in data:
        try:
            rounding = to_int(data["rounding"])
            if not 0 <= rounding <= 6:
                r.problem("rounding", "số chữ số thập phân phải từ 0 đến 6")
                rounding = 2
        except NotADecimal as exc:
            r.problem("rounding", str(exc))

    if data.get("max_total") is None:
        r.problem("max_total", "thiếu trường bắt buộc (tổng điểm tối đa)")
        max_total = None
    else:
        max_total = _max(r, data["max_total"], "max_total", None, rounding)

    decision_number, decision_date = _decision(r, data.get("decision"))
    applies_to = _applies_to(r, data.get("applies_to"))
    period_from, period_to = _period(r, data.get("period"))
    classification = _classification(r, data.get("classification"))

    nodes: list[Node] = []
    seen: dict[str, str] = {}
    criteria = data.get("criteria")
    if not isinstance(criteria, list) or not criteria:
        r.problem("criteria", "cần danh sách tiêu chí (criteria) không rỗng")
        criteria = []
    root_max = [_node(r, item, f"criteria[{i}]", None, 0, rounding, seen, nodes) for i, item in enumerate(criteria)]
    if max_total is not None and criteria and all(m is not None for m in root_max):
        total = sum((m for m in root_max if m is not None), ZERO)
        if total != max_total:
            r.problem("max_total", f"tổng điểm tối đa {plain(max_total)} khác tổng điểm các lĩnh vực ({plain(total)})")
    extra = {k: v for k, v in data.items() if k not in _TOP_KEYS}
    _check_extras(r, extra, "", None)
    if r.problems:
        raise FrameworkInvalid(r.problems)
    assert max_total is not None
    return Framework(
        code=code,
        name=name,
        max_total=max_total,
        nodes=tuple(nodes),
        rounding=rounding,
        classification=classification,
        issuer=issuer,
        decision_number=decision_number,
        decision_date=decision_date,
        applies_to=applies_to,
        period_from=period_from,
        period_to=period_to,
        description=description,
        extra=extra,
    )


_TOP_KEYS = {
    "format", "code", "name", "issuer", "description", "decision", "applies_to", "period",
    "max_total", "rounding", "classification", "criteria",
}  # fmt: skip


def _node(
    r: _Reader,
    item: Any,
    path: str,
    parent: str | None,
    depth: int,
    rounding: int,
    seen: dict[str, str],
    out: list[Node],
) -> Decimal | None:
    """Read one node and its subtree into ``out`` (pre-order). Returns its max when valid."""
    if not isinstance(item, Mapping):
        r.problem(path, "mỗi tiêu chí phải là một bảng khóa: giá trị (code, name, max ...)")
        return None
    label = code_text(item.get("code"))  # names the node in messages, even when it cannot be stored
    code = label
    if label is None:
        r.problem(f"{path}.code", "thiếu mã tiêu chí (code)")
    elif not CODE_RE.match(label):
        r.problem(f"{path}.code", f"mã tiêu chí '{label}' chỉ được gồm chữ, số và các dấu - _ .", label)
        code = None
    elif label in seen:
        r.problem(f"{path}.code", f"mã tiêu chí '{label}' bị trùng (đã dùng tại {seen[label]})", label)
        code = None
    else:
        seen[label] = path
    name = r.text(item, "name", required=True, path=path, code=label)
    node_max = _max(r, item.get("max"), f"{path}.max", label, rounding)
    children = item.get("children")
    rule_data = item.get("rule")
    if children is not None and rule_data is not None:
        r.problem(
            path, "tiêu chí vừa có tiêu chí con (children) vừa có cách chấm (rule); chỉ được có một trong hai", code
        )
    elif children is None and rule_data is None:
        r.problem(path, "tiêu chí thiếu cách chấm (rule) và cũng không có tiêu chí con (children)", code)
    if depth >= MAX_DEPTH:
        r.problem(path, f"cây tiêu chí sâu quá {MAX_DEPTH} cấp", code)
        return None

    rule = None
    if rule_data is not None and children is None:
        rule = _rule(r, rule_data, f"{path}.rule", code, node_max, rounding)
    extras = {key: item[key] for key in item if key not in NODE_KEYS}
    _check_extras(r, extras, path, code)
    texts = {key: r.text(item, key, required=False, path=path) for key in TEXT_KEYS}
    position = len(out)
    child_codes: list[str] = []
    child_max: list[Decimal | None] = []
    if children is not None:
        if not isinstance(children, list) or not children:
            r.problem(f"{path}.children", "danh sách tiêu chí con phải có ít nhất một tiêu chí", label)
        else:
            for i, child in enumerate(children):
                child_path = f"{path}.children[{i}]"
                before = len(out)
                child_max.append(_node(r, child, child_path, code, depth + 1, rounding, seen, out))
                if len(out) > before:
                    child_codes.append(out[before].code)
            if node_max is not None and child_max and all(m is not None for m in child_max):
                total = sum((m for m in child_max if m is not None), ZERO)
                if total != node_max:
                    r.problem(
                        f"{path}.max",
                        f"điểm tối đa {plain(node_max)} khác tổng điểm tối đa các tiêu chí con ({plain(total)})",
                        label,
                    )
    if code is not None and node_max is not None:
        out.insert(
            position,
            Node(
                code=code,
                name=name,
                max=node_max,
                parent=parent,
                rule=rule,
                children=tuple(child_codes),
                depth=depth,
                extra=extras,
                **texts,
            ),
        )
    return node_max


def _check_extras(r: _Reader, extras: Mapping[Any, Any], path: str, code: str | None) -> None:
    """Fields of the province's own are kept as written, in JSON columns: refuse what JSON
    cannot hold (a key that is a number with a fraction or a date, a binary float such as .nan)."""
    for key, value in extras.items():
        where = f"{path}.{key}" if path else str(key)
        stack = [(key, value)]
        while stack:
            name, item = stack.pop()
            if not (name is None or isinstance(name, str | int)):
                r.problem(where, f"khóa '{name}' phải là chữ: hãy đặt trong dấu nháy", code)
                break
            if isinstance(item, float):
                r.problem(where, "số thực nhị phân (float) không được dùng; hãy dùng số thập phân chính xác", code)
                break
            if isinstance(item, Mapping):
                stack.extend(item.items())
            elif isinstance(item, list | tuple):
                stack.extend((None, child) for child in item)


def _max(r: _Reader, value: Any, path: str, code: str | None, rounding: int) -> Decimal | None:
    if value is None:
        r.problem(path, "thiếu điểm tối đa (max)", code)
        return None
    try:
        number = to_decimal(value)
    except NotADecimal as exc:
        r.problem(path, str(exc), code)
        return None
    if number < 0:
        r.problem(path, f"điểm tối đa không được âm (đang là {plain(number)})", code)
        return None
    if decimal_places(number) > rounding:
        r.problem(path, f"điểm tối đa {plain(number)} có nhiều hơn {rounding} chữ số thập phân", code)
        return None
    return number


def _rule(r: _Reader, data: Any, path: str, code: str | None, node_max: Decimal | None, rounding: int) -> Rule | None:
    if not isinstance(data, Mapping):
        r.problem(path, "cách chấm (rule) phải có dạng {kind: ..., params: ...}", code)
        return None
    kind_name = data.get("kind")
    for key in data:
        if key not in ("kind", "params"):
            r.problem(f"{path}.{key}", f"khóa '{key}' không dùng trong rule (hợp lệ: kind, params)", code)
    kind = RULE_KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        valid = ", ".join(RULE_KINDS)
        r.problem(f"{path}.kind", f"cách chấm không hợp lệ: {kind_name!r} (hợp lệ: {valid})", code)
        return None
    params = Params(data.get("params"), f"{path}.params", code, node_max, rounding)
    normalised = kind.check_params(params)
    r.problems.extend(params.problems)
    return Rule(kind.name, normalised) if not params.problems else None


def _decision(r: _Reader, data: Any) -> tuple[str, dt.date | None]:
    if data is None:
        return "", None
    if not isinstance(data, Mapping):
        r.problem("decision", "phải có dạng {number: ..., date: YYYY-MM-DD}")
        return "", None
    number = r.text(data, "number", required=False, path="decision")
    return number, _date(r, data.get("date"), "decision.date")


def _date(r: _Reader, value: Any, path: str) -> dt.date | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    r.problem(path, f"ngày không hợp lệ: {value!r} (dạng YYYY-MM-DD)")
    return None


def _applies_to(r: _Reader, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem("applies_to", "phải là danh sách loại đơn vị, ví dụ [xa, phuong]")
        return ()
    kinds = []
    for i, kind in enumerate(value):
        if kind not in UNIT_KINDS:
            r.problem(f"applies_to[{i}]", f"loại đơn vị không hợp lệ: {kind!r} (hợp lệ: {', '.join(UNIT_KINDS)})")
        elif kind in kinds:
            r.problem(f"applies_to[{i}]", f"loại đơn vị '{kind}' được ghi hai lần")
        else:
            kinds.append(kind)
    return tuple(kinds)


def _period(r: _Reader, value: Any) -> tuple[int | None, int | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        r.problem("period", "phải có dạng {from: năm, to: năm}")
        return None, None
    years: list[int | None] = []
    for key in ("from", "to"):
        year = value.get(key)
        if year is None:
            years.append(None)
            continue
        try:
            years.append(to_int(year))
        except NotADecimal as exc:
            r.problem(f"period.{key}", str(exc))
            years.append(None)
    start, end = years
    if start is not None and end is not None and start > end:
        r.problem("period", f"năm bắt đầu {start} sau năm kết thúc {end}")
    return start, end


def _classification(r: _Reader, value: Any) -> tuple[Band, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        r.problem("classification", "phải là danh sách các mức {label, min}, mức cao nhất trước")
        return ()
    bands: list[Band] = []
    for i, entry in enumerate(value):
        path = f"classification[{i}]"
        if not isinstance(entry, Mapping):
            r.problem(path, "mỗi mức xếp loại phải có dạng {label: ..., min: ...}")
            continue
        label = r.text(entry, "label", required=True, path=path)
        if entry.get("min") is None:
            r.problem(f"{path}.min", "thiếu ngưỡng phần trăm tối thiểu (min)")
            continue
        try:
            low = to_decimal(entry.get("min"))
        except NotADecimal as exc:
            r.problem(f"{path}.min", str(exc))
            continue
        if not ZERO <= low <= 100:
            r.problem(f"{path}.min", f"ngưỡng phần trăm phải từ 0 đến 100 (đang là {plain(low)})")
        if bands and low >= bands[-1].min:
            r.problem(
                f"{path}.min",
                f"các mức phải xếp từ cao xuống thấp: {plain(low)} không thấp hơn mức trước ({plain(bands[-1].min)})",
            )
        if any(b.label == label for b in bands):
            r.problem(f"{path}.label", f"tên mức xếp loại '{label}' bị trùng")
        if label:
            bands.append(Band(label, low))
    return tuple(bands)


def _number(value: Decimal) -> int | Decimal:
    """Decimals written back as the plainest exact number (2 not 2.00, 1.5 not 1.50)."""
    if value == value.to_integral_value():
        return int(value)
    return Decimal(plain(value))


def rule_to_dict(rule: Rule) -> dict[str, Any]:
    """A rule's params written back in file form, leaving out defaults."""
    p = rule.params
    params: dict[str, Any] = {}
    if rule.kind == "proportional" and p["target"] != 1:
        params["target"] = _number(p["target"])
    elif rule.kind == "tiered":
        params["tiers"] = [{"min": _number(low), "points": _number(pts)} for low, pts in p["tiers"]]
        if p["default"]:
            params["default"] = _number(p["default"])
    elif rule.kind in ("count", "deduction"):
        params["per_item"] = _number(p["per_item"])
    elif rule.kind == "timeliness":
        if p["late"]:
            params["late"] = [{"within_days": days, "points": _number(pts)} for days, pts in p["late"]]
        if p["default"]:
            params["default"] = _number(p["default"])
    elif rule.kind == "manual" and p.get("step") is not None:
        params["step"] = _number(p["step"])
    out: dict[str, Any] = {"kind": rule.kind}
    if params:
        out["params"] = params
    return out


def framework_to_dict(framework: Framework) -> dict[str, Any]:
    """The framework as a ``parindex-framework/1`` document (parse_framework's inverse)."""

    def node_dict(node: Node) -> dict[str, Any]:
        out: dict[str, Any] = {"code": node.code, "name": node.name, "max": _number(node.max)}
        for key in TEXT_KEYS:
            if getattr(node, key):
                out[key] = getattr(node, key)
        out.update(node.extra)
        if node.rule is not None:
            out["rule"] = rule_to_dict(node.rule)
        else:
            out["children"] = [node_dict(child) for child in framework.children(node.code)]
        return out

    doc: dict[str, Any] = {"format": FORMAT, "code": framework.code, "name": framework.name}
    if framework.issuer:
        doc["issuer"] = framework.issuer
    if framework.description:
        doc["description"] = framework.description
    if framework.decision_number or framework.decision_date:
        decision: dict[str, Any] = {}
        if framework.decision_number:
            decision["number"] = framework.decision_number
        if framework.decision_date:
            decision["date"] = framework.decision_date
        doc["decision"] = decision
    if framework.applies_to:
        doc["applies_to"] = list(framework.applies_to)
    if framework.period_from is not None or framework.period_to is not None:
        doc["period"] = {
            k: v for k, v in (("from", framework.period_from), ("to", framework.period_to)) if v is not None
        }
    doc["max_total"] = _number(framework.max_total)
    doc["rounding"] = framework.rounding
    if framework.classification:
        doc["classification"] = [{"label": b.label, "min": _number(b.min)} for b in framework.classification]
    doc.update(framework.extra)
    doc["criteria"] = [node_dict(root) for root in framework.roots]
    return doc
