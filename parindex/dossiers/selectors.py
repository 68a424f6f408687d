"""Reading the register of late dossiers: a commune's year, yearly figures per commune, the
province's overview, and the figure sub-criterion 3.6 takes.

A dossier counts for the year of its due date (``models``). Counts are made by the database,
grouped by unit: one query for one commune or a whole province. With them comes the unit's
on-time dossiers indicator of the year (``ON_TIME_INDICATOR``, its resolved and on-time sums),
so an empty register can be told apart from a year without late dossiers: only when the
indicator shows every resolved dossier on time is "no late dossier" offered for 3.6.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, FilteredRelation, OuterRef, Q, Subquery, Sum

from parindex.accounts.permissions import UnitRef
from parindex.assessments.models import Assessment
from parindex.assessments.workflow import Status
from parindex.core.numbers import vn_grouped, vn_score
from parindex.dossiers.models import LateDossier
from parindex.indicators import selectors as indicator_selectors
from parindex.indicators.models import Indicator, IndicatorValue
from parindex.units.models import AdministrativeUnit

Level = AdministrativeUnit.Level
Era = AdministrativeUnit.Era

# The indicator whose figures tell how many resolved dossiers were late (resolved − on time).
ON_TIME_INDICATOR = "ho_so_dung_han"


def year_bounds(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def unit_refs(unit: AdministrativeUnit) -> list[UnitRef]:
    """The units whose roles decide who may see and record ``unit``'s dossiers: the unit itself,
    or for an old (pre-2025) unit the current units it went into (one query then, none else)."""
    return indicator_selectors.entry_refs(unit)


def late_dossier_list(unit: AdministrativeUnit, year: int) -> list[LateDossier]:
    """The unit's late dossiers of ``year`` (by due date), earliest due first (one query)."""
    return list(late_dossiers(unit, year))


def late_dossiers(unit: AdministrativeUnit, year: int, *, q: str = "", apology: bool | None = None) -> Any:
    """The unit's late dossiers of ``year``, earliest due first, not yet read: whose code,
    procedure or applicant holds every word of ``q``; with (True) or without (False) an
    apology letter."""
    rows = LateDossier.objects.filter(unit=unit, due_on__range=year_bounds(year))
    for word in q.split():
        rows = rows.filter(Q(code__icontains=word) | Q(procedure__icontains=word) | Q(applicant__icontains=word))
    if apology is not None:
        rows = rows.filter(apology_issued=apology)
    return rows.select_related("entered_by").order_by("due_on", "code", "pk")


@dataclass(frozen=True, slots=True)
class YearFigures:
    """A unit's register for a year, with its on-time indicator's sums when it has any."""

    late: int = 0
    with_apology: int = 0
    pending: int = 0
    resolved: Decimal | None = None  # the on-time indicator's denominator sum: dossiers resolved
    on_time: Decimal | None = None  # its numerator sum

    @property
    def without_apology(self) -> int:
        return self.late - self.with_apology

    @property
    def indicator_late(self) -> Decimal | None:
        """Late dossiers as the on-time indicator counts them (resolved − on time), if it has figures."""
        if self.resolved is None or self.on_time is None or not self.resolved:
            return None
        return self.resolved - self.on_time

    @property
    def none_late(self) -> bool:
        """Nothing in the register and, by the indicator's figures, nothing resolved late."""
        return self.late == 0 and self.indicator_late == 0

    @property
    def percent(self) -> Decimal | None:
        if not self.late:
            return None
        return (Decimal(100) * self.with_apology / self.late).quantize(Decimal("0.01"))


def figures_of(rows: list[LateDossier]) -> YearFigures:
    """The counts of rows already read (``late_dossier_list``), without the indicator (pure)."""
    return YearFigures(
        late=len(rows),
        with_apology=sum(r.apology_issued for r in rows),
        pending=sum(r.resolved_on is None for r in rows),
    )


