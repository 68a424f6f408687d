"""A framework workbook read without trusting it (security issue #17): read-only, every sheet
capped while it streams, no recursion on a chain of parents, rule parameters bounded."""

from __future__ import annotations

import io

import openpyxl
import pytest

from parindex import scoring
from parindex.frameworks import excel
from parindex.frameworks.forms import read_framework_upload
from tests.security.hostile import make


def workbook(reference_spec, change) -> bytes:
    wb = openpyxl.load_workbook(io.BytesIO(excel.framework_to_xlsx(reference_spec)))
    change(wb[excel.NODES_SHEET])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def problems(data: bytes) -> list[str]:
    with pytest.raises(scoring.FrameworkInvalid) as caught:
        excel.framework_from_xlsx(data)
    return [str(p) for p in caught.value.problems]


def test_a_sheet_past_the_row_cap_stops_the_reading(reference_spec, monkeypatch):
    monkeypatch.setattr(excel, "MAX_ROWS", 300)
    data = workbook(reference_spec, lambda ws: [ws.append([f"9.{i}", "", "x", 1, "yes_no"]) for i in range(400)])
    with pytest.raises(scoring.FileUnreadable, match="trang 'Tiêu chí' có hơn 300 dòng"):
        excel.framework_from_xlsx(data)


def test_a_chain_of_parents_is_reported_as_too_deep_not_a_recursion_error(reference_spec):
    def chain(ws):
        for i in range(3000):
            ws.append([f"C{i}", f"C{i - 1}" if i else "", f"Tiêu chí {i}", 1, "yes_no" if i == 2999 else ""])

    found = problems(workbook(reference_spec, chain))
    assert any("cây tiêu chí sâu quá 8 cấp" in p for p in found)


def test_a_cycle_of_parents_is_reported(reference_spec):
    def cycle(ws):
        ws.append(["Y1", "Y2", "Một", 1, "yes_no"])
        ws.append(["Y2", "Y1", "Hai", 1, "yes_no"])

    found = problems(workbook(reference_spec, cycle))
    assert any("tiêu chí cha 'Y2'" in p for p in found)


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ("[" * 400 + "]" * 400, "lồng nhau quá 64 cấp"),
        ("{tiers: [" + "{min: 1, points: 1}, " * 100 + "]}", "tham số dài quá 1000 ký tự"),
        ("a: &a [x,x,x,x,x,x,x,x,x,x]", ""),
    ],
)
def test_rule_parameters_are_bounded(reference_spec, params, reason):
    def add(ws):
        ws.append(["Z1", "", "Lĩnh vực", 1])
        ws.append(["Z1.1", "Z1", "Tiêu chí", 1, "tiers", params])

    found = problems(workbook(reference_spec, add))
    assert any("Tiêu chí, dòng" in p and reason in p for p in found)


def test_a_number_out_of_bounds_is_a_problem(reference_spec):
    found = problems(workbook(reference_spec, lambda ws: ws.append(["Z1", "", "Lĩnh vực", 1e308])))
    assert any("quá lớn hoặc có quá nhiều chữ số" in p for p in found)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("bo-chi-so.xlsx", make.not_a_zip(), "có thể chỉ bị đặt tên .xlsx"),
        ("bo-chi-so.yaml", make.plain_zip(), "tệp nén này không phải bảng tính Excel"),
        ("bo-chi-so.yaml", make.old_xls(), "tệp Office dạng cũ"),
        ("bo-chi-so.xlsx", make.encrypted_xlsx(), "được đặt mật khẩu"),
        ("bo-chi-so.yaml", "code: A\n".encode("utf-16"), "bảng mã UTF-8"),
        ("bo-chi-so.json", "{}".encode("utf-16-le"), "tệp có ký tự NUL"),
    ],
)
def test_an_upload_is_read_by_its_name_and_content(name, data, reason):
    with pytest.raises(scoring.FileUnreadable, match=reason.replace(".", r"\.").replace("(", r"\(")):
        read_framework_upload(name, data)


def test_a_sheet_damaged_inside_is_unreadable(reference_spec):
    data = make.damaged(excel.framework_to_xlsx(reference_spec), "xl/worksheets/sheet2.xml")
    with pytest.raises(scoring.FileUnreadable, match="tệp bảng tính bị hỏng"):
        excel.framework_from_xlsx(data)
