"""A unit's self-assessment and appraisal as Excel workbooks, and a filled self-assessment read back.

Pure Python + openpyxl: no Django, no queries. The caller reads through the selectors, scores
with the engine (``parindex.scoring.score``) and passes plain data; every score written here
is the engine's, never recomputed.

Self-assessment workbook (``assessment_to_xlsx``):
- "Thông tin": label | value | key per fact (unit, year, framework, status, total, applicable
  maximum, percent, classification, export time) and a how-to; the keys in column C
  (``workbook``, ``assessment``) tell the import which file it was given.
- one sheet per field (lĩnh vực), named by its code: one row per node in document order,
  parents bold, leaves with input cells (only those of the leaf's rule kind open), the
  explanation, the engine's score and a hidden, locked "Lần sửa" (the answer's revision).
- "Tài liệu kiểm chứng": the evidence with its latest file (revision, sha256, size).

The appraisal workbook (``appraisal_to_xlsx``) has the same shape with the self, round-1,
round-2 and final scores and the comment, for the fields in the appraiser's scope; read only.

Import (``answers_from_xlsx``) finds columns by header text (moved columns are fine) and checks
every leaf row with ``inputs.clean_inputs``, the engine's own rule check, collecting every
problem as (sheet, row, code, reason); whether a row changes anything, is stale or may be
written by this person is for ``services.answers_import`` to decide. Inputs are written as
numbers whose shortest ``repr`` is the stored decimal (else as text), so a cell read back gives
the same Decimal; ratios as the percent typed on the page (0.8 -> 80).
"""

from __future__ import annotations

import datetime as dt
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import astuple, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from parindex import scoring
from parindex.assessments.inputs import clean_inputs
from parindex.core.numbers import vn_number, vn_score
from parindex.core.uploads import UploadRefused, open_xlsx
from parindex.scoring.decimals import plain

INFO_SHEET, EVIDENCE_SHEET = "Thông tin", "Tài liệu kiểm chứng"
SELF_KIND, APPRAISAL_KIND = "tu-danh-gia", "tham-dinh"  # the "workbook" key on the info sheet
TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
YES, NO = "Có", "Không"
NOT_APPLICABLE_TEXT = "KAD"  # không áp dụng, as on the pages
MAX_ROWS = 5000  # rows read per sheet; a framework has a few hundred nodes at most
MAX_SHEETS = 100  # sheets in an imported workbook (one per field, a framework has a dozen)
HEADER_WIDTH = 100  # columns searched for the header titles

INPUT_KEYS = ("applicable", "met", "value", "numerator", "denominator", "count", "days_late", "score")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


COMMON_COLUMNS = (
    Column("code", "Mã", 9),
    Column("name", "Tiêu chí", 60),
    Column("max", "Điểm tối đa", 9),
    Column("kind", "Cách chấm", 18),
)
SELF_COLUMNS = (
    *COMMON_COLUMNS,
    Column("applicable", "Áp dụng (Có/Không)", 11),
    Column("met", "Đạt (Có/Không)", 11),
    Column("value", "Tỷ lệ (%)", 10),
    Column("numerator", "Tử số", 10),
    Column("denominator", "Mẫu số", 10),
    Column("count", "Số lượng", 10),
    Column("days_late", "Số ngày chậm", 10),
    Column("score", "Điểm", 9),
    Column("explanation", "Giải thích", 50),
    Column("self_score", "Điểm tự chấm", 11),
    Column("revision", "Lần sửa", 8),
)
APPRAISAL_COLUMNS = (
    *COMMON_COLUMNS,
    Column("self_inputs", "Số liệu tự đánh giá", 36),
    Column("explanation", "Giải thích của đơn vị", 40),
    Column("self_score", "Điểm tự chấm", 11),
    Column("first_score", "Điểm thẩm định lần 1", 12),
    Column("second_score", "Điểm thẩm định lần 2 (sau giải trình)", 14),
    Column("final_score", "Điểm thẩm định cuối cùng", 12),
    Column("comment", "Nhận xét thẩm định", 50),
)
EVIDENCE_COLUMNS = (
    Column("title", "Tên tài liệu", 45),
    Column("number", "Số, ký hiệu", 16),
    Column("date", "Ngày ban hành", 13),
    Column("issuer", "Cơ quan ban hành", 28),
    Column("codes", "Dùng cho tiêu chí", 18),
    Column("file", "Tệp", 30),
    Column("revision", "Phiên bản", 9),
    Column("sha256", "SHA-256", 66),
    Column("size", "Dung lượng (byte)", 14),
)
# What the import needs on every field sheet (found by header text, in any order).
IMPORT_KEYS = ("code", *INPUT_KEYS, "explanation", "revision")
TITLES = {c.key: c.title for c in SELF_COLUMNS}
EXTRA_ALIASES = {
    "code": ("mã tiêu chí", "mã số"),
    "value": ("tỷ lệ %", "tỷ lệ (%)"),
    "explanation": ("giải thích cách tính điểm",),
}