def _indicator_sum(field: str, year: int) -> Subquery:
    rows = (
        IndicatorValue.objects.filter(
            unit=OuterRef("pk"),
            year=year,
            indicator__code=ON_TIME_INDICATOR,
            indicator__kind=Indicator.Kind.RATIO,
        )
        .order_by()
        .values("unit")
        .annotate(total=Sum(field))
        .values("total")
    )
    return Subquery(rows, output_field=DecimalField(max_digits=24, decimal_places=4))


def _with_figures(units: Any, year: int) -> Any:
    """``units`` annotated with their register's counts for ``year`` and the on-time indicator's sums."""
    return units.annotate(
        # The join itself keeps only the dossiers due in the year.
        of_year=FilteredRelation("late_dossiers", condition=Q(late_dossiers__due_on__range=year_bounds(year))),
        n_late=Count("of_year"),
        n_apology=Count("of_year", filter=Q(of_year__apology_issued=True)),
        n_pending=Count("of_year", filter=Q(of_year__resolved_on__isnull=True)),
        indicator_resolved=_indicator_sum("denominator", year),
        indicator_on_time=_indicator_sum("numerator", year),
    )


def _figures(unit: Any) -> YearFigures:
    return YearFigures(
        late=unit.n_late,
        with_apology=unit.n_apology,
        pending=unit.n_pending,
        resolved=unit.indicator_resolved,
        on_time=unit.indicator_on_time,
    )


def year_figures(unit_ids: list[int], year: int) -> dict[int, YearFigures]:
    """unit id -> its register's figures for ``year`` (one query whatever the number of units)."""
    units = _with_figures(AdministrativeUnit.objects.filter(pk__in=unit_ids).only("pk").order_by(), year)
    return {u.pk: _figures(u) for u in units}


@dataclass(frozen=True, slots=True)
class CommuneRow:
    unit: AdministrativeUnit
    figures: YearFigures


def province_overview(province: AdministrativeUnit, year: int) -> list[CommuneRow]:
    """The province's current communes that recorded late dossiers due in ``year``, those missing
    most apology letters first, then by code (one query).

    Dossiers of the old units (due before 01/7/2025) are not counted here: their units are not
    the province's current communes.
    """
    units = _with_figures(
        AdministrativeUnit.objects.filter(province=province, level=Level.COMMUNE, era=Era.CURRENT), year
    ).filter(n_late__gt=0)
    rows = [CommuneRow(unit=u, figures=_figures(u)) for u in units.order_by("code")]
    rows.sort(key=lambda r: -r.figures.without_apology)  # stable: by code on ties
    return rows


def frozen_years(unit_ids: list[int], years: set[int]) -> set[int]:
    """The ``years`` in which an assessment of one of ``unit_ids`` has left drafting (submitted,
    under appraisal, published ...): their late dossiers are part of what was submitted (one query)."""
    if not years:
        return set()
    return set(
        Assessment.objects.filter(unit_id__in=unit_ids, cycle__year__in=years)
        .exclude(status=Status.DRAFT)
        .values_list("cycle__year", flat=True)
        .distinct()
    )


# -- the figure of sub-criterion 3.6 -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApologyOffer:
    inputs: dict[str, Any]
    detail: str


def apology_offer(figures: YearFigures | None) -> ApologyOffer | None:
    """What the register offers 3.6 (pure): the late dossiers with an apology letter over the late
    dossiers; "not applicable" when the register is empty and the on-time indicator shows every
    resolved dossier on time; nothing when the register is empty otherwise (it may just not
    have been kept)."""
    if figures is None:
        return None
    if figures.late:
        percent = vn_score(figures.percent).removesuffix(",00")
        return ApologyOffer(
            inputs={"numerator": figures.with_apology, "denominator": figures.late},
            detail=f"có thư xin lỗi {figures.with_apology}/{figures.late} hồ sơ trễ hạn ({percent}%)",
        )
    if figures.none_late:
        assert figures.resolved is not None
        shown = vn_grouped(figures.resolved)
        return ApologyOffer(
            inputs={"applicable": False},
            detail=f"không có hồ sơ trễ hạn (chỉ số theo dõi: {shown}/{shown} hồ sơ giải quyết đúng hạn), không áp dụng",
        )
    return None
