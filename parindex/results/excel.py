"""Results as Excel workbooks: a published ranking, and a cycle's cross-unit table.

Pure builders over plain data (no Django, no queries): ``export_views.py`` reads the rows and
the framework and passes them in.

- ``ranking_to_xlsx``: a publication's frozen ranking. Sheet "Xếp hạng": the decision, then
  one row per unit in rank order (rank "1/18", field scores, total, percent, classification,
  change of rank). Sheet "Tổng hợp theo tiêu chí": every node of the framework in document
  order × every unit (rank order), from the frozen snapshots, with how many units reached the
  maximum, how many lost points, and the points lost in all.
- ``cycle_to_xlsx``: the province's table of a cycle while it runs or once it is done. Sheet
  "Tổng hợp": one row per assessment with its status, each field's self-assessed and
  appraised score, the totals, and the percent and classification of the appraised score
  (of the self score before appraisal). Sheets "Tự chấm" and "Thẩm định": every node × every
  unit, the same layout as the published cross-unit sheet; an appraised score that differs
  from the self score is shaded.

Numbers are written as numbers (a score has a few decimals, so the double's shortest text is
the decimal) with a number format at the publication's (or framework's) decimal places:
Excel shows them with the reader's decimal separator, a comma in a Vietnamese locale. A
criterion that does not apply to a unit shows "KAD" (không áp dụng).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from parindex.scoring.analysis import snapshot_of
from parindex.scoring.decimals import plain
from parindex.scoring.engine import UnitScore
from parindex.scoring.model import Node

RANKING_SHEET, NODES_SHEET = "Xếp hạng", "Tổng hợp theo tiêu chí"
SUMMARY_SHEET, SELF_SHEET, FINAL_SHEET = "Tổng hợp", "Tự chấm", "Thẩm định"
NOT_APPLICABLE = "KAD"
KAD_NOTE = "KAD: không áp dụng (tiêu chí không phát sinh ở đơn vị, không tính vào điểm tối đa)."
COUNT_TITLES = ("Số đơn vị đạt tối đa", "Số đơn vị bị trừ điểm", "Tổng điểm bị mất")

TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
CHANGED_FILL = PatternFill("solid", fgColor="FFF2CC")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
TOP_WRAP = Alignment(vertical="top", wrap_text=True)
CENTER = Alignment(horizontal="center", vertical="top")
GENERAL = "General"  # maxima: written as the framework writes them (21, 12,5)
COUNT = "0"


def score_format(places: int) -> str:
    """The number format showing ``places`` decimals (2 -> "0.00"); Excel localises the separator."""
    return "0." + "0" * places if places > 0 else "0"


def vn_number(value: Decimal | str) -> str:
    """A maximum in Vietnamese text: no trailing zeros, decimal comma ("12.5" -> "12,5")."""
    return plain(Decimal(value)).replace(".", ",")


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _dec(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _ratio(rank: int | None, of: int | None) -> str:
    return "" if rank is None else f"{rank}/{of}"


# -- what the views pass in ---------------------------------------------------------------------


@dataclass(frozen=True)
class RankedUnit:
    """One frozen published result, its decimals at the publication's places."""

    rank: int
    rank_of: int
    code: str
    name: str
    fields: Sequence[Decimal | None]  # one per field of the publication; None: not applicable
    total: Decimal
    applicable_max: Decimal
    percent: Decimal
    classification: str
    previous_percent: Decimal | None
    previous_rank: int | None
    previous_of: int | None
    change: str  # scoring.describe_change: "tăng 10 bậc"
    compared_with: Sequence[str]  # last year's units it is compared with, when not itself
    scores: Mapping[str, Sequence[object]]  # the snapshot: {code: [score or None, applicable max]}


@dataclass(frozen=True)
class Ranking:
    """A publication's header and rows."""

    year: int
    group: str
    province: str
    decision_number: str
    decision_date: dt.date
    issuer: str
    places: int
    fields: Sequence[Mapping[str, str]]  # Publication.fields: [{code, name, max}]
    nodes: Sequence[Node]  # the cycle's framework, document order
    units: Sequence[RankedUnit]
    notes: Sequence[str] = ()  # comparison basis, correction, superseded

    @property
    def title(self) -> str:
        return f"Kết quả Chỉ số CCHC năm {self.year} — {self.group}"

    @property
    def decision(self) -> str:
        text = f"Quyết định số {self.decision_number} ngày {self.decision_date:%d/%m/%Y}"
        return f"{text} của {self.issuer}" if self.issuer else text


