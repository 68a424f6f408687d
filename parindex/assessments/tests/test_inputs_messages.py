"""What people read when their figures are refused (forms, workbooks): the words of the labels
(tử số, mẫu số, tỷ lệ, giá trị), a ratio typed as a percent shown as one, never the engine's
key names ("(value)", "(numerator, denominator)", "applicable: false")."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from parindex.assessments.inputs import clean_inputs

KEY_NAMES = re.compile(r"\b(value|numerator|denominator|applicable|met|count|days_late|score)\b|true|false")


@pytest.fixture(scope="module")
def node(reference_spec):
    return reference_spec.node


@pytest.mark.parametrize(
    ("code", "raw", "message"),
    [
        (
            "1.1.3",
            {"value": "0.9", "numerator": "7", "denominator": "10"},
            "Chỉ ghi tỷ lệ hoặc tử số và mẫu số, không ghi cả hai: xoá một trong hai cách ghi.",
        ),
        ("1.1.3", {"numerator": "7"}, "Mẫu số: cần ghi cả tử số và mẫu số."),
        ("1.1.3", {"denominator": "10"}, "Tử số: cần ghi cả tử số và mẫu số."),
        ("1.1.3", {"numerator": "-1", "denominator": "10"}, "Tử số: tử số không được âm (đang là -1)."),
        ("1.1.3", {"numerator": "1", "denominator": "-2,5"}, "Mẫu số: mẫu số không được âm (đang là -2,5)."),
        (
            "1.1.3",
            {"numerator": "3", "denominator": "0"},
            "Mẫu số: mẫu số bằng 0: nếu không phát sinh trường hợp nào, hãy đánh dấu tiêu chí không áp dụng.",
        ),
        ("1.1.3", {"value": "-0.2"}, "Tỷ lệ: tỷ lệ không được âm (đang là -20%)."),
        ("1.3", {"value": "-0.055"}, "Tỷ lệ: tỷ lệ không được âm (đang là -5,5%)."),
        ("1.1.3", {"numerator": "bảy", "denominator": "10"}, "Tử số: 'bảy' không phải là số"),
        ("1.1.3", {"numerator": "1,2,3", "denominator": "10"}, "Tử số: '1,2,3' không phải là số"),
        ("1.1.3", {"count": "2"}, "Số lượng: tiêu chí này không chấm theo số lượng, hãy để trống."),
        ("1.1.2", {"value": "1"}, "Tỷ lệ: tiêu chí này không chấm theo tỷ lệ, hãy để trống."),
        ("1.6", {"count": "-1"}, "Số lượng: số lượng không được âm (đang là -1)."),
        ("2.4.4", {"score": "-0,5"}, "Điểm: điểm không được âm (đang là -0,5)."),
        ("1.1.1", {"days_late": "1.5"}, "Số ngày chậm: '1.5' không phải là số nguyên"),
    ],
)
def test_a_refusal_speaks_of_the_fields_people_see(node, code, raw, message):
    with pytest.raises(ValueError) as refused:
        clean_inputs(node(code), raw)
    text = str(refused.value)
    assert text == message
    assert not KEY_NAMES.search(text)


def test_good_figures_still_pass_unchanged(node):
    assert clean_inputs(node("1.1.3"), {"numerator": "7", "denominator": "10"}) == {
        "numerator": Decimal(7),
        "denominator": Decimal(10),
    }
    assert clean_inputs(node("1.1.3"), {"value": "0,8", "numerator": ""}) == {"value": Decimal("0.8")}
