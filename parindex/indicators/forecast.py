"""The open cycle's forecast and its what-if. Reads only: nothing here writes an answer.

The projected inputs of a unit are its self-assessment (with the appraisers' figures where
the appraisal has started), and, while the unit is still self-assessing, the figures tracked
all year that its sub-criteria take their input from (see ``assessments.sources``): the
year-to-date figures of an indicator (``source: indicator:<code>``) and the register of late
dossiers and apology letters (``source: dossiers:apology``, 3.6) replace the ones typed in.
The engine scores every unit of the cycle on its projected inputs, so the forecast's score,
percent and classification are ``scoring.score``'s and its rank is ``scoring.rank``'s among
the cycle's units.

A what-if replaces some of one unit's inputs (e.g. online dossiers at 30 %) and scores again;
the others keep their projection, so the points and places gained are the change's alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q

from parindex import scoring
from parindex.appraisals.selectors import cycle_inputs, merged_inputs
from parindex.assessments.inputs import clean_inputs, to_response, to_stored
from parindex.assessments.models import Assessment
from parindex.assessments.sources import source_codes
from parindex.assessments.workflow import Status
from parindex.dossiers import selectors as dossier_selectors
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators.sources import indicator_code, indicator_sums

REGISTER = "dossiers"  # the ``source`` kind of the register of late dossiers (dossiers.sources.KIND)
# Rules a leader can play with on the what-if panel, and the one input each takes there.
WHAT_IF_INPUT = {"proportional": "value", "tiered": "value", "count": "count", "binary": "met"}


@dataclass(frozen=True)
class Projection:
    score: scoring.UnitScore
    place: scoring.Ranked[int]
    inputs: dict[str, dict[str, Any]]  # leaf code -> stored inputs the score stands on


@dataclass
class Forecast:
    assessment: Assessment
    spec: scoring.Framework
    base: Projection
    from_indicators: dict[str, str]  # leaf code -> the indicator's code whose figures were used, or REGISTER
    what_if: Projection | None = None
    changes: dict[str, dict[str, Any]] = field(default_factory=dict)  # leaf code -> stored inputs
    problems: list[str] = field(default_factory=list)

    @property
    def points_gained(self) -> Decimal | None:
        return (
            None if self.what_if is None else scoring.aggregates.change(self.what_if.score.total, self.base.score.total)
        )

    @property
    def places_gained(self) -> int | None:
        return None if self.what_if is None else self.base.place.rank - self.what_if.place.rank


def _indicator_inputs(
    assessments: list[Assessment], links: Mapping[str, str], year: int
) -> dict[int, dict[str, dict[str, Any]]]:
    """unit id -> {leaf code: inputs from its indicator's year-to-date sums} (one query)."""
    sums = indicator_sums([a.unit_id for a in assessments], year, set(links.values()))
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for leaf, name in links.items():
        for a in assessments:
            row = sums.get((a.unit_id, name))
            if row is not None:
                out.setdefault(a.unit_id, {})[leaf] = to_stored(
                    {"numerator": row["numerator"], "denominator": row["denominator"]}
                )
    return out


def _register_inputs(
    assessments: list[Assessment], spec: scoring.Framework, leaves: list[str], year: int
) -> dict[int, dict[str, dict[str, Any]]]:
    """unit id -> {leaf code: inputs from its register of late dossiers}, as the source offers
    them (``dossiers.selectors.apology_offer``; one query, none without such a leaf)."""
    if not leaves:
        return {}
    figures = dossier_selectors.year_figures([a.unit_id for a in assessments], year)
    out: dict[int, dict[str, dict[str, Any]]] = {}
    for a in assessments:
        offer = dossier_selectors.apology_offer(figures.get(a.unit_id))
        if offer is not None:
            out[a.unit_id] = {leaf: to_stored(clean_inputs(spec.node(leaf), offer.inputs)) for leaf in leaves}
    return out


def score_projected(spec: scoring.Framework, inputs: Mapping[str, Mapping[str, Any]]) -> scoring.UnitScore:
    """The engine's score of projected (stored) inputs."""
    return scoring.score(spec, {code: to_response(values) for code, values in inputs.items() if values})


def _places(assessment: Assessment, percents: list[Decimal | None]) -> list[scoring.Ranked[int]]:
    """Where each of ``percents`` would place the assessment among the stored projections of its
    cycle's other units: ties share the better rank, and a unit without a percent ranks as 0, as
    in ``scoring.rank`` (one query, whatever their number)."""
    values = [p or Decimal(0) for p in percents]
    others = Assessment.objects.filter(cycle_id=assessment.cycle_id).exclude(pk=assessment.pk)
    counts = others.aggregate(
        of=Count("pk"), **{f"above{i}": Count("pk", filter=Q(projected_percent__gt=v)) for i, v in enumerate(values)}
    )
    return [scoring.Ranked(assessment.pk, v, counts[f"above{i}"] + 1, counts["of"] + 1) for i, v in enumerate(values)]


def changes_from(spec: scoring.Framework, raw: Mapping[str, str]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The what-if's inputs from the panel's fields (leaf code -> typed text; a rate in %), each
    checked by the engine's rule, and the problems in Vietnamese (pure)."""
    changes: dict[str, dict[str, Any]] = {}
    problems: list[str] = []
    for code, text in raw.items():
        text = (text or "").strip()
        if not text:
            continue
        try:
            node = spec.node(code)
        except KeyError:
            problems.append(f"Không có tiêu chí {code} trong bộ chỉ số.")
            continue
        key = WHAT_IF_INPUT.get(node.rule.kind) if node.is_leaf and node.rule else None
        if key is None:
            problems.append(f"{code}: tiêu chí này không mô phỏng được trên bảng này.")
            continue
        if key == "value":
            number = text.replace("%", "").replace(" ", "").replace(",", ".")
            try:
                typed = {"value": str(Decimal(number) / 100)}
            except ArithmeticError:
                problems.append(f"{code}: “{text}” không phải là một tỷ lệ (ví dụ 30 hoặc 30,5).")
                continue
        elif key == "met":
            typed = {"met": text in ("1", "true", "on", "dat")}
        else:
            typed = {key: text}
        try:
            changes[code] = to_stored(clean_inputs(node, typed))
        except ValueError as exc:
            problems.append(f"{code}: {exc}")
    return changes, problems


def projected_inputs(
    units: list[Assessment], spec: scoring.Framework, year: int
) -> tuple[dict[int, dict[str, dict[str, Any]]], dict[int, dict[str, str]]]:
    """Each assessment's projected inputs, and for each the leaves whose input came from a
    figure tracked all year (leaf code -> the indicator's code, or REGISTER), in four queries
    whatever their number."""
    # A draft has no appraisal yet; only drafts take the figures tracked all year.
    drafts = [a for a in units if a.status == Status.DRAFT]
    self_inputs, rounds = cycle_inputs(
        (a.pk for a in units), appraised=[a.pk for a in units if a.status != Status.DRAFT]
    )
    links = {leaf.code: name for leaf in spec.leaves if (name := indicator_code(spec, leaf.code))}
    figures = _indicator_inputs(drafts, links, year) if drafts else {}
    register_leaves = [code for code, kind in source_codes(spec).items() if kind == REGISTER]
    registers = _register_inputs(drafts, spec, register_leaves, year) if drafts else {}
    projected: dict[int, dict[str, dict[str, Any]]] = {}
    used: dict[int, dict[str, str]] = {}
    for a in units:
        own = merged_inputs(self_inputs[a.pk], rounds[a.pk])  # the appraisal so far over the answers
        used[a.pk] = {}
        if a.status == Status.DRAFT:  # still self-assessing: the year's figures so far count
            for leaf, values in figures.get(a.unit_id, {}).items():
                own[leaf] = values
                used[a.pk][leaf] = links[leaf]
            for leaf, values in registers.get(a.unit_id, {}).items():
                own[leaf] = values
                used[a.pk][leaf] = REGISTER
        projected[a.pk] = own
    return projected, used


def own_projection(assessment: Assessment) -> tuple[scoring.UnitScore, dict[str, str]]:
    """The assessment's projected score alone, without the cycle's ranking, and the leaves fed
    by a tracked figure (four queries), for pages that show the projection but not the rank."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    projected, used = projected_inputs([assessment], spec, assessment.cycle.year)
    return score_projected(spec, projected[assessment.pk]), used[assessment.pk]


def forecast(assessment: Assessment, raw_changes: Mapping[str, str] | None = None) -> Forecast:
    """The assessment's projection among its cycle's units, and the what-if of ``raw_changes``
    when given. The unit is scored by the engine; the other units stand where their stored
    projections (``projections``) put them, so the cost does not grow with their number (four
    queries at most, with or without a what-if; none writes)."""
    cycle = assessment.cycle
    spec = framework_version_spec(cycle.framework_version)
    projected, used_by = projected_inputs([assessment], spec, cycle.year)
    own = projected[assessment.pk]
    score = score_projected(spec, own)
    changes, problems = changes_from(spec, raw_changes) if raw_changes else ({}, [])
    changed = own | changes
    what_if = score_projected(spec, changed) if changes and not problems else None
    places = _places(assessment, [score.percent] + ([what_if.percent] if what_if is not None else []))
    result = Forecast(
        assessment=assessment,
        spec=spec,
        base=Projection(score, places[0], own),
        from_indicators=used_by[assessment.pk],
        changes=changes,
        problems=problems,
    )
    if what_if is not None:
        result.what_if = Projection(what_if, places[1], changed)
    return result