SELF_HELP = (
    "Mỗi lĩnh vực một trang, đặt tên theo mã lĩnh vực. Dòng in đậm là lĩnh vực, tiêu chí; chỉ nhập số liệu ở dòng tiêu chí thành phần, vào các ô nền trắng.",
    "Áp dụng: để 'Có' (hoặc để trống); chọn 'Không' khi tiêu chí không phát sinh ở đơn vị. Đạt: chọn 'Có' hoặc 'Không'.",
    "Tỷ lệ ghi theo phần trăm (80 nghĩa là 80%), hoặc ghi Tử số và Mẫu số; không ghi cả hai. Số thập phân ghi 33,7 hoặc 33.7 đều được.",
    "Cột 'Điểm tự chấm' do phần mềm tính từ số liệu; sửa cột này không có tác dụng. Điểm mới được tính khi nhập tệp.",
    "Để trống mọi ô số liệu của một tiêu chí thành phần nghĩa là xóa số liệu của tiêu chí đó.",
    "Không sửa cột 'Mã' và cột ẩn 'Lần sửa'. Được đổi thứ tự cột (trang được khóa không mật khẩu: Xem lại > Bỏ bảo vệ trang tính).",
    "Nhập lại: ở trang hồ sơ, mục 'Nhập số liệu từ bảng tính', chọn tệp này. Nếu có dòng sai, không dòng nào được lưu và phần mềm liệt kê từng dòng sai.",
    "Nếu có người sửa số liệu của một tiêu chí sau khi bạn tải tệp, dòng đó bị từ chối: hãy tải bảng tính mới rồi nhập lại.",
)
APPRAISAL_HELP = (
    "Mỗi lĩnh vực trong phạm vi thẩm định một trang, đặt tên theo mã lĩnh vực. Dòng in đậm là lĩnh vực, tiêu chí.",
    "Điểm thẩm định lần 1 để trống khi tiêu chí chưa được thẩm định; lần 2 chỉ có ở tiêu chí đã thẩm định lại sau giải trình.",
    "Điểm thẩm định cuối cùng: lần 2 nếu có, nếu không là lần 1; tiêu chí chưa thẩm định được tạm tính theo số liệu tự đánh giá.",
    "KAD: không áp dụng, không tính vào điểm tối đa. Mọi điểm do cùng bộ máy chấm điểm tính từ số liệu.",
    "Bảng tính này để xem và lưu trữ; điểm thẩm định được nhập trên trang thẩm định.",
)

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
PARENT_FONT = Font(bold=True)
PARENT_FILL = PatternFill("solid", fgColor="EEF3F8")
CLOSED_FILL = PatternFill("solid", fgColor="F2F2F2")
KEY_FONT = Font(italic=True, color="808080")
TOP_WRAP = Alignment(wrap_text=True, vertical="top")
OPEN = Protection(locked=False)


# -- plain data from the caller ----------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """Who and what the workbook is about, shown on the info sheet."""

    assessment_id: int
    unit_name: str
    unit_code: str
    year: int
    framework_code: str
    framework_name: str
    version_number: int
    status_label: str
    exported_at: dt.datetime


@dataclass(frozen=True)
class AnswerCells:
    """One stored answer: inputs as stored (decimals as text), explanation, revision."""

    inputs: Mapping[str, Any]
    explanation: str = ""
    revision: int | None = None


@dataclass(frozen=True)
class AppraisedItem:
    """Which appraisal rounds an item has, and the latest appraiser comment."""

    first: bool = False
    second: bool = False
    comment: str = ""


@dataclass(frozen=True)
class EvidenceLine:
    """One evidence document with its latest file revision (None when it has no file).
    The fields are in the order of the evidence sheet's columns."""

    title: str
    document_number: str
    document_date: dt.date | None
    issuer: str
    codes: tuple[str, ...]
    file_name: str = ""
    revision: int | None = None
    sha256: str = ""
    size: int | None = None


