"""A province's weekly leaderboard as an Excel workbook (pure builder over ``selectors.Board``)."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font

from parindex.external.selectors import Board

COLUMNS = [
    "Hạng",
    "Trên tổng số",
    "Mã đơn vị",
    "Đơn vị",
    "Điểm đánh giá",
    "Điều chỉnh",
    "Tổng điểm",
    "Hạng kỳ trước",
    "Thay đổi (bậc)",
]


def board_rows(board: Board) -> list[list[object]]:
    return [
        [r.rank, r.of, r.code, r.name, r.score, r.adjustment, r.total, r.previous_rank, r.change] for r in board.rows
    ]


def board_to_xlsx(board: Board, *, title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Xếp hạng"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(COLUMNS)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in board_rows(board):
        sheet.append([float(v) if hasattr(v, "as_tuple") else v for v in row])
    for column, width in zip("ABCDEFGHI", (7, 10, 10, 36, 12, 11, 11, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    body = io.BytesIO()
    book.save(body)
    return body.getvalue()
