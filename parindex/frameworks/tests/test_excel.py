"""Frameworks in and out of Excel: round trip, hand-typed workbooks and every problem with its row."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest

from parindex import scoring
from parindex.frameworks.excel import framework_from_xlsx, framework_to_xlsx
from parindex.frameworks.files import REFERENCE_FRAMEWORK

HEADER = ["Mã", "Mã cha", "Tên", "Điểm tối đa", "Cách chấm", "Tham số", "Tài liệu kiểm chứng", "Hướng dẫn", "Phụ trách"]


@pytest.fixture(scope="module")
def reference() -> scoring.Framework:
    return scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))


def typed_workbook(criteria, *, info=None, bands=None, header=HEADER, sheets=("Thông tin", "Tiêu chí", "Xếp loại")):
    """A workbook typed by hand (openpyxl, not the exporter), as a province officer would."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if "Thông tin" in sheets:
        ws = wb.create_sheet("Thông tin")
        ws.append(["Thông tin", "Giá trị", "Khóa"])
        rows = info if info is not None else {"code": "TEST-FW", "name": "Bộ thử", "max_total": 20}
        for key, value in rows.items():
            ws.append([f"nhãn {key}", value, key])
    if "Tiêu chí" in sheets:
        ws = wb.create_sheet("Tiêu chí")
        ws.append(header)
        for row in criteria:
            ws.append(list(row))
    if "Xếp loại" in sheets:
        ws = wb.create_sheet("Xếp loại")
        ws.append(["Xếp loại", "Từ % trở lên"])
        for row in bands if bands is not None else [("Tốt", 80), ("Khá", 50), ("Yếu", 0)]:
            ws.append(list(row))
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def problems_of(data: bytes) -> list[scoring.Problem]:
    with pytest.raises(scoring.FrameworkInvalid) as caught:
        framework_from_xlsx(data)
    return list(caught.value.problems)


VALID_ROWS = [
    ("1", None, "Lĩnh vực một", 10),
    ("1.1", "1", "Tiêu chí một", 4, "binary"),
    ("1.2", "1", "Tiêu chí hai", 6, "tiered", "{tiers: [{min: 1, points: 6}, {min: 0.5, points: 3}]}"),
    ("2", None, "Lĩnh vực hai", 10, "proportional", "{target: 0.96}"),
]


def test_it_round_trips_the_reference_framework(reference):
    again = framework_from_xlsx(framework_to_xlsx(reference))
    assert scoring.framework_to_dict(again) == scoring.framework_to_dict(reference)
    assert [node.code for node in again.nodes] == [node.code for node in reference.nodes]


def test_it_writes_a_layout_a_person_can_read_and_edit(reference):
    wb = openpyxl.load_workbook(io.BytesIO(framework_to_xlsx(reference)))
    assert wb.sheetnames[:3] == ["Thông tin", "Tiêu chí", "Xếp loại"]
    info = {row[2]: row[1] for row in wb["Thông tin"].iter_rows(min_row=2, values_only=True)}
    assert info["format"] == "parindex-framework/1" and info["code"] == "QT-XA-2023"
    assert info["applies_to"] == "xa, phuong, thi_tran" and info["max_total"] == 100
    nodes = wb["Tiêu chí"]
    assert [cell.value for cell in nodes[1]] == [*HEADER, "Nguồn số liệu"]
    assert nodes["A1"].font.b and nodes.freeze_panes == "A2"
    rows = {row[0].value: row for row in nodes.iter_rows(min_row=2) if row[0].value}
    assert rows["I"][1].value is None and rows["1.1"][1].value == "I"
    assert rows["1.3"][3].value == 2 and rows["1.3"][3].data_type == "n"
    assert rows["1.5.3"][9].value == "remediation" and rows["1.5.2"][9].value is None
    assert rows["1.3"][5].value == "{tiers: [{min: 1, points: 2}, {min: 0.5, points: 1}]}"
    assert [rows[code][2].alignment.indent for code in ("I", "1.1", "1.1.1")] == [0, 1, 2]
    assert rows["I"][4].value is None and rows["1.1.1"][4].value == "timeliness"
    bands = list(wb["Xếp loại"].iter_rows(min_row=2, values_only=True))
    assert bands == [("Tốt", 80), ("Khá", 70), ("Trung bình", 50), ("Yếu", 0)]


