"""``loads``/``load_path``/``parse_framework`` on hostile documents: every one is FileUnreadable
or a ProblemsError with a Vietnamese reason, never another exception (security issue #17)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex import scoring
from parindex.scoring.decimals import MAX_MAGNITUDE, NotADecimal, in_bounds, to_decimal
from parindex.scoring.files import MAX_NESTING, MAX_NODES
from tests.security.hostile import make


def unreadable(text: str | bytes, *, json_only: bool = False) -> str:
    if isinstance(text, bytes):
        text = text.decode()
    with pytest.raises(scoring.FileUnreadable) as caught:
        scoring.loads(text, json_only=json_only)
    return str(caught.value)


@pytest.mark.parametrize(
    ("text", "json_only", "reason"),
    [
        (make.deep_json(), True, f"JSON lồng nhau quá {MAX_NESTING} cấp"),
        (make.deep_json_objects(), True, f"JSON lồng nhau quá {MAX_NESTING} cấp"),
        (b"[" * 900 + b"]" * 900, True, "JSON lồng nhau quá"),  # parsed by json, refused after
        (make.deep_yaml_flow(), False, f"tệp lồng nhau quá {MAX_NESTING} cấp ở dòng 1"),
        (make.deep_yaml_block(), False, f"tệp lồng nhau quá {MAX_NESTING} cấp ở dòng"),
        (make.yaml_billion_laughs(), False, "tệp có quá 1.000.000 giá trị (kể cả phần lặp lại qua tham chiếu &/*)"),
        (make.yaml_merge_bomb(), False, "tệp có quá 1.000.000 giá trị"),
        (make.yaml_alias_chain(), False, f"lồng nhau quá {MAX_NESTING} cấp (kể cả qua tham chiếu &/*)"),
        (b"a: &a [*a]\n", False, "recursive"),
        (make.HOSTILE_YAML_VALUES["impossible_date"], False, "có giá trị không đọc được"),
        (make.HOSTILE_YAML_VALUES["huge_int"], False, "có giá trị không đọc được"),
        (b'{"a": ' + b"9" * 5000 + b"}", True, "có giá trị không đọc được"),
        (b'{"a": 1e999999999}', True, "quá lớn hoặc có quá nhiều chữ số"),
        (b"a: 1.0e+999999999\n", False, "quá lớn hoặc có quá nhiều chữ số"),
        (make.HOSTILE_YAML_VALUES["list_key"], False, "khóa phải là chữ hoặc số"),
        (b"{[1]: 2}\n", False, "khóa phải là chữ hoặc số"),
        (make.HOSTILE_YAML_VALUES["set_value"], False, "kiểu dữ liệu !!set không được dùng"),
        (make.HOSTILE_YAML_VALUES["binary_value"], False, "kiểu dữ liệu !!binary không được dùng"),
        (make.HOSTILE_YAML_VALUES["nul_byte"], False, "ký tự không được phép (mã #x0000) ở vị trí 7"),
    ],
)
def test_a_hostile_document_is_unreadable_with_a_reason(text, json_only, reason):
    assert reason in unreadable(text, json_only=json_only)


def test_aliases_within_the_bounds_still_work():
    data = scoring.loads("base: &b {min: 1, points: 2}\ntiers: [*b, {<<: *b, note: x}]\n")
    assert data["tiers"] == [{"min": 1, "points": 2}, {"min": 1, "points": 2, "note": "x"}]
    assert scoring.loads("[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1))  # just inside
    assert scoring.loads("[" * (MAX_NESTING - 1) + "]" * (MAX_NESTING - 1), json_only=True)


def test_the_node_cap_counts_values_not_bytes():
    assert len(scoring.loads("[" + "1, " * 10_000 + "1]")) == 10_001
    big = "a: &a [" + ", ".join(["x"] * 1000) + "]\nb: [" + ", ".join(["*a"] * (MAX_NODES // 1000 + 1)) + "]\n"
    assert "quá 1.000.000 giá trị" in unreadable(big)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (Decimal("1E+30"), True),
        (Decimal("9.99E+30"), True),
        (Decimal("1E+31"), False),
        (Decimal("1E-30"), True),
        (Decimal("1E-31"), False),
        (Decimal("0E-60"), True),
        (Decimal("0E-61"), False),
        (Decimal("0.337"), True),
        (Decimal("1e999999999"), False),
    ],
)
def test_numbers_are_bounded(value, ok):
    assert in_bounds(value) is ok


def test_to_decimal_refuses_numbers_out_of_bounds_in_a_short_message():
    for value in ("1e999999", "-1e999999", "1e-999999", 10 ** (MAX_MAGNITUDE + 1), "1" * 5000):
        with pytest.raises(NotADecimal, match="quá lớn hoặc có quá nhiều chữ số") as caught:
            to_decimal(value)
        assert len(str(caught.value)) < 80
    assert to_decimal(10**MAX_MAGNITUDE) == Decimal(10) ** MAX_MAGNITUDE


def test_a_framework_with_huge_numbers_is_invalid_not_an_overflow():
    doc = scoring.loads(
        "format: parindex-framework/1\ncode: X\nname: X\nmax_total: '1e999999999'\n"
        "criteria: [{code: a, name: b, max: '1e-999999999', rule: {kind: yes_no}}]\n"
    )
    with pytest.raises(scoring.FrameworkInvalid) as caught:
        scoring.parse_framework(doc)
    assert {p.path for p in caught.value.problems} >= {"max_total", "criteria[0].max"}


def test_a_framework_keeps_no_extra_field_a_json_column_cannot_hold():
    text = (
        "format: parindex-framework/1\ncode: X\nname: X\nmax_total: 1\n1.5: mot\n"
        "ghi_chu: {2023-01-01: a}\n"
        "criteria: [{code: a, name: b, max: 1, rule: {kind: yes_no}, do: .nan, nhan: [{x: .inf}]}]\n"
    )
    with pytest.raises(scoring.FrameworkInvalid) as caught:
        scoring.parse_framework(scoring.loads(text))
    found = {(p.path, p.message) for p in caught.value.problems}
    assert ("1.5", "khóa '1.5' phải là chữ: hãy đặt trong dấu nháy") in found
    assert ("ghi_chu", "khóa '2023-01-01' phải là chữ: hãy đặt trong dấu nháy") in found
    assert {path for path, _ in found} >= {"criteria[0].do", "criteria[0].nhan"}


def test_load_path_refuses_what_is_not_a_regular_file_or_too_big(tmp_path, monkeypatch):
    with pytest.raises(scoring.FileUnreadable, match="không phải một tệp thường"):
        scoring.load_path("/dev/zero")
    path = tmp_path / "lon.yaml"
    path.write_text("a: 1\n" * 100, encoding="utf-8")
    monkeypatch.setattr(scoring.files, "MAX_FILE_BYTES", 100)
    with pytest.raises(scoring.FileUnreadable, match="quá lớn"):
        scoring.load_path(path)
