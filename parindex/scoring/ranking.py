"""Ranking units by score, and change of rank against an earlier ranking.

Standard competition ranking: equal scores share a rank and the next rank skips
(1, 2, 2, 4). Scores are compared exactly as published (rounded decimals).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True, slots=True)
class Ranked[K: Hashable]:
    key: K
    value: Decimal
    rank: int
    of: int

    def __str__(self) -> str:
        return f"{self.rank}/{self.of}"


def rank[K: Hashable](entries: Iterable[tuple[K, Decimal]]) -> list[Ranked[K]]:
    """Rank (key, value) pairs, highest value first; ties share the better rank.

    Within a tie the input order is kept, so callers pass entries in their display order.
    """
    items = list(entries)
    ordered = sorted(enumerate(items), key=lambda item: (-item[1][1], item[0]))
    total = len(items)
    out: list[Ranked[K]] = []
    previous: Decimal | None = None
    current = 0
    for position, (_, (key, value)) in enumerate(ordered, start=1):
        if previous is None or value != previous:
            current = position
            previous = value
        out.append(Ranked(key, value, current, total))
    return out


# The tie-breaks a province may set for a ranking group (docs/ranking.md): none (equal indexes
# share a rank) or the higher total of points earned.
TIE_SHARE, TIE_TOTAL = "", "total"
TIE_BREAKS = {
    TIE_SHARE: "Bằng chỉ số thì đồng hạng",
    TIE_TOTAL: "Bằng chỉ số thì đơn vị có tổng điểm đạt cao hơn xếp trên",
}


def rank_by_index[K: Hashable](
    entries: Iterable[tuple[K, Decimal | None, Decimal]], tie_break: str = TIE_SHARE
) -> list[Ranked[K]]:
    """The published ranking rule (docs/ranking.md): units ordered by their **index**, the
    percent of the maximum that applies to them (not their raw total, which is smaller for a
    unit with sub-criteria that do not apply), highest first; equal indexes share the better
    rank and the next rank skips, unless the group's ``tie_break`` is ``TIE_TOTAL``: then the
    higher total comes first, and only equal index and total share a rank.

    ``entries``: (key, percent, total) in display order; a unit with no applicable maximum has
    no index and counts as 0. ``Ranked.value`` is the index."""
    if tie_break not in TIE_BREAKS:
        raise ValueError(f"unknown tie-break {tie_break!r}")
    items = [(key, percent if percent is not None else Decimal(0), total) for key, percent, total in entries]

    def compared(item: tuple[K, Decimal, Decimal]) -> tuple[Decimal, ...]:
        return (item[1], item[2]) if tie_break == TIE_TOTAL else (item[1],)

    ordered = sorted(enumerate(items), key=lambda pair: tuple(-v for v in compared(pair[1])) + (pair[0],))
    out: list[Ranked[K]] = []
    previous: tuple[Decimal, ...] | None = None
    current = 0
    for position, (_, item) in enumerate(ordered, start=1):
        value = compared(item)
        if value != previous:
            current, previous = position, value
        out.append(Ranked(item[0], item[1], current, len(items)))
    return out


@dataclass(frozen=True, slots=True)
class Standing[K: Hashable]:
    """Where a unit stood in the earlier cycle, measured in this cycle's frame.

    ``value`` is the earlier index (percent) used; ``rank`` and ``of`` place it among the
    units of this ranking that have an earlier value; ``sources`` are the earlier units it
    comes from: the unit itself, or the units merged into it.
    """

    value: Decimal
    rank: int
    of: int
    sources: tuple[K, ...]

    @property
    def merged(self) -> bool:
        return len(self.sources) > 1


def previous_standing[K: Hashable](
    keys: Iterable[K],
    previous: Mapping[K, Decimal],
    predecessors: Mapping[K, Iterable[K]] | None = None,
    places: int = 2,
) -> dict[K, Standing[K] | None]:
    """The earlier standing of each unit of this ranking (None: nothing to compare with).

    The rule (documented in docs/ranking.md):

    1. A unit ranked in the earlier cycle takes its own earlier index.
    2. A unit formed from others (the 2025 mergers) takes the mean of its predecessors'
       earlier indexes, rounded half up to ``places`` decimals; predecessors that were not
       ranked are left out.
    3. The units with an earlier index are ranked among themselves with the same
       competition ranking as this year, so both ranks are places in the same group and
       "tăng N bậc" compares like with like. When neither the units nor the group changed,
       this gives back exactly the ranks published the year before.
    """
    keys = list(keys)
    quantum = Decimal(1).scaleb(-places)
    values: dict[K, tuple[Decimal, tuple[K, ...]]] = {}
    for key in keys:
        if key in previous:
            values[key] = (previous[key], (key,))
            continue
        sources = tuple(dict.fromkeys(p for p in (predecessors or {}).get(key, ()) if p in previous))
        if sources:
            mean = sum((previous[p] for p in sources), Decimal(0)) / len(sources)
            values[key] = (mean.quantize(quantum, rounding=ROUND_HALF_UP), sources)
    ranked = {r.key: r for r in rank((k, values[k][0]) for k in keys if k in values)}
    return {
        key: Standing(values[key][0], ranked[key].rank, ranked[key].of, values[key][1]) if key in ranked else None
        for key in keys
    }


def rank_change[K: Hashable](current: Mapping[K, int], previous: Mapping[K, Standing[K] | None]) -> dict[K, int | None]:
    """Places moved up (positive) or down (negative) per unit; None when not comparable."""
    out: dict[K, int | None] = {}
    for key, now in current.items():
        before = previous.get(key)
        out[key] = None if before is None else before.rank - now
    return out


def describe_change(delta: int | None) -> str:
    """'tăng 10 bậc', 'giảm 2 bậc', 'giữ nguyên', or 'chưa có so sánh'."""
    if delta is None:
        return "chưa có so sánh"
    if delta > 0:
        return f"tăng {delta} bậc"
    if delta < 0:
        return f"giảm {-delta} bậc"
    return "giữ nguyên"