@dataclass(frozen=True)
class AssessedUnit:
    """One assessment of a cycle with its engine scores."""

    code: str
    name: str
    status: str  # in Vietnamese
    self_score: UnitScore
    final_score: UnitScore | None  # None: appraisal not started
    provisional: bool  # under appraisal: items not appraised yet count with their self inputs


@dataclass(frozen=True)
class CycleTable:
    name: str
    province: str
    framework: str
    places: int
    nodes: Sequence[Node]
    units: Sequence[AssessedUnit]
    made_at: dt.datetime

    @property
    def roots(self) -> list[Node]:
        return [n for n in self.nodes if n.parent is None]


# -- layout helpers -----------------------------------------------------------------------------


@dataclass
class Col:
    """A table column: its header (and the group header above it, if any), width and format."""

    title: str
    width: float
    group: str = ""
    number_format: str = ""


def _write_lines(ws: Worksheet, lines: Sequence[str]) -> int:
    """The title (first line, large) and notes above a table; the first free row after a gap."""
    for i, line in enumerate(lines, start=1):
        cell = ws.cell(row=i, column=1, value=line)
        cell.font = TITLE_FONT if i == 1 else (BOLD if i == 2 else NOTE_FONT)
    return len(lines) + 2


def _write_header(ws: Worksheet, top: int, cols: Sequence[Col]) -> int:
    """One header row, or two when some columns share a group header; the first data row."""
    rows = 2 if any(c.group for c in cols) else 1
    start = 1
    while start <= len(cols):
        col = cols[start - 1]
        end = start
        if col.group:
            while end < len(cols) and cols[end].group == col.group:
                end += 1
            ws.cell(row=top, column=start, value=col.group)
            if end > start:
                ws.merge_cells(start_row=top, start_column=start, end_row=top, end_column=end)
            for i in range(start, end + 1):
                ws.cell(row=top + 1, column=i, value=cols[i - 1].title)
        else:
            ws.cell(row=top, column=start, value=col.title)
            if rows == 2:
                ws.merge_cells(start_row=top, start_column=start, end_row=top + 1, end_column=start)
        start = end + 1
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
        for row in range(top, top + rows):
            cell = ws.cell(row=row, column=i)
            cell.font, cell.fill, cell.alignment, cell.border = BOLD, HEADER_FILL, HEAD_ALIGN, GRID
    return top + rows


def _write_row(ws: Worksheet, row: int, cols: Sequence[Col], values: Sequence[object]) -> None:
    for i, (col, value) in enumerate(zip(cols, values, strict=True), start=1):
        cell = ws.cell(row=row, column=i, value=value)
        cell.border = GRID
        if isinstance(value, float | int):
            cell.number_format = col.number_format or GENERAL
        elif value == NOT_APPLICABLE:
            cell.alignment = CENTER
        else:
            cell.alignment = TOP_WRAP


def _finish(ws: Worksheet, header_top: int, first_row: int, freeze_column: int) -> None:
    """Freeze the header and the identifying columns; print landscape A4, one page wide."""
    ws.freeze_panes = ws.cell(row=first_row, column=freeze_column)
    ws.print_title_rows = f"{header_top}:{first_row - 1}"
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# -- the cross-unit table by criterion (both workbooks) -------------------------------------------


@dataclass(frozen=True)
class UnitColumn:
    """One unit's column of a by-criterion sheet: its snapshot, or None when there is no score."""

    title: str
    scores: Mapping[str, Sequence[object]] | None
    total: tuple[Decimal, Decimal] | None  # (total, applicable max)
    compare: Mapping[str, Sequence[object]] | None = None  # shade the cells whose score differs from this


def _node_counts(values: Sequence[tuple[Decimal | None, Decimal] | None]) -> tuple[int, int, Decimal]:
    """Units at the maximum, units that lost points, points lost in all (applicable scores only)."""
    full = short = 0
    lost = Decimal(0)
    for value in values:
        if value is None or value[0] is None:
            continue
        score, applicable_max = value
        if score >= applicable_max:
            full += 1
        else:
            short += 1
            lost += applicable_max - score
    return full, short, lost


def _pair(scores: Mapping[str, Sequence[object]] | None, code: str) -> tuple[Decimal | None, Decimal] | None:
    if scores is None or code not in scores:
        return None
    raw_score, raw_max = list(scores[code])[:2]
    return _dec(raw_score), Decimal(str(raw_max))