# -- read back ---------------------------------------------------------------------------------


class WorkbookUnreadable(ValueError):
    """The file is not an .xlsx workbook, or not one in this layout (a Vietnamese message)."""


@dataclass(frozen=True)
class RowProblem:
    """One thing wrong in an imported workbook: where (sheet, row), which item, why."""

    sheet: str
    row: int | None
    code: str
    reason: str

    def __str__(self) -> str:
        where = self.sheet if self.row is None else f"{self.sheet}, dòng {self.row}"
        return f"{where}: {self.code + ' – ' if self.code else ''}{self.reason}"


@dataclass(frozen=True)
class ImportedRow:
    """A leaf row that passed the rule check: its inputs as an engine response."""

    sheet: str
    row: int
    code: str
    inputs: dict[str, Any]
    explanation: str
    revision: int | None


@dataclass
class ImportedBook:
    assessment_id: int | None
    sheets: list[str]
    rows: list[ImportedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)

    def order(self, problem: RowProblem) -> tuple[int, int]:
        """Sort key: the workbook's sheet order, then the row."""
        index = self.sheets.index(problem.sheet) if problem.sheet in self.sheets else -1
        return index, problem.row or 0


# -- export --------------------------------------------------------------------------------


def field_sheet_titles(spec: scoring.Framework) -> dict[str, str]:
    """Each field's sheet name: its code, without []:*?/\\, at most 31 characters, unique."""
    taken = {_norm(INFO_SHEET), _norm(EVIDENCE_SHEET)}
    titles = {}
    for root in spec.roots:
        base = re.sub(r"[\[\]:*?/\\]", "-", root.code).strip("'") or "Lĩnh vực"
        title, n = base[:31], 1
        while _norm(title) in taken:
            n += 1
            title = f"{base[: 31 - len(str(n)) - 1]} {n}"
        taken.add(_norm(title))
        titles[root.code] = title
    return titles


def assessment_to_xlsx(
    *,
    heading: Heading,
    result: scoring.UnitScore,
    answers: Mapping[str, AnswerCells],
    evidence: Sequence[EvidenceLine],
) -> bytes:
    """The self-assessment workbook: info, one input sheet per field, evidence."""
    spec = result.framework
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    facts = [
        ("Tổng điểm tự chấm", _number_cell(result.total), "total"),
        ("Điểm tối đa (trừ tiêu chí không áp dụng)", _number_cell(result.applicable_max), "applicable_max"),
        ("Tỷ lệ đạt", _percent_text(result.percent), "percent"),
        ("Xếp loại dự kiến", result.classification or "–", "classification"),
    ]
    _write_info(info, heading, SELF_KIND, facts, SELF_HELP, spec.rounding)
    nodes = {ns.code: ns for ns in result.nodes(decimal_sep=",")}
    for root_code, title in field_sheet_titles(spec).items():
        ws = wb.create_sheet(title)
        _header(ws, SELF_COLUMNS)
        for node in _subtree(spec, root_code):
            _write_self_row(ws, node, nodes[node.code], answers.get(node.code), spec.rounding)
        _finish_input_sheet(ws)
    _write_evidence(wb.create_sheet(EVIDENCE_SHEET), evidence)
    return _save(wb)


def appraisal_to_xlsx(
    *,
    heading: Heading,
    self_result: scoring.UnitScore,
    first_result: scoring.UnitScore,
    final_result: scoring.UnitScore,
    items: Mapping[str, AppraisedItem],
    answers: Mapping[str, AnswerCells],
    evidence: Sequence[EvidenceLine],
    leaves: Iterable[str] | None = None,
) -> bytes:
    """The appraisal workbook: the three scores per node, for the fields holding ``leaves``
    (the appraiser's scope; None: every field), with the appraiser's comments."""
    spec = final_result.framework
    scope = set(leaves) if leaves is not None else {leaf.code for leaf in spec.leaves}
    wb = Workbook()
    info = wb.active
    info.title = INFO_SHEET
    fields = [root.code for root in spec.roots if any(code in scope for code in _leaf_codes(spec, root.code))]
    facts = [
        ("Phạm vi", "Mọi lĩnh vực" if len(fields) == len(spec.roots) else "Lĩnh vực " + ", ".join(fields), "scope"),
        ("Tổng điểm tự chấm", _number_cell(self_result.total), "self_total"),
        ("Tổng điểm thẩm định lần 1", _number_cell(first_result.total), "first_total"),
        ("Tổng điểm thẩm định cuối cùng", _number_cell(final_result.total), "final_total"),
        ("Điểm tối đa (trừ tiêu chí không áp dụng)", _number_cell(final_result.applicable_max), "applicable_max"),
        ("Tỷ lệ đạt (thẩm định)", _percent_text(final_result.percent), "percent"),
        ("Xếp loại (thẩm định)", final_result.classification or "–", "classification"),
    ]
    _write_info(info, heading, APPRAISAL_KIND, facts, APPRAISAL_HELP, spec.rounding)
    titles = field_sheet_titles(spec)
    scores = (self_result, first_result, final_result)
    for root_code in fields:
        ws = wb.create_sheet(titles[root_code])
        _header(ws, APPRAISAL_COLUMNS)
        for node in _subtree(spec, root_code):
            if scope.isdisjoint(_leaf_codes(spec, node.code)):
                continue
            _write_appraisal_row(ws, node, scores, items.get(node.code), answers.get(node.code), spec.rounding)
    _write_evidence(wb.create_sheet(EVIDENCE_SHEET), [e for e in evidence if not scope.isdisjoint(e.codes)])
    return _save(wb)


