"""Results as Excel workbooks: a published ranking, and a cycle's cross-unit table.

Pure builders over plain data (no Django, no queries): ``export_views.py`` and ``files.py``
read the rows and the framework and pass them in.

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

The workbooks are written in openpyxl's write-only mode, row by row: every cell takes one of
a few named styles (``_Styles``: font, fill, alignment, number format and border together),
each registered once per workbook, instead of styling each cell attribute by attribute. The
sheet's settings (column widths, frozen panes, filter, print setup) are fixed before its first
row, so each sheet's layout is computed first, then its rows are streamed.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.styles.borders import DEFAULT_BORDER
from openpyxl.styles.fonts import DEFAULT_FONT
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from parindex import scoring
from parindex.core.numbers import vn_number
from parindex.scoring.analysis import snapshot_of
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
    made_at: dt.datetime | None = None  # the workbook's creation date (UTC, naive); None: now

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


# -- styles -------------------------------------------------------------------------------------

# The parts a cell's style is made of, by short key; a named style is one combination of them.
FONTS = {"": DEFAULT_FONT, "title": TITLE_FONT, "bold": BOLD, "note": NOTE_FONT}
FILLS = {"": PatternFill(), "header": HEADER_FILL, "changed": CHANGED_FILL}
ALIGNMENTS = {"": Alignment(), "head": HEAD_ALIGN, "wrap": TOP_WRAP, "center": CENTER}
BORDERS = {"": DEFAULT_BORDER, "grid": GRID}
# What a style's name says of each part (the names show in Excel's cell styles gallery).
WORDS = {
    "title": "tiêu đề",
    "bold": "đậm",
    "note": "ghi chú",
    "header": "nền tiêu đề cột",
    "changed": "nền khác điểm tự chấm",
    "head": "tiêu đề cột",
    "wrap": "xuống dòng",
    "center": "căn giữa",
    "grid": "kẻ ô",
}

# A cell's style key: (font, fill, alignment, number format, border); alignment "indent2" is a
# criterion's name two levels down.
StyleKey = tuple[str, str, str, str, str]


def _alignment(key: str) -> Alignment:
    if key.startswith("indent"):
        return Alignment(indent=int(key[len("indent") :]), wrap_text=True, vertical="top")
    return ALIGNMENTS[key]


class _Styles:
    """The named styles of one workbook, each registered the first time a cell needs it."""

    def __init__(self, wb: Workbook) -> None:
        self.wb = wb
        self.styles: dict[StyleKey, NamedStyle] = {}

    def _named(self, key: StyleKey) -> NamedStyle:
        style = self.styles.get(key)
        if style is None:
            font, fill, align, number_format, border = key
            words = [WORDS[part] for part in (border, font, fill) if part]
            if number_format != GENERAL:
                words.append(f"số {number_format}")
            if align.startswith("indent"):
                words.append(f"thụt {align[len('indent') :]}")
            elif align:
                words.append(WORDS[align])
            style = NamedStyle(
                name="CCHC " + " · ".join(words or ["thường"]),
                font=copy(FONTS[font]),
                fill=copy(FILLS[fill]),
                alignment=copy(_alignment(align)),
                number_format=number_format,
                border=copy(BORDERS[border]),
            )
            self.wb.add_named_style(style)
            self.styles[key] = style
        return style

    def cell(self, ws: WriteOnlyWorksheet, value: object, key: StyleKey) -> Cell:
        """A write-only cell holding ``value`` in the named style ``key``."""
        cell = WriteOnlyCell(ws, value)
        # What assigning ``cell.style = name`` does, without looking the name up again per cell.
        cell._style = copy(self._named(key).as_tuple())
        return cell


def _data_key(col: Col, value: object, *, font: str = "", fill: str = "", align: str | None = None) -> StyleKey:
    """A table cell's style: bordered; a number in its column's format, KAD centred, text wrapped."""
    if isinstance(value, float | int):
        return (font, fill, align or "", col.number_format or GENERAL, "grid")
    if align is None:
        align = "center" if value == NOT_APPLICABLE else "wrap"
    return (font, fill, align, GENERAL, "grid")


HEADER_KEY: StyleKey = ("bold", "header", "head", GENERAL, "grid")
LINE_KEYS: tuple[StyleKey, ...] = (
    ("title", "", "", GENERAL, ""),
    ("bold", "", "", GENERAL, ""),
    ("note", "", "", GENERAL, ""),
)


# -- layout helpers -----------------------------------------------------------------------------


@dataclass
class Col:
    """A table column: its header (and the group header above it, if any), width and format."""

    title: str
    width: float
    group: str = ""
    number_format: str = ""


@dataclass(frozen=True)
class Layout:
    """Where a sheet's table sits: the rows above it, its header, its first and last data rows."""

    lines: Sequence[str]
    cols: Sequence[Col]
    rows: int  # data rows

    @property
    def header_top(self) -> int:
        return len(self.lines) + 2  # the lines, then a blank row

    @property
    def header_rows(self) -> int:
        return 2 if any(c.group for c in self.cols) else 1

    @property
    def first(self) -> int:
        return self.header_top + self.header_rows


