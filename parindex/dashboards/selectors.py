"""The dashboards' figures, every one an SQL aggregate over the frozen published rows.

Published results (one row per unit) and their node scores (one row per unit and
criterion, ``results.PublishedScore``) are grouped, averaged, counted and ranked by the
database; Python receives only what a chart or table shows. Quartiles use PostgreSQL's
``percentile_cont``; SQLite, which lacks it, numbers the rows with a window function and
fetches the two rows around each quartile. Ranks within a field are ``RANK()`` windows on
both databases.

Every function here issues a fixed number of queries, whatever the number of units.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Abs, Cast, Floor, Least, RowNumber

from parindex import scoring
from parindex.appraisals.models import ClarificationRequest
from parindex.assessments.models import Assessment, Cycle, DeadlineExtension, Stage
from parindex.assessments.workflow import APPRAISAL_FINAL, APPRAISERS_TURN, AWAITING_APPRAISAL_RESULT, Status
from parindex.core.compiled import DAY_MARKER, MARKER, CompiledSelect
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation.models import Action
from parindex.remediation.workflow import ActionStatus, PlanStatus
from parindex.results.models import Publication, PublishedResult, PublishedScore
from parindex.units.models import AdministrativeUnit
from parindex.units.selectors import unit_lineage

UNCLASSIFIED = "Chưa xếp loại"
HISTOGRAM_STEP = 5  # percentage points per bar of the distribution
POINTS = DecimalField(max_digits=12, decimal_places=4)


def self_gap() -> ExpressionWrapper:
    """Self-assessed minus appraised total of a published result (over-claiming when above 0)."""
    return ExpressionWrapper(F("self_total") - F("total"), output_field=POINTS)


class PercentileCont(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(f) WITHIN GROUP (ORDER BY x)``."""

    function = "percentile_cont"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        super().__init__(expression, fraction=float(fraction), output_field=FloatField(), **extra)


# -- which publications a province dashboard reads ----------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The published rows a province dashboard aggregates: a year's current publications of the
    province, optionally one group (approval) and one classification."""

    publications: tuple[Publication, ...]
    group: Publication | None = None
    classification: str = ""

    @property
    def publication_ids(self) -> list[int]:
        return [self.group.pk] if self.group else [p.pk for p in self.publications]

    @property
    def filtered(self) -> bool:
        return self.group is not None or bool(self.classification)

    @property
    def criterion_names(self) -> dict[str, str]:
        """Criterion code -> name, from the parsed framework (cached per version: no query)."""
        if not self.publications:
            return {}
        spec = framework_version_spec(self.publications[0].approval.cycle.framework_version)
        return {n.code: n.name for n in spec.nodes}

    @property
    def fields(self) -> list[dict[str, Any]]:
        """The top-level criteria [{code, name, max}] as frozen with the publication."""
        return list((self.group or self.publications[0]).fields) if self.publications else []

    def results(self) -> QuerySet[PublishedResult]:
        qs = PublishedResult.objects.filter(publication_id__in=self.publication_ids)
        return qs.filter(classification=self.classification) if self.classification else qs

    def node_scores(self) -> QuerySet[PublishedScore]:
        qs = PublishedScore.objects.filter(publication_id__in=self.publication_ids)
        return qs.filter(result__classification=self.classification) if self.classification else qs


# What stands for the classification a scope filters by while a statement is compiled.
CLASSIFICATION_MARKER = "\x00classification\x00"


@dataclass(frozen=True)
class _ScopeRows:
    """What a statement reads of a scope: its publications' ids and its classification."""

    publication_ids: list[int]
    classification: str

    results = Scope.results
    node_scores = Scope.node_scores


