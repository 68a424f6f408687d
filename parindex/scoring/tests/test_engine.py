"""Scoring a unit: not-applicable handling, missing leaves, sums, lost points, bands, JSON."""

from __future__ import annotations

import json

import pytest

from parindex import scoring
from parindex.scoring.decimals import fixed
from parindex.scoring.tests._helpers import BANDS, D, build, leaf, parent, reference, single

# F1 (6) -> 1.1 (4) -> 1.1.1 binary 1, 1.1.2 proportional 2, 1.1.3 count 1; 1.2 manual 2
# F2 (4) -> 2.1 deduction 4
LEAVES = ("1.1.1", "1.1.2", "1.1.3", "1.2", "2.1")
FULL = {
    "1.1.1": {"met": True},
    "1.1.2": {"value": D(1)},
    "1.1.3": {"count": 2},
    "1.2": {"score": D(2)},
    "2.1": {"count": 0},
}


@pytest.fixture(scope="module")
def framework() -> scoring.Framework:
    return build(
        parent(
            "F1",
            parent(
                "1.1",
                leaf("1.1.1", 1, "binary"),
                leaf("1.1.2", 2, "proportional"),
                leaf("1.1.3", 1, "count", per_item=D("0.5")),
            ),
            leaf("1.2", 2, "manual"),
        ),
        parent("F2", leaf("2.1", 4, "deduction", per_item=D(1))),
        classification=BANDS,
    )


def with_(**changes) -> dict:
    """FULL with some responses replaced (None removes the response)."""
    out = dict(FULL)
    for code, response in changes.items():
        code = code.replace("_", ".")
        if response is None:
            del out[code]
        else:
            out[code] = response
    return out


# -- not applicable -----------------------------------------------------------------------


def test_it_removes_a_not_applicable_leaf_max_from_every_ancestor_and_the_total(framework):
    result = scoring.score(framework, with_(**{"1_1_2": {"applicable": False}}))
    applicable_max = {ns.code: fixed(ns.applicable_max) for ns in result.nodes()}
    assert applicable_max == {
        "F1": "4",
        "1.1": "2",
        "1.1.1": "1",
        "1.1.2": "0",
        "1.1.3": "1",
        "1.2": "2",
        "F2": "4",
        "2.1": "4",
    }
    assert result.applicable_max == D(8)
    assert result.max_total == D(10)
    assert result.node("1.1.2").max == D(2)
    assert result.node("1.1.2").applicable is False
    assert result.node("1.1.2").score == 0


def test_it_computes_the_percent_on_the_applicable_max(framework):
    result = scoring.score(framework, with_(**{"1_1_2": {"applicable": False}, "2_1": {"count": 4}}))
    # 1 + 1 + 2 + 0 = 4 out of an applicable 8, not out of 10
    assert fixed(result.total) == "4.00"
    assert fixed(result.percent) == "50.00"
    assert result.classification == "Trung bình"


def test_it_keeps_full_marks_at_100_percent_when_a_leaf_does_not_apply(framework):
    full = scoring.score(framework, FULL)
    without = scoring.score(framework, with_(**{"1_2": {"applicable": False}}))
    assert fixed(full.percent) == fixed(without.percent) == "100.00"
    assert full.total == D(10)
    assert without.total == D(8)
    assert without.lost == 0


def test_it_does_not_list_a_not_applicable_leaf_as_missing(framework):
    result = scoring.score(framework, with_(**{"1_1_3": {"applicable": False}}))
    assert result.missing == []
    assert result.node("1.1.3").missing is False


def test_it_removes_not_applicable_leaves_in_different_fields(framework):
    result = scoring.score(framework, with_(**{"1_1_1": {"applicable": False}, "2_1": {"applicable": False}}))
    assert result.applicable_max == D(5)
    assert result.node("F2").applicable_max == 0
    assert result.node("F1").applicable_max == D(5)
    assert result.node("F2").applicable is False
    assert result.node("F1").applicable is True


