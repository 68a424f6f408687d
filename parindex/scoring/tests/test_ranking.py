"""Standard competition ranking (1, 2, 2, 4) and change of rank against an earlier year."""

from __future__ import annotations

import pytest

from parindex.scoring import Ranked, describe_change, previous_standing, rank, rank_change
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


def _change(current_values, previous_values, predecessors=None):
    ranked = {r.key: r.rank for r in rank(current_values.items())}
    return rank_change(ranked, previous_standing(list(current_values), previous_values, predecessors))


def test_it_measures_places_moved_up_down_or_same():
    # a was 11th of 11, b and c tied 3rd; this year a leads, c is 2nd and b 3rd.
    previous = {"a": D(50), "b": D(80), "c": D(80), **{f"x{i}": D(90 + i) for i in range(2)}}
    previous |= {f"y{i}": D(60 + i) for i in range(6)}
    current = {"a": D(99), "b": D(70), "c": D(85)} | {k: D(0) for k in previous if k[0] in "xy"}
    change = _change(current, previous)
    assert (change["a"], change["b"], change["c"]) == (10, 0, 1)


def test_it_gives_back_last_years_published_ranks_when_the_group_is_unchanged():
    previous = {"a": D("92.59"), "b": D("85.65"), "c": D("85.65"), "d": D("70")}
    standing = previous_standing(["a", "b", "c", "d"], previous)
    assert [standing[k].rank for k in "abcd"] == [1, 2, 2, 4]
    assert {s.of for s in standing.values()} == {4}


def test_it_has_no_change_for_a_unit_not_ranked_before():
    assert _change({"new": D(50), "old": D(60)}, {"old": D(70)}) == {"new": None, "old": 0}


def test_a_merged_unit_takes_the_mean_of_its_predecessors():
    previous = {"p1": D("90.00"), "p2": D("80.01"), "other": D("86")}
    standing = previous_standing(["merged", "other"], previous, {"merged": ["p1", "p2"]})
    assert standing["merged"].value == D("85.01")  # (90 + 80.01) / 2 = 85.005, half up
    assert standing["merged"].sources == ("p1", "p2") and standing["merged"].merged
    assert (standing["other"].rank, standing["merged"].rank) == (1, 2)
    change = _change({"merged": D(95), "other": D(80)}, previous, {"merged": ["p1", "p2"]})
    assert change == {"merged": 1, "other": -1}


def test_it_ignores_unranked_predecessors():
    standing = previous_standing(["merged", "other"], {"p1": D(30)}, {"merged": ["gone", "p1"], "other": ["gone"]})
    assert standing["merged"].value == D(30) and standing["merged"].sources == ("p1",)
    assert standing["other"] is None


def test_it_prefers_the_unit_itself_over_its_predecessors():
    standing = previous_standing(["kept"], {"kept": D(7), "p": D(99)}, {"kept": ["p"]})
    assert standing["kept"].value == D(7) and standing["kept"].sources == ("kept",)


def test_predecessors_listed_twice_count_once():
    standing = previous_standing(["m"], {"p": D(10), "q": D(20)}, {"m": ["p", "p", "q"]})
    assert standing["m"].value == D(15)


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


def test_units_are_ranked_by_index_not_by_raw_total_when_an_item_does_not_apply(reference_spec):
    """Unit A loses nothing but one sub-criterion does not apply to it: its total is lower
    than B's, which lost a point everywhere it applies, but its index (100 %) is higher."""
    from parindex import scoring
    from parindex.scoring import rank_by_index

    spec = reference_spec
    everything = {n.code: _full(n) for n in spec.leaves}
    big = max(spec.leaves, key=lambda n: (n.max, n.code))
    a = scoring.score(spec, {**everything, big.code: {"applicable": False}})
    small = min((n for n in spec.leaves if n.code != big.code), key=lambda n: (n.max, n.code))
    b = scoring.score(spec, {**everything, small.code: _losing(small)})
    assert a.total < b.total and a.percent > b.percent  # the orders differ
    ranked = {r.key: r.rank for r in rank_by_index([("B", b.percent, b.total), ("A", a.percent, a.total)])}
    assert ranked == {"A": 1, "B": 2}


def _full(node):
    """Inputs that earn ``node``'s whole maximum, whatever its rule."""
    return {
        "binary": {"met": True},
        "proportional": {"value": "1"},
        "tiered": {"value": "1"},
        "count": {"count": 99},
        "deduction": {"count": 0},
        "timeliness": {"days_late": 0},
        "manual": {"score": str(node.max)},
    }[node.rule.kind]


def _losing(node):
    """Inputs that lose ``node``'s points entirely, whatever its rule."""
    return {
        "binary": {"met": False},
        "proportional": {"value": "0"},
        "tiered": {"value": "0"},
        "count": {"count": 0},
        "deduction": {"count": 99},
        "timeliness": {"days_late": 99},
        "manual": {"score": "0"},
    }[node.rule.kind]


GROUP = [("A", D("90.00"), D("80")), ("B", D("90.00"), D("85")), ("C", D("80"), D("90")), ("D", D("90"), D("85"))]


def test_equal_indexes_share_a_rank_even_when_totals_differ():
    from parindex.scoring import rank_by_index

    assert [(r.key, r.rank) for r in rank_by_index(GROUP)] == [("A", 1), ("B", 1), ("D", 1), ("C", 4)]


def test_the_total_tie_break_orders_equal_indexes_by_points_and_shares_only_full_ties():
    from parindex.scoring import TIE_TOTAL, rank_by_index

    assert [(r.key, r.rank) for r in rank_by_index(GROUP, TIE_TOTAL)] == [("B", 1), ("D", 1), ("A", 3), ("C", 4)]


def test_an_unknown_tie_break_is_refused():
    from parindex.scoring import rank_by_index

    with pytest.raises(ValueError):
        rank_by_index(GROUP, "lottery")


def test_a_unit_without_an_index_ranks_last():
    from parindex.scoring import rank_by_index

    assert [(r.key, r.rank) for r in rank_by_index([("A", None, D("0")), ("B", D("10"), D("1"))])] == [
        ("B", 1), ("A", 2),
    ]  # fmt: skip