class ScopeSelect:
    """A statement over a scope's published rows, compiled once a process for each shape of
    scope: how many publications it reads, whether a classification filters them, and the
    ``fixed`` arguments (a limit). The province dashboard runs a dozen of them on every load,
    and compiling them cost more than running them (``core.compiled``). ``build(rows, **fixed)``
    returns the queryset from ``rows.results()`` or ``rows.node_scores()``."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._shapes: dict[tuple[Any, ...], CompiledSelect] = {}

    def _compiled(self, scope: Scope, fixed: dict[str, Any]) -> tuple[CompiledSelect, tuple[Any, ...]]:
        ids, classification = scope.publication_ids, scope.classification
        key = (len(ids), bool(classification), *sorted(fixed.items()))
        compiled = self._shapes.get(key)
        if compiled is None:
            n = len(ids)
            markers = tuple(MARKER + i for i in range(n)) + ((CLASSIFICATION_MARKER,) if classification else ())
            compiled = self._shapes[key] = CompiledSelect(
                lambda *m: self._build(_ScopeRows(list(m[:n]), m[n] if len(m) > n else ""), **fixed),
                markers=markers,
            )
        return compiled, (*ids, classification) if classification else tuple(ids)

    def all(self, scope: Scope, **fixed: Any) -> list[Any]:
        return self._read("all", scope, fixed)

    def rows(self, scope: Scope, **fixed: Any) -> list[tuple[Any, ...]]:
        return self._read("rows", scope, fixed)

    def dicts(self, scope: Scope, **fixed: Any) -> list[dict[str, Any]]:
        return self._read("dicts", scope, fixed)

    def _read(self, how: str, scope: Scope, fixed: dict[str, Any]) -> list[Any]:
        if not scope.publication_ids:  # nothing to read (SQL has no empty IN list)
            return []
        compiled, values = self._compiled(scope, fixed)
        return getattr(compiled, how)(*values)


def province_publications(province_id: int) -> list[Publication]:
    """Every publication in force for the province, newest year first, with its approval, cycle
    and framework version (one query: a province has a few a year)."""
    return _PUBLICATIONS.all(province_id)


# Read by every province dashboard, the same statement whatever the province: compiled once per
# process (``core.compiled``; compiling it cost more than running it).
_PUBLICATIONS = CompiledSelect(
    lambda province_id: (
        Publication.objects.filter(is_current=True, approval__cycle__province_id=province_id)
        .select_related("approval__cycle__framework_version")
        .order_by("-year", "approval__name", "pk")
    )
)


# -- summary figures ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    count: int
    mean: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    q1: Decimal | None
    median: Decimal | None
    q3: Decimal | None
    mean_total: Decimal | None
    previous_mean: Decimal | None  # the same units' (or predecessors') index the year before
    compared: int  # how many of them have a previous index
    improved: int
    declined: int
    mean_gap: Decimal | None  # self-assessed minus appraised total, on average


def _dec(value: Any, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places))


def summary(scope: Scope) -> Summary:
    """Count, mean, spread and quartiles of the index (one query on PostgreSQL, two on SQLite)."""
    postgres = connection.vendor == "postgresql"
    rows = _SUMMARY.dicts(scope, postgres=postgres)  # one row, none for a scope without publications
    row = rows[0] if rows else {}
    count = row.get("count", 0)
    quartiles = [row.get("q1"), row.get("q2"), row.get("q3")] if postgres else _quartiles(scope.results(), count)
    return Summary(
        count=count,
        mean=_dec(row.get("mean")),
        minimum=_dec(row.get("minimum")),
        maximum=_dec(row.get("maximum")),
        q1=_dec(quartiles[0]),
        median=_dec(quartiles[1]),
        q3=_dec(quartiles[2]),
        mean_total=_dec(row.get("mean_total")),
        previous_mean=_dec(row.get("previous_mean")),
        compared=row.get("compared", 0),
        improved=row.get("improved", 0),
        declined=row.get("declined", 0),
        mean_gap=_dec(row.get("mean_gap")),
    )


def _summary(rows: _ScopeRows, postgres: bool) -> QuerySet[PublishedResult]:
    aggregates: dict[str, Any] = {
        "count": Count("id"),
        "mean": Avg("percent"),
        "minimum": Min("percent"),
        "maximum": Max("percent"),
        "mean_total": Avg("total"),
        "previous_mean": Avg("previous_percent"),
        "compared": Count("id", filter=Q(previous_percent__isnull=False)),
        "improved": Count("id", filter=Q(rank_change__gt=0)),
        "declined": Count("id", filter=Q(rank_change__lt=0)),
        "mean_gap": Avg(self_gap()),
    }
    if postgres:
        aggregates |= {f"q{i}": PercentileCont("percent", i / 4) for i in (1, 2, 3)}
    # One row over all of the scope's results: a constant groups nothing (no GROUP BY).
    return rows.results().order_by().values(every=Value(1)).annotate(**aggregates)


_SUMMARY = ScopeSelect(_summary)


def _quartiles(results: QuerySet[PublishedResult], n: int) -> list[Decimal | None]:
    """The quartiles as ``percentile_cont`` computes them, for SQLite: number the rows by index
    with ``ROW_NUMBER()`` and fetch only the (at most six) rows the interpolation needs."""
    if not n:
        return [None, None, None]
    wanted = {}
    for q in (0.25, 0.5, 0.75):
        h = q * (n - 1)
        wanted[q] = (math.floor(h) + 1, math.ceil(h) + 1, h - math.floor(h))
    positions = {p for lo, hi, _ in wanted.values() for p in (lo, hi)}
    rows = dict(
        results.annotate(pos=Window(RowNumber(), order_by=[F("percent").asc(), F("pk").asc()]))
        .filter(pos__in=positions)
        .values_list("pos", "percent")
    )
    out = []
    for lo, hi, frac in wanted.values():
        out.append(rows[lo] + (rows[hi] - rows[lo]) * Decimal(str(frac)))
    return out


def histogram(scope: Scope) -> list[tuple[int, int]]:
    """(lower bound, units) per band of ``HISTOGRAM_STEP`` points of the index, every band from
    0 to 100 (one query). 100 falls in the top band."""
    counts = {int(band): n for band, n in _HISTOGRAM.rows(scope)}
    return [(band * HISTOGRAM_STEP, counts.get(band, 0)) for band in range(HISTOGRAM_TOP + 1)]


HISTOGRAM_TOP = 100 // HISTOGRAM_STEP - 1  # the top band's number (100 falls in it)
_HISTOGRAM = ScopeSelect(
    lambda rows: (
        rows.results()
        .annotate(
            band=Least(Cast(Floor(F("percent") / Value(Decimal(HISTOGRAM_STEP))), IntegerField()), Value(HISTOGRAM_TOP))
        )
        .values("band")
        .annotate(n=Count("id"))
        .values_list("band", "n")
    )
)


def classification_counts(scope: Scope) -> list[tuple[str, int]]:
    """Units per classification, best first (one query)."""
    return [(classification or UNCLASSIFIED, n) for classification, n, _ in _CLASSIFICATIONS.rows(scope)]


_CLASSIFICATIONS = ScopeSelect(
    lambda rows: (
        rows.results()
        .values("classification")
        .annotate(n=Count("id"), best=Max("percent"))
        .order_by("-best")
        .values_list("classification", "n", "best")
    )
)


# -- lost points --------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldLoss:
    code: str
    name: str
    maximum: Decimal
    mean_score: Decimal
    mean_lost: Decimal
    total_lost: Decimal
    losing: int  # units that lost points in the field


def field_losses(scope: Scope) -> list[FieldLoss]:
    """Average score and lost points per field (top-level criterion) over the units (one query)."""
    names = {f["code"]: f["name"] for f in scope.fields}
    return [
        FieldLoss(
            code=r["code"],
            name=names.get(r["code"], r["code"]),
            maximum=_dec(r["maximum"]),
            mean_score=_dec(r["mean_score"]) or Decimal(0),
            mean_lost=_dec(r["mean_lost"]) or Decimal(0),
            total_lost=_dec(r["total_lost"]) or Decimal(0),
            losing=r["losing"],
        )
        for r in _FIELD_LOSSES.dicts(scope)
    ]


_FIELD_LOSSES = ScopeSelect(
    lambda rows: (
        rows.node_scores()
        .filter(depth=0)
        .values("code")
        .annotate(
            position=Min("position"),
            maximum=Max("applicable_max"),
            mean_score=Avg("score"),
            mean_lost=Avg("lost"),
            total_lost=Sum("lost"),
            losing=Count("id", filter=Q(lost__gt=0)),
        )
        .order_by("position")
    )
)


@dataclass(frozen=True)
class CriterionLoss:
    code: str
    name: str
    position: int
    maximum: Decimal
    units: int  # units the sub-criterion applied to
    losing: int  # of them, units that lost points on it
    mean_lost: Decimal
    total_lost: Decimal
    over_claimed: int  # units whose self-assessment gave more than the appraisal
    over_points: Decimal  # the points claimed beyond the appraisal, summed

    @property
    def losing_share(self) -> Decimal:
        return scoring.aggregates.percent_of(self.losing, self.units, 1) or Decimal(0)

    @property
    def mean_lost_share(self) -> Decimal:
        """The points lost on average, as a share of the sub-criterion's maximum."""
        return scoring.aggregates.percent_of(self.mean_lost, self.maximum, 1) or Decimal(0)