def _save(wb: Workbook) -> bytes:
    wb.save(buffer := io.BytesIO())
    return buffer.getvalue()


def _subtree(spec: scoring.Framework, code: str) -> Iterator[scoring.Node]:
    """The node and its descendants in document order."""
    node = spec.node(code)
    yield node
    for child in node.children:
        yield from _subtree(spec, child)


def _leaf_codes(spec: scoring.Framework, code: str) -> list[str]:
    return [node.code for node in _subtree(spec, code) if node.is_leaf]


def _write_info(
    ws: Worksheet,
    heading: Heading,
    kind: str,
    facts: list[tuple[str, Any, str]],
    notes: Sequence[str],
    rounding: int,
) -> None:
    _header(
        ws, (Column("label", "Thông tin", 42), Column("value", "Giá trị", 70), Column("key", "Khóa (không sửa)", 18))
    )
    ws.freeze_panes = "A2"
    exported = heading.exported_at.astimezone(TIMEZONE) if heading.exported_at.tzinfo else heading.exported_at
    rows = [
        ("Bảng tính", "Tự đánh giá" if kind == SELF_KIND else "Thẩm định", "workbook_label"),
        ("Đơn vị", heading.unit_name, "unit"),
        ("Mã đơn vị", heading.unit_code, "unit_code"),
        ("Năm đánh giá", heading.year, "year"),
        ("Bộ chỉ số", heading.framework_code, "framework"),
        ("Tên bộ chỉ số", heading.framework_name, "framework_name"),
        ("Phiên bản bộ chỉ số", heading.version_number, "version"),
        ("Trạng thái hồ sơ", heading.status_label, "status"),
        *facts,
        ("Xuất lúc (giờ Việt Nam)", exported.strftime("%d/%m/%Y %H:%M"), "exported_at"),
        ("Mã hồ sơ (để nhập lại)", heading.assessment_id, "assessment"),
        ("Loại bảng tính", kind, "workbook"),
    ]
    score_format = _score_format(rounding)
    for label, value, key in rows:
        ws.append([label, None, key])
        cell = ws.cell(row=ws.max_row, column=2)
        _put(cell, value)
        cell.alignment = Alignment(horizontal="left", vertical="top", wrap_text=True)
        if key.endswith("total"):
            cell.number_format = score_format
        ws.cell(row=ws.max_row, column=3).font = KEY_FONT
    ws.append([])
    ws.append(["Hướng dẫn"])
    ws.cell(row=ws.max_row, column=1).font = HEADER_FONT
    for number, note in enumerate(notes, start=1):
        ws.append([f"{number}.", None])
        _put(ws.cell(row=ws.max_row, column=2), note)
        ws.cell(row=ws.max_row, column=2).alignment = TOP_WRAP


def _header(ws: Worksheet, columns: Sequence[Column]) -> None:
    ws.append([c.title for c in columns])
    for index, column in enumerate(columns, start=1):
        cell = ws.cell(row=1, column=index)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = "C2"
    ws.row_dimensions[1].height = 32


