"""One decimal-comma formatter: ``core.numbers``, used by the template filters and every builder."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from django.template import Context, Template

from parindex.core import numbers
from parindex.core.templatetags import parindex as filters

PARINDEX = Path(__file__).resolve().parents[2]

# Modules that still write a decimal comma by hand, each with why it is left.
HAND_WRITTEN_ALLOWED = {
    "core/numbers.py",  # the one implementation
    "appraisals/forms.py",  # turns a typed "80.5%" into the form's own text, not a number written out
}


@pytest.mark.parametrize(
    ("value", "places", "expected"),
    [
        (Decimal("12.5"), None, "12,5"),
        (Decimal("12.50"), None, "12,5"),
        (Decimal("100"), None, "100"),
        ("0.25", None, "0,25"),
        (3, None, "3"),
        (Decimal("17.1"), 2, "17,10"),
        (Decimal("0.125"), 2, "0,13"),  # half up
        (None, None, ""),
        ("", None, ""),
    ],
)
def test_vn_number(value, places, expected):
    assert numbers.vn_number(value, places) == expected


def test_vn_score_keeps_the_rounded_decimals():
    assert numbers.vn_score(Decimal("17.10")) == "17,10"
    assert numbers.vn_score(Decimal("0.34")) == "0,34"
    assert numbers.vn_score(None) == "–"


def test_vn_grouped_groups_thousands_with_dots():
    assert numbers.vn_grouped(1063) == "1.063"
    assert numbers.vn_grouped(Decimal("1234.5")) == "1.234,5"
    assert numbers.vn_grouped(-1063) == "-1.063"
    assert numbers.vn_grouped(Decimal("12.50")) == "12,5"


def test_vn_cell_writes_floats_and_decimals_exactly():
    assert numbers.vn_cell(12.5) == "12,5"
    assert numbers.vn_cell(Decimal("40.0")) == "40"
    assert numbers.vn_cell(None) == "–"
    assert numbers.vn_cell("Xã A") == "Xã A"


def test_the_template_filters_are_the_same_functions():
    assert filters.vn_number is numbers.vn_number and filters.vn_score is numbers.vn_score
    assert filters.vn_grouped is numbers.vn_grouped and filters.vn_cell is numbers.vn_cell
    page = Template("{% load parindex %}{{ a|vn_number }} {{ b|vn_score }} {{ c|vn_grouped }} {{ d|vn_cell }}").render(
        Context({"a": Decimal("1.50"), "b": Decimal("17.10"), "c": 12345, "d": None})
    )
    assert page == "1,5 17,10 12.345 –"


def hand_written_commas(path: Path) -> list[int]:
    """Lines calling ``.replace(".", ",")``: a decimal comma written by hand."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "replace"
            and len(node.args) == 2
            and all(isinstance(a, ast.Constant) for a in node.args)
            and [a.value for a in node.args] == [".", ","]
        ):
            lines.append(node.lineno)
    return lines


def test_no_module_writes_a_decimal_comma_by_hand():
    offenders = [
        f"{path.relative_to(PARINDEX).as_posix()}:{line}"
        for path in sorted(PARINDEX.rglob("*.py"))
        if "tests" not in path.relative_to(PARINDEX).parts
        and path.relative_to(PARINDEX).as_posix() not in HAND_WRITTEN_ALLOWED
        for line in hand_written_commas(path)
    ]
    assert offenders == [], "write numbers through parindex.core.numbers"
