"""Reading external index data: versions as the checker sees them, a province's weekly
leaderboard, a commune's trend against the province's median and target.

Ranks and medians are computed by ``scoring`` (``rank``, ``aggregates.median``) from the totals
stored on the results; each reader makes a fixed number of queries whatever the number of
units or weeks (pinned by the tests).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils import timezone

from parindex import scoring
from parindex.external import rows
from parindex.external.models import (
    ExternalIndex,
    ExternalResult,
    ExternalValue,
    IndexComponent,
    IndexTarget,
    IndexVersion,
    ResultAdjustment,
    ValueContest,
)
from parindex.units.models import AdministrativeUnit

Level = AdministrativeUnit.Level
Era = AdministrativeUnit.Era
PLACES = 2


def versions(index: ExternalIndex) -> list[rows.Version]:
    """The index's versions with their components, oldest first (one query)."""
    components = (
        IndexComponent.objects.filter(version__index=index)
        .select_related("version")
        .order_by("version__valid_from", "position")
    )
    out: dict[int, tuple[IndexVersion, list[rows.Component]]] = {}
    for c in components:
        out.setdefault(c.version_id, (c.version, []))[1].append(rows.Component(c.pk, c.code, c.name, c.max))
    return [rows.Version(v.pk, v.number, v.valid_from, v.max_total, tuple(comps)) for v, comps in out.values()]


def commune_codes(province: AdministrativeUnit) -> dict[str, int]:
    """Code -> id of the province's current communes (one query)."""
    return dict(
        AdministrativeUnit.objects.filter(province=province, level=Level.COMMUNE, era=Era.CURRENT).values_list(
            "code", "pk"
        )
    )


def index_by_code(code: str) -> ExternalIndex | None:
    return ExternalIndex.objects.filter(code=code).first()


def target_of(index: ExternalIndex, province_id: int, year: int) -> Decimal | None:
    return (
        IndexTarget.objects.filter(index=index, province_id=province_id, year=year)
        .values_list("target", flat=True)
        .first()
    )


def periods(index: ExternalIndex, province_id: int) -> list[dt.date]:
    """The periods (first days) with results in the province, latest first (one query)."""
    return list(
        ExternalResult.objects.filter(index=index, unit__province_id=province_id)
        .order_by("-period_start")
        .values_list("period_start", flat=True)
        .distinct()
    )


# -- the leaderboard ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BoardRow:
    unit_id: int
    code: str
    name: str
    score: Decimal
    adjustment: Decimal
    total: Decimal
    rank: int
    of: int
    previous_rank: int | None
    change: int | None
    below_target: bool
    open_contests: int


@dataclass(frozen=True)
class Board:
    period: dt.date | None
    period_end: dt.date | None
    previous: dt.date | None
    rows: list[BoardRow]
    median: Decimal | None
    target: Decimal | None
    version: IndexVersion | None
    periods: list[dt.date] = field(default_factory=list)  # every period with results, latest first


def leaderboard(index: ExternalIndex, province: AdministrativeUnit, period: dt.date | None) -> Board:
    """The province's communes ranked by their total for ``period`` (the latest when None), with
    their rank of the previous period and the change (four queries: periods, results, open
    contests, target)."""
    starts = periods(index, province.pk)
    if period is None or period not in starts:
        period = starts[0] if starts else None
    if period is None:
        return Board(None, None, None, [], None, target_of(index, province.pk, timezone.localdate().year), None, starts)
    position = starts.index(period)
    previous = starts[position + 1] if position + 1 < len(starts) else None
    results = list(
        ExternalResult.objects.filter(
            index=index, unit__province=province, period_start__in=[p for p in (period, previous) if p]
        )
        .select_related("unit", "version")
        .order_by("unit__code")
    )
    open_contests: dict[int, int] = {}
    for unit_id in ValueContest.objects.filter(
        state=ValueContest.State.OPEN, value__result__index=index, value__result__unit__province=province,
        value__result__period_start=period,
    ).values_list("value__result__unit_id", flat=True):  # fmt: skip
        open_contests[unit_id] = open_contests.get(unit_id, 0) + 1
    now = [r for r in results if r.period_start == period]
    before = {r.unit_id: r for r in results if r.period_start == previous}
    ranked = {r.key: r for r in scoring.rank((r.unit_id, r.total) for r in now)}
    ranked_before = {r.key: r for r in scoring.rank((r.unit_id, r.total) for r in before.values())}
    target = target_of(index, province.pk, period.year)
    out = []
    for r in now:
        mine = ranked[r.unit_id]
        earlier = ranked_before.get(r.unit_id)
        out.append(
            BoardRow(
                unit_id=r.unit_id,
                code=r.unit.code,
                name=r.unit.name,
                score=r.score,
                adjustment=r.adjustment,
                total=r.total,
                rank=mine.rank,
                of=mine.of,
                previous_rank=earlier.rank if earlier else None,
                change=earlier.rank - mine.rank if earlier else None,
                below_target=target is not None and r.total < target,
                open_contests=open_contests.get(r.unit_id, 0),
            )  # fmt: skip
        )
    out.sort(key=lambda row: (row.rank, row.code))
    return Board(
        period=period,
        period_end=now[0].period_end if now else None,
        previous=previous,
        rows=out,
        median=scoring.aggregates.median((r.total for r in now), PLACES),
        target=target,
        version=now[0].version if now else None,
        periods=starts,
    )