def _common_cells(ws: Worksheet, node: scoring.Node) -> None:
    row = ws.max_row
    _put(ws.cell(row=row, column=1), node.code)
    ws.cell(row=row, column=1).number_format = "@"
    _put(ws.cell(row=row, column=2), node.name)
    ws.cell(row=row, column=2).alignment = Alignment(indent=node.depth, wrap_text=True, vertical="top")
    ws.cell(row=row, column=3).value = _number_cell(node.max)
    if node.rule is not None:
        _put(ws.cell(row=row, column=4), scoring.RULE_KINDS[node.rule.kind].label)


def _write_self_row(
    ws: Worksheet, node: scoring.Node, ns: scoring.NodeScore, answer: AnswerCells | None, rounding: int
) -> None:
    ws.append([None])
    row = ws.max_row
    _common_cells(ws, node)
    index = {c.key: i for i, c in enumerate(SELF_COLUMNS, start=1)}
    score_cell = ws.cell(row=row, column=index["self_score"])
    score_cell.value = _score_value(ns)
    score_cell.number_format = _score_format(rounding)
    if not node.is_leaf:
        for column in range(1, len(SELF_COLUMNS) + 1):
            cell = ws.cell(row=row, column=column)
            cell.font, cell.fill = PARENT_FONT, PARENT_FILL
        return
    assert node.rule is not None
    open_keys = {"applicable", "explanation", *scoring.RULE_KINDS[node.rule.kind].keys}
    values = _input_cells(answer.inputs) if answer else {}
    for key in (*INPUT_KEYS, "explanation"):
        cell = ws.cell(row=row, column=index[key])
        if key == "explanation":
            _put(cell, answer.explanation if answer else "")
            cell.alignment = TOP_WRAP
        elif key in values:
            _put(cell, values[key])
            cell.number_format = "General"
        if key in open_keys:
            cell.protection = OPEN
        else:
            cell.fill = CLOSED_FILL
    if answer is not None and answer.revision is not None:
        ws.cell(row=row, column=index["revision"]).value = answer.revision


def _finish_input_sheet(ws: Worksheet) -> None:
    """Drop-downs for Có/Không, the hidden revision column, a light (password-less) lock."""
    index = {c.key: i for i, c in enumerate(SELF_COLUMNS, start=1)}
    last = max(ws.max_row, 2)
    yes_no = DataValidation(
        type="list",
        formula1=f'"{YES},{NO}"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Giá trị không hợp lệ",
        error=f"Chọn '{YES}' hoặc '{NO}'.",
    )
    for key in ("applicable", "met"):
        letter = get_column_letter(index[key])
        yes_no.add(f"{letter}2:{letter}{last}")
    ws.add_data_validation(yes_no)
    ws.column_dimensions[get_column_letter(index["revision"])].hidden = True
    ws.auto_filter.ref = f"A1:{get_column_letter(len(SELF_COLUMNS))}{last}"
    ws.protection.sheet = True
    for allowed in ("formatCells", "formatColumns", "formatRows", "autoFilter", "sort"):
        setattr(ws.protection, allowed, False)


def _write_appraisal_row(
    ws: Worksheet,
    node: scoring.Node,
    scores: tuple[scoring.UnitScore, scoring.UnitScore, scoring.UnitScore],
    item: AppraisedItem | None,
    answer: AnswerCells | None,
    rounding: int,
) -> None:
    ws.append([None])
    row = ws.max_row
    _common_cells(ws, node)
    index = {c.key: i for i, c in enumerate(APPRAISAL_COLUMNS, start=1)}
    own, first, final = (result.node(node.code, decimal_sep=",") for result in scores)
    item = item or AppraisedItem()
    values: dict[str, Any] = {"self_score": _score_value(own), "final_score": _score_value(final)}
    if node.is_leaf:
        values["self_inputs"] = own.explanation if answer and answer.inputs else "Đơn vị không nhập số liệu"
        values["explanation"] = answer.explanation if answer else ""
        values["first_score"] = _score_value(first) if item.first else None
        values["second_score"] = _score_value(final) if item.second else None
        values["comment"] = item.comment
    else:
        values["first_score"] = _score_value(first)
    for key, value in values.items():
        cell = ws.cell(row=row, column=index[key])
        _put(cell, value)
        if key.endswith("_score"):
            cell.number_format = _score_format(rounding)
        else:
            cell.alignment = TOP_WRAP
    if not node.is_leaf:
        for column in range(1, len(APPRAISAL_COLUMNS) + 1):
            cell = ws.cell(row=row, column=column)
            cell.font, cell.fill = PARENT_FONT, PARENT_FILL