def test_it_has_no_percent_nor_band_when_nothing_applies():
    framework = single(2, "binary")
    result = scoring.score(framework, {"x": {"applicable": False}})
    assert result.applicable_max == 0
    assert result.percent is None
    assert result.classification is None


# -- missing ------------------------------------------------------------------------------


def test_it_lists_missing_leaves_in_document_order_and_scores_them_0(framework):
    result = scoring.score(framework, with_(**{"2_1": None, "1_1_2": None}))
    assert result.missing == ["1.1.2", "2.1"]
    assert fixed(result.node("1.1.2").score) == "0.00"
    assert result.node("1.1.2").missing is True
    assert result.node("1.1.2").applicable_max == D(2)  # missing still counts toward the max
    assert result.applicable_max == D(10)
    assert fixed(result.total) == "4.00"


def test_it_treats_a_response_with_only_applicable_true_as_missing(framework):
    result = scoring.score(framework, with_(**{"1_2": {"applicable": True}}))
    assert result.missing == ["1.2"]
    assert fixed(result.total) == "8.00"


def test_it_lists_every_leaf_as_missing_for_no_responses(framework):
    result = scoring.score(framework, {})
    assert result.missing == list(LEAVES)
    assert fixed(result.total) == "0.00"
    assert fixed(result.percent) == "0.00"
    assert result.classification == "Yếu"


# -- sums and lost points ----------------------------------------------------------------


def test_it_sums_the_rounded_scores_of_the_children():
    framework = build(
        parent("P", leaf("a", 1, "proportional"), leaf("b", 1, "proportional"), leaf("c", 1, "proportional"))
    )
    result = scoring.score(
        framework, {"a": {"value": D("0.335")}, "b": {"value": D("0.335")}, "c": {"value": D("0.335")}}
    )
    # 3 × 0.34 = 1.02; rounding the exact sum 1.005 would give 1.01
    assert fixed(result.node("a").score) == "0.34"
    assert fixed(result.node("P").score) == "1.02"
    assert fixed(result.total) == "1.02"


def test_it_makes_each_parent_the_sum_of_its_children(framework):
    responses = with_(**{"1_1_2": {"numerator": 2, "denominator": 3}, "2_1": {"count": 1}, "1_2": {"score": D("0.5")}})
    result = scoring.score(framework, responses)
    scores = {ns.code: fixed(ns.score) for ns in result.nodes()}
    assert scores == {
        "F1": "3.83",
        "1.1": "3.33",
        "1.1.1": "1.00",
        "1.1.2": "1.33",
        "1.1.3": "1.00",
        "1.2": "0.50",
        "F2": "3.00",
        "2.1": "3.00",
    }
    assert fixed(result.total) == "6.83"


def test_it_reports_lost_points_per_node_and_they_add_up(framework):
    responses = with_(**{"1_1_2": {"value": D("0.8")}, "2_1": {"count": 3}, "1_1_1": {"applicable": False}})
    result = scoring.score(framework, responses)
    lost = {ns.code: fixed(ns.lost) for ns in result.nodes()}
    assert lost == {
        "F1": "0.40",
        "1.1": "0.40",
        "1.1.1": "0.00",
        "1.1.2": "0.40",
        "1.1.3": "0.00",
        "1.2": "0.00",
        "F2": "3.00",
        "2.1": "3.00",
    }
    leaves_lost = sum((ns.lost for ns in result.nodes() if ns.node.is_leaf), D(0))
    assert leaves_lost == result.lost == result.applicable_max - result.total == D("3.40")


# -- classification and percent -------------------------------------------------------------

BANDS_CASES = [
    pytest.param("100", "Tốt", id="full"),
    pytest.param("80", "Tốt", id="exactly-80-is-tot"),
    pytest.param("79.99", "Khá", id="just-below-80"),
    pytest.param("70", "Khá", id="exactly-70"),
    pytest.param("69.99", "Trung bình", id="just-below-70"),
    pytest.param("50", "Trung bình", id="exactly-50"),
    pytest.param("49.99", "Yếu", id="just-below-50"),
    pytest.param("0", "Yếu", id="zero"),
]