def _header(cols: Sequence[Col]) -> tuple[list[list[object]], list[str]]:
    """The header rows' values (one row, or two when some columns share a group header) and
    their merged ranges."""
    two = any(c.group for c in cols)
    top: list[object] = [None] * len(cols)
    sub: list[object] = [None] * len(cols)
    merged = []
    start = 1
    while start <= len(cols):
        col = cols[start - 1]
        end = start
        if col.group:
            while end < len(cols) and cols[end].group == col.group:
                end += 1
            top[start - 1] = col.group
            if end > start:
                merged.append((1, start, 1, end))
            for i in range(start, end + 1):
                sub[i - 1] = cols[i - 1].title
        else:
            top[start - 1] = col.title
            if two:
                merged.append((1, start, 2, start))
        start = end + 1
    return ([top, sub] if two else [top]), merged


def _sheet(
    wb: Workbook, styles: _Styles, title: str, layout: Layout, freeze_column: int, *, auto_filter: bool = False
) -> WriteOnlyWorksheet:
    """A new sheet with its settings (they precede the rows in the file), its title lines and
    its header written: the next row appended is the first data row.

    Frozen header and identifying columns; printed landscape on A4, one page wide, the header
    repeated on every page.
    """
    ws = wb.create_sheet(title)
    cols = layout.cols
    top, first = layout.header_top, layout.first
    for i, col in enumerate(cols, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    ws.freeze_panes = f"{get_column_letter(freeze_column)}{first}"
    ws.print_title_rows = f"{top}:{first - 1}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    if auto_filter and layout.rows:
        ws.auto_filter.ref = f"A{first - 1}:{get_column_letter(len(cols))}{first + layout.rows - 1}"
    for i, line in enumerate(layout.lines):
        ws.append([styles.cell(ws, line, LINE_KEYS[min(i, 2)])])
    ws.append([])
    values, merged = _header(cols)
    for row in values:
        ws.append([styles.cell(ws, value, HEADER_KEY) for value in row])
    for min_row, min_col, max_row, max_col in merged:
        ws.merged_cells.add(
            f"{get_column_letter(min_col)}{top + min_row - 1}:{get_column_letter(max_col)}{top + max_row - 1}"
        )
    return ws


def _row(
    ws: WriteOnlyWorksheet,
    styles: _Styles,
    cols: Sequence[Col],
    values: Sequence[object],
    *,
    font: str = "",
    aligns: Mapping[int, str] | None = None,
    fills: Iterable[int] = (),
) -> None:
    """One table row: every cell bordered (empty ones too), in its column's style; ``aligns``
    and ``fills`` by 1-based column, ``font`` for the whole row."""
    aligns = aligns or {}
    shaded = set(fills)
    ws.append(
        [
            styles.cell(
                ws,
                value,
                _data_key(col, value, font=font, fill="changed" if i in shaded else "", align=aligns.get(i)),
            )
            for i, (col, value) in enumerate(zip(cols, values, strict=True), start=1)
        ]
    )


def _save(wb: Workbook) -> bytes:
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _workbook() -> tuple[Workbook, _Styles]:
    wb = Workbook(write_only=True)
    return wb, _Styles(wb)


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
    applicable = [value for value in values if value is not None and value[0] is not None]
    shortfalls = [scoring.aggregates.lost(score, maximum) for score, maximum in applicable if score < maximum]
    return len(applicable) - len(shortfalls), len(shortfalls), scoring.aggregates.total(shortfalls)


def _pair(scores: Mapping[str, Sequence[object]] | None, code: str) -> tuple[Decimal | None, Decimal] | None:
    if scores is None or code not in scores:
        return None
    raw_score, raw_max = list(scores[code])[:2]
    return _dec(raw_score), Decimal(str(raw_max))


def _write_node_sheet(
    wb: Workbook,
    styles: _Styles,
    title: str,
    lines: Sequence[str],
    nodes: Sequence[Node],
    units: Sequence[UnitColumn],
    places: int,
) -> None:
    fmt = score_format(places)
    cols = [Col("Mã", 9), Col("Tiêu chí", 55), Col("Điểm tối đa", 9, number_format=GENERAL)]
    cols += [Col(u.title, 13, number_format=fmt) for u in units]
    cols += [Col(COUNT_TITLES[0], 11, number_format=COUNT), Col(COUNT_TITLES[1], 11, number_format=COUNT)]
    cols += [Col(COUNT_TITLES[2], 11, number_format=fmt)]
    layout = Layout([*lines, KAD_NOTE], cols, len(nodes) + 1)
    ws = _sheet(wb, styles, title, layout, 4)
    for node in nodes:
        pairs = [_pair(u.scores, node.code) for u in units]
        cells = [None if p is None else NOT_APPLICABLE if p[0] is None else _num(p[0]) for p in pairs]
        full, short, lost = _node_counts(pairs)
        changed = []
        for column, (unit, pair) in enumerate(zip(units, pairs, strict=True), start=4):
            if unit.compare is None or pair is None:
                continue
            other = _pair(unit.compare, node.code)
            if other is not None and other[0] != pair[0]:
                changed.append(column)
        _row(
            ws,
            styles,
            cols,
            [node.code, node.name, _num(node.max), *cells, full, short, _num(lost)],
            font="" if node.is_leaf else "bold",
            aligns={2: f"indent{node.depth}"},
            fills=changed,
        )
    totals = [u.total for u in units]
    full, short, lost = _node_counts(totals)
    maximum = scoring.aggregates.total(n.max for n in nodes if n.parent is None)
    cells = [None if t is None else _num(t[0]) for t in totals]
    _row(ws, styles, cols, ["", "Tổng số điểm", _num(maximum), *cells, full, short, _num(lost)], font="bold")


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
    wb, styles = _workbook()
    if ranking.made_at is not None:
        wb.properties.created = wb.properties.modified = ranking.made_at
    cols = _ranking_columns(ranking)
    lines = [ranking.title, f"{ranking.province} · {ranking.decision}", *ranking.notes]
    ws = _sheet(wb, styles, RANKING_SHEET, Layout(lines, cols, len(ranking.units)), 5, auto_filter=True)
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
        ws.append(
            [
                styles.cell(
                    ws,
                    value,
                    _data_key(
                        col,
                        value,
                        font="bold" if column == total_column else "",
                        align="center" if column == 2 else None,
                    ),
                )
                for column, (col, value) in enumerate(zip(cols, values, strict=True), start=1)
            ]
        )
    units = [
        UnitColumn(f"{u.name} ({_ratio(u.rank, u.rank_of)})", u.scores, (u.total, u.applicable_max))
        for u in ranking.units
    ]
    _write_node_sheet(
        wb,
        styles,
        NODES_SHEET,
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
    wb, styles = _workbook()
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
    ws = _sheet(wb, styles, SUMMARY_SHEET, Layout(lines, cols, len(table.units)), 5, auto_filter=True)
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
        _row(ws, styles, cols, values)

    heading = f"{table.province} · {table.name} · {made}"
    own = [snapshot_of(u.self_score) for u in table.units]  # read by both sheets below
    _write_node_sheet(
        wb,
        styles,
        SELF_SHEET,
        [f"Điểm tự chấm từng tiêu chí — {table.name}", heading],
        table.nodes,
        [
            UnitColumn(u.name, snapshot, (u.self_score.total, u.self_score.applicable_max))
            for u, snapshot in zip(table.units, own, strict=True)
        ],
        table.places,
    )
    final_columns = []
    for u, snapshot in zip(table.units, own, strict=True):
        if u.final_score is None:
            final_columns.append(UnitColumn(f"{u.name} (chưa thẩm định)", None, None))
            continue
        title = f"{u.name} (tạm tính)" if u.provisional else u.name
        final = u.final_score
        final_columns.append(UnitColumn(title, snapshot_of(final), (final.total, final.applicable_max), snapshot))
    _write_node_sheet(
        wb,
        styles,
        FINAL_SHEET,
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
