"""Reading and checking indicator files without a database: formats, numbers, every problem."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from parindex.indicators import rows
from parindex.indicators.rows import CleanRow, Columns, NotANumber, RowProblem, UnitCodes
from parindex.indicators.tests.factories import COLUMNS, HEADER, csv_bytes, xlsx_bytes

TODAY = dt.date(2026, 11, 20)
UNITS = UnitCodes(current={"19639": 1, "19333": 2, "00004": 3}, before_reform={"19645": 10}, scope="Tỉnh Quảng Trị")
MAPPING = Columns.from_json(COLUMNS)


def check(data: bytes, *, filename: str = "so-lieu.csv", columns: Columns = MAPPING, kind: str = "ratio", **kw):
    return rows.read_rows(
        data,
        filename,
        columns,
        header_row=kw.pop("header_row", 1),
        kind=kind,
        units=kw.pop("units", UNITS),
        today=TODAY,
        max_rows=kw.pop("max_rows", rows.MAX_ROWS),
    )


def where(problems: list[RowProblem]) -> list[tuple[str, int | None, str]]:
    return [(p.sheet, p.row, p.column) for p in problems]


GOOD = [
    ["19639", "Xã Nam Cửa Việt", "2026", "10", "96", "100"],
    ["19333", "Phường Đông Hà", "2026", "10", "45", "50"],
]
EXPECTED = [
    CleanRow(1, 2026, 10, Decimal(96), Decimal(100), Decimal("0.96")),
    CleanRow(2, 2026, 10, Decimal(45), Decimal(50), Decimal("0.9")),
]


class TestFormats:
    @pytest.mark.parametrize("delimiter", [",", ";", "\t"])
    @pytest.mark.parametrize("bom", [False, True])
    def test_csv_with_any_separator_with_or_without_bom(self, delimiter, bom):
        checked = check(csv_bytes(GOOD, delimiter=delimiter, bom=bom))
        assert checked.problems == []
        assert checked.rows == EXPECTED and checked.rows_total == 2

    def test_semicolons_with_decimal_commas_are_not_mistaken_for_commas(self):
        data = csv_bytes([["19639", "Xã Nam Cửa Việt", "2026", "10", "96,5", "100,0"]], delimiter=";")
        checked = check(data)
        assert checked.problems == []
        assert checked.rows[0].numerator == Decimal("96.5") and checked.rows[0].value == Decimal("0.965")

    def test_a_decimal_comma_quoted_in_a_comma_separated_file(self):
        checked = check(csv_bytes([["19639", "X", "2026", "10", "96,5", "100"]]))
        assert checked.ok and checked.rows[0].numerator == Decimal("96.5")

    def test_utf16_text_as_excel_saves_unicode_text(self):
        text = csv_bytes(GOOD, delimiter="\t").decode("utf-8")
        checked = check(b"\xff\xfe" + text.encode("utf-16-le"))
        assert checked.ok and checked.rows == EXPECTED

    def test_xlsx_with_title_lines_number_cells_and_a_header_lower_down(self):
        data = xlsx_bytes(
            [[19639, "Xã Nam Cửa Việt", 2026, 10, 96.5, 100], [4, "Phường Ba Đình", 2026.0, 10.0, 0, 0]],
            before=[["BÁO CÁO KẾT QUẢ GIẢI QUYẾT TTHC"], []],
        )
        checked = check(data, filename="bao-cao.xlsx", header_row=3)
        assert checked.problems == []
        assert checked.rows == [
            CleanRow(1, 2026, 10, Decimal("96.5"), Decimal(100), Decimal("0.965")),
            # Excel dropped the code's leading zeros; 0 of 0 dossiers has no rate.
            CleanRow(3, 2026, 10, Decimal(0), Decimal(0), None),
        ]

    def test_xlsx_problems_name_the_sheet_and_the_row_excel_shows(self):
        data = xlsx_bytes([[19639, "", 2026, 10, 96, 100], [19333, "", 2026, 13, 1, 2]], before=[["Tiêu đề"]])
        checked = check(data, filename="x.xlsx", header_row=2)
        assert where(checked.problems) == [("Số liệu", 4, "Tháng")]

    def test_a_date_column_instead_of_year_and_month(self):
        columns = Columns.from_json(COLUMNS | {"year": "", "month": "", "date": "Kỳ"})
        header = ("Mã đơn vị", "Kỳ", "Số hồ sơ đúng hạn", "Tổng số hồ sơ")
        data = xlsx_bytes(
            [
                [19639, dt.datetime(2026, 9, 30), 1, 2],
                [19639, "31/10/2026", 1, 2],
                [19333, "10/2026", 1, 2],
                [19333, "2026-09", 1, 2],
                [19333, "tháng 8", 1, 2],
            ],
            header=header,
        )
        checked = check(data, filename="x.xlsx", columns=columns)
        assert [(p.row, p.column) for p in checked.problems] == [(6, "Kỳ")]
        assert "dd/mm/yyyy" in checked.problems[0].reason

    def test_rows_empty_in_every_mapped_column_are_skipped(self):
        data = csv_bytes([*GOOD, [], ["", "Người lập biểu: Nguyễn Văn A", "", "", "", ""]])
        checked = check(data)
        assert checked.ok and checked.rows_total == 2

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "Excel cũ (.xls)"),
            (b"M\xe3 \xf0\xf5n v\xf2;N\xe3m\r\n19639;2026", "UTF-8"),  # Windows-1258 bytes
            (b"PK\x03\x04not really a zip", "không phải bảng tính Excel"),
        ],
    )
    def test_an_unreadable_file_is_one_problem(self, data, reason):
        checked = check(data)
        assert len(checked.problems) == 1 and reason in checked.problems[0].reason

    def test_an_empty_file_and_a_header_without_rows(self):
        assert "không có dòng 1" in check(b"").problems[0].reason
        assert "không có dòng số liệu" in check(csv_bytes([])).problems[0].reason


class TestNumbers:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("96,5", "96.5"),
            ("96.5", "96.5"),
            ("1.234,5", "1234.5"),
            ("1,234.5", "1234.5"),
            ("1 234", "1234"),
            ("1.234.567", "1234567"),
            ("0,1234", "0.1234"),
            (" 7 ", "7"),
            (12, "12"),
            (0.34, "0.34"),
        ],
    )
    def test_readable(self, text, expected):
        assert rows.read_number(text) == Decimal(expected)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("abc", "không phải là số"),
            ("-1", "không được âm"),
            ("0,12345", "quá 4 chữ số thập phân"),
            ("1,2,3.4,5", "không phải là số"),
            ("NaN", "không phải là số"),
            (True, "không phải là số"),
            ("1e20", "quá lớn"),
        ],
    )
    def test_unreadable(self, text, reason):
        with pytest.raises(NotANumber, match=reason):
            rows.read_number(text)

    def test_empty_is_none(self):
        assert rows.read_number("  ") is None and rows.read_number(None) is None


class TestProblems:
    def test_three_bad_rows_are_exactly_the_three_reported(self):
        good = [["19639", "", "2026", str(m), "90", "100"] for m in range(1, 9)]
        bad = [
            ["99999", "", "2026", "9", "1", "2"],  # row 10: unknown unit
            ["19333", "", "2026", "13", "1", "2"],  # row 11: no month 13
            ["19333", "", "2026", "8", "101", "100"],  # row 12: more on time than resolved
        ]
        checked = check(csv_bytes(good + [["19333", "", "2026", "7", "5", "5"]] + bad))
        assert checked.rows == []
        assert where(checked.problems) == [
            ("CSV", 11, "Mã đơn vị"),
            ("CSV", 12, "Tháng"),
            ("CSV", 13, "Số hồ sơ đúng hạn"),
        ]
        reasons = [p.reason for p in checked.problems]
        assert reasons == [
            "không có đơn vị mã '99999' thuộc Tỉnh Quảng Trị",
            "tháng 13 không hợp lệ (tháng từ 1 đến 12)",
            "tử số (101) lớn hơn mẫu số (100)",
        ]
        assert (
            str(checked.problems[0]) == "CSV, dòng 11, cột Mã đơn vị: không có đơn vị mã '99999' thuộc Tỉnh Quảng Trị"
        )

    @pytest.mark.parametrize(
        ("row", "column", "reason"),
        [
            (["19639", "", "2031", "1", "1", "2"], "Năm", "năm 2031 nằm ngoài khoảng 2015–2026"),
            (["19639", "", "2014", "1", "1", "2"], "Năm", "năm 2014 nằm ngoài khoảng 2015–2026"),
            (["19639", "", "2026", "12", "1", "2"], "Tháng", "tháng 12/2026 chưa đến (hôm nay là 20/11/2026)"),
            (["19639", "", "2026", "0", "1", "2"], "Tháng", "tháng 0 không hợp lệ"),
            (["19639", "", "2026", "1,5", "1", "2"], "Tháng", "'1,5' không phải là số nguyên"),
            (["19639", "", "", "1", "1", "2"], "Năm", "thiếu năm"),
            (["19639", "", "2026", "1", "nhiều", "2"], "Số hồ sơ đúng hạn", "'nhiều' không phải là số"),
            (["19639", "", "2026", "1", "-3", "2"], "Số hồ sơ đúng hạn", "số âm (-3) không hợp lệ"),
            (["19639", "", "2026", "1", "1", "-2"], "Tổng số hồ sơ", "số âm (-2) không hợp lệ"),
            (["19639", "", "2026", "1", "3", "0"], "Tổng số hồ sơ", "mẫu số bằng 0 trong khi tử số là 3"),
            (["19639", "", "2026", "1", "3", ""], "Tổng số hồ sơ", "thiếu mẫu số"),
            (["19639", "", "2026", "1", "", "4"], "Số hồ sơ đúng hạn", "thiếu số liệu"),
            (["", "", "2026", "1", "1", "4"], "Mã đơn vị", "thiếu mã đơn vị"),
            (
                ["19639", "", "2024", "5", "1", "2"],
                "Mã đơn vị",
                "mã '19639' là đơn vị từ 01/7/2025; số liệu tháng 5/2024 phải ghi theo đơn vị trước ngày đó",
            ),
            (
                ["19645", "", "2025", "7", "1", "2"],
                "Mã đơn vị",
                "mã '19645' là đơn vị trước 01/7/2025; số liệu tháng 7/2025 phải ghi theo đơn vị từ ngày đó",
            ),
        ],
    )
    def test_each_reason(self, row, column, reason):
        checked = check(csv_bytes([GOOD[0], row]))
        assert [(p.row, p.column) for p in checked.problems] == [(3, column)]
        assert checked.problems[0].reason.startswith(reason)

    def test_a_row_with_several_problems_reports_each(self):
        checked = check(csv_bytes([["88888", "", "2026", "14", "x", "-1"]]))
        assert [p.column for p in checked.problems] == ["Tháng", "Mã đơn vị", "Số hồ sơ đúng hạn", "Tổng số hồ sơ"]

    def test_a_duplicate_unit_and_month_points_at_the_first_row(self):
        # "4" is how Excel shows the code 00004; it is the same unit.
        data = csv_bytes([["00004", "", "2026", "3", "1", "2"], GOOD[0], ["4", "", "2026", "3", "1", "2"]])
        checked = check(data)
        assert where(checked.problems) == [("CSV", 4, "Mã đơn vị")]
        assert checked.problems[0].reason == "trùng đơn vị '4' và tháng 3/2026 với dòng 2"

    def test_months_before_the_reform_go_to_the_old_units(self):
        checked = check(csv_bytes([["19645", "Xã Triệu Trạch", "2024", "12", "9", "10"]]))
        assert checked.ok and checked.rows[0].unit_id == 10

    def test_a_missing_column_is_reported_once_whatever_the_rows(self):
        header = ("Mã đơn vị", "Năm", "Tháng", "Đúng hạn", "Tổng số hồ sơ")
        data = csv_bytes([["19639", "2026", str(m), "1", "2"] for m in range(1, 11)], header=header)
        checked = check(data)
        assert where(checked.problems) == [("CSV", 1, "Số hồ sơ đúng hạn")]
        assert "các cột có: 'Mã đơn vị', 'Năm', 'Tháng', 'Đúng hạn', 'Tổng số hồ sơ'" in checked.problems[0].reason
        assert checked.rows_total == 10

    def test_headers_match_loosely_but_not_twice(self):
        loose = csv_bytes(GOOD, header=("MÃ ĐƠN VỊ:", "Tên", " năm ", "Tháng*", "Số hồ sơ  đúng hạn", "Tổng số hồ sơ"))
        assert check(loose).rows == EXPECTED
        twice = csv_bytes(GOOD, header=("Mã đơn vị", "Tên", "Năm", "Năm", "Số hồ sơ đúng hạn", "Tổng số hồ sơ"))
        assert [p.reason for p in check(twice).problems] == [
            "dòng tiêu đề có 2 cột cùng tên này; hãy đổi tên để chỉ còn một",
            "không có cột này ở dòng tiêu đề (các cột có: 'Mã đơn vị', 'Tên', 'Năm', 'Năm', 'Số hồ sơ đúng hạn', 'Tổng số hồ sơ')",
        ]

    def test_a_unit_outside_the_allowed_ones(self):
        units = UnitCodes(current=UNITS.current, allowed=frozenset({1}), scope="Tỉnh Quảng Trị")
        checked = check(csv_bytes(GOOD), units=units)
        assert where(checked.problems) == [("CSV", 3, "Mã đơn vị")]
        assert "không thuộc phạm vi của bạn" in checked.problems[0].reason

    def test_counts_are_whole_and_have_no_denominator(self):
        columns = Columns.from_json({"unit_code": "Mã", "year": "Năm", "month": "Tháng", "numerator": "Số sáng kiến"})
        header = ("Mã", "Năm", "Tháng", "Số sáng kiến")
        checked = check(
            csv_bytes([["19639", "2026", "1", "2"], ["19333", "2026", "1", "1,5"]], header=header),
            columns=columns,
            kind="count",
        )
        assert [(p.row, p.reason) for p in checked.problems] == [
            (3, "1,5 không phải là số nguyên (chỉ số đếm số lượng)")
        ]
        ok = check(csv_bytes([["19639", "2026", "1", "2"]], header=header), columns=columns, kind="count")
        assert ok.rows == [CleanRow(1, 2026, 1, Decimal(2), None, Decimal(2))]


class TestColumns:
    def test_a_usable_mapping(self):
        assert MAPPING.problems("ratio") == []
        assert Columns.from_json(MAPPING.to_json()) == MAPPING

    def test_every_problem_of_a_mapping(self):
        bad = Columns.from_json({"unit_code": "", "numerator": "A", "year": "B", "date": "C", "denominator": "a"})
        assert bad.problems("count") == [
            "Chưa chọn cột Mã đơn vị.",
            "Chọn hoặc một cột ngày (tháng/năm), hoặc hai cột Năm và Tháng, không chọn cả hai cách.",
            "Chỉ số này không phải dạng tỷ lệ nên không có cột Mẫu số.",
            "Cột 'a' được chọn cho cả Tử số (số liệu) và Mẫu số.",
        ]
        assert Columns.from_json({"unit_code": "M", "numerator": "T", "year": "N"}).problems("ratio") == [
            "Chưa chọn cột Năm và cột Tháng (hoặc một cột ngày, tháng/năm).",
            "Chỉ số dạng tỷ lệ cần cột Mẫu số.",
        ]

    def test_an_unusable_mapping_stops_before_the_rows(self):
        checked = check(csv_bytes(GOOD), columns=Columns.from_json(COLUMNS | {"denominator": ""}))
        assert [(p.row, p.reason) for p in checked.problems] == [(None, "Chỉ số dạng tỷ lệ cần cột Mẫu số.")]


def test_the_header_fixture_matches_the_mapping():
    assert {title for _, title in MAPPING.used()} <= set(HEADER)


class TestLimits:
    """Hostile files (security issue #17): the row cap counted while streaming, the columns
    kept, encodings; every one a problem in Vietnamese, never an exception."""

    def test_the_row_cap_refuses_the_row_past_it_in_csv_and_xlsx(self):
        for data, filename in ((csv_bytes(GOOD), "a.csv"), (xlsx_bytes(GOOD), "a.xlsx")):
            assert check(data, filename=filename, max_rows=2).ok
            checked = check(data, filename=filename, max_rows=1)
            assert [p.reason for p in checked.problems] == [rows.too_many_rows(1)]
            assert checked.rows == []
        assert rows.too_many_rows(200_000).startswith("tệp có hơn 200.000 dòng dưới dòng tiêu đề; mỗi lần nạp tối đa")

    def test_the_cap_counts_empty_rows_too_so_reading_stops_anyway(self):
        data = csv_bytes([GOOD[0], *([[""] * 6] * 50), GOOD[1]])
        assert check(data, max_rows=60).ok
        assert check(data, max_rows=10).problems[0].reason == rows.too_many_rows(10)

    def test_an_xlsx_past_the_cap_is_refused_before_its_rows_are_parsed(self, monkeypatch):
        from tests.security.hostile import make

        monkeypatch.setattr(rows, "_table", lambda *a, **k: pytest.fail("the rows were parsed"))
        checked = check(make.big_xlsx(100), filename="a.xlsx", max_rows=99)
        assert [p.reason for p in checked.problems] == [rows.too_many_rows(99)]

    def test_only_the_mapped_columns_are_kept(self):
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append([*HEADER, "Ghi chú"])
        ws.append([*GOOD[0], "x"])
        ws["XFD2"] = "a cell far right"
        buffer = io.BytesIO()
        wb.save(buffer)
        wanted = [title for _, title in MAPPING.used()]
        table = rows.read_table(buffer.getvalue(), "a.xlsx", wanted=wanted)
        assert table.kept == (0, 2, 3, 4, 5)
        assert table.rows == [(2, ("19639", "2026", "10", "96", "100"))]
        assert check(buffer.getvalue(), filename="a.xlsx").rows == EXPECTED[:1]

    def test_a_workbook_stating_huge_dimensions_reads_its_real_rows(self):
        from tests.security.hostile import make

        data = make.big_xlsx(5, dimension="A1:XFD1048576")
        table = rows.read_table(data, "a.xlsx", wanted=[title for _, title in MAPPING.used()])
        assert len(table.rows) == 5

    @pytest.mark.parametrize(
        ("data", "reason"),
        [
            ("Mã đơn vị,Năm\r\n19639,2026\r\n".encode("utf-16-le"), "tệp có ký tự NUL"),
            ("Mã đơn vị,Năm\r\n19639,2026\r\n".encode("utf-16")[:-1], "tệp CSV UTF-16 bị hỏng"),
            ("Mã đơn vị,Năm\r\n19639,20\x0026\r\n".encode("utf-16"), "tệp có ký tự NUL"),
            (b"M\xc3\xa3 \xc4\x91\xc6\xa1n v\xe1\xbb\x8b,N\xc4\x83m\r\n19639,2026\x00\r\n", "tệp có ký tự NUL"),
            (b"\x89PNG\r\n\x1a\n\xff\xfe\xfd", "UTF-8"),
            (b"PK\x05\x06" + b"\x00" * 18, "NUL"),  # an empty zip named .csv: read as text
        ],
    )
    def test_encodings_that_are_not_csv(self, data, reason):
        checked = check(data)
        assert len(checked.problems) == 1 and reason in checked.problems[0].reason
