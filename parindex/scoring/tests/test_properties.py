"""Property tests: random frameworks and valid responses keep the contract's invariants.

Also checks every leaf against an exact oracle written from formats.md §2 (rational
arithmetic, half-up rounding, clamping), and that the rule kinds' fast paths agree with
their general path.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from math import floor
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parindex import scoring
from parindex.scoring import rules
from parindex.scoring.decimals import fixed, quantizer
from parindex.scoring.rules import MISSING, NOT_APPLICABLE, RULE_KINDS
from parindex.scoring.tests._helpers import D, document, leaf

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KINDS = sorted(RULE_KINDS)


def decimals(low: int, high: int, places: int) -> st.SearchStrategy[Decimal]:
    """Decimals n × 10^-places for low ≤ n ≤ high."""
    return st.integers(low, high).map(lambda n: D(n).scaleb(-places))


def points_upto(node_max: Decimal, rounding: int) -> st.SearchStrategy[Decimal]:
    return decimals(0, int(node_max.scaleb(rounding)), rounding)


# -- frameworks ---------------------------------------------------------------------------


@st.composite
def rule_for(draw, node_max: Decimal, rounding: int, kind: str | None = None) -> tuple[str, dict[str, Any]]:
    kind = kind or draw(st.sampled_from(KINDS))
    params: dict[str, Any] = {}
    if kind == "proportional" and draw(st.booleans()):
        params["target"] = draw(decimals(1, 200, 2))
    elif kind == "tiered":
        mins = draw(st.lists(st.integers(0, 150), min_size=1, max_size=4, unique=True))
        params["tiers"] = [
            {"min": D(m).scaleb(-2), "points": draw(points_upto(node_max, rounding))}
            for m in sorted(mins, reverse=True)
        ]
        if draw(st.booleans()):
            params["default"] = draw(points_upto(node_max, rounding))
    elif kind in ("count", "deduction"):
        params["per_item"] = draw(decimals(1, 300, draw(st.integers(0, 3))))
    elif kind == "timeliness":
        days = draw(st.lists(st.integers(1, 60), max_size=3, unique=True))
        if days:
            params["late"] = [{"within_days": d, "points": draw(points_upto(node_max, rounding))} for d in sorted(days)]
        if draw(st.booleans()):
            params["default"] = draw(points_upto(node_max, rounding))
    elif kind == "manual" and draw(st.booleans()):
        params["step"] = draw(st.sampled_from([D("0.1"), D("0.25"), D("0.5"), D(1), D("0.75")]))
    return kind, params


@st.composite
def subtree(draw, code: str, depth: int, rounding: int) -> dict[str, Any]:
    if depth >= 3 or draw(st.integers(0, 2)) > 0:
        node_max = draw(decimals(0, 1500, min(rounding, 2)))
        kind, params = draw(rule_for(node_max, rounding))
        return leaf(code, node_max, kind, **params)
    count = draw(st.integers(1, 3))
    children = [draw(subtree(f"{code}.{i + 1}", depth + 1, rounding)) for i in range(count)]
    return {"code": code, "name": f"Nhóm {code}", "max": sum((c["max"] for c in children), D(0)), "children": children}


@st.composite
def frameworks(draw) -> scoring.Framework:
    rounding = draw(st.integers(0, 2))
    roots = [draw(subtree(str(i + 1), 0, rounding)) for i in range(draw(st.integers(1, 3)))]
    bands = [{"label": "Tốt", "min": D(80)}, {"label": "Đạt", "min": D(50)}, {"label": "Chưa đạt", "min": D(0)}]
    return scoring.parse_framework(document(*roots, rounding=rounding, classification=bands))


# -- responses ----------------------------------------------------------------------------


@st.composite
def valid_response(draw, kind: str, node_max: Decimal, params: Mapping[str, Any]) -> dict[str, Any]:
    if kind == "binary":
        return {"met": draw(st.booleans())}
    if kind in ("proportional", "tiered"):
        if draw(st.booleans()):
            return {"value": draw(decimals(0, 20000, draw(st.integers(0, 4))))}
        as_decimal = draw(st.booleans())
        numerator, denominator = draw(st.integers(0, 1200)), draw(st.integers(1, 1000))
        if as_decimal:
            return {"numerator": D(numerator), "denominator": D(denominator)}
        return {"numerator": numerator, "denominator": denominator}
    if kind in ("count", "deduction"):
        count = draw(st.integers(0, 30))
        return {"count": D(count) if draw(st.integers(0, 4)) == 0 else count}
    if kind == "timeliness":
        return {"days_late": draw(st.integers(-10, 90))}
    assert kind == "manual"
    step = params.get("step")
    if step is None:
        return {"score": draw(decimals(0, int(node_max.scaleb(4)), 4))}
    return {"score": draw(st.integers(0, int(node_max / step))) * step}


@st.composite
def unit_responses(draw, framework: scoring.Framework) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for node in framework.leaves:
        assert node.rule is not None
        choice = draw(st.sampled_from(["answer", "answer", "answer", "answer+applicable", "not-applicable", "missing"]))
        if choice == "missing":
            continue
        if choice == "not-applicable":
            responses[node.code] = {"applicable": False}
            continue
        response = draw(valid_response(node.rule.kind, node.max, node.rule.params))
        if choice == "answer+applicable":
            response["applicable"] = True
        responses[node.code] = response
    return responses


@st.composite
def scored_units(draw) -> tuple[scoring.Framework, dict[str, Any]]:
    framework = draw(frameworks())
    return framework, draw(unit_responses(framework))


# -- an exact oracle from formats.md §2 --------------------------------------------------------


def exact(kind: str, node_max: Decimal, params: Mapping[str, Any], response: Mapping[str, Any]) -> Fraction:
    m = Fraction(node_max)
    if kind == "binary":
        return m if response["met"] else Fraction(0)
    if kind in ("proportional", "tiered"):
        if "value" in response:
            value = Fraction(response["value"])
        else:
            value = Fraction(response["numerator"]) / Fraction(response["denominator"])
        if kind == "proportional":
            return m * min(value / Fraction(params["target"]), Fraction(1))
        for low, points in params["tiers"]:
            if Fraction(low) <= value:
                return Fraction(points)
        return Fraction(params["default"])
    if kind == "count":
        return min(Fraction(response["count"]) * Fraction(params["per_item"]), m)
    if kind == "deduction":
        return max(m - Fraction(response["count"]) * Fraction(params["per_item"]), Fraction(0))
    if kind == "timeliness":
        days = response["days_late"]
        if days <= 0:
            return m
        for within, points in params["late"]:
            if days <= within:
                return Fraction(points)
        return Fraction(params["default"])
    return Fraction(response["score"])


def published(raw: Fraction, node_max: Decimal, rounding: int) -> str:
    """Round half up to ``rounding`` decimals, then clamp to [0, max]; as a fixed string."""
    rounded = Fraction(floor(raw * 10**rounding + Fraction(1, 2)), 10**rounding)
    clamped = min(max(rounded, Fraction(0)), Fraction(node_max))
    scaled = clamped * 10**rounding
    assert scaled.denominator == 1
    return fixed(D(scaled.numerator).scaleb(-rounding))


# -- properties ---------------------------------------------------------------------------


@SETTINGS
@given(scored_units())
def test_it_keeps_every_invariant_of_the_tree(unit):
    framework, responses = unit
    result = scoring.score(framework, responses)
    nodes = {ns.code: ns for ns in result.nodes()}
    exponent = -framework.rounding
    for ns in nodes.values():
        assert ns.score.as_tuple().exponent == exponent, (ns.code, ns.score)
        if ns.node.is_leaf:
            assert 0 <= ns.score <= ns.max
            assert ns.applicable_max == (0 if responses.get(ns.code) == {"applicable": False} else ns.max)
        else:
            children = [nodes[c] for c in ns.node.children]
            assert ns.score == sum((c.score for c in children), D(0))
            assert ns.applicable_max == sum((c.applicable_max for c in children), D(0))
        assert ns.lost == ns.applicable_max - ns.score >= 0
    roots = [nodes[node.code] for node in framework.roots]
    assert result.total == sum((r.score for r in roots), D(0))
    assert result.applicable_max == sum((r.applicable_max for r in roots), D(0))
    assert 0 <= result.total <= result.applicable_max <= result.max_total == framework.max_total
    assert sum((ns.lost for ns in nodes.values() if ns.node.is_leaf), D(0)) == result.lost
    expected_missing = [
        n.code for n in framework.leaves if n.code not in responses or responses[n.code] == {"applicable": True}
    ]
    assert result.missing == expected_missing


@SETTINGS
@given(scored_units())
def test_it_scores_every_leaf_exactly_as_the_contract_says(unit):
    framework, responses = unit
    result = scoring.score(framework, responses)
    for node in framework.leaves:
        assert node.rule is not None
        response = responses.get(node.code)
        if response is None or response.get("applicable", True) is False or set(response) == {"applicable"}:
            assert fixed(result.node(node.code).score) == fixed(D(0).scaleb(-framework.rounding))
            continue
        raw = exact(node.rule.kind, node.max, node.rule.params, response)
        assert fixed(result.node(node.code).score) == published(raw, node.max, framework.rounding), (
            node.code,
            response,
        )
    if result.applicable_max > 0:
        percent = Fraction(result.total) * 100 / Fraction(result.applicable_max)
        assert fixed(result.percent) == published(percent, D(100), framework.rounding)
    else:
        assert result.percent is None


@SETTINGS
@given(st.data())
def test_it_gives_the_same_score_on_the_fast_path_and_the_general_path(data):
    rounding = data.draw(st.integers(0, 2), label="rounding")
    node_max = data.draw(decimals(0, 1500, rounding), label="max")
    kind, params = data.draw(rule_for(node_max, rounding, data.draw(st.sampled_from(KINDS), label="kind")))
    framework = scoring.parse_framework(document(leaf("x", node_max, kind, **params), rounding=rounding))
    node = framework.node("x")
    assert node.rule is not None
    quant = quantizer(rounding)
    rule = RULE_KINDS[kind]
    response = data.draw(valid_response(kind, node.max, node.rule.params), label="response")
    if data.draw(st.integers(0, 4)) == 0:
        response["applicable"] = True  # off the fast path
    fast = rule.scorer(node.max, node.rule.params, quant)(response)
    general = rules.finish(
        rule.compute(node.max, node.rule.params, rule.read(response, node.max, node.rule.params)), node.max, quant
    )
    assert fast == general
    assert str(fast) == str(general)  # same decimals, so the same published text


@SETTINGS
@given(st.data())
def test_it_reports_not_applicable_and_missing_on_every_path(data):
    rounding = data.draw(st.integers(0, 2), label="rounding")
    node_max = data.draw(decimals(0, 1500, rounding), label="max")
    kind, params = data.draw(rule_for(node_max, rounding))
    framework = scoring.parse_framework(document(leaf("x", node_max, kind, **params), rounding=rounding))
    node = framework.node("x")
    assert node.rule is not None
    scorer = RULE_KINDS[kind].scorer(node.max, node.rule.params, quantizer(rounding))
    answer = data.draw(valid_response(kind, node.max, node.rule.params), label="response")
    assert scorer({"applicable": False}) is NOT_APPLICABLE
    assert scorer({**answer, "applicable": False}) is NOT_APPLICABLE
    assert scorer({"applicable": True}) is MISSING


@SETTINGS
@given(st.data())
def test_it_rounds_a_fraction_landing_exactly_half_way_up(data):
    """numerator/denominator whose exact score is a rounding tie (e.g. 3 × 167/600 = 0.835)."""
    rounding = data.draw(st.integers(0, 2), label="rounding")
    node_max = data.draw(decimals(1, 1500, rounding), label="max")
    unit = Fraction(1, 10**rounding)
    # an exact score half way between two publishable scores, below max
    halves = data.draw(st.integers(0, int((Fraction(node_max) - unit) / unit)), label="halves")
    tie = (halves + Fraction(1, 2)) * unit
    ratio = tie / Fraction(node_max)
    scale = data.draw(st.integers(1, 3), label="scale")
    response = {"numerator": ratio.numerator * scale, "denominator": ratio.denominator * scale}
    if data.draw(st.booleans(), label="as decimals"):
        response = {key: D(value) for key, value in response.items()}
    framework = scoring.parse_framework(document(leaf("x", node_max, "proportional"), rounding=rounding))
    result = scoring.score(framework, {"x": response})
    assert fixed(result.node("x").score) == published(tie, node_max, rounding)
