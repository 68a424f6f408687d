"""Sums, means, percentages and orderings of scores that pages, reports and documents show.

The engine scores one unit; these put published or live scores side by side: the points a
merged commune lost on average over the communes it was formed from, a field's score as a
percent of its applicable maximum, the units ordered within a field by that percent. Pure,
exact decimals; every rounding is half up (formats.md), to the places the caller gives
(the framework's decimals for scores and indexes).

``parindex/scoring/tests/test_no_scores_elsewhere.py`` keeps such arithmetic out of the apps.
"""

from __future__ import annotations

import functools
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .decimals import HUNDRED, ZERO, quantizer, round_half_up, to_decimal
from .ranking import rank


def total(values: Iterable[Decimal | int]) -> Decimal:
    """The sum of some scores (points, maxima, lost points); 0 for none."""
    return sum((to_decimal(v) for v in values), ZERO)


def mean(values: Iterable[Decimal | int], places: int) -> Decimal | None:
    """The mean of ``values`` rounded half up to ``places`` decimals; None for no value."""
    values = [to_decimal(v) for v in values]
    if not values:
        return None
    return round_half_up(sum(values, ZERO) / len(values), quantizer(places))


def median(values: Iterable[Decimal | int], places: int) -> Decimal | None:
    """The median of ``values`` (the mean of the two middle ones for an even count) rounded half
    up to ``places`` decimals; None for no value (a province's median of its communes' weekly
    external index totals)."""
    ordered = sorted(to_decimal(v) for v in values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    value = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return round_half_up(value, quantizer(places))


def mean_ratio(pairs: Iterable[tuple[Decimal | int, Decimal | int]], places: int) -> Decimal | None:
    """The mean of ``part / whole`` over ``pairs`` (each clamped to [0, 1]), rounded half up to
    ``places`` decimals; pairs whose whole is 0 are left out; None when none is left. An external
    index's weeks as the ratio a sub-criterion reads: each week's points over that week's maximum,
    so weeks scored under versions with different maxima are comparable."""
    ratios = []
    for part, whole in pairs:
        value = ratio(part, whole)
        if value is not None:
            ratios.append(min(max(value, ZERO), Decimal(1)))
    return mean(ratios, places)


def ratio(part: Decimal | int, whole: Decimal | int) -> Decimal | None:
    """``part / whole`` exactly (a proportion a rule kind reads, e.g. actions done on time over
    all actions); None when ``whole`` is 0."""
    whole = to_decimal(whole)
    return to_decimal(part) / whole if whole else None


def _exact(value: Decimal | int) -> Decimal:
    """``to_decimal``, with a finite Decimal (what the database and the engine hand over) taken as
    it is: the heatmap asks for a share per cell, and checking each one cost more than the sum."""
    if type(value) is Decimal and value.is_finite():
        return value
    return to_decimal(value)


def percent_of(part: Decimal | int | None, whole: Decimal | int | None, places: int) -> Decimal | None:
    """``part`` as a percent of ``whole`` rounded half up to ``places`` decimals (a score of its
    applicable maximum, units of all units); None when either is missing or ``whole`` is 0."""
    if part is None or whole is None:
        return None
    whole = _exact(whole)
    if not whole:
        return None
    return round_half_up(_exact(part) * HUNDRED / whole, _quantum(places))


@functools.cache
def _quantum(places: int) -> Decimal:
    return quantizer(places)


def change(current: Decimal | None, previous: Decimal | None) -> Decimal | None:
    """How far a score or index moved (current − previous); None when either is missing."""
    if current is None or previous is None:
        return None
    return current - previous


def lost(score: Decimal | int | None, applicable_max: Decimal | int) -> Decimal | None:
    """The points lost (applicable_max − score, formats.md §4); None when not applicable."""
    if score is None:
        return None
    return to_decimal(applicable_max) - to_decimal(score)


def lost_points(entry: Sequence[object | None] | None) -> Decimal | None:
    """The points lost in a published ``(score, applicable_max)`` pair; None when the code is
    missing or was not applicable."""
    if not entry:
        return None
    return lost(None if entry[0] is None else to_decimal(entry[0]), to_decimal(entry[1]))


@dataclass(frozen=True, slots=True)
class FieldStanding:
    """One unit's score in one field (top-level criterion) against the other units of a group."""

    code: str
    score: Decimal | None
    applicable_max: Decimal
    percent: Decimal | None  # of the unit's applicable maximum in the field
    rank: int | None  # among the units of the group with a percent, by percent (1, 2, 2, 4)
    of: int  # how many units of the group were ranked in the field
    mean: Decimal | None  # the group's mean score in the field (points)
    mean_percent: Decimal | None  # the group's mean percent in the field


def field_standings[K: Hashable](
    rows: Iterable[tuple[K, str, Decimal | None, Decimal]], unit: K, places: int
) -> list[FieldStanding]:
    """``unit``'s standing in every field it has a row for, from the rows of every unit of the
    group: ``(unit, field code, score or None when not applicable, applicable maximum)``.

    Units are ranked within a field by their **percent of the applicable maximum**, not by raw
    points: a unit with a sub-criterion not applicable has a smaller maximum, and its raw score
    is not comparable (the same reason the index, not the total, ranks the units). Equal
    percents share a rank. The unit's fields come in the order of its rows.
    """
    by_field: dict[str, list[tuple[K, Decimal | None, Decimal]]] = {}
    for key, code, score, applicable_max in rows:
        by_field.setdefault(code, []).append((key, score, to_decimal(applicable_max)))
    out = []
    for code, entries in by_field.items():
        mine = next((e for e in entries if e[0] == unit), None)
        if mine is None:
            continue
        percents = {k: percent_of(s, m, places) for k, s, m in entries}
        ranked = {r.key: r.rank for r in rank((k, p) for k, p in percents.items() if p is not None)}
        out.append(
            FieldStanding(
                code=code,
                score=mine[1],
                applicable_max=mine[2],
                percent=percents[unit],
                rank=ranked.get(unit),
                of=len(ranked),
                mean=mean((s for _, s, _ in entries if s is not None), places),
                mean_percent=mean((p for p in percents.values() if p is not None), places),
            )
        )
    return out


def divergence(
    self_percent: Decimal | int | None, survey_rate: Decimal | int | None, threshold: Decimal | int
) -> Decimal | None:
    """How many percentage points a unit's self-assessed field score (a percent of the field's
    applicable maximum) stands above a survey's satisfaction rate (a percent), when that gap is
    more than ``threshold`` points: the self-assessment is high while the people surveyed are
    less satisfied. None when the gap is ``threshold`` or less, or either figure is missing."""
    if self_percent is None or survey_rate is None:
        return None
    gap = to_decimal(self_percent) - to_decimal(survey_rate)
    return gap if gap > to_decimal(threshold) else None
