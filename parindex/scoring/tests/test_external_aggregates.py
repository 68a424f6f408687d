"""``aggregates.median`` and ``aggregates.mean_ratio``: the province's median of weekly external
index totals, and the weeks of an index as the ratio a sub-criterion reads."""

from __future__ import annotations

from decimal import Decimal as D

from parindex.scoring import aggregates


def test_median_of_odd_and_even_counts_rounded_half_up():
    assert aggregates.median([D("90"), D("80.5"), D("99")], 2) == D("90.00")
    assert aggregates.median([D("90"), D("80.25")], 2) == D("85.13")  # 85.125 half up
    assert aggregates.median([], 2) is None


def test_mean_ratio_over_weeks_of_different_maxima():
    # a component worth 22 points in v1 and 12 in v2: each week over its own maximum
    assert aggregates.mean_ratio([(D(11), D(22)), (D(12), D(12))], 4) == D("0.7500")
    assert aggregates.mean_ratio([(D(5), D(0))], 4) is None
    assert aggregates.mean_ratio([(D(102), D(100))], 4) == D("1.0000")  # clamped (a positive adjustment)


def test_divergence_is_the_gap_above_the_threshold_only():
    # self-assessed 90% of the field, 65% satisfied: 25 points apart, more than 20
    assert aggregates.divergence(D("90"), D("65"), D("20")) == D("25")
    assert aggregates.divergence(D("85"), D("65"), D("20")) is None  # exactly the threshold: no warning
    assert aggregates.divergence(D("60"), D("95"), D("20")) is None  # satisfied more than self-assessed
    assert aggregates.divergence(None, D("10"), D("20")) is None
    assert aggregates.divergence(D("100"), None, D("20")) is None
    assert aggregates.divergence(D("100"), D("89.5"), 10) == D("10.5")
