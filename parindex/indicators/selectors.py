"""Reading indicator figures: a unit's months, effective targets, yearly figures per unit.

Yearly figures are sums computed by the database (``Sum``, ``Count`` grouped by unit, one
query for a whole province); ratios and the judgement against the target are then taken
exactly in Python (``status.year_figure``). SQLite keeps decimals as binary doubles, so a
comparison written in SQL could misjudge a unit sitting exactly on its target there; the
sums themselves come back exact (Django rounds them to the field's four decimals).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, FilteredRelation, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.indicators.models import Indicator, IndicatorTarget, IndicatorValue
from parindex.indicators.permissions import can_enter
from parindex.indicators.rows import UnitCodes
from parindex.indicators.status import (
    AT_MOST,
    NUMBER_DIGITS,
    NUMBER_PLACES,
    VALUE_DIGITS,
    VALUE_PLACES,
    TargetStatus,
    YearFigure,
    target_status,
    year_figure,
)
from parindex.units.models import AdministrativeUnit, UnitSuccession

Era = AdministrativeUnit.Era
Level = AdministrativeUnit.Level


def unit_values(unit: AdministrativeUnit, year: int) -> dict[str, dict[int, IndicatorValue]]:
    """A unit's figures for a year by indicator code, then month, indicators loaded (one query)."""
    out: dict[str, dict[int, IndicatorValue]] = {}
    rows = (
        IndicatorValue.objects.filter(unit=unit, year=year)
        .select_related("indicator")
        .order_by("indicator__code", "month")
    )
    for value in rows:
        out.setdefault(value.indicator.code, {})[value.month] = value
    return out


def _target_expression(indicator: Indicator, province: AdministrativeUnit, year: int) -> Coalesce:
    override = (
        IndicatorTarget.objects.filter(indicator=indicator, province=province, year=year)
        .order_by()
        .values("target")[:1]
    )
    return Coalesce(
        Subquery(override),
        Value(indicator.target),
        output_field=DecimalField(max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES),
    )


def effective_target(*, indicator: Indicator, province: AdministrativeUnit, year: int) -> Decimal:
    """The province's own target for the year if it set one, else the indicator's default (one query)."""
    override = (
        IndicatorTarget.objects.filter(indicator=indicator, province=province, year=year)
        .order_by()
        .values_list("target", flat=True)
        .first()
    )
    return override if override is not None else indicator.target


def value_status(value: IndicatorValue, target: Decimal) -> TargetStatus:
    """How one month's figure stands against ``target`` (the indicator must be loaded)."""
    indicator = value.indicator
    return target_status(
        kind=indicator.kind,
        direction=indicator.direction,
        target=target,
        numerator=value.numerator,
        denominator=value.denominator,
    )


@dataclass(frozen=True, slots=True)
class UnitFigure:
    unit: AdministrativeUnit
    figure: YearFigure


def yearly_figures(
    *, indicator: Indicator, province: AdministrativeUnit, year: int, unit_ids: list[int] | None = None
) -> list[UnitFigure]:
    """Every commune of ``province`` (or those in ``unit_ids``) with its figure for the year so far.

    One query: the units, the sums of their months' numerators and denominators and the
    number of months recorded, grouped by unit, and the effective target. Units with no
    figure yet come back with status "no data". Ordered by unit code.
    """
    sums = DecimalField(max_digits=NUMBER_DIGITS + 4, decimal_places=NUMBER_PLACES)
    units = AdministrativeUnit.objects.filter(province=province, level=Level.COMMUNE)
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    units = units.annotate(
        # The join itself keeps only this indicator's months of the year.
        months_of_year=FilteredRelation(
            "indicator_values",
            condition=Q(indicator_values__indicator=indicator, indicator_values__year=year),
        ),
        year_target=_target_expression(indicator, province, year),
        numerator_sum=Sum("months_of_year__numerator", output_field=sums),
        denominator_sum=Sum("months_of_year__denominator", output_field=sums),
        months=Count("months_of_year"),
    ).order_by("code")
    return [
        UnitFigure(
            unit=unit,
            figure=year_figure(
                unit_id=unit.pk,
                kind=indicator.kind,
                direction=indicator.direction,
                period=indicator.period,
                target=unit.year_target,
                numerator=unit.numerator_sum,
                denominator=unit.denominator_sum,
                months=unit.months,
            ),
        )
        for unit in units
    ]


