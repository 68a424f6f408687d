"""Lost points (điểm bị mất) and points at stake: where a unit fell short, and where effort pays.

``lost = applicable_max − score`` per applicable leaf (formats.md §4); the leaves' lost points
add up to the unit's total loss, which is what a remediation plan must recover. Pure: works
on a live ``UnitScore`` or on a published snapshot ``{code: (score | None, applicable_max)}``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .decimals import HUNDRED, ZERO, round_half_up, to_decimal
from .engine import UnitScore
from .model import Framework, Node


@dataclass(frozen=True, slots=True)
class Loss:
    """One applicable leaf below its maximum."""

    node: Node
    field: Node  # the top-level criterion (lĩnh vực) the leaf belongs to
    applicable_max: Decimal
    score: Decimal
    lost: Decimal

    @property
    def code(self) -> str:
        return self.node.code


@dataclass(frozen=True, slots=True)
class FieldLosses:
    """A field's lost leaves, most points lost first."""

    field: Node
    score: Decimal | None
    applicable_max: Decimal | None
    losses: tuple[Loss, ...]

    @property
    def lost(self) -> Decimal:
        return sum((loss.lost for loss in self.losses), ZERO)


def _field_of(framework: Framework, code: str) -> Node:
    return framework.node(list(framework.lineage(code))[-1])


def losses(framework: Framework, snapshot: Mapping[str, Sequence[object | None]]) -> list[Loss]:
    """The applicable leaves of a snapshot that lost points, in document order.

    ``snapshot`` maps codes to ``(score, applicable_max)`` as published (strings or decimals;
    a score of None means not applicable). Codes of the framework missing from the snapshot
    are skipped: a snapshot of another version of the set is compared on the codes they share.
    """
    quant = framework.plan.quant
    out = []
    for node in framework.nodes:
        if not node.is_leaf or node.code not in snapshot:
            continue
        raw_score, raw_max = snapshot[node.code]
        if raw_score is None:
            continue
        score, applicable_max = to_decimal(raw_score), to_decimal(raw_max)
        lost = round_half_up(applicable_max - score, quant)
        if lost > 0:
            out.append(Loss(node, _field_of(framework, node.code), applicable_max, score, lost))
    return out


def snapshot_of(unit_score: UnitScore) -> dict[str, tuple[Decimal | None, Decimal]]:
    """A live score in the published snapshot's shape."""
    return {ns.code: (ns.score if ns.applicable else None, ns.applicable_max) for ns in unit_score.nodes()}


def by_field(
    framework: Framework, items: Iterable[Loss], snapshot: Mapping[str, Sequence[object | None]] | None = None
) -> list[FieldLosses]:
    """Losses grouped by field in the framework's order, each field's most points lost first
    (document order among equal losses); fields that lost nothing are left out."""
    grouped: dict[str, list[Loss]] = {}
    for loss in items:
        grouped.setdefault(loss.field.code, []).append(loss)
    out = []
    for root in framework.roots:
        if root.code not in grouped:
            continue
        score = applicable_max = None
        if snapshot is not None and root.code in snapshot:
            raw_score, raw_max = snapshot[root.code]
            score = to_decimal(raw_score) if raw_score is not None else None
            applicable_max = to_decimal(raw_max)
        ordered = sorted(grouped[root.code], key=lambda loss: -loss.lost)  # stable: document order in ties
        out.append(FieldLosses(root, score, applicable_max, tuple(ordered)))
    return out


def total_lost(items: Iterable[Loss]) -> Decimal:
    return sum((loss.lost for loss in items), ZERO)


@dataclass(frozen=True, slots=True)
class Stake:
    """A leaf of the open cycle that can still gain points, with what recovering them gives."""

    node: Node
    applicable_max: Decimal
    score: Decimal  # the current (projected) score
    recoverable: Decimal  # applicable_max − score
    lost_before: Decimal | None  # points lost on the same code in the last published result
    percent_if_recovered: Decimal | None  # the unit's index if only this item reached its maximum

    @property
    def code(self) -> str:
        return self.node.code


def at_stake(current: UnitScore, lost_before: Mapping[str, Decimal] | None = None) -> list[Stake]:
    """The applicable leaves of the open cycle below their maximum, most recoverable points
    first (document order among equals), with the index each would give if recovered."""
    lost_before = lost_before or {}
    framework = current.framework
    quant = framework.plan.quant
    out = []
    for ns in current.nodes():
        if not ns.node.is_leaf or not ns.applicable:
            continue
        recoverable = round_half_up(ns.applicable_max - ns.score, quant)
        if recoverable <= 0:
            continue
        percent = (
            round_half_up((current.total + recoverable) * HUNDRED / current.applicable_max, quant)
            if current.applicable_max > 0
            else None
        )
        out.append(Stake(ns.node, ns.applicable_max, ns.score, recoverable, lost_before.get(ns.code), percent))
    out.sort(key=lambda stake: -stake.recoverable)
    return out