def criterion_losses(scope: Scope) -> list[CriterionLoss]:
    """For every sub-criterion (leaf): how many units lost points on it and how many claimed more
    than the appraisal gave; most often failed first (one query)."""
    rows = _CRITERION_LOSSES.dicts(scope)
    # The titles from the cached framework: as a subquery they would join the GROUP BY and run
    # once per row aggregated.
    names = scope.criterion_names
    return [
        CriterionLoss(
            code=r["code"],
            name=names.get(r["code"]) or r["code"],
            position=r["position"],
            maximum=_dec(r["maximum"]),
            units=r["units"],
            losing=r["losing"],
            mean_lost=_dec(r["mean_lost"]) or Decimal(0),
            total_lost=_dec(r["total_lost"]) or Decimal(0),
            over_claimed=r["over_claimed"],
            over_points=_dec(r["over_points"]) or Decimal(0),
        )
        for r in rows
    ]


def _criterion_losses(rows: _ScopeRows) -> QuerySet[PublishedScore]:
    claimed = ExpressionWrapper(F("self_score") - F("score"), output_field=POINTS)
    return (
        rows.node_scores()
        .filter(is_leaf=True, score__isnull=False)
        .values("code")
        .annotate(
            position=Min("position"),
            maximum=Max("applicable_max"),
            units=Count("id"),
            losing=Count("id", filter=Q(lost__gt=0)),
            mean_lost=Avg("lost"),
            total_lost=Sum("lost"),
            over_claimed=Count("id", filter=Q(self_score__gt=F("score"))),
            over_points=Sum(claimed, filter=Q(self_score__gt=F("score"))),
            mean_lost_share=ExpressionWrapper(Avg("lost") / Max("applicable_max"), output_field=FloatField()),
        )
        .order_by("-losing", "-mean_lost_share", "position")
    )