@pytest.mark.parametrize(("points", "label"), BANDS_CASES)
def test_it_classifies_by_the_first_band_reached_highest_first(points, label):
    framework = build(leaf("x", 100, "manual"), classification=BANDS)
    result = scoring.score(framework, {"x": {"score": D(points)}})
    assert result.percent == D(points)
    assert result.classification == label


def test_it_picks_the_first_listed_band_that_matches():
    framework = build(
        leaf("x", 10, "manual"),
        classification=[{"label": "Xuất sắc", "min": D(90)}, {"label": "Đạt", "min": D("42.5")}],
    )
    assert scoring.score(framework, {"x": {"score": D(10)}}).classification == "Xuất sắc"
    assert scoring.score(framework, {"x": {"score": D("4.25")}}).classification == "Đạt"
    assert scoring.score(framework, {"x": {"score": D("4.24")}}).classification is None


PERCENT_CASES = [
    pytest.param(2, 3, D(2), "66.67", id="two-thirds"),
    pytest.param(2, 3, D(1), "33.33", id="one-third"),
    pytest.param(2, 8, D(1), "12.50", id="one-eighth-2dp"),
    pytest.param(0, 8, D(1), "13", id="one-eighth-0dp-half-up"),
    pytest.param(0, 40, D(1), "3", id="2.5-percent-0dp-half-up-not-even"),
    pytest.param(1, 3, D(2), "66.7", id="two-thirds-1dp"),
]


@pytest.mark.parametrize(("rounding", "max_", "points", "expected"), PERCENT_CASES)
def test_it_rounds_the_percent_half_up_to_the_framework_decimals(rounding, max_, points, expected):
    framework = single(max_, "manual", rounding=rounding)
    result = scoring.score(framework, {"x": {"score": points}})
    assert fixed(result.percent) == expected


# -- JSON shape (formats.md §4) -----------------------------------------------------------


@pytest.fixture(scope="module")
def spec_example() -> scoring.UnitScore:
    """A framework and responses reproducing the numbers of the formats.md §4 example."""
    framework = build(
        parent(
            "1",
            # maxima written with trailing zeros, as YAML "max: 2.0" loads: printed plainly
            parent("1.1", leaf("1.1.3", D("2.0"), "proportional"), leaf("1.1.4", 2, "manual")),
            leaf("1.2", D("17.00"), "manual"),
        ),
        parent(
            "5",
            leaf("5.1", 69, "manual"),
            parent("5.2", leaf("5.2.1", 5, "binary"), leaf("5.2.2", 5, "manual")),
        ),
        classification=BANDS,
        code="QT-XA-2023",
    )
    responses = {
        "1.1.3": {"value": D("0.8")},
        "1.1.4": {"score": D(2)},
        "1.2": {"score": D("13.5")},
        "5.1": {"score": D(69)},
        "5.2.2": {"score": D("4.64")},
    }
    return scoring.score(framework, responses)


def test_it_prints_the_json_object_of_the_contract(spec_example):
    data = spec_example.to_dict(unit="19345", year=2022)
    assert set(data) == {
        "framework",
        "unit",
        "year",
        "total",
        "max_total",
        "applicable_max",
        "percent",
        "classification",
        "nodes",
        "missing",
    }
    top = {key: value for key, value in data.items() if key != "nodes"}
    assert top == {
        "framework": "QT-XA-2023",
        "unit": "19345",
        "year": 2022,
        "total": "90.74",
        "max_total": "100",
        "applicable_max": "100",
        "percent": "90.74",
        "classification": "Tốt",
        "missing": ["5.2.1"],
    }
    assert data["nodes"]["1"] == {"score": "17.10", "max": "21", "applicable_max": "21", "lost": "3.90"}