def units_below_target(*, indicator: Indicator, province: AdministrativeUnit, year: int) -> list[UnitFigure]:
    """The communes of ``province`` whose figure for the year so far misses the target, worst
    first (one query; units without figures are not below, they have no data)."""
    below = [
        f
        for f in yearly_figures(indicator=indicator, province=province, year=year)
        if f.figure.status == TargetStatus.BELOW
    ]
    below.sort(key=lambda f: f.unit.code)
    # Lowest first when the target is a floor, highest first when it is a ceiling (stable: by code on ties).
    below.sort(key=lambda f: f.figure.value or Decimal(0), reverse=indicator.direction == AT_MOST)
    return below


# -- who may write what --------------------------------------------------------------------------


def _ref(unit_id: int, parent_id: int | None, province_id: int | None) -> UnitRef:
    return UnitRef(id=unit_id, parent_id=parent_id, province_id=province_id)


def entry_refs(unit: AdministrativeUnit) -> list[UnitRef]:
    """The units whose roles decide who may enter ``unit``'s figures: the unit itself, or for an
    old (pre-2025) unit the current unit(s) it went into (one query for an old unit, none else)."""
    if unit.era == Era.CURRENT:
        return [_ref(unit.pk, unit.parent_id, unit.province_id)]
    rows = UnitSuccession.objects.filter(predecessor=unit, successor__era=Era.CURRENT).values_list(
        "successor_id", "successor__parent_id", "successor__province_id"
    )
    return [_ref(*row) for row in rows]


def unit_codes(*, province: AdministrativeUnit, principal: Principal) -> UnitCodes:
    """The communes an import into ``province`` may name, by code, and which of them ``principal``
    may write (one query).

    Current communes of the province, and the old communes that went into them (figures for
    months before 1 July 2025 belong to those). A province admin may write all; anyone else
    the units where ``permissions.can_enter`` holds, and the old units of those.
    """
    rows = (
        AdministrativeUnit.objects.filter(
            Q(era=Era.CURRENT, province=province, level=Level.COMMUNE)
            | Q(
                era=Era.PRE2025,
                level=Level.COMMUNE,
                successor_links__successor__province=province,
                successor_links__successor__era=Era.CURRENT,
            )
        )
        .values_list("pk", "era", "code", "parent_id", "province_id", "successor_links__successor_id")
        .order_by()
    )
    current: dict[str, int] = {}
    before: dict[str, int] = {}
    successors: dict[int, set[int]] = {}
    refs: dict[int, UnitRef] = {}
    for pk, era, code, parent_id, province_id, successor_id in rows:
        if era == Era.CURRENT:
            current[code] = pk
            refs[pk] = _ref(pk, parent_id, province_id)
        else:
            before[code] = pk
            successors.setdefault(pk, set()).add(successor_id)
    if is_province_admin(principal, _ref(province.pk, None, None)):
        allowed = None
    else:
        mine = {pk for pk, ref in refs.items() if can_enter(principal, ref)}
        allowed = frozenset(mine | {pk for pk, went_into in successors.items() if went_into & mine})
    return UnitCodes(current=current, before_reform=before, allowed=allowed, scope=province.name)


def may_import_in(codes: UnitCodes) -> bool:
    return codes.allowed is None or bool(codes.allowed)


def import_scope_ids(province: AdministrativeUnit) -> QuerySet[AdministrativeUnit]:
    """A subquery of the ids of every unit an import into ``province`` may write (both eras)."""
    return (
        AdministrativeUnit.objects.filter(
            Q(era=Era.CURRENT, province=province, level=Level.COMMUNE)
            | Q(era=Era.PRE2025, level=Level.COMMUNE, successor_links__successor__province=province)
        )
        .values("pk")
        .order_by()
    )
