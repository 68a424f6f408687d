"""Where a figure stands against its target: met, below target, or no data yet.

Pure Python (no Django): the services, the selectors and the import all judge figures here,
with exact decimals. A ratio is judged on its numerator and denominator, never on a rounded
quotient, so 96 of 100 dossiers on time meets a 0.96 target and 959,999 of 1,000,000 does not.

Kinds of indicator:

- ``ratio``: numerator ÷ denominator (on-time dossiers ÷ dossiers resolved). The target is a
  fraction (0.96). A month with a denominator of 0 had nothing to count: no data, not 0 %.
  Over a year the ratio is the sum of numerators ÷ the sum of denominators.
- ``count``: a number of things (initiatives, inspections). The target is per period of the
  indicator (per month for a monthly indicator); over a year the total is compared with the
  target times the number of periods in a year.
- ``value``: a figure that is not a count (an average, an index). The target applies to each
  figure; over a year the mean of the recorded figures is compared with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

RATIO, COUNT, VALUE = "ratio", "count", "value"
AT_LEAST, AT_MOST = "at_least", "at_most"
MONTHLY, QUARTERLY, YEARLY = "monthly", "quarterly", "yearly"
PERIODS_PER_YEAR = {MONTHLY: 12, QUARTERLY: 4, YEARLY: 1}

# Stored precision: numerators and denominators as entered (counts, occasionally with decimals),
# values (ratios as fractions) with more decimals than any display needs.
NUMBER_DIGITS, NUMBER_PLACES = 18, 4
VALUE_DIGITS, VALUE_PLACES = 22, 8
VALUE_QUANTUM = Decimal(1).scaleb(-VALUE_PLACES)


class TargetStatus(StrEnum):
    MET = "met"
    BELOW = "below"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    TargetStatus.MET: "Đạt chỉ tiêu",
    TargetStatus.BELOW: "Chưa đạt chỉ tiêu",
    TargetStatus.NO_DATA: "Chưa có số liệu",
}


def figure_value(kind: str, numerator: Decimal, denominator: Decimal | None) -> Decimal | None:
    """What a month's figure is worth: the ratio as a fraction rounded half up to 8 decimals
    (None when the denominator is 0 or missing), or the numerator itself for counts and values."""
    if kind != RATIO:
        return numerator
    if not denominator:
        return None
    return (numerator / denominator).quantize(VALUE_QUANTUM, rounding=ROUND_HALF_UP)


def target_status(
    *, kind: str, direction: str, target: Decimal, numerator: Decimal | None, denominator: Decimal | None
) -> TargetStatus:
    """Met, below or no data, compared exactly (a ratio as numerator against target × denominator)."""
    if numerator is None:
        return TargetStatus.NO_DATA
    if kind == RATIO:
        if not denominator:
            return TargetStatus.NO_DATA
        figure, bar = numerator, target * denominator
    else:
        figure, bar = numerator, target
    met = figure >= bar if direction == AT_LEAST else figure <= bar
    return TargetStatus.MET if met else TargetStatus.BELOW


@dataclass(frozen=True, slots=True)
class YearFigure:
    """A unit's figures for one indicator over the months recorded so far in a year."""

    unit_id: int
    numerator: Decimal  # sum of the months' numerators
    denominator: Decimal | None  # sum of the months' denominators (ratios only)
    months: int  # months with a recorded figure
    value: Decimal | None  # the year's ratio, total or mean (see the module docstring)
    target: Decimal  # the target the year is judged against
    status: TargetStatus


def year_figure(
    *,
    unit_id: int,
    kind: str,
    direction: str,
    period: str,
    target: Decimal,
    numerator: Decimal | None,
    denominator: Decimal | None,
    months: int,
) -> YearFigure:
    """Judge a year's sums (as SQL aggregated them) against the indicator's target."""
    numerator = numerator if numerator is not None else Decimal(0)
    # Every kind is judged as a sum against a bar, exactly: a ratio's numerators against
    # target × denominators, a count's total against target × periods, a mean against
    # target × months.
    if kind == RATIO:
        denominator = denominator if denominator is not None else Decimal(0)
        value, year_target, bar = figure_value(kind, numerator, denominator), target, target * denominator
    elif kind == COUNT:
        denominator, value = None, numerator
        year_target = bar = target * PERIODS_PER_YEAR[period]
    else:
        denominator, year_target, bar = None, target, target * months
        value = (numerator / months).quantize(VALUE_QUANTUM, rounding=ROUND_HALF_UP) if months else None
    if not months or (kind == RATIO and not denominator):
        status = TargetStatus.NO_DATA
    else:
        status = target_status(kind=COUNT, direction=direction, target=bar, numerator=numerator, denominator=None)
    return YearFigure(
        unit_id=unit_id,
        numerator=numerator,
        denominator=denominator,
        months=months,
        value=value,
        target=year_target,
        status=status,
    )
