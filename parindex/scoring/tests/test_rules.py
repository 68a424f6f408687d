"""The seven rule kinds of formats.md §2, one table per kind.

Each case scores a one-leaf framework through the public ``score`` and compares the
published score string (rounded half up to the framework's decimals, clamped to [0, max]).
"""

from __future__ import annotations

import pytest

from parindex import scoring
from parindex.scoring.tests._helpers import D, leaf_score, single


def case(id_: str, max_, response, expected: str, **params):
    return pytest.param(max_, response, params, expected, id=id_)


# -- binary ------------------------------------------------------------------------------

BINARY = [
    case("met-gives-max", 2, {"met": True}, "2.00"),
    case("not-met-gives-0", 2, {"met": False}, "0.00"),
    case("met-fractional-max", D("1.5"), {"met": True}, "1.50"),
    case("met-with-applicable-true", 1, {"met": True, "applicable": True}, "1.00"),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), BINARY)
def test_it_scores_binary(max_, response, params, expected):
    assert leaf_score(max_, "binary", response, **params) == expected


# -- proportional -------------------------------------------------------------------------

PROPORTIONAL = [
    # formats.md §2 real examples (Quảng Trị 2022)
    case("spec-1.1.3-value-0.8-max-2", 2, {"value": D("0.8")}, "1.60"),
    case("spec-3.13.1-value-0.337-max-1", 1, {"value": D("0.337")}, "0.34"),
    case("spec-3.13.1-as-337-of-1000", 1, {"numerator": 337, "denominator": 1000}, "0.34"),
    case("numerator-denominator-decimals", 2, {"numerator": D(3), "denominator": D(4)}, "1.50"),
    case("two-thirds-rounds-half-up", 1, {"numerator": 2, "denominator": 3}, "0.67"),
    case("value-zero", 2, {"value": D(0)}, "0.00"),
    case("value-exactly-1", 2, {"value": D(1)}, "2.00"),
    case("value-above-1-capped", 2, {"value": D("1.2")}, "2.00"),
    case("numerator-above-denominator-capped", 2, {"numerator": 5, "denominator": 3}, "2.00"),
    case("target-0.9-half-way", 2, {"value": D("0.45")}, "1.00", target=D("0.9")),
    case("target-0.9-exactly-at-target", 2, {"value": D("0.9")}, "2.00", target=D("0.9")),
    case("target-0.9-above-target", 2, {"value": D("0.95")}, "2.00", target=D("0.9")),
    case("target-0.8-0.625-half-up", 1, {"value": D("0.5")}, "0.63", target=D("0.8")),
    case("target-above-1", 3, {"value": D(1)}, "2.00", target=D("1.5")),
    # exact arithmetic: 3 × 167/600 = 0.835 exactly, a tie that rounds half up to 0.84
    case("fraction-exact-tie-ints", 3, {"numerator": 167, "denominator": 600}, "0.84"),
    case("fraction-exact-tie-decimals", 3, {"numerator": D(167), "denominator": D(600)}, "0.84"),
    case("fraction-exact-tie-with-target", 3, {"numerator": 167, "denominator": 1000}, "0.84", target=D("0.6")),
    case("value-exact-tie-with-target", 3, {"value": D("0.167")}, "0.84", target=D("0.6")),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), PROPORTIONAL)
def test_it_scores_proportional(max_, response, params, expected):
    assert leaf_score(max_, "proportional", response, **params) == expected


# -- tiered -------------------------------------------------------------------------------

TIERS = [{"min": D(1), "points": D(2)}, {"min": D("0.8"), "points": D(1)}]
# A later tier may give more than an earlier one: the first match in written order wins.
ODD_TIERS = [{"min": D("0.9"), "points": D(1)}, {"min": D("0.5"), "points": D(2)}]

TIERED = [
    case("top-tier", 2, {"value": D(1)}, "2.00", tiers=TIERS),
    case("above-top-tier", 2, {"value": D("1.5")}, "2.00", tiers=TIERS),
    case("second-tier", 2, {"value": D("0.95")}, "1.00", tiers=TIERS),
    case("exactly-second-tier-min", 2, {"value": D("0.8")}, "1.00", tiers=TIERS),
    case("below-all-tiers-default-0", 2, {"value": D("0.79")}, "0.00", tiers=TIERS),
    case("below-all-tiers-explicit-default", 2, {"value": D("0.1")}, "0.50", tiers=TIERS, default=D("0.5")),
    case("numerator-denominator", 2, {"numerator": 4, "denominator": 5}, "1.00", tiers=TIERS),
    case("first-match-in-written-order", 2, {"value": D("0.95")}, "1.00", tiers=ODD_TIERS),
    case("second-written-tier", 2, {"value": D("0.6")}, "2.00", tiers=ODD_TIERS),
    case("zero-value-zero-min-tier", 2, {"value": D(0)}, "0.25", tiers=[{"min": D(0), "points": D("0.25")}]),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), TIERED)
def test_it_scores_tiered(max_, response, params, expected):
    assert leaf_score(max_, "tiered", response, **params) == expected


# -- count --------------------------------------------------------------------------------

COUNT = [
    case("spec-1.6-one-initiative", 2, {"count": 1}, "1.00", per_item=D(1)),
    case("zero", 2, {"count": 0}, "0.00", per_item=D(1)),
    case("exactly-max", 2, {"count": 2}, "2.00", per_item=D(1)),
    case("capped-at-max", 2, {"count": 5}, "2.00", per_item=D(1)),
    case("fractional-per-item", 2, {"count": 2}, "1.50", per_item=D("0.75")),
    case("fractional-per-item-capped", 2, {"count": 3}, "2.00", per_item=D("0.75")),
    case("integral-decimal-count", 2, {"count": D(1)}, "0.75", per_item=D("0.75")),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), COUNT)
