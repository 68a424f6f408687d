"""Figures a sub-criterion's input can be taken from, besides what the commune types in.

A framework leaf names its source with the node key ``source`` (e.g. ``source: remediation``
on 1.5.3 of the reference framework: the share of last year's remediation actions done on
time). Each kind of source is a ``SourceKind`` in ``KINDS``:

- ``collect(assessment, spec, codes)``: the figures it offers the assessment's leaves
  ``codes``, as ``InputSource`` rows, in a fixed number of queries;
- ``may_apply(principal, unit)``: who may write the figure into the answer;
- ``apply(assessment, code, actor, principal)``: write it (through the ordinary answer service, so
  it is audited), raising ValidationError or PermissionDenied.

``input_sources`` gathers every kind's offers and says whether each already matches the
answer. Another kind (say an indicator read from a national system) is added by writing
those three functions and listing them under its ``source`` value.

The apps providing the figures are imported lazily: they import the assessments app.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.inputs import clean_inputs, to_response, to_stored
from parindex.assessments.models import Answer, Assessment
from parindex.core.numbers import vn_grouped, vn_number

SOURCE_KEY = "source"  # the node key naming a leaf's source


@dataclass(frozen=True)
class InputSource:
    """The figure a source offers for one leaf, and where it comes from."""

    code: str
    kind: str  # the ``source`` value, a key of KINDS
    inputs: dict[str, Any]  # the rule's inputs, as answer_save takes them
    label: str  # what the figure comes from ("Kế hoạch khắc phục Chỉ số CCHC năm 2025")
    detail: str  # the figure in words ("hoàn thành đúng hạn 7/9 biện pháp (77,78%)")
    url: str  # where to see it
    matches_answer: bool = False  # the saved answer already has these inputs


@dataclass(frozen=True)
class SourceKind:
    collect: Callable[[Assessment, scoring.Framework, Collection[str]], list[InputSource]]
    may_apply: Callable[[Principal, UnitRef], bool]
    apply: Callable[..., Answer]


# -- remediation: the completion of the plan carried out in the assessment's year ---------------


def _remediation_collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    """The plan carried out in the assessment's year and its actions, in one query (the same plan
    and figures as ``remediation.services.remediation_input_apply``: ``selectors.plans_feeding``
    and ``selectors.plan_completion``)."""
    from django.db.models import Subquery
    from django.urls import reverse

    from parindex.remediation import selectors
    from parindex.remediation.models import Action

    feeding = selectors.plans_feeding(assessment).values("pk")[:1]
    actions = list(selectors.with_last_note(Action.objects.filter(plan_id=Subquery(feeding))).select_related("plan"))
    if not actions:  # no approved plan (an approved plan has an action on every line)
        return []
    plan = actions[0].plan
    today = timezone.localdate()
    completion = selectors.completion_of([selectors.action_row(a, plan, today) for a in actions], plan.year)
    percent = vn_number(completion.percent or Decimal(0))
    source = InputSource(
        code="",
        kind="remediation",
        inputs={"numerator": completion.done_on_time, "denominator": completion.total},
        label=f"Kế hoạch khắc phục Chỉ số CCHC năm {plan.assessed_year}",
        detail=f"hoàn thành đúng hạn {completion.done_on_time}/{completion.total} biện pháp ({percent}%)",
        url=reverse("remediation:plan-detail", args=[plan.pk]),
    )
    return [replace(source, code=code) for code in codes]


def _remediation_may_apply(principal: Principal, unit: UnitRef) -> bool:
    from parindex.remediation.permissions import can_edit

    return can_edit(principal, unit)


def _remediation_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    from parindex.remediation.services import remediation_input_apply

    return remediation_input_apply(assessment=assessment, actor=actor, principal=principal)


# -- indicator: the unit's figures of the assessment's year for a followed indicator -----------
#
# A leaf names the indicator after the kind: ``source: indicator:ho_so_dung_han`` (3.5 of the
# reference framework takes the on-time dossiers rate). Only ratio indicators feed a leaf: their
# year-to-date sums are the leaf's numerator and denominator.


def indicator_code(spec: scoring.Framework, code: str) -> str | None:
    """The indicator a leaf takes its input from, if any (no query)."""
    kind, _, name = str(spec.node(code).extra.get(SOURCE_KEY, "")).partition(":")
    return (name or None) if kind == "indicator" else None


def indicator_sums(unit_ids: Collection[int], year: int, names: Collection[str]) -> dict[tuple[int, str], Any]:
    """(unit id, indicator code) -> the unit's year-to-date sums of a ratio indicator: numerator,
    denominator, months, with the indicator's name and source; months with nothing to count
    left out (one query for any number of units)."""
    from django.db.models import Count, Sum

    from parindex.indicators.models import Indicator, IndicatorValue

    if not names:
        return {}
    rows = (
        IndicatorValue.objects.filter(
            unit_id__in=list(unit_ids),
            year=year,
            indicator__code__in=list(names),
            indicator__kind=Indicator.Kind.RATIO,
        )
        .values("unit_id", "indicator__code", "indicator__name", "indicator__source")
        .annotate(numerator=Sum("numerator"), denominator=Sum("denominator"), months=Count("id"))
        .order_by()
    )
    return {(r["unit_id"], r["indicator__code"]): r for r in rows if r["denominator"]}


def _indicator_figures(assessment: Assessment, names: Collection[str]) -> dict[str, Any]:
    """Indicator code -> the unit's sums for the assessment's year (one query)."""
    sums = indicator_sums([assessment.unit_id], assessment.cycle.year, names)
    return {code: row for (_unit, code), row in sums.items()}


def _indicator_detail(figure: Mapping[str, Any], year: int) -> tuple[str, str]:
    numerator, denominator = figure["numerator"], figure["denominator"]
    percent = vn_number((Decimal(100) * numerator / denominator).quantize(Decimal("0.01")))
    shown = f"{vn_grouped(numerator)}/{vn_grouped(denominator)}"
    label = f"Chỉ số theo dõi: {figure['indicator__name']}"
    detail = f"{figure['months']} tháng năm {year}: {shown} ({percent}%)"
    return label, detail


def _indicator_collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    names = {code: indicator_code(spec, code) for code in codes}
    figures = _indicator_figures(assessment, {n for n in names.values() if n})
    out = []
    for code, name in names.items():
        figure = figures.get(name)
        if figure is None:
            continue
        label, detail = _indicator_detail(figure, assessment.cycle.year)
        out.append(
            InputSource(
                code=code,
                kind="indicator",
                inputs={"numerator": figure["numerator"], "denominator": figure["denominator"]},
                label=label,
                detail=detail,
                url="",
            )
        )
    return out


def _indicator_may_apply(principal: Principal, unit: UnitRef) -> bool:
    # Whoever may write the leaf's answer (the page and the view check that) may fill it from
    # the unit's own figures: no further right is needed.
    return principal.is_authenticated


def _indicator_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    """Write the unit's year-to-date figures of the leaf's indicator into its answer."""
    from django.core.exceptions import ValidationError

    from parindex.assessments.services import answer_save
    from parindex.frameworks.models import Criterion
    from parindex.frameworks.selectors import framework_version_spec

    spec = framework_version_spec(assessment.cycle.framework_version)
    name = indicator_code(spec, code)
    figure = _indicator_figures(assessment, [name]).get(name) if name else None
    if figure is None:
        raise ValidationError(f"Chưa có số liệu chỉ số theo dõi của năm {assessment.cycle.year} cho tiêu chí này.")
    label, detail = _indicator_detail(figure, assessment.cycle.year)
    criterion = Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)
    current = Answer.objects.filter(assessment=assessment, criterion=criterion).values_list("revision", flat=True)
    source = f" ({figure['indicator__source']})" if figure["indicator__source"] else ""
    return answer_save(
        assessment=assessment,
        criterion=criterion,
        inputs={"numerator": figure["numerator"], "denominator": figure["denominator"]},
        explanation=f"Theo {label[0].lower()}{label[1:]}{source}, {detail}.",
        base_revision=current.first(),
        actor=actor,
    )


# -- dossiers: the unit's register of late dossiers of the assessment's year -------------------
#
# ``source: dossiers:apology`` (3.6 of the reference framework): the late dossiers due in the
# year with an apology letter over the late dossiers due in the year; "not applicable" when the
# register is empty and the on-time dossiers indicator shows none late; else nothing is offered
# (an empty register may just not have been kept). ``dossiers.selectors.apology_offer``.


DOSSIERS = "dossiers"  # the kind's ``source`` value, and how the forecast names the register


def _dossiers_collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    """The register's counts for the unit and year, with its on-time indicator's sums (one query)."""
    from django.urls import reverse

    from parindex.dossiers import selectors

    year = assessment.cycle.year
    offer = selectors.apology_offer(selectors.year_figures([assessment.unit_id], year).get(assessment.unit_id))
    if offer is None:
        return []
    source = InputSource(
        code="",
        kind=DOSSIERS,
        inputs=offer.inputs,
        label=f"Sổ theo dõi hồ sơ trễ hạn năm {year}",
        detail=offer.detail,
        url=reverse("dossiers:unit-list", args=[assessment.unit_id]) + f"?nam={year}",
    )
    return [replace(source, code=code) for code in codes]


def _dossiers_may_apply(principal: Principal, unit: UnitRef) -> bool:
    # As for an indicator: whoever may write the leaf's answer may fill it from the unit's own register.
    return principal.is_authenticated


def _dossiers_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    from parindex.dossiers.services import late_dossier_input_apply

    return late_dossier_input_apply(assessment=assessment, code=code, actor=actor, principal=principal)


KINDS: dict[str, SourceKind] = {
    "remediation": SourceKind(_remediation_collect, _remediation_may_apply, _remediation_apply),
    "indicator": SourceKind(_indicator_collect, _indicator_may_apply, _indicator_apply),
    DOSSIERS: SourceKind(_dossiers_collect, _dossiers_may_apply, _dossiers_apply),
}


def register(kind: str, source: SourceKind) -> None:
    """Add a kind of source from the app that provides it (its ``AppConfig.ready()``), so that the
    assessments app imports nothing of it (``parindex.external`` registers ``index`` this way).
    Registering the same kind again replaces it (a reloaded app)."""
    KINDS[kind] = source


# -- gathering and applying ---------------------------------------------------------------------


def source_codes(spec: scoring.Framework) -> dict[str, str]:
    """The leaves with a known source: code -> kind, the part of ``source`` before any ":"
    (no query)."""
    out = {}
    for n in spec.nodes:
        kind = str(n.extra.get(SOURCE_KEY, "")).partition(":")[0]
        if n.is_leaf and kind in KINDS:
            out[n.code] = kind
    return out


def input_sources(
    assessment: Assessment,
    spec: scoring.Framework,
    *,
    answers: Mapping[str, Answer] | None = None,
    only: Collection[str] | None = None,
) -> dict[str, InputSource]:
    """What each source offers the assessment's leaves (``only`` these when given): code ->
    InputSource. No query when none of them has a source; otherwise each kind's queries (one
    for remediation), and one more for the answers unless ``answers`` (code -> Answer, as the
    page reads them) is given."""
    by_kind: dict[str, list[str]] = {}
    for code, kind in source_codes(spec).items():
        if only is None or code in only:
            by_kind.setdefault(kind, []).append(code)
    if not by_kind:
        return {}
    offers = [s for kind, codes in by_kind.items() for s in KINDS[kind].collect(assessment, spec, codes)]
    if not offers:
        return {}
    if answers is None:
        answers = {
            a.criterion.code: a
            for a in Answer.objects.filter(
                assessment=assessment, criterion__code__in=[s.code for s in offers]
            ).select_related("criterion")
        }
    return {s.code: replace(s, matches_answer=_same(spec.node(s.code), answers.get(s.code), s.inputs)) for s in offers}


def _same(node: scoring.Node, answer: Answer | None, inputs: Mapping[str, Any]) -> bool:
    """Whether the answer holds the offered inputs (compared as values: "7" equals "7.0")."""
    if answer is None:
        return False
    try:
        offered = to_response(to_stored(clean_inputs(node, inputs)))
    except ValueError:
        return False
    saved = {k: v for k, v in to_response(answer.inputs).items() if not (k == "applicable" and v is True)}
    return saved == offered


def source_kind(spec: scoring.Framework, code: str) -> SourceKind | None:
    kind = source_codes(spec).get(code)
    return KINDS[kind] if kind else None