_CRITERION_LOSSES = ScopeSelect(_criterion_losses)


def lost_cells(result_ids: list[int]) -> dict[int, list[tuple[str, Decimal, Decimal]]]:
    """result id -> [(sub-criterion code, lost points, applicable max)] where points were lost,
    in document order, for the units a heatmap shows (one query)."""
    cells: dict[int, list[tuple[str, Decimal, Decimal]]] = defaultdict(list)
    for row in (
        PublishedScore.objects.filter(result_id__in=result_ids, is_leaf=True, lost__gt=0, applicable_max__gt=0)
        .order_by("result_id", "position")
        .values_list("result_id", "code", "lost", "applicable_max")
    ):
        cells[row[0]].append(row[1:])  # a heatmap's page has some 1,600: no unpacking
    return cells


# -- the ranking --------------------------------------------------------------------------------


def _for_tables(qs: QuerySet[PublishedResult]) -> QuerySet[PublishedResult]:
    """Results for a table: without the frozen JSON (every criterion's score), which no
    dashboard table shows and which would be decoded for every row."""
    return qs.defer("scores", "previous_sources")


# Sort keys of the ranking table (URL value -> ordering); "-" in the URL reverses.
RANKING_SORTS = {
    "hang": ("rank", "unit_name"),
    "ten": ("unit_name",),
    "diem": ("-total", "unit_name"),
    "chi-so": ("-percent", "unit_name"),
    "thay-doi": ("-rank_change", "rank"),
    "chenh-lech": ("-gap", "rank"),
}


