"""Sums, means, percentages and the ranking within a field (``scoring.aggregates``)."""

from __future__ import annotations

from decimal import Decimal as D

from parindex.scoring import aggregates


def test_total_and_mean_round_half_up_to_the_places_given():
    assert aggregates.total([D("1.25"), D("2.5"), 3]) == D("6.75")
    assert aggregates.total([]) == 0
    assert aggregates.mean([D("1"), D("2")], 2) == D("1.50")
    assert aggregates.mean([D("0.125"), D("0.125")], 2) == D("0.13")  # half up, not half even
    assert aggregates.mean([D("0.005"), D("0")], 2) == D("0.00") and aggregates.mean([D("0.01"), D("0")], 2) == D(
        "0.01"
    )
    assert aggregates.mean([], 2) is None


def test_the_mean_of_predecessors_lost_points_as_the_remediation_page_shows_it():
    """A commune formed from two: lost 1.5 and 0.25 on the code, mean 0.875 -> 0.88 (half up)."""
    snapshots = [{"1.1": ("0.5", "2")}, {"1.1": ("1.75", "2")}, {"1.1": (None, "2")}, {}]
    lost = [aggregates.lost_points(s.get("1.1")) for s in snapshots]
    assert lost == [D("1.5"), D("0.25"), None, None]
    assert aggregates.mean((x for x in lost if x is not None), 2) == D("0.88")


def test_percent_of_and_ratio():
    assert aggregates.percent_of(D("17.5"), D("20"), 2) == D("87.50")
    assert aggregates.percent_of(1, 8, 1) == D("12.5")
    assert aggregates.percent_of(1, 16, 1) == D("6.3")  # 6.25 half up
    assert aggregates.percent_of(3, 0, 2) is None and aggregates.percent_of(None, 3, 2) is None
    assert aggregates.ratio(3, 4) == D("0.75") and aggregates.ratio(3, 0) is None


def test_lost_and_change():
    assert aggregates.lost(D("7.5"), D("10")) == D("2.5") and aggregates.lost(None, D("10")) is None
    assert aggregates.change(D("80.50"), D("78.25")) == D("2.25")
    assert aggregates.change(None, D("1")) is None and aggregates.change(D("1"), None) is None


def test_units_are_ranked_in_a_field_by_percent_of_the_applicable_maximum_not_by_raw_points():
    """Field I is worth 12; B had a 2-point sub-criterion not applicable (maximum 10). B scored
    fewer points than A (8.5 < 9) but a higher share of what applied to it (85% > 75%): by raw
    points A would come first, by percent B does."""
    rows = [
        ("A", "I", D("9"), D("12")),
        ("B", "I", D("8.5"), D("10")),
        ("C", "I", D("6"), D("12")),
        ("D", "I", None, D("0")),  # the whole field not applicable
        ("A", "II", D("5"), D("10")),
        ("B", "II", D("5"), D("10")),
        ("C", "II", D("4"), D("10")),
    ]
    a = {s.code: s for s in aggregates.field_standings(rows, "A", 2)}
    b = {s.code: s for s in aggregates.field_standings(rows, "B", 2)}
    assert [s.code for s in aggregates.field_standings(rows, "A", 2)] == ["I", "II"]
    assert (b["I"].rank, a["I"].rank) == (1, 2)  # raw points would give A 1, B 2
    assert (b["I"].percent, a["I"].percent) == (D("85.00"), D("75.00"))
    assert a["I"].of == 3  # D had nothing to rank in field I
    assert (a["II"].rank, b["II"].rank) == (1, 1)  # ties share the rank
    assert a["I"].mean == D("7.83")  # (9 + 8.5 + 6) / 3, points
    assert a["I"].mean_percent == D("70.00")  # (75 + 85 + 50) / 3, each of its own maximum
    d = aggregates.field_standings(rows, "D", 2)
    assert [(s.code, s.percent, s.rank, s.of) for s in d] == [("I", None, None, 3)]
