"""The forecast's projection of every assessment, stored and kept current.

The forecast ranks a unit among its cycle; scoring every unit of the cycle per request cost
0.5 s for a province of 168 units and 9 s for the whole country. Instead each assessment keeps
its projected total, percent, classification and missing count (``Assessment.projected_*``),
computed by the engine from ``forecast.projected_inputs`` (the same inputs the forecast
shows) whenever what they stand on changes: the services that change it send
``assessments.signals.projection_stale`` inside their transaction and ``refresh`` below runs
in that same transaction. Ranks are then one SQL count.

``parindex projections`` computes them all again (after an upgrade, or to check: ``--check``
lists every stored figure that differs from the engine's and changes nothing).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from parindex import scoring
from parindex.assessments.models import Assessment
from parindex.assessments.workflow import Status
from parindex.core.compiled import CompiledUpdate
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators.forecast import projected_inputs, score_projected

FIELDS = (
    "projected_total",
    "projected_max",
    "projected_percent",
    "projected_class",
    "projected_missing",
    "projected_tracked",
)
BATCH = 500  # assessments scored and written at a time


@dataclass(frozen=True)
class Stored:
    total: Decimal
    max: Decimal
    percent: Decimal | None
    classification: str
    missing: int
    tracked: dict[str, dict[str, Any]] | None = None  # a draft's inputs from tracked figures

    @classmethod
    def of(cls, score: scoring.UnitScore, tracked: dict[str, dict[str, Any]] | None = None) -> Stored:
        return cls(
            score.total, score.applicable_max, score.percent, score.classification or "", len(score.missing), tracked
        )

    @classmethod
    def read(cls, a: Assessment) -> Stored | None:
        if a.projected_total is None or a.projected_max is None or a.projected_missing is None:
            return None
        return cls(
            a.projected_total,
            a.projected_max,
            a.projected_percent,
            a.projected_class,
            a.projected_missing,
            a.projected_tracked,
        )

    def put(self, a: Assessment) -> None:
        a.projected_total, a.projected_max, a.projected_percent = self.total, self.max, self.percent
        a.projected_class, a.projected_missing, a.projected_tracked = self.classification, self.missing, self.tracked


def _computed(units: list[Assessment]) -> dict[int, Stored]:
    """The engine's projection of assessments (any cycles): four queries per cycle and batch."""
    by_cycle: dict[int, list[Assessment]] = defaultdict(list)
    for a in units:
        by_cycle[a.cycle_id].append(a)
    out: dict[int, Stored] = {}
    for group in by_cycle.values():
        cycle = group[0].cycle
        spec = framework_version_spec(cycle.framework_version)
        for start in range(0, len(group), BATCH):
            batch = group[start : start + BATCH]
            projected, used = projected_inputs(batch, spec, cycle.year)
            for a in batch:
                tracked = {leaf: projected[a.pk][leaf] for leaf in used[a.pk]} if a.status == Status.DRAFT else None
                out[a.pk] = Stored.of(score_projected(spec, projected[a.pk]), tracked)
    return out


def draft_projection(spec: scoring.Framework, answers: dict[str, dict[str, Any]], tracked: dict[str, Any]) -> Stored:
    """A draft's projection from its answers' stored inputs and its stored tracked figures,
    which replace the answers they feed (as ``forecast.projected_inputs`` does): pure."""
    return Stored.of(score_projected(spec, {**answers, **tracked}), tracked)


def _store_held(assessment: Assessment, answers: dict[str, dict[str, Any]]) -> bool:
    """Store the projection of a draft its caller holds locked with its answers read under the
    lock (an answer saved from the page): one UPDATE. False when it cannot be done so (not a
    draft, or its tracked figures not stored yet), for ``refresh`` to do it."""
    if assessment.status != Status.DRAFT or assessment.projected_tracked is None:
        return False
    spec = framework_version_spec(assessment.cycle.framework_version)
    stored = draft_projection(spec, answers, assessment.projected_tracked)
    stored.put(assessment)
    assessment.projected_at = timezone.now()
    _STORE.run({name: getattr(assessment, name) for name in (*FIELDS, "projected_at")}, {"id": assessment.pk})
    return True


