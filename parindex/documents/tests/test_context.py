"""The pure context builders: the decree's small forms and the sentences built from facts (no database)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal

import pytest

from parindex.documents import context, samples


@pytest.mark.parametrize(
    ("when", "line"),
    [
        (dt.date(2027, 1, 5), "Nam Cửa Việt, ngày 05 tháng 01 năm 2027"),
        (dt.date(2027, 2, 28), "Nam Cửa Việt, ngày 28 tháng 02 năm 2027"),
        (dt.date(2027, 3, 9), "Nam Cửa Việt, ngày 09 tháng 3 năm 2027"),
        (dt.date(2027, 12, 15), "Nam Cửa Việt, ngày 15 tháng 12 năm 2027"),
    ],
)
def test_the_date_line_pads_days_below_ten_and_months_one_and_two(when, line):
    assert context.date_line("Nam Cửa Việt", when) == line


def test_numbers_recipients_and_the_body_follow_the_decree():
    assert context.number_short(3, "QĐ-UBND") == "03/QĐ-UBND"
    assert context.number_short(125, "KH-UBND") == "125/KH-UBND"
    assert context.recipient_lines(["- Như trên;", "Đảng ủy (b/c).", "", "  Lưu: VT, VP  "]) == [
        "- Như trên;",
        "- Đảng ủy (b/c);",
        "- Lưu: VT, VP.",
    ]
    assert context.body_lines("Ủy ban nhân dân xã Nam Cửa Việt") == ("ỦY BAN NHÂN DÂN", "XÃ NAM CỬA VIỆT")
    assert context._short_body("ỦY BAN NHÂN DÂN ĐẶC KHU CỒN CỎ") == "UBND đặc khu Cồn Cỏ"
    assert context._short_body("SỞ NỘI VỤ") == "SỞ NỘI VỤ"
    assert context.vn(Decimal("17.1"), 2) == "17,10" and context.vn(Decimal("0.50")) == "0,5"


def test_the_result_sentence_says_the_change_of_rank_only_when_there_was_a_previous_rank():
    standing = samples.STANDING
    assert context.standing_sentence(standing, "xã Triệu Trạch") == (
        "Chỉ số CCHC năm 2022 của xã Triệu Trạch đạt 92,59/100 điểm (92,59%), xếp loại Tốt, xếp thứ 1/18 "
        "khối xã, thị trấn, tăng 10 bậc so với năm 2021 (thứ 11/18)."
    )
    unknown_year = dataclasses.replace(standing, previous_year=None)
    assert "tăng 10 bậc so với năm trước (thứ 11/18)." in context.standing_sentence(unknown_year, "xã Triệu Trạch")
    first_year = dataclasses.replace(standing, rank_change=None, previous_rank=None, previous_of=None)
    assert context.standing_sentence(first_year, "xã Triệu Trạch").endswith("xếp thứ 1/18 khối xã, thị trấn.")


def test_a_free_section_is_its_text_or_the_marked_placeholder():
    assert context.free("Dòng một\n\n  Dòng hai ", "x")["lines"] == ["Dòng một", "Dòng hai"]
    empty = context.free("   ", "tồn tại, hạn chế")
    assert empty["lines"] == [] and empty["placeholder"].startswith("[Phần do đơn vị tự viết: tồn tại, hạn chế.")
