"""Lost points and points at stake (scoring.analysis)."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex import scoring
from parindex.scoring import analysis

from ._helpers import D, build, leaf, parent, reference

SEED_001 = {
    "1.1.3": {"value": D("0.8")},
    "1.2": {"count": 3},
    "1.5.3": {"value": D(0)},
    "1.6": {"count": 1},
    "2.4.4": {"score": D("1.8")},
    "3.12": {"met": False},
    "3.13.1": {"numerator": 337, "denominator": 1000},
    "3.13.3": {"numerator": 83, "denominator": 15600},
    "7.7": {"value": D("0.9")},
}
FULL = {
    "binary": {"met": True},
    "proportional": {"value": D(1)},
    "tiered": {"value": D(1)},
    "count": {"count": 10},
    "deduction": {"count": 0},
    "timeliness": {"days_late": 0},
}


def full_marks(framework: scoring.Framework) -> dict[str, dict]:
    out = {}
    for node in framework.nodes:
        if node.is_leaf:
            out[node.code] = {"score": node.max} if node.rule.kind == "manual" else FULL[node.rule.kind]
    return out


def test_the_seed_001_losses_in_document_order_with_their_fields():
    framework = reference()
    result = scoring.score(framework, full_marks(framework) | SEED_001)
    losses = analysis.losses(framework, analysis.snapshot_of(result))
    table = [(x.code, x.applicable_max, x.score, x.lost, x.field.code) for x in losses]
    assert table == [
        ("1.1.3", D(2), D("1.60"), D("0.40"), "I"),
        ("1.2", D(4), D("2.50"), D("1.50"), "I"),
        ("1.5.3", D(1), D("0.00"), D("1.00"), "I"),
        ("1.6", D(2), D("1.00"), D("1.00"), "I"),
        ("2.4.4", D(2), D("1.80"), D("0.20"), "II"),
        ("3.12", D(1), D("0.00"), D("1.00"), "III"),
        ("3.13.1", D(1), D("0.34"), D("0.66"), "III"),
        ("3.13.3", D("0.5"), D("0.00"), D("0.50"), "III"),
        ("7.7", D(2), D("1.00"), D("1.00"), "VII"),
    ]
    assert analysis.total_lost(losses) == result.lost == D("7.26")


def test_by_field_orders_each_field_by_points_lost_and_keeps_document_order_in_ties():
    framework = reference()
    result = scoring.score(framework, full_marks(framework) | SEED_001)
    snapshot = analysis.snapshot_of(result)
    fields = analysis.by_field(framework, analysis.losses(framework, snapshot), snapshot)
    assert [f.field.code for f in fields] == ["I", "II", "III", "VII"]
    first = fields[0]
    assert [x.code for x in first.losses] == ["1.2", "1.5.3", "1.6", "1.1.3"]
    assert first.lost == D("3.90") and first.applicable_max - first.score == D("3.90")
    assert [x.code for x in fields[2].losses] == ["3.12", "3.13.1", "3.13.3"]


def test_a_published_snapshot_of_strings_reads_the_same_as_a_live_score():
    framework = reference()
    result = scoring.score(framework, full_marks(framework) | SEED_001)
    published = {
        code: [None if score is None else scoring.decimals.fixed(score), scoring.decimals.plain(maximum)]
        for code, (score, maximum) in analysis.snapshot_of(result).items()
    }
    assert analysis.losses(framework, published) == analysis.losses(framework, analysis.snapshot_of(result))


def test_non_applicable_leaves_and_codes_missing_from_the_snapshot_lose_nothing():
    framework = build(
        parent("1", leaf("1.1", 2, "binary"), leaf("1.2", 3, "binary"), leaf("1.3", 5, "binary")), max_total=10
    )
    result = scoring.score(framework, {"1.1": {"met": False}, "1.2": {"applicable": False}, "1.3": {"met": False}})
    snapshot = analysis.snapshot_of(result)
    del snapshot["1.3"]  # e.g. a snapshot of another version of the set
    assert [x.code for x in analysis.losses(framework, snapshot)] == ["1.1"]


def test_at_stake_orders_by_recoverable_points_and_gives_the_index_if_recovered():
    framework = reference()
    result = scoring.score(framework, full_marks(framework) | SEED_001)
    stakes = analysis.at_stake(result, {"1.1.3": D("0.40"), "9.9": D(1)})
    assert [s.code for s in stakes] == ["1.2", "1.5.3", "1.6", "3.12", "7.7", "3.13.1", "3.13.3", "1.1.3", "2.4.4"]
    first = stakes[0]
    assert first.recoverable == D("1.50") and first.percent_if_recovered == D("94.24")
    assert {s.code: s.lost_before for s in stakes}["1.1.3"] == D("0.40")
    assert sum(s.recoverable for s in stakes) == result.lost
    # The index if one item is recovered is the engine's score of the answers with that item at full marks.
    better = scoring.score(framework, full_marks(framework) | {k: v for k, v in SEED_001.items() if k != "1.2"})
    assert better.percent == first.percent_if_recovered


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=100), min_size=4, max_size=4))
def test_the_lost_points_always_add_up_to_the_unit_loss(percents):
    framework = build(
        parent("1", leaf("1.1", D("2.5"), "proportional"), leaf("1.2", 3, "proportional")),
        parent("2", leaf("2.1", D("1.5"), "proportional"), leaf("2.2", 3, "proportional")),
        max_total=10,
    )
    codes = ["1.1", "1.2", "2.1", "2.2"]
    result = scoring.score(framework, {c: {"value": Decimal(p) / 100} for c, p in zip(codes, percents, strict=True)})
    losses = analysis.losses(framework, analysis.snapshot_of(result))
    assert analysis.total_lost(losses) == result.lost
    assert all(x.lost > 0 for x in losses)
