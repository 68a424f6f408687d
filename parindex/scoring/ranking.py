"""Ranking units by score, and change of rank against an earlier ranking.

Standard competition ranking: equal scores share a rank and the next rank skips
(1, 2, 2, 4). Scores are compared exactly as published (rounded decimals).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal


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


def previous_rank[K: Hashable](
    key: K,
    previous: Mapping[K, int],
    predecessors: Mapping[K, Iterable[K]] | None = None,
) -> int | None:
    """The unit's rank in the earlier ranking.

    A unit present in the earlier ranking is compared with itself. A unit formed from
    others (the 2025 mergers) is compared with the best earlier rank among its
    predecessors; with no ranked predecessor there is nothing to compare with.
    """
    if key in previous:
        return previous[key]
    ranks = [previous[p] for p in (predecessors or {}).get(key, ()) if p in previous]
    return min(ranks) if ranks else None


def rank_change[K: Hashable](
    current: Mapping[K, int],
    previous: Mapping[K, int],
    predecessors: Mapping[K, Iterable[K]] | None = None,
) -> dict[K, int | None]:
    """Places moved up (positive) or down (negative) per unit; None when not comparable."""
    out: dict[K, int | None] = {}
    for key, now in current.items():
        before = previous_rank(key, previous, predecessors)
        out[key] = None if before is None else before - now
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
