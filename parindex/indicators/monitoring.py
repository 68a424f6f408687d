"""Following indicators through the year: one unit's months against target, and a province's
communes against target on every indicator.

Reads only, in a fixed number of queries whatever the number of indicators, months or
communes: the followed indicators, the province's own targets of the year, then the figures
(a unit's months as rows; a province's as sums grouped by unit and indicator). Every figure
is judged exactly in Python by ``status`` (SQLite keeps decimals as doubles, so a target
comparison written in SQL could misjudge a unit sitting exactly on its target).

- ``unit_trends``: for one unit and year, each indicator's months (the month's figure, the
  year-to-date figure, the status of each) and the year so far: 3 queries.
- ``province_matrix``: for a province and year, each commune's year-to-date figure and status
  on each indicator, with the count met / below / without data per indicator: 4 queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Sum

from parindex.core.numbers import vn_grouped, vn_score
from parindex.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from parindex.indicators.status import (
    COUNT,
    NUMBER_DIGITS,
    NUMBER_PLACES,
    PERIODS_PER_YEAR,
    RATIO,
    TargetStatus,
    YearFigure,
    target_status,
    year_figure,
)
from parindex.scoring.decimals import round_half_up
from parindex.units.models import AdministrativeUnit

Level = AdministrativeUnit.Level
_SUMS = DecimalField(max_digits=NUMBER_DIGITS + 4, decimal_places=NUMBER_PLACES)


def followed() -> list[Indicator]:
    """The indicators followed now, by code (one query)."""
    return list(Indicator.objects.filter(active=True).order_by("code"))


def own_targets(indicators: Sequence[Indicator], province_id: int | None, year: int) -> dict[int, Decimal]:
    """Indicator id -> the province's own target for the year, for those it set (one query)."""
    if province_id is None or not indicators:
        return {}
    rows = IndicatorTarget.objects.filter(
        province_id=province_id, year=year, indicator_id__in=[i.pk for i in indicators]
    ).values_list("indicator_id", "target")
    return dict(rows)


def year_targets(indicators: Sequence[Indicator], province_id: int | None, year: int) -> dict[int, Decimal]:
    """Indicator id -> the target the year is judged against: the province's own for the year
    if it set one, else the indicator's default (one query)."""
    return {i.pk: i.target for i in indicators} | own_targets(indicators, province_id, year)


def last_month(year: int, today: dt.date) -> int:
    """The last month of ``year`` that can have a figure by ``today`` (0 for a future year)."""
    if year < today.year:
        return 12
    return today.month if year == today.year else 0


def shown_value(indicator: Indicator, value: Decimal | None) -> Decimal | None:
    """A figure as people read it: a ratio in percent, anything else as it is."""
    if value is None:
        return None
    return value * 100 if indicator.kind == RATIO else value


def figure_text(indicator: Indicator, value: Decimal | None) -> str:
    """A figure written the Vietnamese way: "96,50%", "12 sáng kiến", "–" for none."""
    if value is None:
        return "–"
    if indicator.kind == RATIO:
        shown = round_half_up(value * 100, Decimal("0.01"))
        return vn_score(shown) + "%"
    text = vn_grouped(round_half_up(value, Decimal("0.01")))
    return f"{text} {indicator.unit_label}" if indicator.unit_label else text


# -- one unit --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    month: int
    value: IndicatorValue | None  # the month's figure as recorded
    status: TargetStatus  # the month's figure against the target
    to_date: YearFigure  # the year so far, up to and including this month
    indicator: Indicator

    @property
    def text(self) -> str:
        return figure_text(self.indicator, self.value.value if self.value else None)

    @property
    def to_date_text(self) -> str:
        return figure_text(self.indicator, self.to_date.value if self.to_date.months else None)


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    target: Decimal  # the target a month is judged against
    months: list[Month]  # January up to the last month that can have a figure
    year: YearFigure  # the year so far

    @property
    def target_text(self) -> str:
        return figure_text(self.indicator, self.year.target)

    @property
    def year_text(self) -> str:
        return figure_text(self.indicator, self.year.value if self.year.months else None)

    @property
    def recorded(self) -> int:
        return sum(1 for m in self.months if m.value is not None)

    @property
    def months_below(self) -> int:
        return sum(1 for m in self.months if m.status == TargetStatus.BELOW)


def unit_trends(unit: AdministrativeUnit, year: int, today: dt.date) -> list[Trend]:
    """Each followed indicator's months of ``year`` for ``unit`` against target (3 queries)."""
    indicators = followed()
    targets = year_targets(indicators, unit.province_id, year)
    values: dict[int, dict[int, IndicatorValue]] = {}
    rows = IndicatorValue.objects.filter(unit=unit, year=year, indicator__in=indicators).order_by("month")
    for value in rows:
        values.setdefault(value.indicator_id, {})[value.month] = value
    months = range(1, last_month(year, today) + 1)
    out = []
    for indicator in indicators:
        target, recorded = targets[indicator.pk], values.get(indicator.pk, {})
        numerator, denominator, count = Decimal(0), Decimal(0), 0
        trend = []
        for month in months:
            value = recorded.get(month)
            if value is not None:
                numerator += value.numerator
                denominator += value.denominator or 0
                count += 1
            status = target_status(
                kind=indicator.kind,
                direction=indicator.direction,
                target=target,
                numerator=value.numerator if value else None,
                denominator=value.denominator if value else None,
            )
            to_date = _figure(indicator, unit.pk, target, numerator, denominator, count)
            trend.append(Month(month=month, value=value, status=status, to_date=to_date, indicator=indicator))
        # Figures entered for months past the last one shown (none should exist) still count.
        for month, value in recorded.items():
            if month not in months:
                numerator += value.numerator
                denominator += value.denominator or 0
                count += 1
        out.append(
            Trend(
                indicator=indicator,
                target=target,
                months=trend,
                year=_figure(indicator, unit.pk, target, numerator, denominator, count),
            )
        )
    return out


