"""Frameworks as Excel workbooks, so a province can type a new decision's annex and load it.

Layout (Vietnamese headers; machine keys where a person might reword a label):
- "Thông tin": one row per metadata item: label | value | key (the key is what is read).
- "Tiêu chí": one row per node in document order: code, parent code, name, max, rule kind,
  params (inline YAML such as ``{tiers: [{min: 1, points: 2}]}``), evidence, guidance, responsible.
- "Xếp loại": one row per classification band, highest first.

Import builds the ``parindex-framework/1`` document and validates it with the same parser
as YAML files; every problem is reported with its sheet and row. Pure Python + openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from parindex import scoring
from parindex.scoring.decimals import plain
from parindex.scoring.errors import FileUnreadable, FrameworkInvalid, Problem, ProblemsError
from parindex.scoring.framework_file import FORMAT, rule_to_dict

INFO_SHEET, NODES_SHEET, BANDS_SHEET = "Thông tin", "Tiêu chí", "Xếp loại"

INFO_ROWS = [
    ("Định dạng", "format"),
    ("Mã bộ chỉ số", "code"),
    ("Tên bộ chỉ số", "name"),
    ("Cơ quan ban hành", "issuer"),
    ("Mô tả", "description"),
    ("Số quyết định", "decision.number"),
    ("Ngày quyết định", "decision.date"),
    ("Áp dụng cho (xa, phuong, thi_tran, dac_khu ...)", "applies_to"),
    ("Từ năm", "period.from"),
    ("Đến năm", "period.to"),
    ("Tổng điểm tối đa", "max_total"),
    ("Số chữ số thập phân khi làm tròn", "rounding"),
]

NODE_COLUMNS = [
    ("Mã", "code", 10),
    ("Mã cha", "parent", 10),
    ("Tên tiêu chí", "name", 70),
    ("Điểm tối đa", "max", 12),
    ("Cách chấm", "kind", 14),
    ("Tham số", "params", 45),
    ("Tài liệu kiểm chứng", "evidence", 40),
    ("Hướng dẫn", "guidance", 40),
    ("Phụ trách", "responsible", 20),
]
NODE_KEYS = [key for _, key, _ in NODE_COLUMNS]

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="A61B1B")
PARENT_FONT = Font(bold=True)


def _header(ws: Worksheet, titles: list[str], widths: list[int]) -> None:
    ws.append(titles)
    for i, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def _cell_number(value: Decimal) -> int | float:
    """A Decimal as an Excel number; Excel stores binary doubles, read back exactly by repr()."""
    return int(value) if value == value.to_integral_value() else float(value)


def framework_to_xlsx(framework: scoring.Framework) -> bytes:
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _header(info, ["Thông tin", "Giá trị", "Khóa (không sửa)"], [45, 70, 18])
    values: dict[str, Any] = {
        "format": FORMAT,
        "code": framework.code,
        "name": framework.name,
        "issuer": framework.issuer,
        "description": framework.description,
        "decision.number": framework.decision_number,
        "decision.date": framework.decision_date,
        "applies_to": ", ".join(framework.applies_to),
        "period.from": framework.period_from,
        "period.to": framework.period_to,
        "max_total": _cell_number(framework.max_total),
        "rounding": framework.rounding,
    }
    for label, key in INFO_ROWS:
        info.append([label, values[key], key])
        if key == "decision.date" and framework.decision_date:
            info.cell(row=info.max_row, column=2).number_format = "DD/MM/YYYY"
        info.cell(row=info.max_row, column=2).alignment = Alignment(wrap_text=True, vertical="top")

    nodes = wb.create_sheet(NODES_SHEET)
    _header(nodes, [t for t, _, _ in NODE_COLUMNS], [w for _, _, w in NODE_COLUMNS])
    for node in framework.nodes:
        params = ""
        if node.rule is not None:
            rule = rule_to_dict(node.rule)
            if "params" in rule:
                params = _flow(rule["params"])
        nodes.append(
            [
                node.code,
                node.parent or "",
                node.name,
                _cell_number(node.max),
                node.rule.kind if node.rule else "",
                params,
                node.evidence,
                node.guidance,
                node.responsible,
            ]
        )
        row = nodes.max_row
        nodes.cell(row=row, column=3).alignment = Alignment(indent=node.depth * 2, wrap_text=True, vertical="top")
        nodes.cell(row=row, column=4).number_format = "0.##"
        if not node.is_leaf:
            for col in range(1, 5):
                nodes.cell(row=row, column=col).font = PARENT_FONT

    bands = wb.create_sheet(BANDS_SHEET)
    _header(bands, ["Xếp loại", "Từ % trở lên"], [20, 16])
    for band in framework.classification:
        bands.append([band.label, _cell_number(band.min)])

    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _flow(value: Any) -> str:
    """Inline YAML ("flow style") for a params cell: {tiers: [{min: 1, points: 2}]}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, Decimal):
        return plain(value)
    return str(value)


# -- import --------------------------------------------------------------------------------