def open_contests(index: ExternalIndex, province: AdministrativeUnit) -> list[ValueContest]:
    """The province's contests waiting for a decision, oldest first (one query)."""
    return list(
        ValueContest.objects.filter(
            state=ValueContest.State.OPEN, value__result__index=index, value__result__unit__province=province
        )
        .select_related("value__component", "value__result__unit", "created_by")
        .order_by("created_at", "pk")
    )


# -- a commune's trend -------------------------------------------------------------------------


@dataclass
class Week:
    result: ExternalResult
    values: list[ExternalValue]
    adjustments: list[ResultAdjustment]
    contests: list[ValueContest] = field(default_factory=list)
    median: Decimal | None = None


@dataclass(frozen=True)
class Trend:
    weeks: list[Week]  # oldest first
    components: list[tuple[str, str]]  # (code, name) of every version's components, in order
    target: Decimal | None
    year: int


def trend(index: ExternalIndex, unit: AdministrativeUnit, year: int) -> Trend:
    """The unit's results of the year with their values (provenance loaded), adjustments and
    contests, and the province's median total of each period (four queries)."""
    values = ExternalValue.objects.select_related("component", "batch__created_by", "entered_by").order_by(
        "component__position"
    )
    contests = ValueContest.objects.order_by("-created_at", "-pk")
    results = list(
        ExternalResult.objects.filter(index=index, unit=unit, period_start__year=year)
        .select_related("version")
        .prefetch_related(
            Prefetch("values", queryset=values.prefetch_related(Prefetch("contests", queryset=contests))),
            Prefetch("adjustments", queryset=ResultAdjustment.objects.select_related("created_by", "reversed_by")),
        )
        .order_by("period_start")
    )
    totals: dict[dt.date, list[Decimal]] = {}
    if unit.province_id is not None:
        for start, total in ExternalResult.objects.filter(
            index=index, unit__province_id=unit.province_id, period_start__in=[r.period_start for r in results]
        ).values_list("period_start", "total"):
            totals.setdefault(start, []).append(total)
    weeks = []
    components: dict[str, str] = {}
    for r in results:
        vals = list(r.values.all())
        for v in vals:
            components.setdefault(v.component.code, v.component.name)
        weeks.append(
            Week(
                result=r,
                values=vals,
                adjustments=list(r.adjustments.all()),
                contests=[c for v in vals for c in v.contests.all()],
                median=scoring.aggregates.median(totals.get(r.period_start, []), PLACES),
            )
        )
    target = target_of(index, unit.province_id, year) if unit.province_id else None
    return Trend(weeks, list(components.items()), target, year)


def result_years(index: ExternalIndex, unit: AdministrativeUnit) -> list[int]:
    return sorted(
        {d.year for d in ExternalResult.objects.filter(index=index, unit=unit).values_list("period_start", flat=True)},
        reverse=True,
    )


def components_in_force(index: ExternalIndex, day: dt.date) -> list[rows.Component]:
    """The components of the version in force on ``day`` (one query): the hand-entry form's fields."""
    version = rows.version_on(versions(index), day)
    return list(version.components) if version is not None else []