def ranking(scope: Scope, sort: str) -> QuerySet[PublishedResult]:
    """The results in the chosen order, with the self-assessment gap and the group's name
    (``group_name``) annotated (lazy: the caller pages it)."""
    key, reverse = sort.lstrip("-"), sort.startswith("-")
    order = RANKING_SORTS.get(key, RANKING_SORTS["hang"])
    if reverse:
        order = tuple(o[1:] if o.startswith("-") else f"-{o}" for o in order)
    nulls = {"rank_change": F("rank_change")}
    ordering = []
    for o in order:
        name = o.lstrip("-")
        if name in nulls:  # units without a previous year sort last either way
            ordering.append(
                nulls[name].desc(nulls_last=True) if o.startswith("-") else nulls[name].asc(nulls_last=True)
            )
        else:
            ordering.append(o)
    return (
        _for_tables(scope.results())
        .annotate(gap=self_gap(), group_name=F("publication__approval__name"))
        .order_by(*ordering, "pk")
    )


def movers(scope: Scope, limit: int = 10) -> tuple[list[PublishedResult], list[PublishedResult]]:
    """The units that climbed most places since the previous year and those that fell most,
    ``limit`` of each (one query: a ROW_NUMBER window per direction, filtered)."""
    rows = _MOVERS.all(scope, limit=limit)
    return [r for r in rows if r.rank_change > 0], sorted(
        (r for r in rows if r.rank_change < 0), key=lambda r: (r.rank_change, r.rank)
    )


def _movers(rows: _ScopeRows, limit: int) -> QuerySet[PublishedResult]:
    direction = Case(When(rank_change__gt=0, then=Value(1)), default=Value(-1))
    return (
        _for_tables(rows.results())
        .exclude(rank_change=0)
        .filter(rank_change__isnull=False)
        .annotate(
            place=Window(RowNumber(), partition_by=[direction], order_by=[Abs("rank_change").desc(), F("rank").asc()])
        )
        .filter(place__lte=limit)
        .order_by("-rank_change", "rank")
    )


_MOVERS = ScopeSelect(_movers)


def over_claimers(scope: Scope, limit: int = 15) -> list[PublishedResult]:
    """The units whose self-assessed total exceeded the appraised one most (one query)."""
    return _OVER_CLAIMERS.all(scope, limit=limit)


_OVER_CLAIMERS = ScopeSelect(
    lambda rows, limit: (
        _for_tables(rows.results()).annotate(gap=self_gap()).filter(gap__gt=0).order_by("-gap", "rank")[:limit]
    )
)


# -- the open cycle (province staff only) -------------------------------------------------------