def _figure(
    indicator: Indicator,
    unit_id: int,
    target: Decimal,
    numerator: Decimal | None,
    denominator: Decimal | None,
    months: int,
) -> YearFigure:
    return year_figure(
        unit_id=unit_id,
        kind=indicator.kind,
        direction=indicator.direction,
        period=indicator.period,
        target=target,
        numerator=numerator,
        denominator=denominator if indicator.kind == RATIO else None,
        months=months,
    )


def unit_years(unit: AdministrativeUnit, today: dt.date) -> list[int]:
    """The years a unit has figures for, and this year, newest first (one query)."""
    years = set(IndicatorValue.objects.filter(unit=unit).values_list("year", flat=True).distinct().order_by())
    return sorted(years | {today.year}, reverse=True)


# -- a province ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    indicator: Indicator
    figure: YearFigure

    @property
    def status(self) -> TargetStatus:
        return self.figure.status

    @property
    def text(self) -> str:
        return figure_text(self.indicator, self.figure.value if self.figure.months else None)


@dataclass(frozen=True)
class CommuneRow:
    unit: AdministrativeUnit
    figures: list[Cell]  # in the order of the matrix's indicators

    @property
    def below(self) -> int:
        return sum(1 for f in self.figures if f.status == TargetStatus.BELOW)

    @property
    def no_data(self) -> int:
        return sum(1 for f in self.figures if f.status == TargetStatus.NO_DATA)


@dataclass(frozen=True)
class IndicatorSummary:
    indicator: Indicator
    target: Decimal  # the year's: a count's target per period times the periods of a year
    met: int
    below: int
    no_data: int

    @property
    def target_text(self) -> str:
        return figure_text(self.indicator, self.target)


@dataclass(frozen=True)
class Matrix:
    year: int
    indicators: list[Indicator]
    summaries: list[IndicatorSummary]
    rows: list[CommuneRow]  # every commune, by code

    @property
    def communes_below(self) -> list[CommuneRow]:
        """The communes below target on at least one indicator, most indicators missed first."""
        return sorted((r for r in self.rows if r.below), key=lambda r: (-r.below, r.unit.code))


def province_matrix(province: AdministrativeUnit, year: int) -> Matrix:
    """Every current commune of ``province`` against every followed indicator's target for the
    year so far (4 queries: indicators, targets, communes, sums grouped by unit and indicator)."""
    indicators = followed()
    targets = year_targets(indicators, province.pk, year)
    units = list(
        AdministrativeUnit.objects.filter(
            province=province, level=Level.COMMUNE, era=AdministrativeUnit.Era.CURRENT
        ).order_by("code")
    )
    sums = (
        IndicatorValue.objects.filter(
            year=year,
            indicator__in=indicators,
            unit__province=province,
            unit__level=Level.COMMUNE,
            unit__era=AdministrativeUnit.Era.CURRENT,
        )
        .values("unit_id", "indicator_id")
        .annotate(
            numerator_sum=Sum("numerator", output_field=_SUMS),
            denominator_sum=Sum("denominator", output_field=_SUMS),
            months=Count("id"),
        )
        .order_by()
    )
    by_key = {(s["unit_id"], s["indicator_id"]): s for s in sums}
    rows = []
    for unit in units:
        figures = []
        for indicator in indicators:
            s = by_key.get((unit.pk, indicator.pk))
            figure = _figure(
                indicator,
                unit.pk,
                targets[indicator.pk],
                s["numerator_sum"] if s else None,
                s["denominator_sum"] if s else None,
                s["months"] if s else 0,
            )
            figures.append(Cell(indicator=indicator, figure=figure))
        rows.append(CommuneRow(unit=unit, figures=figures))
    summaries = [
        IndicatorSummary(
            indicator=indicator,
            target=_year_target(indicator, targets[indicator.pk]),
            **_counts(row.figures[i].status for row in rows),
        )
        for i, indicator in enumerate(indicators)
    ]
    return Matrix(year=year, indicators=indicators, summaries=summaries, rows=rows)


def _year_target(indicator: Indicator, target: Decimal) -> Decimal:
    """The bar a year's figure is judged against: a count's target is per period."""
    return target * PERIODS_PER_YEAR[indicator.period] if indicator.kind == COUNT else target


def _counts(statuses: Iterable[TargetStatus]) -> dict[str, int]:
    out = {"met": 0, "below": 0, "no_data": 0}
    for status in statuses:
        out[str(status)] += 1
    return out