def test_it_prints_leaves_with_their_explanation(spec_example):
    entry = spec_example.to_dict()["nodes"]["1.1.3"]
    # formats.md §4 keys; "applicable" is an added output field (allowed by the contract)
    assert set(entry) - {"applicable"} == {"score", "max", "applicable_max", "lost", "explanation"}
    assert {key: entry[key] for key in ("score", "max", "applicable_max", "lost", "explanation")} == {
        "score": "1.60",
        "max": "2",
        "applicable_max": "2",
        "lost": "0.40",
        "explanation": "2 × 0.8 = 1.60",
    }


def test_it_lists_every_node_in_document_order(spec_example):
    assert list(spec_example.to_dict()["nodes"]) == [
        "1",
        "1.1",
        "1.1.3",
        "1.1.4",
        "1.2",
        "5",
        "5.1",
        "5.2",
        "5.2.1",
        "5.2.2",
    ]


def test_it_writes_no_binary_floating_point_in_the_json(spec_example):
    data = spec_example.to_dict(unit="19345", year=2022)

    def walk(value):
        assert not isinstance(value, float), value
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    walk(data)
    assert json.loads(json.dumps(data)) == data
    assert json.loads(scoring.dumps_json(data))["total"] == "90.74"


def test_it_prints_a_half_applicable_max_without_trailing_zeros():
    framework = build(parent("P", leaf("a", D("1.5"), "binary"), leaf("b", D("2.25"), "binary")))
    data = scoring.score(framework, {"a": {"met": True}, "b": {"applicable": False}}).to_dict()
    assert data["nodes"]["P"] == {"score": "1.50", "max": "3.75", "applicable_max": "1.5", "lost": "0.00"}
    assert data["nodes"]["b"]["applicable"] is False
    assert (data["max_total"], data["applicable_max"], data["percent"]) == ("3.75", "1.5", "100.00")


# -- explanations ----------------------------------------------------------------------------


def test_it_explains_a_proportional_leaf_in_plain_words(spec_example):
    assert spec_example.node("1.1.3").explanation == "2 × 0.8 = 1.60"


def test_it_explains_with_a_comma_as_decimal_mark(spec_example):
    assert spec_example.node("1.1.3", decimal_sep=",").explanation == "2 × 0,8 = 1,60"
    assert all("." not in ns.explanation for ns in spec_example.nodes(decimal_sep=","))


def test_it_explains_only_leaves(spec_example):
    assert spec_example.node("1").explanation == ""
    assert spec_example.node("5.2.1").explanation.endswith("0.00")  # a missing leaf


EXPLAINED = [
    pytest.param("binary", {}, {"met": True}, "1.00", id="binary"),
    pytest.param("proportional", {"target": D("0.5")}, {"value": D("0.25")}, "0.50", id="proportional-target"),
    pytest.param("proportional", {}, {"numerator": 1, "denominator": 4}, "0.25", id="proportional-fraction"),
    pytest.param(
        "tiered", {"tiers": [{"min": D("0.5"), "points": D("0.75")}]}, {"value": D("0.6")}, "0.75", id="tiered"
    ),
    pytest.param(
        "tiered", {"tiers": [{"min": D("0.5"), "points": D("0.75")}]}, {"value": D("0.4")}, "0.00", id="tiered-default"
    ),
    pytest.param("count", {"per_item": D("0.25")}, {"count": 3}, "0.75", id="count"),
    pytest.param("count", {"per_item": D("0.75")}, {"count": 3}, "1.00", id="count-capped"),
    pytest.param("deduction", {"per_item": D("0.25")}, {"count": 1}, "0.75", id="deduction"),
    pytest.param("deduction", {"per_item": D("0.75")}, {"count": 3}, "0.00", id="deduction-floored"),
    pytest.param(
        "timeliness", {"late": [{"within_days": 3, "points": D("0.5")}]}, {"days_late": 2}, "0.50", id="timeliness"
    ),
    pytest.param("manual", {}, {"score": D("0.3")}, "0.30", id="manual"),
]