@dataclass
class CycleProgress:
    cycle: Cycle
    counts: dict[str, int]
    total: int
    not_submitted: list[Assessment]  # the first ones, by name, with ``late`` annotated
    not_submitted_late: int
    overdue_clarifications: list[ClarificationRequest]
    overdue_clarification_count: int
    under_appraisal: int
    appraisal_late: bool

    @cached_property  # the template reads them three times
    def segments(self) -> list[tuple[str, str, int, Decimal]]:
        """(css class, label, units, percent) for the stacked progress bar."""
        groups = [
            ("seg-draft", "Chưa gửi", [Status.DRAFT]),
            ("seg-submitted", "Đã gửi, chờ thẩm định", [Status.SUBMITTED]),
            ("seg-appraisal", "Đang thẩm định", APPRAISERS_TURN),
            ("seg-clarification", "Đang giải trình", [Status.CLARIFICATION]),
            ("seg-final", "Đã thẩm định xong", APPRAISAL_FINAL),
        ]
        out = []
        for css, label, states in groups:
            n = sum(self.counts.get(s, 0) for s in states)
            share = scoring.aggregates.percent_of(n, self.total, 1) or Decimal(0)
            out.append((css, label, n, share))
        return out


def open_cycle(province_id: int) -> Cycle | None:
    """The province's newest cycle that is not yet wholly published (one query)."""
    return _OPEN_CYCLE.first(province_id)


_OPEN_CYCLE = CompiledSelect(
    lambda province_id: (
        Cycle.objects.filter(province_id=province_id)
        .filter(Exists(Assessment.objects.filter(cycle=OuterRef("pk")).exclude(status=Status.PUBLISHED)))
        .order_by("-year", "-pk")[:1]
    )
)


def _extended(stage: str, today: dt.date) -> Exists:
    return Exists(DeadlineExtension.objects.filter(assessment=OuterRef("pk"), stage=stage, until__gte=today))


def cycle_progress(cycle: Cycle, today: dt.date) -> CycleProgress:
    """Where the open cycle stands: units per state, who has not submitted (late ones flagged),
    how many wait for appraisal, which clarifications are overdue (three queries, each compiled
    once a process: the province dashboard runs them on every load)."""
    counts = dict(_STATE_COUNTS.rows(cycle.pk))
    self_due_passed = today > cycle.self_assessment_due
    not_submitted = _NOT_SUBMITTED.all(cycle.pk, today)
    for a in not_submitted:
        a.late = self_due_passed and not a.extended
    overdue_rows = _OVERDUE_CLARIFICATIONS.all(cycle.pk, today)
    late_drafts = not_submitted[0].unextended if self_due_passed and not_submitted else 0
    under = sum(counts.get(s, 0) for s in AWAITING_APPRAISAL_RESULT)
    return CycleProgress(
        cycle=cycle,
        counts=counts,
        total=sum(counts.values()),
        not_submitted=not_submitted,
        not_submitted_late=late_drafts,
        overdue_clarifications=overdue_rows,
        overdue_clarification_count=overdue_rows[0].late_count if overdue_rows else 0,
        under_appraisal=under,
        appraisal_late=bool(under) and today > cycle.appraisal_due,
    )


PROGRESS_LIMIT = 20  # the units listed in each of the progress panel's lists


def _not_submitted(cycle_id: int, today: dt.date) -> QuerySet[Assessment]:
    extended = _extended(Stage.SELF_ASSESSMENT, today)
    return (
        Assessment.objects.filter(cycle_id=cycle_id, status=Status.DRAFT)
        .select_related("unit")
        .only("id", "unit__name")
        .annotate(extended=extended)
        .annotate(
            # How many drafts have no extension, over all of them, beside the first ones.
            unextended=Window(Sum(Case(When(extended=False, then=Value(1)), default=Value(0)))),
        )
        .order_by("extended", "unit__name")[:PROGRESS_LIMIT]
    )


def _overdue_clarifications(cycle_id: int, today: dt.date) -> QuerySet[ClarificationRequest]:
    extension = DeadlineExtension.objects.filter(
        assessment=OuterRef("assessment_id"), stage=Stage.CLARIFICATION, until__gte=today
    )
    return (
        ClarificationRequest.objects.filter(
            assessment__cycle_id=cycle_id,
            answered_at__isnull=True,
            deadline__lt=today,
            assessment__status=Status.CLARIFICATION,
        )
        .exclude(Exists(extension))
        .select_related("assessment__unit")
        .only("id", "number", "deadline", "assessment__id", "assessment__unit__name")
        .annotate(late_count=Window(Count("id")))
        .order_by("deadline", "assessment__unit__name")[:PROGRESS_LIMIT]
    )