class _Rows:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, where: str, message: str, code: str | None = None) -> None:
        self.problems.append(Problem(where, message, code))


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return plain(_float_decimal(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _float_decimal(value: float) -> Decimal:
    # repr() is the shortest text that reads back to the same double: 0.34 -> "0.34".
    return Decimal(repr(value))


def _number(value: Any) -> Any:
    """A number cell (or text typed with a decimal comma, '1,5') as an exact value for the parser."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return _float_decimal(value)
    text = str(value).strip().replace(" ", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        return Decimal(text)
    except InvalidOperation:
        return str(value).strip()


def _rows(ws: Worksheet) -> Iterator[tuple[int, tuple[Any, ...]]]:
    for number, row in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if any(v is not None and str(v).strip() != "" for v in row):
            yield number, row


def framework_from_xlsx(data: bytes) -> scoring.Framework:
    """Read a workbook made by ``framework_to_xlsx`` (or typed by hand in the same layout)."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        raise FileUnreadable("tệp không phải bảng tính Excel (.xlsx) đọc được") from None
    r = _Rows()
    rows: dict[str, int] = {}
    try:
        doc = _document(wb, rows, r)
    finally:
        wb.close()
    if r.problems:
        raise FrameworkInvalid(r.problems)
    try:
        return scoring.parse_framework(doc)
    except ProblemsError as exc:
        raise FrameworkInvalid([_relabel(p, rows) for p in exc.problems]) from None


def _relabel(problem: Problem, rows: dict[str, int]) -> Problem:
    """Point a parser problem at the sheet row of its criterion, keeping the field it names."""
    if problem.code and problem.code in rows:
        field = problem.path.rsplit(".", 1)[-1] if "." in problem.path else ""
        field = {"max": "Điểm tối đa", "kind": "Cách chấm", "name": "Tên tiêu chí", "code": "Mã"}.get(field, "")
        where = f"{NODES_SHEET}, dòng {rows[problem.code]}" + (f", cột {field}" if field else "")
        if ".params" in problem.path:
            where = f"{NODES_SHEET}, dòng {rows[problem.code]}, cột Tham số ({problem.path.split('.params', 1)[1].lstrip('.')})"
        return Problem(where, problem.message, problem.code)
    if not problem.code and not problem.path.startswith("criteria") and not problem.path.startswith("classification"):
        return Problem(f"{INFO_SHEET}: {problem.path}", problem.message)
    if problem.path.startswith("classification"):
        return Problem(f"{BANDS_SHEET}: {problem.path}", problem.message)
    return problem


def _document(wb: Any, rows: dict[str, int], r: _Rows) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if INFO_SHEET not in wb.sheetnames:
        r.problem(INFO_SHEET, f"thiếu trang '{INFO_SHEET}' (mã, tên, tổng điểm tối đa ...)")
    else:
        _info(wb[INFO_SHEET], doc, r)
    if BANDS_SHEET in wb.sheetnames:
        doc["classification"] = [
            {"label": _text(row[0]), "min": _number(row[1] if len(row) > 1 else None)}
            for _, row in _rows(wb[BANDS_SHEET])
        ]
    if NODES_SHEET not in wb.sheetnames:
        r.problem(NODES_SHEET, f"thiếu trang '{NODES_SHEET}' (danh sách tiêu chí)")
        doc["criteria"] = []
        return doc
    doc["criteria"] = _tree(wb[NODES_SHEET], rows, r)
    return doc


def _info(ws: Worksheet, doc: dict[str, Any], r: _Rows) -> None:
    known = {key for _, key in INFO_ROWS}
    for number, row in _rows(ws):
        key = _text(row[2] if len(row) > 2 else None)
        value = row[1] if len(row) > 1 else None
        if not key:
            continue
        if key not in known:
            r.problem(f"{INFO_SHEET}, dòng {number}", f"khóa '{key}' không được hỗ trợ")
            continue
        if value is None or _text(value) == "":
            continue
        if key in ("max_total", "rounding", "period.from", "period.to"):
            value = _number(value)
        elif key == "applies_to":
            value = [part.strip() for part in _text(value).split(",") if part.strip()]
        elif key == "decision.date":
            value = _date(value, f"{INFO_SHEET}, dòng {number}", r)
        else:
            value = _text(value)
        if "." in key:
            group, sub = key.split(".", 1)
            doc.setdefault(group, {})[sub] = value
        else:
            doc[key] = value


def _date(value: Any, where: str, r: _Rows) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    r.problem(where, f"ngày không hợp lệ: '{text}' (dạng dd/mm/yyyy)")
    return None


def _tree(ws: Worksheet, rows: dict[str, int], r: _Rows) -> list[dict[str, Any]]:
    """Nest the rows under their parents (by Mã cha), keeping row order; note each code's row."""
    table = [
        (number, dict(zip(NODE_KEYS, list(raw) + [None] * len(NODE_KEYS), strict=False))) for number, raw in _rows(ws)
    ]
    all_codes = {_text(cells["code"]) for _, cells in table}
    roots: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for number, cells in table:
        where = f"{NODES_SHEET}, dòng {number}"
        code = _text(cells["code"])
        if not code:
            r.problem(where, "thiếu mã tiêu chí (cột Mã)")
            continue
        if code in nodes:
            r.problem(where, f"mã tiêu chí '{code}' bị trùng (đã có ở dòng {rows[code]})", code)
            continue
        node: dict[str, Any] = {"code": code, "name": _text(cells["name"]), "max": _number(cells["max"])}
        for key in ("evidence", "guidance", "responsible"):
            if _text(cells[key]):
                node[key] = _text(cells[key])
        kind = _text(cells["kind"])
        if kind:
            rule: dict[str, Any] = {"kind": kind}
            params_text = _text(cells["params"])
            if params_text:
                try:
                    rule["params"] = scoring.loads(params_text)
                except (scoring.FileUnreadable, scoring.DocumentInvalid) as exc:
                    r.problem(f"{where}, cột Tham số", f"không đọc được tham số: {exc}", code)
            node["rule"] = rule
        rows[code] = number
        nodes[code] = node
        parent = _text(cells["parent"])
        if not parent:
            roots.append(node)
        elif parent in nodes:
            nodes[parent].setdefault("children", []).append(node)
        else:
            hint = " (tiêu chí cha phải đứng trước tiêu chí con)" if parent in all_codes else ""
            r.problem(f"{where}, cột Mã cha", f"không có tiêu chí cha '{parent}' ở các dòng trên{hint}", code)
    return roots
