"""An external index as the input of a sub-criterion (the ``index`` kind of ``assessments.sources``).

A framework leaf names it with ``source: index:<code>[:<aggregation>[:<component>]]``:

- ``index:766`` or ``index:766:mean``: the mean over the weeks of the cycle's year of each
  week's total over that week's maximum (a ratio, 0.8725);
- ``index:766:last``: the last week's total over its maximum;
- ``index:766:mean:so_hoa`` (or ``last:so_hoa``): the same for one component, each week's
  points over the component's maximum in the version of that week (weeks whose version lacks
  the component are left out).

The figure is offered as the rule's ``value`` (a ratio), which ``proportional`` and ``tiered``
rules read. Totals include the adjustments recorded on the results (they are the official
figure). Registered by ``ExternalConfig.ready()`` with ``sources.register``: the assessments
app imports nothing of this app.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.urls import reverse

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.sources import SOURCE_KEY, InputSource, SourceKind
from parindex.core.numbers import vn_number
from parindex.external.models import ExternalResult, ExternalValue

KIND = "index"
MEAN, LAST = "mean", "last"
AGGREGATIONS = {MEAN: "trung bình các kỳ", LAST: "kỳ gần nhất"}
PLACES = 4  # decimals of the offered ratio


@dataclass(frozen=True)
class Link:
    index: str
    aggregation: str
    component: str  # "" for the total


def link_of(spec: scoring.Framework, code: str) -> Link | None:
    """What a leaf's ``source`` asks of an index, if it names one (no query)."""
    kind, _, rest = str(spec.node(code).extra.get(SOURCE_KEY, "")).partition(":")
    if kind != KIND or not rest:
        return None
    parts = rest.split(":")
    index = parts[0]
    aggregation = parts[1] if len(parts) > 1 and parts[1] else MEAN
    component = parts[2] if len(parts) > 2 else ""
    if aggregation not in AGGREGATIONS or len(parts) > 3:
        return None
    return Link(index, aggregation, component)


@dataclass(frozen=True)
class Figure:
    ratio: Decimal
    periods: int
    label: str
    detail: str


def figures(unit_id: int, year: int, links: Collection[Link]) -> dict[Link, Figure]:
    """Each link's figure for the unit and year, in one query: the results' totals, or, when a
    link names a component, the components' values with their results' totals beside them."""
    if not links:
        return {}
    codes = {link.index for link in links}
    totals: list[tuple[str, str, Any, Decimal, Decimal]] = []
    parts: list[tuple[str, str, Any, Decimal, Decimal, str]] = []
    if any(link.component for link in links):
        seen: set[tuple[str, Any]] = set()
        for code, name, start, total, top, comp, value, comp_max, comp_name in (
            ExternalValue.objects.filter(
                result__unit_id=unit_id, result__period_start__year=year, result__index__code__in=codes
            )
            .order_by("result__period_start", "component__position")
            .values_list(
                "result__index__code", "result__index__name", "result__period_start", "result__total",
                "result__version__max_total", "component__code", "value", "component__max", "component__name",
            )
        ):  # fmt: skip
            if (code, start) not in seen:
                seen.add((code, start))
                totals.append((code, name, start, total, top))
            parts.append((code, comp, start, value, comp_max, comp_name))
    else:
        totals = list(
            ExternalResult.objects.filter(unit_id=unit_id, period_start__year=year, index__code__in=codes)
            .order_by("period_start")
            .values_list("index__code", "index__name", "period_start", "total", "version__max_total")
        )
    out = {}
    for link in links:
        if link.component:
            pairs = [
                (v, m, start) for code, comp, start, v, m, _n in parts if code == link.index and comp == link.component
            ]
            names = [n for code, comp, *_rest, n in parts if code == link.index and comp == link.component]
            what = f"nhóm '{names[0]}'" if names else ""
        else:
            pairs = [(t, m, start) for code, _name, start, t, m in totals if code == link.index]
            what = "tổng điểm"
        if not pairs:
            continue
        chosen = pairs[-1:] if link.aggregation == LAST else pairs
        ratio = scoring.aggregates.mean_ratio([(p, m) for p, m, _ in chosen], PLACES)
        if ratio is None:
            continue
        percent = vn_number(scoring.aggregates.percent_of(ratio, 1, 2))
        if link.aggregation == LAST:
            detail = f"{what} kỳ từ {chosen[0][2]:%d/%m/%Y}: {percent}% điểm tối đa"
        else:
            detail = f"{what} trung bình {len(chosen)} kỳ năm {year}: {percent}% điểm tối đa"
        out[link] = Figure(ratio=ratio, periods=len(chosen), label=f"Chỉ số {link.index}", detail=detail)
    return out


def _collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    links = {code: link_of(spec, code) for code in codes}
    found = figures(assessment.unit_id, assessment.cycle.year, {link for link in links.values() if link})
    url = reverse("external:unit-trend", args=[assessment.unit_id]) + f"?nam={assessment.cycle.year}"
    out = []
    for code, link in links.items():
        figure = found.get(link) if link else None
        if figure is None:
            continue
        out.append(
            InputSource(
                code=code,
                kind=KIND,
                inputs={"value": figure.ratio},
                label=figure.label,
                detail=figure.detail,
                url=url + f"&chi-so={link.index}",
            )  # fmt: skip
        )
    return out


def _may_apply(principal: Principal, unit: UnitRef) -> bool:
    # As for an indicator: whoever may write the leaf's answer may fill it from the unit's own results.
    return principal.is_authenticated


def _apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    """Write the leaf's figure into its answer through ``answer_save`` (audited)."""
    from parindex.assessments.services import answer_fill
    from parindex.frameworks.selectors import framework_version_spec

    spec = framework_version_spec(assessment.cycle.framework_version)
    link = link_of(spec, code)
    figure = figures(assessment.unit_id, assessment.cycle.year, [link]).get(link) if link else None
    if figure is None:
        raise ValidationError(f"Chưa có kết quả chỉ số của năm {assessment.cycle.year} cho tiêu chí này.")
    return answer_fill(
        assessment=assessment,
        code=code,
        inputs={"value": figure.ratio},
        explanation=f"Theo {figure.label}, {figure.detail}.",
        actor=actor,
    )


SOURCE = SourceKind(_collect, _may_apply, _apply)