_STATE_COUNTS = CompiledSelect(
    lambda cycle_id: (
        Assessment.objects.filter(cycle_id=cycle_id)
        .values("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
        .order_by()
    )
)
_NOT_SUBMITTED = CompiledSelect(_not_submitted, markers=(MARKER, DAY_MARKER))
_OVERDUE_CLARIFICATIONS = CompiledSelect(_overdue_clarifications, markers=(MARKER, DAY_MARKER))


# -- one commune --------------------------------------------------------------------------------


@dataclass(frozen=True)
class YearResult:
    unit_id: int
    unit_name: str
    year: int
    percent: Decimal
    total: Decimal
    classification: str
    rank: int
    rank_of: int
    rank_change: int | None
    result_id: int
    publication_id: int
    version_id: int
    places: int  # the decimals the publication shows
    own: bool  # the commune itself, not a predecessor


@dataclass
class History:
    rows: list[YearResult]
    predecessors: list[AdministrativeUnit]
    province_means: dict[int, Decimal] = field(default_factory=dict)  # year -> mean index

    @property
    def years(self) -> list[int]:
        return sorted({r.year for r in self.rows})

    @property
    def latest(self) -> YearResult | None:
        own = [r for r in self.rows if r.own]
        return own[-1] if own else None


def unit_history(unit: AdministrativeUnit) -> History:
    """The commune's published results over the years and those of the units merged into it,
    with the mean index of the publications they were ranked in (four queries)."""
    lineage = unit_lineage(unit)
    ids = [unit.pk] + [u.pk for u in lineage]
    rows = [
        YearResult(
            **r | {"percent": _dec(r["percent"], r["places"]), "total": _dec(r["total"], r["places"])},
            own=r["unit_id"] == unit.pk,
        )
        for r in PublishedResult.objects.filter(unit_id__in=ids, publication__is_current=True)
        .annotate(
            year=F("publication__year"),
            result_id=F("id"),
            version_id=F("publication__approval__cycle__framework_version_id"),
            places=F("publication__places"),
        )
        .values(
            "unit_id", "unit_name", "year", "percent", "total", "classification", "rank", "rank_of",
            "rank_change", "result_id", "publication_id", "version_id", "places",
        )
        .order_by("year", "unit_name")
    ]  # fmt: skip
    means: dict[int, Decimal] = {}
    if rows:
        for year, mean in (
            PublishedResult.objects.filter(publication_id__in={r.publication_id for r in rows})
            .values("publication__year")
            .annotate(mean=Avg("percent"))
            .values_list("publication__year", "mean")
        ):
            means[year] = _dec(mean)
    return History(rows=rows, predecessors=lineage, province_means=means)


@dataclass(frozen=True)
class FieldStanding:
    code: str
    name: str
    score: Decimal | None
    maximum: Decimal
    lost: Decimal
    percent: Decimal | None  # of the applicable maximum
    mean: Decimal | None  # over the publication's units (points)
    mean_percent: Decimal | None  # over the publication's units (percent of each one's maximum)
    rank: int | None  # by percent of the applicable maximum (None: the field did not apply)
    of: int


def field_standing(result: YearResult, fields: list[dict[str, Any]]) -> list[FieldStanding]:
    """The commune's score per field with the publication's mean and its rank in each field, by
    percent of the applicable maximum (``scoring.aggregates.field_standings``) over the field
    rows of every unit of the publication (one query)."""
    names = {f["code"]: f["name"] for f in fields}
    rows = list(
        PublishedScore.objects.filter(publication_id=result.publication_id, depth=0)
        .order_by("position", "unit_id")
        .values_list("unit_id", "code", "score", "applicable_max", "lost")
    )
    lost = {code: value for unit_id, code, _, _, value in rows if unit_id == result.unit_id}
    standings = scoring.aggregates.field_standings(
        ((unit_id, code, score, maximum) for unit_id, code, score, maximum, _ in rows), result.unit_id, result.places
    )
    return [
        FieldStanding(
            code=s.code,
            name=names.get(s.code, s.code),
            score=_dec(s.score, result.places),
            maximum=_dec(s.applicable_max, result.places),
            lost=_dec(lost[s.code], result.places),
            percent=s.percent,
            mean=s.mean,
            mean_percent=s.mean_percent,
            rank=s.rank,
            of=s.of,
        )
        for s in standings
    ]


@dataclass(frozen=True)
class LeafLoss:
    code: str
    name: str
    maximum: Decimal
    score: Decimal
    lost: Decimal
    losing_share: Decimal  # share of the publication's units that also lost points on it


def top_losses(result: YearResult, limit: int = 10) -> list[LeafLoss]:
    """The sub-criteria the commune lost most points on, with how common the loss was in the
    province (one query: titles and the province share are subqueries)."""
    title = Criterion.objects.filter(version_id=result.version_id, code=OuterRef("code")).order_by().values("name")[:1]
    peers = (
        PublishedScore.objects.filter(publication_id=result.publication_id, code=OuterRef("code"), score__isnull=False)
        .order_by()
        .values("code")
    )
    losing = peers.annotate(n=Count("id", filter=Q(lost__gt=0))).values("n")
    applied = peers.annotate(n=Count("id")).values("n")
    rows = (
        PublishedScore.objects.filter(result_id=result.result_id, is_leaf=True, lost__gt=0)
        .annotate(name=Subquery(title), losing=Subquery(losing), applied=Subquery(applied))
        .order_by("-lost", "position")
        .values("code", "name", "applicable_max", "score", "lost", "losing", "applied")[:limit]
    )
    return [
        LeafLoss(
            code=r["code"],
            name=r["name"] or r["code"],
            maximum=_dec(r["applicable_max"]),
            score=_dec(r["score"]),
            lost=_dec(r["lost"]),
            losing_share=scoring.aggregates.percent_of(r["losing"], r["applied"], 1) or Decimal(0),
        )
        for r in rows
    ]


def open_actions(unit: AdministrativeUnit, limit: int = 15) -> tuple[list[Action], int]:
    """The unfinished remediation actions of the commune's approved plans, soonest due first,
    and how many there are (two queries)."""
    from parindex.remediation.selectors import with_last_note

    qs = Action.objects.filter(plan__unit=unit).exclude(status=ActionStatus.DONE).exclude(plan__status=PlanStatus.DRAFT)
    rows = list(
        with_last_note(qs.select_related("plan", "item", "official")).order_by(
            F("due").asc(nulls_last=True), "plan__year", "position"
        )[:limit]
    )
    return rows, (qs.count() if len(rows) == limit else len(rows))


def open_assessment(unit: AdministrativeUnit) -> Assessment | None:
    """The commune's assessment in the newest cycle not yet published (one query)."""
    return (
        Assessment.objects.filter(unit=unit)
        .exclude(status=Status.PUBLISHED)
        .select_related("cycle__framework_version", "cycle__province", "unit")
        .order_by("-cycle__year", "-pk")
        .first()
    )


def extensions(assessment: Assessment) -> dict[str, dt.date]:
    """The latest extension per stage (one query)."""
    out: dict[str, dt.date] = {}
    for stage, until in (
        DeadlineExtension.objects.filter(assessment=assessment)
        .order_by("granted_at", "pk")
        .values_list("stage", "until")
    ):
        out[stage] = until
    return out


def open_request(assessment: Assessment) -> ClarificationRequest | None:
    """The clarification request the commune still has to answer (one query)."""
    return (
        ClarificationRequest.objects.filter(assessment=assessment, answered_at__isnull=True).order_by("-number").first()
    )
