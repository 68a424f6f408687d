"""Frameworks as Excel workbooks, so a province can type a new decision's annex and load it.

Layout (Vietnamese headers, one ``parindex-framework/1`` document per workbook):

- "Thông tin": one row per metadata item: label | value | machine key. The key in column C
  (``code``, ``decision.date``, ``max_total`` ...) is what is read, so labels can be reworded.
- "Tiêu chí": a header row, then one row per criterion in document (pre-)order: Mã, Mã cha,
  Tên, Điểm tối đa, Cách chấm, Tham số (inline YAML such as ``{tiers: [{min: 1, points: 2}]}``),
  Tài liệu kiểm chứng, Hướng dẫn, Phụ trách. Columns are found by their header titles.
- "Xếp loại": a header row, then one row per classification band, highest first.
- "Hướng dẫn nhập": help for whoever types the workbook; never read back.

Import builds the nested document and validates it with ``parse_framework``, the same parser
as YAML files, so every tree rule is checked in one place. Every problem, whether found while
reading rows or by the parser, names its sheet and row ("Tiêu chí, dòng 7, cột Tham số").

Numbers: Excel cells hold binary doubles; a float cell is read back through its shortest
``repr`` (0.34 -> Decimal("0.34")), which is exact for any number a person typed. Text cells
holding numbers may use a decimal comma ("1,5"). No Django import here: pure Python + openpyxl.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from parindex.core.uploads import CORRUPT, UploadRefused, open_xlsx
from parindex.scoring.decimals import plain
from parindex.scoring.errors import DocumentInvalid, FileUnreadable, FrameworkInvalid, Problem
from parindex.scoring.files import loads
from parindex.scoring.framework_file import FORMAT, parse_framework, rule_to_dict
from parindex.scoring.model import Framework
from parindex.scoring.rules import RULE_KINDS

INFO_SHEET, NODES_SHEET, BANDS_SHEET, HELP_SHEET = "Thông tin", "Tiêu chí", "Xếp loại", "Hướng dẫn nhập"
SHEET_ORDER = (INFO_SHEET, NODES_SHEET, BANDS_SHEET)

# (machine key, Vietnamese label) in the order written.
INFO_ROWS = (
    ("format", "Định dạng tệp"),
    ("code", "Mã bộ chỉ số"),
    ("name", "Tên bộ chỉ số"),
    ("issuer", "Cơ quan ban hành"),
    ("description", "Mô tả"),
    ("decision.number", "Số quyết định"),
    ("decision.date", "Ngày quyết định"),
    ("applies_to", "Áp dụng cho loại đơn vị (xa, phuong, thi_tran ...)"),
    ("period.from", "Áp dụng từ năm"),
    ("period.to", "Áp dụng đến năm"),
    ("max_total", "Tổng điểm tối đa"),
    ("rounding", "Số chữ số thập phân khi làm tròn điểm"),
)
INFO_LABELS = dict(INFO_ROWS)
INFO_NUMBERS = {"max_total", "rounding", "period.from", "period.to"}
# Parser paths that name a group rather than one of its rows.
INFO_GROUPS = {"decision": "decision.number", "period": "period.from"}

# (machine key, header title, column width). Import finds columns by title (or machine key).
NODE_COLUMNS = (
    ("code", "Mã", 10),
    ("parent", "Mã cha", 10),
    ("name", "Tên", 70),
    ("max", "Điểm tối đa", 12),
    ("kind", "Cách chấm", 15),
    ("params", "Tham số", 45),
    ("evidence", "Tài liệu kiểm chứng", 40),
    ("guidance", "Hướng dẫn", 40),
    ("responsible", "Phụ trách", 20),
    ("source", "Nguồn số liệu", 16),
)
NODE_TITLES = {key: title for key, title, _ in NODE_COLUMNS}
HEADER_ALIASES = {
    "code": ("mã", "mã tiêu chí", "mã số"),
    "parent": ("mã cha", "mã tiêu chí cha"),
    "name": ("tên", "tên tiêu chí", "nội dung", "tiêu chí"),
    "max": ("điểm tối đa", "điểm", "điểm chuẩn"),
    "kind": ("cách chấm", "cách chấm điểm", "cách tính điểm", "rule"),
    "params": ("tham số",),
    "evidence": ("tài liệu kiểm chứng",),
    "guidance": ("hướng dẫn", "hướng dẫn chấm"),
    "responsible": ("phụ trách", "bộ phận phụ trách"),
    "source": ("nguồn số liệu", "nguồn"),
}
REQUIRED_COLUMNS = ("code", "name", "max")
TEXT_KEYS = ("evidence", "guidance", "responsible", "source")  # source: an optional extra key (e.g. remediation)
BAND_TITLES = ("Xếp loại", "Từ % trở lên")

PARAM_EXAMPLES = {
    "binary": ("", "Đạt: được điểm tối đa; không đạt: 0 điểm."),
    "proportional": ("{target: 0.96}", "Điểm tối đa × tỷ lệ đạt được ÷ mục tiêu (target, mặc định 1)."),
    "tiered": (
        "{tiers: [{min: 1, points: 2}, {min: 0.5, points: 1}]}",
        "Điểm của bậc đầu tiên (theo thứ tự ghi) có tỷ lệ tối thiểu (min) ≤ tỷ lệ đạt được; không bậc nào: default (0).",
    ),
    "count": ("{per_item: 1}", "Mỗi kết quả được per_item điểm, không quá điểm tối đa."),
    "deduction": ("{per_item: 0.5}", "Điểm tối đa trừ per_item cho mỗi lần vi phạm, không dưới 0."),
    "timeliness": (
        "{late: [{within_days: 5, points: 1}]}",
        "Đúng hạn: điểm tối đa; chậm trong within_days ngày: points; chậm hơn: default (0).",
    ),
    "manual": (
        "{step: 0.25}",
        "Người chấm ghi điểm trực tiếp, từ 0 đến điểm tối đa (step: bước điểm, không bắt buộc).",
    ),
}
HELP_NOTES = (
    "Mỗi dòng ở trang 'Tiêu chí' là một lĩnh vực, tiêu chí hoặc tiêu chí thành phần, theo đúng thứ tự trong quyết định.",
    "Cột 'Mã cha' để trống với lĩnh vực; với tiêu chí con ghi mã của tiêu chí cha (dòng cha phải ở phía trên).",
    "Tiêu chí có tiêu chí con thì để trống 'Cách chấm'; điểm tối đa của nó phải bằng tổng điểm tối đa các tiêu chí con.",
    "Tổng điểm tối đa ở trang 'Thông tin' phải bằng tổng điểm tối đa các lĩnh vực.",
    "Số thập phân ghi 1,5 hoặc 1.5 đều được. Nên để cột 'Mã' ở dạng văn bản để mã 3.10 không bị đổi thành 3.1.",
    "Ở trang 'Thông tin', có thể sửa cột A nhưng không sửa cột 'Khóa' (cột C). Ngày ghi dạng dd/mm/yyyy.",
    "Cột 'Nguồn số liệu': 'remediation' khi số liệu của tiêu chí lấy từ tỷ lệ hoàn thành kế hoạch khắc phục năm trước.",
    "Trang 'Xếp loại': mức cao nhất ghi trước; đơn vị đạt từ mức % nào trở lên thì được xếp loại đó.",
)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PARENT_FONT = Font(bold=True)
KEY_FONT = Font(italic=True, color="808080")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
# Reading: rows per sheet (a framework has a few hundred criteria), the widest header row
# searched, and the longest rule parameters cell (tiers are a few dozen characters).
MAX_ROWS = 5000
HEADER_WIDTH = 100
MAX_PARAMS_CHARS = 1000
SPARE_ROWS = 200  # empty rows styled for typing (text codes, rule kind drop-down)


# -- export --------------------------------------------------------------------------------


class _FlowDumper(yaml.SafeDumper):
    pass


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.ScalarNode:
    text = plain(value)
    return dumper.represent_scalar("tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int", text)


_FlowDumper.add_representer(Decimal, _represent_decimal)


def params_text(params: Any) -> str:
    """Inline YAML ("flow style") for a Tham số cell: ``{tiers: [{min: 1, points: 2}]}``."""
    return yaml.dump(
        params, Dumper=_FlowDumper, default_flow_style=True, width=10**9, allow_unicode=True, sort_keys=False
    ).strip()


def _cell_number(value: Decimal) -> int | float | str:
    """A Decimal as an Excel number. Excel stores doubles; the reader's repr() gets the decimal
    back exactly whenever the double's shortest text is the decimal, which it is for any
    number of at most 15 significant digits; anything else is written as text."""
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    number = float(value)
    return number if Decimal(repr(number)) == value else plain(value)


def _header(ws: Worksheet, titles: list[str], widths: list[int]) -> None:
    ws.append(titles)
    for column, width in enumerate(widths, start=1):
        cell = ws.cell(row=1, column=column)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[cell.column_letter].width = width
    ws.freeze_panes = "A2"


def framework_to_xlsx(framework: Framework) -> bytes:
    """The framework as an .xlsx workbook that ``framework_from_xlsx`` reads back identically."""
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    _write_info(info, framework)
    _write_nodes(wb.create_sheet(NODES_SHEET), framework)
    _write_bands(wb.create_sheet(BANDS_SHEET), framework)
    _write_help(wb.create_sheet(HELP_SHEET))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _write_info(ws: Worksheet, framework: Framework) -> None:
    _header(ws, ["Thông tin", "Giá trị", "Khóa (không sửa)"], [45, 80, 18])
    values: dict[str, Any] = {
        "format": FORMAT,
        "code": framework.code,
        "name": framework.name,
        "issuer": framework.issuer or None,
        "description": framework.description or None,
        "decision.number": framework.decision_number or None,
        "decision.date": framework.decision_date,
        "applies_to": ", ".join(framework.applies_to) or None,
        "period.from": framework.period_from,
        "period.to": framework.period_to,
        "max_total": _cell_number(framework.max_total),
        "rounding": framework.rounding,
    }
    for key, label in INFO_ROWS:
        ws.append([label, values[key], key])
        row = ws.max_row
        value = ws.cell(row=row, column=2)
        value.alignment = TOP_WRAP
        if key == "decision.date":
            value.number_format = "DD/MM/YYYY"
        elif key in INFO_NUMBERS:
            value.number_format = "General"
        else:
            value.number_format = "@"  # text: codes like 2023 or 1325/QĐ-UBND stay as typed
        ws.cell(row=row, column=1).alignment = TOP_WRAP
        ws.cell(row=row, column=3).font = KEY_FONT


def _write_nodes(ws: Worksheet, framework: Framework) -> None:
    _header(ws, [title for _, title, _ in NODE_COLUMNS], [width for _, _, width in NODE_COLUMNS])
    for node in framework.nodes:
        params = ""
        if node.rule is not None:
            rule = rule_to_dict(node.rule)
            if "params" in rule:
                params = params_text(rule["params"])
        ws.append(
            [
                node.code,
                node.parent,
                node.name,
                _cell_number(node.max),
                node.rule.kind if node.rule is not None else None,
                params or None,
                node.evidence or None,
                node.guidance or None,
                node.responsible or None,
                _text(node.extra.get("source")) or None,
            ]
        )
        row = ws.max_row
        for column in range(1, len(NODE_COLUMNS) + 1):
            ws.cell(row=row, column=column).alignment = TOP_WRAP
        ws.cell(row=row, column=3).alignment = Alignment(indent=node.depth, wrap_text=True, vertical="top")
        ws.cell(row=row, column=4).number_format = "General"
        if not node.is_leaf:
            for column in range(1, 5):
                ws.cell(row=row, column=column).font = PARENT_FONT
    last = ws.max_row + SPARE_ROWS
    for row in range(2, last + 1):  # codes typed as text, so "3.10" is not turned into 3.1
        ws.cell(row=row, column=1).number_format = "@"
        ws.cell(row=row, column=2).number_format = "@"
    kinds = DataValidation(type="list", formula1='"' + ",".join(RULE_KINDS) + '"', allow_blank=True)
    kinds.add(f"E2:E{last}")
    ws.add_data_validation(kinds)
    ws.auto_filter.ref = f"A1:{ws.cell(row=1, column=len(NODE_COLUMNS)).column_letter}{max(ws.max_row, 2)}"


def _write_bands(ws: Worksheet, framework: Framework) -> None:
    _header(ws, list(BAND_TITLES), [24, 16])
    for band in framework.classification:
        ws.append([band.label, _cell_number(band.min)])
        ws.cell(row=ws.max_row, column=2).number_format = "General"


def _write_help(ws: Worksheet) -> None:
    _header(ws, ["Cách chấm", "Tên gọi", "Ví dụ cột Tham số", "Cách tính điểm"], [15, 24, 50, 90])
    for name, kind in RULE_KINDS.items():
        example, meaning = PARAM_EXAMPLES.get(name, ("", ""))
        ws.append([name, kind.label, example or None, meaning or None])
    ws.append([])
    for note in HELP_NOTES:
        ws.append([None, None, None, note])
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = TOP_WRAP


# -- import --------------------------------------------------------------------------------


def _norm(value: Any) -> str:
    """A header or label compared loosely: Unicode NFC, case-folded, single spaces, no ':' or '*'."""
    text = unicodedata.normalize("NFC", _text(value)).casefold()
    return " ".join(text.split()).rstrip(":*").strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return plain(Decimal(repr(value)))
    if isinstance(value, Decimal):
        return plain(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_DECIMAL_COMMA = re.compile(r"(?<=\d),(?=\d)")


def _number(value: Any) -> Any:
    """A cell as an exact number for the parser: int, a float through repr() (0.34 ->
    Decimal("0.34")), or text with a decimal point or comma ("1,5"). Anything else is passed
    on unchanged so the parser names what is wrong; an empty cell is None."""
    if value is None or isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if not isinstance(value, str):
        return value
    text = _SPACES.sub("", value)
    if not text:
        return None
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        return value.strip()
    return number if number.is_finite() else value.strip()


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = _text(value)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _open(data: bytes) -> Any:
    """The workbook, read-only (rows streamed), once ``core.uploads`` has checked the container."""
    try:
        return open_xlsx(data, read_only=True)
    except UploadRefused as exc:
        raise FileUnreadable(str(exc)) from None


def _rows(ws: Any, first: int, *, width: int | None = None) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(row number, values) of every row from ``first`` that is not entirely empty; cells past
    column ``width`` are not read. Refuses a sheet of more than MAX_ROWS rows as it streams."""
    for number, values in enumerate(ws.iter_rows(min_row=first, max_col=width, values_only=True), start=first):
        if number >= first + MAX_ROWS:
            raise FileUnreadable(
                f"trang '{ws.title}' có hơn {MAX_ROWS} dòng (bộ chỉ số chỉ có vài trăm tiêu chí); "
                "hãy xóa các dòng thừa ở cuối trang"
            )
        if any(_text(v) for v in values):
            yield number, values