@pytest.mark.parametrize(("kind", "params", "response", "expected"), EXPLAINED)
def test_it_explains_every_rule_kind_ending_with_the_score(kind, params, response, expected):
    result = scoring.score(single(1, kind, **params), {"x": response})
    node = result.node("x")
    assert fixed(node.score) == expected
    assert node.explanation.endswith(expected)
    assert len(node.explanation) > len(expected) + 2


def test_it_explains_a_fraction_with_the_ratio():
    result = scoring.score(single(1, "proportional"), {"x": {"numerator": 337, "denominator": 1000}})
    assert result.node("x").explanation == "1 × 337/1000 (0.337) = 0.34"


def test_it_explains_a_not_applicable_leaf():
    result = scoring.score(single(1, "binary"), {"x": {"applicable": False}})
    assert "Không áp dụng" in result.node("x").explanation


# -- the reference framework and the formats.md §3 example ------------------------------------

SECTION_3 = """\
format: parindex-responses/1
framework: QT-XA-2023
unit: {code: "19345", name: Xã Triệu Trạch}   # code: the national administrative-unit code
year: 2022
responses:
  "1.1.3": {value: 0.8}
  "3.13.1": {numerator: 337, denominator: 1000}
  "1.6": {count: 1}
  "2.4.4": {score: 1.8}
  "3.12": {met: false}
"""


@pytest.fixture(scope="module")
def section_3() -> tuple[scoring.ResponsesDocument, scoring.UnitScore]:
    framework = reference()
    document = scoring.parse_responses(scoring.loads(SECTION_3), framework_code=framework.code)
    return document, scoring.score(framework, document.responses)


def test_it_reads_the_section_3_example(section_3):
    document, _ = section_3
    assert (document.framework, document.unit_code, document.unit_name, document.year) == (
        "QT-XA-2023",
        "19345",
        "Xã Triệu Trạch",
        2022,
    )


@pytest.mark.parametrize(
    ("code", "expected"),
    [("1.1.3", "1.60"), ("3.13.1", "0.34"), ("1.6", "1.00"), ("2.4.4", "1.80"), ("3.12", "0.00")],
)
def test_it_scores_the_section_3_example_against_the_reference_framework(section_3, code, expected):
    _, result = section_3
    assert fixed(result.node(code).score) == expected
    assert code not in result.missing


def test_it_totals_the_section_3_example(section_3):
    _, result = section_3
    framework = result.framework
    assert fixed(result.total) == "4.74"
    assert result.max_total == result.applicable_max == D(100)
    assert fixed(result.percent) == "4.74"
    assert result.classification == "Yếu"
    answered = {"1.1.3", "3.13.1", "1.6", "2.4.4", "3.12"}
    assert result.missing == [node.code for node in framework.leaves if node.code not in answered]
    assert fixed(result.node("I").score) == "2.60"
    assert fixed(result.node("3.13").score) == "0.34"
    data = result.to_dict(unit="19345", year=2022)
    assert data["nodes"]["I"]["max"] == "21"
    assert data["nodes"]["1.1.3"]["explanation"] == "2 × 0.8 = 1.60"


def test_it_prints_every_number_with_the_framework_decimals_whatever_zeros_the_file_wrote():
    framework = build(parent("P", leaf("a", D("2.000"), "proportional")))
    data = scoring.score(framework, {"a": {"value": D("0.80")}}).to_dict()
    assert data["nodes"]["a"]["score"] == "1.60"
    assert data["nodes"]["a"]["max"] == "2"
    assert data["nodes"]["a"]["lost"] == "0.40"
    assert data["nodes"]["P"] == {"score": "1.60", "max": "2", "applicable_max": "2", "lost": "0.40"}
    assert (data["total"], data["max_total"], data["percent"]) == ("1.60", "2", "80.00")