# Written on every answer saved from the page: compiled once per process (``core.compiled``).
_STORE = CompiledUpdate(Assessment, columns=(*FIELDS, "projected_at"), where=("id",))


def _query(assessment_ids: Iterable[int] = (), unit_ids: Iterable[int] = (), year: int | None = None) -> Any:
    where, units = Q(pk__in=list(assessment_ids)), list(unit_ids)
    if units and year is not None:  # tracked figures count only while self-assessing
        where |= Q(unit_id__in=units, cycle__year=year, status=Status.DRAFT)
    return Assessment.objects.filter(where)


def refresh(*, assessment_ids: Iterable[int] = (), unit_ids: Iterable[int] = (), year: int | None = None) -> int:
    """Compute and store the projections of these assessments (or of ``unit_ids``' assessments in
    ``year``'s cycles), their rows locked first so that two saves of one assessment cannot store
    a projection missing the other's change. Returns how many were written."""
    with transaction.atomic(savepoint=False):  # inside the caller's transaction: no savepoint
        units = list(
            _query(assessment_ids, unit_ids, year)
            .select_for_update(of=("self",))
            .select_related("cycle__framework_version")
            .only("id", "unit_id", "status", "cycle__year", "cycle__framework_version", *FIELDS)
            .order_by("pk")
        )
        if not units:
            return 0
        computed = _computed(units)
        now = timezone.now()
        for a in units:
            computed[a.pk].put(a)
            a.projected_at = now
        Assessment.objects.bulk_update(units, [*FIELDS, "projected_at"], batch_size=BATCH)
    return len(units)


def on_projection_stale(sender: object, **kwargs: Any) -> None:
    held = kwargs.get("held") or {}
    ids = [pk for pk in kwargs["assessment_ids"] if pk not in held or not _store_held(*held[pk])]
    if not ids and not (kwargs["unit_ids"] and kwargs["year"] is not None):
        return  # all stored from what the callers held: nothing to read (and no query to build)
    refresh(assessment_ids=ids, unit_ids=kwargs["unit_ids"], year=kwargs["year"])


def on_migrated(sender: object, **kwargs: Any) -> None:
    """Compute the projections still missing (assessments from before they were stored, drafts
    from before their tracked figures were)."""
    missing = Q(projected_at__isnull=True) | Q(status=Status.DRAFT, projected_tracked__isnull=True)
    _refresh_in_batches(Assessment.objects.filter(missing))


@dataclass(frozen=True)
class Difference:
    assessment_id: int
    unit: str
    stored: Stored | None
    computed: Stored


def check(*, cycle_ids: Iterable[int] | None = None) -> list[Difference]:
    """Every assessment whose stored projection differs from the engine's now (reads only)."""
    qs = Assessment.objects.select_related("cycle__framework_version", "unit").order_by("pk")
    if cycle_ids is not None:
        qs = qs.filter(cycle_id__in=list(cycle_ids))
    units = list(qs)
    computed = _computed(units)
    return [
        Difference(a.pk, a.unit.name, stored, computed[a.pk])
        for a in units
        if (stored := Stored.read(a)) != computed[a.pk]
    ]


def refresh_all(*, cycle_ids: Iterable[int] | None = None) -> int:
    """Compute every projection again (after an upgrade or a bulk load), a batch per transaction."""
    qs = Assessment.objects.all()
    if cycle_ids is not None:
        qs = qs.filter(cycle_id__in=list(cycle_ids))
    return _refresh_in_batches(qs)


def _refresh_in_batches(assessments: Any) -> int:
    ids = list(assessments.order_by("pk").values_list("pk", flat=True))
    return sum(refresh(assessment_ids=ids[start : start + BATCH]) for start in range(0, len(ids), BATCH))
