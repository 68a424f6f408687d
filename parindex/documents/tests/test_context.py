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


def test_the_small_forms_of_issue_22():
    assert context.ended(["Một.", "Hai;"]) == ["Một.", "Hai./."] and context.ended(["Xong./."]) == ["Xong./."]
    assert context.listed(["Căn cứ A;", "Căn cứ B;"]) == ["Căn cứ A;", "Căn cứ B."]
    assert context.official_name("Bộ Chỉ số CCHC cấp xã (bản tham chiếu)") == "Bộ Chỉ số CCHC cấp xã"
    assert not context.citable("Biên bản họp Hội đồng thẩm định")
    assert context.citable("Biên bản họp Hội đồng thẩm định ngày 10/02/2023")
    assert context.date_words(dt.date(2023, 2, 5)) == "ngày 05 tháng 02 năm 2023"
    assert context.in_sentence("Kế hoạch … của UBND Xã Nam Cửa Việt") == "Kế hoạch … của UBND xã Nam Cửa Việt"
    assert context._spans([1, 2, 3, 5, 7, 8]) == "1-3, 5, 7-8"
    h = samples.heading(addressees=("Sở Nội vụ tỉnh Quảng Trị;", "- Ban Chỉ đạo CCHC tỉnh"))
    assert context.header(h)["addressee_lines"] == ["- Sở Nội vụ tỉnh Quảng Trị;", "- Ban Chỉ đạo CCHC tỉnh."]


def test_the_decision_cites_no_working_note_nor_an_undated_minute():
    facts = samples.sample_facts("decision")
    framework = dataclasses.replace(facts["framework"], name=facts["framework"].name + " (bản tham chiếu)")
    ctx = context.decision(
        samples.heading("QĐ-UBND"), **(facts | {"framework": framework, "approval_note": "Biên bản họp Hội đồng"})
    )
    basis = ctx["d"]["legal_basis"]
    assert not any("tham chiếu" in line or "Biên bản" in line for line in basis)
    assert basis[-1].endswith(".") and all(line.endswith(";") for line in basis[:-1])


def test_a_half_year_report_names_a_class_only_once_every_figure_is_in():
    facts = samples.sample_facts("cchc_report")
    partial = context.cchc_report(samples.heading("BC-UBND"), **facts)["d"]["scores_heading"]
    assert "xếp loại" not in partial and "40/53" in partial
    complete = dataclasses.replace(facts["assessment"], answered=53)
    full = context.cchc_report(samples.heading("BC-UBND"), **(facts | {"assessment": complete}))["d"]
    assert "dự kiến xếp loại Trung bình" in full["scores_heading"]


def test_a_correcting_decision_cites_and_replaces_the_one_it_corrects():
    facts = samples.sample_facts("decision")
    corrects = context.Corrected("165/QĐ-UBND", dt.date(2027, 2, 20), "Điều chỉnh điểm tiêu chí 1.7 theo phúc tra.")
    ctx = context.decision(samples.heading("QĐ-UBND"), **(facts | {"corrects": corrects}))
    basis, articles = ctx["d"]["legal_basis"], ctx["d"]["articles"]
    assert any("Căn cứ Quyết định số 165/QĐ-UBND ngày 20/02/2027" in line for line in basis)
    assert basis[-1].endswith(".") and all(line.endswith(";") for line in basis[:-1])
    first = articles[0]["text"]
    assert first.startswith("Đính chính kết quả Chỉ số cải cách hành chính năm")
    assert "lý do: điều chỉnh điểm tiêu chí 1.7 theo phúc tra." in first
    assert "thay thế Phụ lục kèm theo Quyết định số 165/QĐ-UBND." in first
    assert "các nội dung khác của Quyết định số 165/QĐ-UBND giữ nguyên" in articles[-1]["text"]
    plain = context.decision(samples.heading("QĐ-UBND"), **facts)["d"]["articles"][0]["text"]
    assert plain.startswith("Phê duyệt và công bố")