def _write_node_sheet(
    ws: Worksheet, lines: Sequence[str], nodes: Sequence[Node], units: Sequence[UnitColumn], places: int
) -> None:
    fmt = score_format(places)
    cols = [Col("Mã", 9), Col("Tiêu chí", 55), Col("Điểm tối đa", 9, number_format=GENERAL)]
    cols += [Col(u.title, 13, number_format=fmt) for u in units]
    cols += [Col(COUNT_TITLES[0], 11, number_format=COUNT), Col(COUNT_TITLES[1], 11, number_format=COUNT)]
    cols += [Col(COUNT_TITLES[2], 11, number_format=fmt)]
    top = _write_lines(ws, [*lines, KAD_NOTE])
    first = row = _write_header(ws, top, cols)
    for node in nodes:
        pairs = [_pair(u.scores, node.code) for u in units]
        cells = [None if p is None else NOT_APPLICABLE if p[0] is None else _num(p[0]) for p in pairs]
        full, short, lost = _node_counts(pairs)
        _write_row(ws, row, cols, [node.code, node.name, _num(node.max), *cells, full, short, _num(lost)])
        ws.cell(row=row, column=2).alignment = Alignment(indent=node.depth, wrap_text=True, vertical="top")
        if not node.is_leaf:
            for column in range(1, len(cols) + 1):
                ws.cell(row=row, column=column).font = BOLD
        for column, (unit, pair) in enumerate(zip(units, pairs, strict=True), start=4):
            other = _pair(unit.compare, node.code)
            if pair is not None and other is not None and other[0] != pair[0]:
                ws.cell(row=row, column=column).fill = CHANGED_FILL
        row += 1
    totals = [u.total for u in units]
    full, short, lost = _node_counts(totals)
    maximum = sum((n.max for n in nodes if n.parent is None), Decimal(0))
    cells = [None if t is None else _num(t[0]) for t in totals]
    _write_row(ws, row, cols, ["", "Tổng số điểm", _num(maximum), *cells, full, short, _num(lost)])
    for column in range(1, len(cols) + 1):
        ws.cell(row=row, column=column).font = BOLD
    _finish(ws, top, first, 4)


# -- a published ranking ------------------------------------------------------------------------


def _ranking_columns(ranking: Ranking) -> list[Col]:
    fmt = score_format(ranking.places)
    fields = "Điểm các lĩnh vực"
    before = "So với năm trước"
    return [
        Col("STT", 6, number_format=COUNT),
        Col("Thứ hạng", 9),
        Col("Mã đơn vị", 10),
        Col("Tên đơn vị", 28),
        *(Col(f"{f['code']}. {f['name']} (tối đa {vn_number(f['max'])})", 14, fields, fmt) for f in ranking.fields),
        Col("Tổng điểm", 10, number_format=fmt),
        Col("Điểm tối đa áp dụng", 10, number_format=GENERAL),
        Col("Chỉ số (%)", 10, number_format=fmt),
        Col("Xếp loại", 11),
        Col("Chỉ số năm trước (%)", 11, before, fmt),
        Col("Thứ hạng năm trước", 10, before),
        Col("Thay đổi thứ hạng", 14, before),
        Col("So sánh với đơn vị năm trước", 28, before),
    ]


def ranking_to_xlsx(ranking: Ranking) -> bytes:
    """The published ranking and its cross-unit table by criterion, as an .xlsx workbook."""
    wb = Workbook()
    ws = wb.active
    ws.title = RANKING_SHEET
    cols = _ranking_columns(ranking)
    lines = [ranking.title, f"{ranking.province} · {ranking.decision}", *ranking.notes]
    top = _write_lines(ws, lines)
    first = row = _write_header(ws, top, cols)
    total_column = 5 + len(ranking.fields)
    for i, unit in enumerate(ranking.units, start=1):
        fields = [NOT_APPLICABLE if score is None else _num(score) for score in unit.fields]
        values = [
            i,
            _ratio(unit.rank, unit.rank_of),
            unit.code,
            unit.name,
            *fields,
            _num(unit.total),
            _num(unit.applicable_max),
            _num(unit.percent),
            unit.classification,
            _num(unit.previous_percent),
            _ratio(unit.previous_rank, unit.previous_of),
            unit.change,
            ", ".join(unit.compared_with),
        ]
        _write_row(ws, row, cols, values)
        ws.cell(row=row, column=2).alignment = CENTER
        ws.cell(row=row, column=total_column).font = BOLD
        row += 1
    if ranking.units:
        ws.auto_filter.ref = f"A{first - 1}:{get_column_letter(len(cols))}{row - 1}"
    _finish(ws, top, first, 5)
    units = [
        UnitColumn(f"{u.name} ({_ratio(u.rank, u.rank_of)})", u.scores, (u.total, u.applicable_max))
        for u in ranking.units
    ]
    _write_node_sheet(
        wb.create_sheet(NODES_SHEET),
        [f"{ranking.title}: điểm từng tiêu chí của các đơn vị", f"{ranking.province} · {ranking.decision}"],
        ranking.nodes,
        units,
        ranking.places,
    )
    return _save(wb)