def _at(values: tuple[Any, ...], index: int | None) -> Any:
    return values[index] if index is not None and index < len(values) else None


@dataclass
class _Entry:
    """One criterion row and the document node built from it."""

    row: int
    code: str
    parent: str
    node: dict[str, Any]


@dataclass
class _Reader:
    """Reads the sheets into a ``parindex-framework/1`` document, noting where each part came
    from so the parser's problems can be pointed back to sheet rows."""

    problems: list[tuple[tuple[int, int], Problem]] = field(default_factory=list)
    info_rows: dict[str, int] = field(default_factory=dict)
    band_rows: list[int] = field(default_factory=list)
    node_rows: dict[str, _Entry] = field(default_factory=dict)  # document path -> row
    reported: set[tuple[int, str]] = field(default_factory=set)  # (row, field) already reported
    silenced: set[str] = field(default_factory=set)  # sheets already reported absent or unusable

    def problem(
        self, sheet: str, row: int | None, message: str, *, column: str = "", note: str = "", code: str | None = None
    ) -> None:
        self.problems.append(self._located(sheet, row, message, column=column, note=note, code=code))

    @staticmethod
    def _located(
        sheet: str, row: int | None, message: str, *, column: str = "", note: str = "", code: str | None = None
    ) -> tuple[tuple[int, int], Problem]:
        """The problem at "Sheet, dòng N, cột X (note)", with its sort key (sheet order, row)."""
        where = sheet if row is None else f"{sheet}, dòng {row}"
        if column:
            where += f", cột {column}"
        if note:
            where += f" ({note})"
        return ((SHEET_ORDER.index(sheet), row or 0), Problem(where, message, code or None))

    # -- workbook -> document

    def document(self, wb: Any) -> dict[str, Any]:
        sheets = {_norm(name): wb[name] for name in wb.sheetnames}
        for ws in sheets.values():
            if hasattr(ws, "reset_dimensions"):  # read-only: a file may state wrong dimensions
                ws.reset_dimensions()
        doc: dict[str, Any] = {"format": FORMAT}
        info = sheets.get(_norm(INFO_SHEET))
        if info is None:
            self.silenced.add(INFO_SHEET)
            self.problem(INFO_SHEET, None, f"thiếu trang '{INFO_SHEET}' (mã, tên bộ chỉ số, tổng điểm tối đa ...)")
        else:
            self.read_info(info, doc)
        nodes = sheets.get(_norm(NODES_SHEET))
        if nodes is None:
            self.silenced.add(NODES_SHEET)
            self.problem(NODES_SHEET, None, f"thiếu trang '{NODES_SHEET}' (danh sách tiêu chí)")
            doc["criteria"] = []
        else:
            doc["criteria"] = self.read_criteria(nodes)
        bands = sheets.get(_norm(BANDS_SHEET))
        if bands is not None:
            doc["classification"] = self.read_bands(bands)
        return doc

    def read_info(self, ws: Worksheet, doc: dict[str, Any]) -> None:
        by_label = {_norm(label): key for key, label in INFO_ROWS}
        for number, values in _rows(ws, 1, width=3):
            label, value, key = _at(values, 0), _at(values, 1), _text(_at(values, 2))
            if not key:
                key = by_label.get(_norm(label), "")
                if not key:
                    if number > 1 and _text(value):
                        self.problem(
                            INFO_SHEET,
                            number,
                            f"không rõ '{_text(label)}' là thông tin gì: ghi khóa ở cột C (ví dụ code, name)",
                        )
                    continue
            if key not in INFO_LABELS:
                if number > 1:  # row 1 is the header
                    known = ", ".join(INFO_LABELS)
                    self.problem(INFO_SHEET, number, f"khóa '{key}' không được hỗ trợ (hợp lệ: {known})", column="C")
                continue
            if key in self.info_rows:
                self.problem(INFO_SHEET, number, f"khóa '{key}' đã ghi ở dòng {self.info_rows[key]}", column="C")
                continue
            self.info_rows[key] = number
            if not _text(value):
                continue
            if key in INFO_NUMBERS:
                value = _number(value)
            elif key == "applies_to":
                value = [part.strip() for part in re.split(r"[,;]", _text(value)) if part.strip()]
            elif key == "decision.date":
                date = _date(value)
                if date is None:
                    self.problem(
                        INFO_SHEET,
                        number,
                        f"ngày không hợp lệ: '{_text(value)}' (ghi dạng dd/mm/yyyy)",
                        note=INFO_LABELS[key],
                    )
                    continue
                value = date
            else:
                value = _text(value)
            if "." in key:
                group, sub = key.split(".", 1)
                doc.setdefault(group, {})[sub] = value
            else:
                doc[key] = value

    def columns(self, ws: Worksheet) -> tuple[int, dict[str, int]] | None:
        """The header row (searched in the first 10 rows) and the column index of each key."""
        aliases = {alias: key for key, names in HEADER_ALIASES.items() for alias in names}
        aliases.update({key: key for key in NODE_TITLES})
        rows = ws.iter_rows(min_row=1, max_row=10, max_col=HEADER_WIDTH, values_only=True)
        for number, values in enumerate(rows, start=1):
            found: dict[str, int] = {}
            for index, title in enumerate(values):
                key = aliases.get(_norm(title))
                if key is not None and key not in found:
                    found[key] = index
            if "code" in found:
                absent = [NODE_TITLES[key] for key in REQUIRED_COLUMNS if key not in found]
                if absent:
                    self.problem(NODES_SHEET, number, f"thiếu cột {', '.join(absent)} ở dòng tiêu đề")
                    return None
                return number, found
        titles = ", ".join(title for _, title, _ in NODE_COLUMNS)
        self.problem(NODES_SHEET, None, f"không tìm thấy dòng tiêu đề có cột 'Mã' (các cột: {titles})")
        return None

    def read_criteria(self, ws: Worksheet) -> list[dict[str, Any]]:
        located = self.columns(ws)
        if located is None:
            self.silenced.add(NODES_SHEET)
            return []
        header, columns = located
        width = max(columns.values()) + 1
        entries = [self.read_node(number, values, columns) for number, values in _rows(ws, header + 1, width=width)]
        if not entries:
            self.silenced.add(NODES_SHEET)
            self.problem(NODES_SHEET, None, "chưa có dòng tiêu chí nào")
            return []
        first: dict[str, _Entry] = {}
        for entry in entries:
            if not entry.code:
                continue
            if entry.code in first:
                self.problem(
                    NODES_SHEET,
                    entry.row,
                    f"mã tiêu chí '{entry.code}' bị trùng (đã có ở dòng {first[entry.code].row})",
                    column=NODE_TITLES["code"],
                    code=entry.code,
                )
                self.reported.add((entry.row, "code"))
            else:
                first[entry.code] = entry
        roots: list[dict[str, Any]] = []
        for entry in entries:
            if not entry.parent:
                roots.append(entry.node)
                continue
            parent = first.get(entry.parent)
            column = NODE_TITLES["parent"]
            if parent is None:
                self.problem(
                    NODES_SHEET,
                    entry.row,
                    f"không có tiêu chí nào mang mã '{entry.parent}'",
                    column=column,
                    code=entry.code,
                )
            elif parent is entry:
                self.problem(
                    NODES_SHEET, entry.row, "mã cha trùng với mã của chính tiêu chí", column=column, code=entry.code
                )
            else:
                if parent.row > entry.row:
                    self.problem(
                        NODES_SHEET,
                        entry.row,
                        f"tiêu chí cha '{entry.parent}' (dòng {parent.row}) phải ở phía trên tiêu chí con",
                        column=column,
                        code=entry.code,
                    )
                # Attached even when out of order, so the parent's sum is still checked.
                parent.node.setdefault("children", []).append(entry.node)
        if not roots:
            self.silenced.add(NODES_SHEET)
            self.problem(NODES_SHEET, None, "không có lĩnh vực nào: dòng lĩnh vực để trống cột 'Mã cha'")
        by_id = {id(entry.node): entry for entry in entries}
        # Each node's document path, walked iteratively: a chain of parents as long as the sheet
        # must not exhaust the stack (parse_framework reports the depth). Nodes in a cycle of
        # parents hang from no root, so they are not walked (the cycle is reported above).
        stack = [(root, f"criteria[{i}]") for i, root in reversed(list(enumerate(roots)))]
        while stack:
            node, path = stack.pop()
            self.node_rows[path] = by_id[id(node)]
            children = node.get("children", ())
            stack.extend((child, f"{path}.children[{i}]") for i, child in reversed(list(enumerate(children))))
        return roots

    def read_node(self, number: int, values: tuple[Any, ...], columns: dict[str, int]) -> _Entry:
        cell = {key: _at(values, columns.get(key)) for key in NODE_TITLES}
        code = _text(cell["code"])
        node: dict[str, Any] = {"name": _text(cell["name"]), "max": _number(cell["max"])}
        if code:
            node = {"code": code, **node}
        else:
            self.problem(NODES_SHEET, number, "thiếu mã tiêu chí", column=NODE_TITLES["code"])
            self.reported.add((number, "code"))
        for key in TEXT_KEYS:
            if _text(cell[key]):
                node[key] = _text(cell[key])
        kind = _text(cell["kind"])
        params = _text(cell["params"])
        if len(params) > MAX_PARAMS_CHARS:
            self.problem(
                NODES_SHEET,
                number,
                f"tham số dài quá {MAX_PARAMS_CHARS} ký tự",
                column=NODE_TITLES["params"],
                code=code,
            )
            self.reported.add((number, "rule.params"))
            params = ""
        if kind:
            rule: dict[str, Any] = {"kind": _kind_name(kind)}
            if params:
                try:
                    loaded = loads(_DECIMAL_COMMA.sub(".", params))
                except (FileUnreadable, DocumentInvalid) as exc:
                    self.problem(
                        NODES_SHEET,
                        number,
                        f"không đọc được tham số '{params}' ({exc}); ghi dạng {{target: 0.96}} "
                        "hoặc {tiers: [{min: 1, points: 2}, {min: 0.5, points: 1}]}",
                        column=NODE_TITLES["params"],
                        code=code,
                    )
                    self.reported.add((number, "rule.params"))
                else:
                    if loaded is not None:
                        rule["params"] = loaded
            node["rule"] = rule
        elif params:
            self.problem(
                NODES_SHEET,
                number,
                "có tham số nhưng chưa ghi cách chấm; tiêu chí có tiêu chí con thì để trống cả hai ô",
                column=NODE_TITLES["params"],
                code=code,
            )
        return _Entry(number, code, _text(cell["parent"]), node)

    def read_bands(self, ws: Worksheet) -> list[dict[str, Any]]:
        bands = []
        for number, values in _rows(ws, 2, width=2):
            label, low = _text(_at(values, 0)), _number(_at(values, 1))
            if low is None:
                self.problem(BANDS_SHEET, number, f"thiếu ngưỡng phần trăm của mức '{label}'", column=BAND_TITLES[1])
                continue
            self.band_rows.append(number)
            bands.append({"label": label, "min": low})
        return bands

    # -- parser problems -> sheet rows

    def relabel(self, problem: Problem) -> tuple[tuple[int, int], Problem] | None:
        """The parser's problem pointed at its sheet row, or None when already reported."""
        path = problem.path
        if path.startswith("criteria"):
            return self._relabel_node(problem)
        if path.startswith("classification["):
            index = int(path[len("classification[") : path.index("]")])
            row = self.band_rows[index] if index < len(self.band_rows) else None
            rest = path[path.index("]") + 1 :].lstrip(".")
            column = {"label": BAND_TITLES[0], "min": BAND_TITLES[1]}.get(rest, "")
            return self._located(BANDS_SHEET, row, problem.message, column=column, code=problem.code)
        if INFO_SHEET in self.silenced:
            return None  # the missing sheet is reported; not each of its rows
        key = re.sub(r"\[\d+\]$", "", path)
        key = INFO_GROUPS.get(key, key)
        if key not in INFO_LABELS:
            return ((len(SHEET_ORDER), 0), problem)
        return self._located(
            INFO_SHEET, self.info_rows.get(key), problem.message, note=INFO_LABELS[key], code=problem.code
        )

    def _relabel_node(self, problem: Problem) -> tuple[tuple[int, int], Problem] | None:
        prefix, rest = problem.path, ""
        while prefix not in self.node_rows:
            if "." not in prefix:
                if NODES_SHEET in self.silenced:
                    return None
                return self._located(NODES_SHEET, None, problem.message, code=problem.code)
            prefix, last = prefix.rsplit(".", 1)
            rest = f"{last}.{rest}" if rest else last
        entry = self.node_rows[prefix]
        for row, done in self.reported:
            if row == entry.row and (rest == done or rest.startswith(done + ".")):
                return None
        head = rest.split(".", 1)[0]
        if rest.startswith("rule.params"):
            detail = rest[len("rule.params") :].lstrip(".")
            column = NODE_TITLES["params"] + (f" ({detail})" if detail else "")
        elif head == "rule":
            column = NODE_TITLES["kind"]
        else:
            column = NODE_TITLES.get(head, "")
        return self._located(NODES_SHEET, entry.row, problem.message, column=column, code=problem.code or entry.code)


