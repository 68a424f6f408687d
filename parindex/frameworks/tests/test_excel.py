from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest

from parindex import scoring
from parindex.frameworks.excel import NODE_COLUMNS, framework_from_xlsx, framework_to_xlsx


def workbook_bytes(rows, *, info=None, bands=(("Tốt", 80), ("Yếu", 0)), sheets=("Thông tin", "Tiêu chí", "Xếp loại")):
    """A workbook typed by hand in the documented layout (not produced by the exporter)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if "Thông tin" in sheets:
        ws = wb.create_sheet("Thông tin")
        ws.append(["Thông tin", "Giá trị", "Khóa"])
        for key, value in (
            info or {"format": "parindex-framework/1", "code": "HAND-1", "name": "Bộ gõ tay", "max_total": 4}
        ).items():
            ws.append([key, value, key])
    if "Tiêu chí" in sheets:
        ws = wb.create_sheet("Tiêu chí")
        ws.append([title for title, _, _ in NODE_COLUMNS])
        for row in rows:
            ws.append(list(row))
    if "Xếp loại" in sheets:
        ws = wb.create_sheet("Xếp loại")
        ws.append(["Xếp loại", "Từ % trở lên"])
        for band in bands:
            ws.append(list(band))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_it_round_trips_the_reference_framework(reference_spec):
    again = framework_from_xlsx(framework_to_xlsx(reference_spec))
    assert scoring.framework_to_dict(again) == scoring.framework_to_dict(reference_spec)


def test_it_writes_one_row_per_node_with_the_tree_visible(reference_spec):
    wb = openpyxl.load_workbook(io.BytesIO(framework_to_xlsx(reference_spec)))
    ws = wb["Tiêu chí"]
    assert ws.max_row == 1 + len(reference_spec.nodes)
    rows = {row[0].value: row for row in ws.iter_rows(min_row=2)}
    assert [c.value for c in rows["3.13.3"][:6]] == [
        "3.13.3",
        "3.13",
        rows["3.13.3"][2].value,
        0.5,
        "tiered",
        "{tiers: [{min: 0.8, points: 0.5}]}",
    ]
    assert rows["3.13.3"][2].alignment.indent == 4 and rows["III"][0].font.bold
    assert ws.freeze_panes == "A2"


def test_it_reads_a_hand_typed_workbook_with_decimal_commas_and_float_cells():
    rows = [
        ("1", None, "Lĩnh vực 1", "4", None, None),
        ("1.1", "1", "Tiêu chí một", "1,5", "proportional", "{target: 0.96}"),
        ("1.2", "1", "Tiêu chí hai", 2.16, "manual", None),
        ("1.3", "1", "Tiêu chí ba", 0.34, "binary", None),
    ]
    spec = framework_from_xlsx(workbook_bytes(rows))
    assert spec.node("1.1").max == Decimal("1.5")
    assert spec.node("1.2").max == Decimal("2.16")
    assert spec.node("1.3").max == Decimal("0.34")
    assert spec.node("1.1").rule.params["target"] == Decimal("0.96")
    assert [b.label for b in spec.classification] == ["Tốt", "Yếu"]


def test_it_reports_every_problem_with_sheet_and_row():
    rows = [
        ("1", None, "Lĩnh vực 1", 4, None, None),
        ("1.1", "1", "Con không đủ tổng", 1, "binary", None),
        ("1.1", "1", "Trùng mã", 1, "binary", None),
        ("1.2", "1", "Cách chấm lạ", 1, "percent", None),
        ("1.3", "9", "Cha không có", 1, "binary", None),
        ("1.4", "1", "Tham số hỏng", 1, "tiered", "{tiers: [unclosed"),
    ]
    with pytest.raises(scoring.FrameworkInvalid) as exc:
        framework_from_xlsx(workbook_bytes(rows))
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "Tiêu chí, dòng 4" in text and "bị trùng" in text
    assert "Tiêu chí, dòng 6, cột Mã cha" in text and "'9'" in text
    assert "Tiêu chí, dòng 7, cột Tham số" in text
    assert len(exc.value.problems) == 3  # row problems first; the tree is checked once they are fixed


def test_it_points_tree_problems_at_their_rows():
    rows = [
        ("1", None, "Lĩnh vực 1", 4, None, None),
        ("1.1", "1", "Con", 1, "binary", None),
        ("1.2", "1", "Cách chấm lạ", 1, "percent", None),
        ("1.3", "1", "Bậc vượt", 1, "tiered", "{tiers: [{min: 1, points: 3}]}"),
    ]
    with pytest.raises(scoring.FrameworkInvalid) as exc:
        framework_from_xlsx(workbook_bytes(rows))
    text = "\n".join(str(p) for p in exc.value.problems)
    assert "1 (Tiêu chí, dòng 2, cột Điểm tối đa): điểm tối đa 4 khác tổng" in text
    assert "1.2 (Tiêu chí, dòng 4, cột Cách chấm): cách chấm không hợp lệ: 'percent'" in text
    assert "1.3 (Tiêu chí, dòng 5, cột Tham số (tiers[0].points)): điểm 3 lớn hơn điểm tối đa 1" in text


def test_it_refuses_bytes_that_are_not_a_workbook():
    with pytest.raises(scoring.FileUnreadable, match="Excel"):
        framework_from_xlsx(b"PK\x03\x04 not really a zip")


def test_it_names_a_missing_sheet():
    with pytest.raises(scoring.FrameworkInvalid) as exc:
        framework_from_xlsx(workbook_bytes([], sheets=("Thông tin", "Xếp loại")))
    assert any("thiếu trang 'Tiêu chí'" in p.message for p in exc.value.problems)