def _write_evidence(ws: Worksheet, evidence: Sequence[EvidenceLine]) -> None:
    _header(ws, EVIDENCE_COLUMNS)
    ws.freeze_panes = "B2"
    for line in evidence:
        ws.append([None])
        row = ws.max_row
        values = [", ".join(v) if isinstance(v, tuple) else v for v in astuple(line)]  # in EVIDENCE_COLUMNS order
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column)
            _put(cell, value)
            cell.alignment = TOP_WRAP
        ws.cell(row=row, column=3).number_format = "DD/MM/YYYY"
        ws.cell(row=row, column=9).number_format = "#,##0"


def _put(cell: Any, value: Any) -> None:
    """Write a value; text stays text (never a formula, even "=5/10") without illegal characters."""
    if isinstance(value, str):
        cell.value = ILLEGAL_CHARACTERS_RE.sub("", value) or None
        if cell.value is not None:
            cell.data_type = "s"
    else:
        cell.value = value


def _input_cells(inputs: Mapping[str, Any]) -> dict[str, Any]:
    """Stored inputs as the cells show them: Có/Không, the ratio as a percent, exact numbers."""
    if not inputs:
        return {}
    out: dict[str, Any] = {"applicable": NO if inputs.get("applicable") is False else YES}
    for key, value in inputs.items():
        if key == "met" and isinstance(value, bool):
            out[key] = YES if value else NO
        elif key == "value":
            out[key] = _number_cell(Decimal(str(value)).scaleb(2))
        elif key in INPUT_KEYS and key != "applicable":
            out[key] = _number_cell(Decimal(str(value))) if not isinstance(value, bool) else value
    return out


def _number_cell(value: Decimal) -> int | float | str:
    """A Decimal as an Excel number when reading the cell back gives the same Decimal (its
    shortest repr), else as text with a decimal comma (read back exactly too)."""
    if value == value.to_integral_value() and abs(value) < 10**15:
        return int(value)
    number = float(value)
    return number if Decimal(repr(number)) == value else vn_number(value)


def _score_value(ns: scoring.NodeScore) -> int | float | str:
    if ns.node.is_leaf and not ns.applicable:
        return NOT_APPLICABLE_TEXT
    return _number_cell(ns.score)


def _score_format(rounding: int) -> str:
    return "0." + "0" * rounding if rounding > 0 else "0"


def _percent_text(percent: Decimal | None) -> str:
    return "–" if percent is None else f"{vn_score(percent)}%"


# -- import --------------------------------------------------------------------------------


class _Bad(ValueError):
    """A cell that cannot be read; the message says why, in Vietnamese."""


def _norm(value: Any) -> str:
    """Header text compared loosely: Unicode NFC, case-folded, single spaces, no ':' or '*'."""
    text = unicodedata.normalize("NFC", "" if value is None else str(value)).casefold()
    return " ".join(text.split()).rstrip(":*").strip()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return plain(Decimal(repr(value)))
    return str(value).strip()


def _aliases() -> dict[str, str]:
    out = {}
    for key in IMPORT_KEYS:
        title = TITLES[key]
        for alias in (title, title.split(" (")[0], *EXTRA_ALIASES.get(key, ())):
            out.setdefault(_norm(alias), key)
    return out


ALIASES = _aliases()
TRUE_WORDS = frozenset({"có", "co", "c", "x", "đạt", "dat", "yes", "y", "true", "1"})
FALSE_WORDS = frozenset({"không", "khong", "k", "không đạt", "khong dat", "no", "n", "false", "0"})


def _open(data: bytes) -> Any:
    """The workbook, read-only (rows streamed), once ``core.uploads`` has checked the container."""
    try:
        return open_xlsx(data, read_only=True)
    except UploadRefused as exc:
        reason = str(exc)
        raise WorkbookUnreadable(f"{reason[:1].upper()}{reason[1:]}.") from None


def answers_from_xlsx(data: bytes, spec: scoring.Framework) -> ImportedBook:
    """Read a filled self-assessment workbook against ``spec``.

    Raises WorkbookUnreadable when the bytes are not an .xlsx workbook or not one exported as
    a self-assessment; otherwise returns the valid leaf rows and every problem found.
    """
    wb = _open(data)
    try:
        return _read(wb, spec)
    except WorkbookUnreadable:
        raise
    except Exception:  # a workbook openpyxl opens but cannot walk (broken parts)
        raise WorkbookUnreadable("Tệp bảng tính bị hỏng, không đọc được.") from None
    finally:
        wb.close()