def test_it_reads_a_workbook_typed_by_hand():
    framework = framework_from_xlsx(typed_workbook(VALID_ROWS))
    assert [node.code for node in framework.nodes] == ["1", "1.1", "1.2", "2"]
    assert framework.node("1.2").parent == "1" and framework.node("1").children == ("1.1", "1.2")
    assert framework.node("1.2").rule.params["tiers"] == ((Decimal(1), Decimal(6)), (Decimal("0.5"), Decimal(3)))
    assert framework.node("2").rule.params["target"] == Decimal("0.96")
    assert [(band.label, band.min) for band in framework.classification] == [("Tốt", 80), ("Khá", 50), ("Yếu", 0)]


def test_it_lists_every_problem_with_its_sheet_and_row():
    rows = [
        ("1", None, "Lĩnh vực một", 10),  # row 2: children 4 + 5 = 9, not 10
        ("1.1", "1", "Tiêu chí một", 4, "binary"),
        ("1.2", "1", "Tiêu chí hai", 5, "tiered", "{tiers: [{min: 1, points: 5}"),  # row 4: bad Tham số
        ("2", None, "Lĩnh vực hai", 10),
        ("2.1", "2", "Tiêu chí ba", 4, "binary"),
        ("2.2", "2", "Tiêu chí bốn", 3, "thang_diem"),  # row 7: unknown rule kind
        ("2.1", "2", "Tiêu chí năm", 3, "binary"),  # row 8: duplicate code
        ("3.1", "3", "Tiêu chí sáu", 5, "binary"),  # row 9: unknown parent code
    ]
    problems = problems_of(typed_workbook(rows))
    assert [(p.path, p.code) for p in problems] == [
        ("Tiêu chí, dòng 2, cột Điểm tối đa", "1"),
        ("Tiêu chí, dòng 4, cột Tham số", "1.2"),
        ("Tiêu chí, dòng 7, cột Cách chấm", "2.2"),
        ("Tiêu chí, dòng 8, cột Mã", "2.1"),
        ("Tiêu chí, dòng 9, cột Mã cha", "3.1"),
    ]
    messages = [p.message for p in problems]
    assert "tổng điểm tối đa các tiêu chí con (9)" in messages[0]
    assert "không đọc được tham số" in messages[1]
    assert "thang_diem" in messages[2]
    assert "bị trùng (đã có ở dòng 6)" in messages[3]
    assert "'3'" in messages[4]


def test_it_points_problems_on_the_information_and_band_sheets_to_their_rows():
    info = {"code": "TEST-FW", "name": "Bộ thử", "max_total": 25, "rounding": 2}
    problems = problems_of(typed_workbook(VALID_ROWS, info=info, bands=[("Tốt", 50), ("Khá", 70)]))
    assert [p.path for p in problems] == [
        "Thông tin, dòng 4 (Tổng điểm tối đa)",
        "Xếp loại, dòng 3, cột Từ % trở lên",
    ]
    assert "25" in problems[0].message and "(20)" in problems[0].message


def test_it_reports_a_parent_written_below_its_child():
    rows = [("1.1", "1", "Tiêu chí một", 10, "binary"), ("1", None, "Lĩnh vực một", 10), VALID_ROWS[3]]
    problems = problems_of(typed_workbook(rows))
    assert [(p.path, p.code) for p in problems] == [("Tiêu chí, dòng 2, cột Mã cha", "1.1")]
    assert "dòng 3" in problems[0].message