def _kind_name(text: str) -> str:
    """A rule kind as typed: its machine name or its Vietnamese label, in any letter case."""
    wanted = _norm(text)
    for name, kind in RULE_KINDS.items():
        if wanted in (name.casefold(), _norm(kind.label)):
            return name
    return text


def framework_from_xlsx(data: bytes) -> Framework:
    """Read a workbook made by ``framework_to_xlsx`` or typed by hand in the same layout.

    Raises FileUnreadable when the bytes are not a readable .xlsx workbook, and
    FrameworkInvalid listing every problem (sheet, row and criterion code) otherwise.
    """
    wb = _open(data)
    reader = _Reader()
    try:
        doc = reader.document(wb)
    except FileUnreadable:
        raise
    except Exception:  # a part openpyxl opened but cannot stream (broken XML, an entity, a CRC error)
        raise FileUnreadable(CORRUPT) from None
    finally:
        wb.close()
    found = list(reader.problems)
    framework: Framework | None
    try:
        framework = parse_framework(doc)
    except FrameworkInvalid as exc:
        found += [located for p in exc.problems if (located := reader.relabel(p)) is not None]
        if not found:  # never drop the parser's word when nothing else explains the failure
            raise
        framework = None
    if found:
        ordered = sorted(enumerate(found), key=lambda item: (item[1][0], item[0]))
        raise FrameworkInvalid([problem for _, (_, problem) in ordered])
    assert framework is not None
    return framework