def test_it_scores_count(max_, response, params, expected):
    assert leaf_score(max_, "count", response, **params) == expected


# -- deduction ----------------------------------------------------------------------------

DEDUCTION = [
    case("no-violation-full-marks", 4, {"count": 0}, "4.00", per_item=D("0.5")),
    case("three-violations", 4, {"count": 3}, "2.50", per_item=D("0.5")),
    case("exactly-to-zero", 4, {"count": 8}, "0.00", per_item=D("0.5")),
    case("floored-at-zero", 4, {"count": 20}, "0.00", per_item=D("0.5")),
    case("whole-per-item", 3, {"count": 1}, "2.00", per_item=D(1)),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), DEDUCTION)
def test_it_scores_deduction(max_, response, params, expected):
    assert leaf_score(max_, "deduction", response, **params) == expected


# -- timeliness ---------------------------------------------------------------------------

LATE = [{"within_days": 5, "points": D("1.5")}, {"within_days": 15, "points": D("0.5")}]

TIMELINESS = [
    case("on-time-zero-days", 2, {"days_late": 0}, "2.00", late=LATE),
    case("early-negative-days", 2, {"days_late": -3}, "2.00", late=LATE),
    case("one-day-late-first-entry", 2, {"days_late": 1}, "1.50", late=LATE),
    case("at-first-entry-limit", 2, {"days_late": 5}, "1.50", late=LATE),
    case("second-entry", 2, {"days_late": 6}, "0.50", late=LATE),
    case("at-second-entry-limit", 2, {"days_late": 15}, "0.50", late=LATE),
    case("beyond-all-default-0", 2, {"days_late": 16}, "0.00", late=LATE),
    case("beyond-all-explicit-default", 2, {"days_late": 100}, "0.25", late=LATE, default=D("0.25")),
    case("late-without-entries-default", 2, {"days_late": 1}, "0.00"),
    case("on-time-without-entries", 2, {"days_late": 0}, "2.00"),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), TIMELINESS)
def test_it_scores_timeliness(max_, response, params, expected):
    assert leaf_score(max_, "timeliness", response, **params) == expected


# -- manual -------------------------------------------------------------------------------

MANUAL = [
    case("spec-2.4.4-score-1.8", 2, {"score": D("1.8")}, "1.80"),
    case("zero", 2, {"score": D(0)}, "0.00"),
    case("exactly-max", 2, {"score": D(2)}, "2.00"),
    case("on-step-grid", 2, {"score": D("1.75")}, "1.75", step=D("0.25")),
    case("step-grid-max", 2, {"score": D(2)}, "2.00", step=D("0.25")),
    case("more-decimals-rounded-half-up", 2, {"score": D("1.235")}, "1.24"),
]


@pytest.mark.parametrize(("max_", "response", "params", "expected"), MANUAL)
def test_it_scores_manual(max_, response, params, expected):
    assert leaf_score(max_, "manual", response, **params) == expected


MANUAL_INVALID = [
    case("off-step-grid", 2, {"score": D("1.8")}, "không phải bội số", step=D("0.25")),
    case("above-max", 2, {"score": D("2.5")}, "lớn hơn điểm tối đa"),
    case("just-above-max", 2, {"score": D("2.01")}, "lớn hơn điểm tối đa", step=D("0.01")),
    case("negative", 2, {"score": D("-0.5")}, "không được âm"),
]


@pytest.mark.parametrize(("max_", "response", "params", "message"), MANUAL_INVALID)
def test_it_refuses_manual_scores_outside_range_or_grid(max_, response, params, message):
    with pytest.raises(scoring.ResponsesInvalid) as caught:
        leaf_score(max_, "manual", response, **params)
    (problem,) = caught.value.problems
    assert problem.code == "x"
    assert problem.path == 'responses."x".score'
    assert message in problem.message


# -- rounding half up, per leaf ----------------------------------------------------------

ROUNDING = [
    pytest.param(2, 1, D("0.335"), "0.34", id="2dp-0.335-up"),
    pytest.param(2, 1, D("0.3349"), "0.33", id="2dp-0.3349-down"),
    pytest.param(2, 1, D("0.345"), "0.35", id="2dp-0.345-up-not-even"),
    pytest.param(2, 1, D("0.3350001"), "0.34", id="2dp-just-above-half"),
    pytest.param(1, 1, D("0.25"), "0.3", id="1dp-0.25-up-not-even"),
    pytest.param(1, 1, D("0.24"), "0.2", id="1dp-0.24-down"),
    pytest.param(0, 1, D("0.5"), "1", id="0dp-0.5-up"),
    pytest.param(0, 1, D("0.49"), "0", id="0dp-0.49-down"),
    pytest.param(0, 3, D("0.5"), "2", id="0dp-1.5-up-not-even"),
    pytest.param(0, 5, D("0.5"), "3", id="0dp-2.5-up-not-even"),
]


@pytest.mark.parametrize(("rounding", "max_", "value", "expected"), ROUNDING)
def test_it_rounds_each_leaf_half_up_to_the_framework_decimals(rounding, max_, value, expected):
    assert leaf_score(max_, "proportional", {"value": value}, rounding=rounding) == expected


def test_it_keeps_the_framework_decimals_in_the_published_score():
    framework = single(2, "binary", rounding=1)
    result = scoring.score(framework, {"x": {"met": True}})
    assert str(result.node("x").score) == "2.0"
    assert str(result.total) == "2.0"