def test_it_reports_empty_codes_and_params_on_parents_by_row():
    rows = [("1", None, "Lĩnh vực một", 10, None, "{target: 1}"), (None, "1", "Không mã", 10, "binary"), VALID_ROWS[3]]
    problems = problems_of(typed_workbook(rows))
    assert [(p.path, p.code) for p in problems] == [
        ("Tiêu chí, dòng 2, cột Tham số", "1"),
        ("Tiêu chí, dòng 3, cột Mã", None),
    ]


def test_it_accepts_a_decimal_comma_and_reads_float_cells_exactly():
    rows = [("1", None, "Lĩnh vực", "1,5"), ("1.1", "1", "Một", 0.34, "binary"), ("1.2", "1", "Hai", 1.16, "binary")]
    info = {"code": "TEST-FW", "name": "Bộ thử", "max_total": "1,5"}
    framework = framework_from_xlsx(typed_workbook(rows, info=info))
    assert framework.node("1").max == Decimal("1.5") and framework.max_total == Decimal("1.5")
    assert framework.node("1.1").max == Decimal("0.34") and str(framework.node("1.1").max) == "0.34"
    assert framework.node("1.2").max == Decimal("1.16")


def test_it_reads_columns_by_title_skipping_empty_rows_and_accepts_rule_labels():
    header = ["STT", "Mã", "Tên", "Mã cha", "Điểm tối đa", "Cách chấm", "Tham số"]
    rows = [
        (1, "1", "Lĩnh vực", None, 20),
        (None, None, None, None, None),
        (2, "1.1", "Một", "1", 20, "Tỷ lệ", "{target: 0,9}"),
    ]
    info = {"code": "TEST-FW", "name": "Bộ thử", "max_total": 20}
    framework = framework_from_xlsx(typed_workbook(rows, info=info, header=header))
    assert [node.code for node in framework.nodes] == ["1", "1.1"]
    assert framework.node("1.1").rule.kind == "proportional"
    assert framework.node("1.1").rule.params["target"] == Decimal("0.9")


def test_it_reads_information_by_machine_key_so_labels_can_be_reworded(reference):
    wb = openpyxl.load_workbook(io.BytesIO(framework_to_xlsx(reference)))
    info = wb["Thông tin"]
    for row in range(2, info.max_row + 1):
        info.cell(row=row, column=1).value = f"Nhãn đã sửa {row}"
    info.move_range(f"A2:C{info.max_row}", rows=3)  # rows moved down, blank rows above them
    buffer = io.BytesIO()
    wb.save(buffer)
    again = framework_from_xlsx(buffer.getvalue())
    assert scoring.framework_to_dict(again) == scoring.framework_to_dict(reference)


def test_it_falls_back_to_the_standard_label_when_the_key_column_is_empty():
    wb = openpyxl.load_workbook(io.BytesIO(typed_workbook(VALID_ROWS)))
    info = wb["Thông tin"]
    info.delete_rows(2, info.max_row)
    for label, value in [("Mã bộ chỉ số", "LABEL-FW"), ("tên bộ chỉ số:", "Bộ theo nhãn"), ("Tổng điểm tối đa", 20)]:
        info.append([label, value])
    buffer = io.BytesIO()
    wb.save(buffer)
    framework = framework_from_xlsx(buffer.getvalue())
    assert (framework.code, framework.name, framework.max_total) == ("LABEL-FW", "Bộ theo nhãn", 20)


def test_it_refuses_bytes_that_are_not_a_workbook():
    with pytest.raises(scoring.FileUnreadable, match="Excel"):
        framework_from_xlsx(b"this is not a spreadsheet at all")
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("hello.txt", "a zip, but not a workbook")
    with pytest.raises(scoring.FileUnreadable, match="Excel"):
        framework_from_xlsx(archive.getvalue())


def test_it_names_a_missing_criteria_sheet():
    problems = problems_of(typed_workbook([], sheets=("Thông tin", "Xếp loại")))
    assert [p.path for p in problems] == ["Tiêu chí"]
    assert "thiếu trang 'Tiêu chí'" in problems[0].message
