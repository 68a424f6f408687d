"""A province's indicators against target as an Excel workbook (``monitoring.province_matrix``).

A pure builder over the matrix already read (no query). Sheet "Theo dõi chỉ số": one row per
commune, one column per indicator with the year-to-date figure as a number (a ratio as a
percentage format, so Excel shows 96,50% in a Vietnamese locale) shaded by its status, and
how many indicators the commune misses. Sheet "Tổng hợp": per indicator, its target and how
many communes meet it, miss it or have no figure yet. Colours always come with words: the
status of each cell is also in the summary's counts and in a legend line.
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from parindex.indicators.monitoring import Cell, Matrix
from parindex.indicators.status import RATIO, TargetStatus

MATRIX_SHEET, SUMMARY_SHEET = "Theo dõi chỉ số", "Tổng hợp"
FILLS = {
    TargetStatus.MET: PatternFill("solid", fgColor="D1FAE5"),
    TargetStatus.BELOW: PatternFill("solid", fgColor="FEE2E2"),
    TargetStatus.NO_DATA: PatternFill("solid", fgColor="F3F4F6"),
}
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
NOTE_FONT = Font(italic=True, color="595959")
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_ALIGN = Alignment(horizontal="center", vertical="center", wrap_text=True)
PERCENT, NUMBER = "0.00%", "#,##0.##"
LEGEND = "Nền xanh: đạt chỉ tiêu; nền đỏ: chưa đạt chỉ tiêu; nền xám, để trống: chưa có số liệu."


def _figure(cell: Cell) -> tuple[float | None, str]:
    """The cell's value for Excel and its number format."""
    figure = cell.figure
    if not figure.months or figure.value is None:
        return None, NUMBER
    return float(figure.value), PERCENT if cell.indicator.kind == RATIO else NUMBER


def matrix_to_xlsx(matrix: Matrix, *, province_name: str, today: dt.date) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = MATRIX_SHEET
    width = 3 + len(matrix.indicators)
    sheet.cell(1, 1, f"Theo dõi chỉ số năm {matrix.year} – {province_name}").font = TITLE_FONT
    sheet.cell(2, 1, f"Lũy kế từ đầu năm đến ngày {today:%d/%m/%Y}. {LEGEND}").font = NOTE_FONT
    header = ["Mã đơn vị", "Xã, phường", "Số chỉ số chưa đạt"] + [
        f"({i}) {indicator.name}" for i, indicator in enumerate(matrix.indicators, start=1)
    ]
    for col, title in enumerate(header, start=1):
        c = sheet.cell(4, col, title)
        c.font, c.fill, c.alignment, c.border = BOLD, HEADER_FILL, HEAD_ALIGN, GRID
    for r, row in enumerate(matrix.rows, start=5):
        for col, value in enumerate((row.unit.code, row.unit.name, row.below), start=1):
            sheet.cell(r, col, value).border = GRID
        for col, cell in enumerate(row.figures, start=4):
            value, number_format = _figure(cell)
            c = sheet.cell(r, col, value)
            c.number_format, c.fill, c.border = number_format, FILLS[cell.status], GRID
    sheet.freeze_panes = "D5"
    sheet.row_dimensions[4].height = 60
    sheet.column_dimensions["A"].width = 11
    sheet.column_dimensions["B"].width = 28
    sheet.column_dimensions["C"].width = 11
    for col in range(4, width + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 16

    summary = book.create_sheet(SUMMARY_SHEET)
    summary.cell(1, 1, f"Số xã, phường đạt chỉ tiêu năm {matrix.year} – {province_name}").font = TITLE_FONT
    titles = ["Cột", "Chỉ số", "Chỉ tiêu", "Đạt", "Chưa đạt", "Chưa có số liệu"]
    for col, title in enumerate(titles, start=1):
        c = summary.cell(3, col, title)
        c.font, c.fill, c.alignment, c.border = BOLD, HEADER_FILL, HEAD_ALIGN, GRID
    for r, s in enumerate(matrix.summaries, start=4):
        ratio = s.indicator.kind == RATIO
        values = (f"({r - 3})", s.indicator.name, float(s.target), s.met, s.below, s.no_data)
        for col, value in enumerate(values, start=1):
            c = summary.cell(r, col, value)
            c.border = GRID
            if col == 3:
                c.number_format = PERCENT if ratio else NUMBER
    summary.column_dimensions["B"].width = 60
    for col in "CDEF":
        summary.column_dimensions[col].width = 14
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