# -- a cycle's cross-unit table (province staff) ------------------------------------------------


def _basis(unit: AssessedUnit) -> tuple[UnitScore, str]:
    """The score the percent and classification are read from, and the words saying which."""
    if unit.final_score is None:
        return unit.self_score, "Theo điểm tự chấm (chưa thẩm định)"
    if unit.provisional:
        return unit.final_score, "Theo điểm thẩm định tạm tính (đang thẩm định)"
    return unit.final_score, "Theo điểm thẩm định"


def _field_value(score: UnitScore | None, code: str) -> object:
    if score is None:
        return None
    node = score.node(code)
    return _num(node.score) if node.applicable else NOT_APPLICABLE


def cycle_to_xlsx(table: CycleTable) -> bytes:
    """The cycle's units with self and appraised scores, and both by criterion, as .xlsx."""
    wb = Workbook()
    ws = wb.active
    ws.title = SUMMARY_SHEET
    fmt = score_format(table.places)
    roots = table.roots
    cols = [Col("STT", 6, number_format=COUNT), Col("Mã đơn vị", 10), Col("Tên đơn vị", 28), Col("Trạng thái", 16)]
    for node in roots:
        group = f"{node.code}. {node.name} (tối đa {vn_number(node.max)})"
        cols += [Col(SELF_SHEET, 9, group, fmt), Col(FINAL_SHEET, 9, group, fmt)]
    cols += [Col(SELF_SHEET, 9, "Tổng điểm", fmt), Col(FINAL_SHEET, 9, "Tổng điểm", fmt)]
    cols += [
        Col("Điểm tối đa áp dụng", 10, number_format=GENERAL),
        Col("Chỉ số (%)", 10, number_format=fmt),
        Col("Xếp loại", 11),
        Col("Căn cứ xếp loại", 24),
    ]
    made = f"Số liệu lúc {table.made_at:%H:%M} ngày {table.made_at:%d/%m/%Y}"
    lines = [
        f"Kết quả tự chấm và thẩm định — {table.name}",
        f"{table.province} · {table.framework}",
        f"{made}; chưa phải kết quả công bố. Điểm thẩm định của đơn vị đang thẩm định là điểm tạm tính: "
        "tiêu chí chưa thẩm định tạm lấy số liệu tự chấm.",
    ]
    top = _write_lines(ws, lines)
    first = row = _write_header(ws, top, cols)
    for i, unit in enumerate(table.units, start=1):
        basis, basis_text = _basis(unit)
        fields: list[object] = []
        for node in roots:
            fields += [_field_value(unit.self_score, node.code), _field_value(unit.final_score, node.code)]
        final_total = None if unit.final_score is None else _num(unit.final_score.total)
        values = [
            i,
            unit.code,
            unit.name,
            unit.status,
            *fields,
            _num(unit.self_score.total),
            final_total,
            _num(basis.applicable_max),
            _num(basis.percent),
            basis.classification or "",
            basis_text,
        ]
        _write_row(ws, row, cols, values)
        row += 1
    if table.units:
        ws.auto_filter.ref = f"A{first - 1}:{get_column_letter(len(cols))}{row - 1}"
    _finish(ws, top, first, 5)

    heading = f"{table.province} · {table.name} · {made}"
    _write_node_sheet(
        wb.create_sheet(SELF_SHEET),
        [f"Điểm tự chấm từng tiêu chí — {table.name}", heading],
        table.nodes,
        [
            UnitColumn(u.name, snapshot_of(u.self_score), (u.self_score.total, u.self_score.applicable_max))
            for u in table.units
        ],
        table.places,
    )
    final_columns = []
    for u in table.units:
        if u.final_score is None:
            final_columns.append(UnitColumn(f"{u.name} (chưa thẩm định)", None, None))
            continue
        title = f"{u.name} (tạm tính)" if u.provisional else u.name
        final = u.final_score
        final_columns.append(
            UnitColumn(title, snapshot_of(final), (final.total, final.applicable_max), snapshot_of(u.self_score))
        )
    _write_node_sheet(
        wb.create_sheet(FINAL_SHEET),
        [
            f"Điểm thẩm định từng tiêu chí — {table.name}",
            heading,
            "Ô tô màu vàng: điểm thẩm định khác điểm tự chấm của đơn vị.",
        ],
        table.nodes,
        final_columns,
        table.places,
    )
    return _save(wb)
