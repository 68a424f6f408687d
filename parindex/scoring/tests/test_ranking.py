"""Standard competition ranking (1, 2, 2, 4) and change of rank against an earlier year."""

from __future__ import annotations

import pytest

from parindex.scoring import Ranked, describe_change, rank, rank_change
from parindex.scoring.tests._helpers import D


def ranks(entries) -> list[tuple[str, int]]:
    return [(r.key, r.rank) for r in rank(entries)]


def test_it_shares_a_rank_on_ties_and_skips_the_next():
    entries = [("a", D("90.1")), ("b", D("85")), ("c", D("85.00")), ("d", D("70"))]
    assert ranks(entries) == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def test_it_orders_highest_first_whatever_the_input_order():
    entries = [("low", D("10")), ("top", D("99.5")), ("mid", D("50"))]
    assert ranks(entries) == [("top", 1), ("mid", 2), ("low", 3)]


def test_it_compares_published_decimals_exactly():
    assert ranks([("a", D("80.01")), ("b", D("80.00")), ("c", D("80"))]) == [("a", 1), ("b", 2), ("c", 2)]


def test_it_ranks_all_equal_values_first():
    entries = [(k, D("75.5")) for k in "xyzw"]
    assert ranks(entries) == [("x", 1), ("y", 1), ("z", 1), ("w", 1)]


def test_it_ranks_nothing_as_an_empty_list():
    assert rank([]) == []


def test_it_ranks_a_single_unit_first_of_one():
    assert rank([("19345", D("90.74"))]) == [Ranked("19345", D("90.74"), 1, 1)]


def test_it_keeps_the_input_order_within_a_tie():
    entries = [("a", D(1)), ("z", D(5)), ("m", D(5)), ("b", D(5)), ("y", D(9))]
    assert ranks(entries) == [("y", 1), ("z", 2), ("m", 2), ("b", 2), ("a", 5)]


def test_it_counts_every_entry_in_of():
    ranked = rank(iter([("a", D(3)), ("b", D(2)), ("c", D(2))]))
    assert [r.of for r in ranked] == [3, 3, 3]
    assert [str(r) for r in ranked] == ["1/3", "2/3", "2/3"]


def test_it_keeps_the_value_on_each_entry():
    assert [r.value for r in rank([("a", D("1.5")), ("b", D("2.5"))])] == [D("2.5"), D("1.5")]


def test_it_ranks_any_hashable_key():
    assert [r.key for r in rank([((1, "x"), D(1)), ((2, "y"), D(2))])] == [(2, "y"), (1, "x")]


# -- change of rank -----------------------------------------------------------------------


def test_it_measures_places_moved_up_down_or_same():
    current = {"a": 1, "b": 5, "c": 3}
    previous = {"a": 11, "b": 3, "c": 3}
    assert rank_change(current, previous) == {"a": 10, "b": -2, "c": 0}


def test_it_has_no_change_for_a_unit_not_ranked_before():
    assert rank_change({"new": 4, "old": 2}, {"old": 2}) == {"new": None, "old": 0}


def test_it_compares_a_merged_unit_with_its_best_predecessor():
    previous = {"p1": 40, "p2": 12, "p3": 25}
    change = rank_change({"merged": 20}, previous, {"merged": ["p1", "p2", "p3"]})
    assert change == {"merged": -8}  # best predecessor was 12th


def test_it_ignores_unranked_predecessors():
    change = rank_change({"merged": 20, "other": 3}, {"p1": 30}, {"merged": ["gone", "p1"], "other": ["gone"]})
    assert change == {"merged": 10, "other": None}


def test_it_prefers_the_unit_itself_over_its_predecessors():
    change = rank_change({"kept": 5}, {"kept": 7, "p": 1}, {"kept": ["p"]})
    assert change == {"kept": 2}


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        pytest.param(10, "tăng 10 bậc", id="up"),
        pytest.param(1, "tăng 1 bậc", id="up-one"),
        pytest.param(-2, "giảm 2 bậc", id="down"),
        pytest.param(0, "giữ nguyên", id="same"),
        pytest.param(None, "chưa có so sánh", id="not-comparable"),
    ],
)
def test_it_describes_a_change_in_words(delta, text):
    assert describe_change(delta) == text
