"""The indicator source of a self-assessment (``source: indicator:<code>``): the unit's
figures of the assessment's year for a followed indicator, registered with
``assessments.sources`` by ``IndicatorsConfig.ready()``."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.sources import SOURCE_KEY, InputSource, SourceKind
from parindex.core.numbers import vn_grouped, vn_number

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

    from parindex.assessments.services import answer_fill
    from parindex.frameworks.selectors import framework_version_spec

    spec = framework_version_spec(assessment.cycle.framework_version)
    name = indicator_code(spec, code)
    figure = _indicator_figures(assessment, [name]).get(name) if name else None
    if figure is None:
        raise ValidationError(f"Chưa có số liệu chỉ số theo dõi của năm {assessment.cycle.year} cho tiêu chí này.")
    label, detail = _indicator_detail(figure, assessment.cycle.year)
    source = f" ({figure['indicator__source']})" if figure["indicator__source"] else ""
    return answer_fill(
        assessment=assessment,
        code=code,
        inputs={"numerator": figure["numerator"], "denominator": figure["denominator"]},
        explanation=f"Theo {label[0].lower()}{label[1:]}{source}, {detail}.",
        actor=actor,
    )


KIND = "indicator"
SOURCE = SourceKind(_indicator_collect, _indicator_may_apply, _indicator_apply)