WRONG_LAYOUT = (
    "Tệp không đúng mẫu bảng tính tự đánh giá ({why}). Hãy dùng nút 'Tải bảng tính tự đánh giá' "
    "ở trang hồ sơ, điền số liệu vào tệp đó rồi nhập lại."
)


def _read(wb: Any, spec: scoring.Framework) -> ImportedBook:
    sheets = {_norm(name): name for name in wb.sheetnames}
    info_name = sheets.get(_norm(INFO_SHEET))
    if info_name is None:
        raise WorkbookUnreadable(WRONG_LAYOUT.format(why=f"thiếu trang '{INFO_SHEET}'"))
    info = _info(wb[info_name])
    if info.get("workbook") == APPRAISAL_KIND:
        raise WorkbookUnreadable("Đây là bảng tính thẩm định, chỉ để xem; không nhập được vào hồ sơ tự đánh giá.")
    if info.get("workbook") != SELF_KIND:
        raise WorkbookUnreadable(WRONG_LAYOUT.format(why="trang 'Thông tin' không có loại bảng tính"))
    try:
        assessment_id = int(_text(info.get("assessment")))
    except ValueError:
        raise WorkbookUnreadable(WRONG_LAYOUT.format(why="trang 'Thông tin' không có mã hồ sơ")) from None
    if len(wb.sheetnames) > MAX_SHEETS:
        raise WorkbookUnreadable(WRONG_LAYOUT.format(why=f"có {len(wb.sheetnames)} trang, quá {MAX_SHEETS} trang"))
    book = ImportedBook(assessment_id=assessment_id, sheets=list(wb.sheetnames))
    expected = {_norm(title) for title in field_sheet_titles(spec).values()}
    seen: dict[str, tuple[str, int]] = {}
    read_any = False
    budget = MAX_ROWS  # rows left to read in the whole workbook
    for name in wb.sheetnames:
        if _norm(name) in (_norm(INFO_SHEET), _norm(EVIDENCE_SHEET)):
            continue
        ws = wb[name]
        ws.reset_dimensions()  # a file saved by another program may state wrong dimensions
        located = _columns(ws)
        if located is None:
            if _norm(name) in expected:
                book.problems.append(RowProblem(name, None, "", "không tìm thấy dòng tiêu đề (cột 'Mã', 'Lần sửa' …)"))
            continue  # a sheet of the user's own (notes, a pivot) is not ours to read
        header, columns = located
        absent = [TITLES[key] for key in IMPORT_KEYS if key not in columns]
        if absent:
            book.problems.append(RowProblem(name, header, "", f"thiếu cột {', '.join(absent)} ở dòng tiêu đề"))
            continue
        read_any = True
        if budget <= 0:
            book.problems.append(
                RowProblem(name, None, "", f"bảng tính có quá {MAX_ROWS} dòng; trang này không được đọc")
            )
            break
        budget -= _read_sheet(ws, name, header, columns, spec, book, seen, budget)
    if not read_any and not book.problems:
        raise WorkbookUnreadable(WRONG_LAYOUT.format(why="không có trang lĩnh vực nào có dòng tiêu đề"))
    return book


def _info(ws: Worksheet) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ws.reset_dimensions()
    for values in ws.iter_rows(min_row=1, max_row=200, max_col=3, values_only=True):
        key = _text(values[2]) if len(values) > 2 else ""
        if key and key not in out:
            out[key] = values[1]
    return out


def _columns(ws: Worksheet) -> tuple[int, dict[str, int]] | None:
    """The header row (searched in the first 10 rows) and the column index of each key."""
    rows = ws.iter_rows(min_row=1, max_row=10, max_col=HEADER_WIDTH, values_only=True)
    for number, values in enumerate(rows, start=1):
        found: dict[str, int] = {}
        for index, title in enumerate(values):
            key = ALIASES.get(_norm(title))
            if key is not None and key not in found:
                found[key] = index
        if "code" in found and len(found) > 1:
            return number, found
    return None


def _read_sheet(
    ws: Worksheet,
    sheet: str,
    header: int,
    columns: dict[str, int],
    spec: scoring.Framework,
    book: ImportedBook,
    seen: dict[str, tuple[str, int]],
    budget: int = MAX_ROWS,
) -> int:
    """Read the rows below ``header``, at most ``budget`` of them; returns how many were read.

    Streamed: the row past the cap stops the reading before anything more of the sheet is
    parsed, and no cell right of the last column read is built (one cell in column XFD does
    not make every row 16,384 cells wide)."""
    width = max(columns.values()) + 1
    read = 0
    for number, cells in enumerate(ws.iter_rows(min_row=header + 1, max_col=width), start=header + 1):

        def problem(reason: str, code: str = "", number: int = number) -> None:
            book.problems.append(RowProblem(sheet, number, code, reason))

        if read >= budget:
            where = "trang" if budget == MAX_ROWS else "bảng tính"
            problem(f"{where} có quá {MAX_ROWS} dòng; phần sau không được đọc")
            return read
        read += 1
        cell = {key: cells[i] if i < len(cells) else None for key, i in columns.items()}
        value = {key: getattr(c, "value", None) for key, c in cell.items()}
        code = _text(value["code"])
        filled = any(_text(value[key]) for key in (*INPUT_KEYS, "explanation"))
        if not code:
            if filled:
                problem("thiếu mã tiêu chí ở cột 'Mã'")
            continue
        node = spec.by_code.get(code)
        if node is None:
            problem(f"không có tiêu chí mã '{code}' trong bộ chỉ số {spec.code}", code)
            continue
        if code in seen:
            problem(f"tiêu chí đã có ở trang {seen[code][0]}, dòng {seen[code][1]}", code)
            continue
        seen[code] = (sheet, number)
        if not node.is_leaf:
            if filled:
                problem("tiêu chí có tiêu chí thành phần: chỉ nhập số liệu ở dòng tiêu chí thành phần", code)
            continue
        try:
            revision = _revision(value["revision"])
            raw = _raw_inputs(node, value, getattr(cell["value"], "number_format", None))
            inputs = clean_inputs(node, raw)
        except ValueError as exc:  # _Bad included
            problem(str(exc), code)
            continue
        book.rows.append(ImportedRow(sheet, number, code, inputs, _text(value["explanation"]), revision))
    return read


def _revision(value: Any) -> int | None:
    text = _text(value)
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        number = Decimal(-1)
    if number != number.to_integral_value() or number < 1:
        raise _Bad(f"cột 'Lần sửa' bị sửa ('{text}'); hãy tải lại bảng tính")
    return int(number)


def _raw_inputs(node: scoring.Node, value: Mapping[str, Any], percent_format: str | None) -> dict[str, Any]:
    """A row's cells as the raw inputs ``clean_inputs`` takes; refuses cells of another rule kind."""
    assert node.rule is not None
    kind = scoring.RULE_KINDS[node.rule.kind]
    raw: dict[str, Any] = {}
    for key in INPUT_KEYS:
        cell = value[key]
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        if key != "applicable" and key not in kind.keys:
            raise _Bad(f"cột '{TITLES[key]}' không dùng cho cách chấm '{kind.label}' của tiêu chí này; hãy để trống")
        if key == "applicable":
            if not _yes_no(cell, TITLES[key]):
                raw["applicable"] = False
        elif key == "met":
            raw["met"] = _yes_no(cell, TITLES[key])
        elif key == "value":
            raw["value"] = _percent(cell, percent_format)
        else:
            raw[key] = _number(cell, TITLES[key])
    return raw


def _yes_no(value: Any, label: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    word = _norm(value)
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise _Bad(f"{label}: ghi '{YES}' hoặc '{NO}' (đang là '{_text(value)}')")


def _number(value: Any, label: str) -> Any:
    """A number cell for ``clean_inputs``: int, an exact Decimal for a float (its repr), or the
    text as typed (a decimal comma is fine; the rule check names anything else)."""
    if isinstance(value, bool | int | Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        raise _Bad(f"{label}: ô đang chứa ngày, giờ chứ không phải số")
    return str(value).strip()


def _percent(value: Any, number_format: str | None) -> Decimal:
    """The Tỷ lệ (%) cell as a ratio: 80 -> 0.8 ("80%" and "33,7" typed as text too); a cell
    formatted as percent in Excel holds the ratio itself (0.8)."""
    label = TITLES["value"]
    number = _number(value, label)
    typed = isinstance(number, str)
    try:
        if typed:
            number = Decimal(re.sub(r"[\s\u00a0\u202f%]+", "", number).replace(",", "."))
        if isinstance(number, bool) or not Decimal(number).is_finite():
            raise InvalidOperation
    except InvalidOperation:
        raise _Bad(f"{label}: '{_text(value)}' không phải là số") from None
    number = Decimal(number)
    return number if not typed and number_format and "%" in number_format else number.scaleb(-2)
