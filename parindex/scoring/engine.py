"""Scoring a unit's responses against a framework: the only place scores are computed.

``score(framework, responses)`` validates every response (collecting all problems), scores
each leaf by its rule, rounds half up per leaf, sums parents, removes non-applicable maxima
from their ancestors and from the total, and derives percent and classification.

The framework is compiled once into a ``Plan`` (flat lists of leaf scorers and parent
sums), because a province scores thousands of units against the same framework. Per-node
results and explanations are built only when asked for.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any

from .decimals import HUNDRED, ZERO, fixed, plain, quantizer, round_half_up
from .errors import Problem, ResponsesInvalid
from .model import Framework, Node
from .rules import NOT_APPLICABLE, RULE_KINDS, ResponseError


class Plan:
    """A framework compiled for fast repeated scoring."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.quant = quantizer(framework.rounding)
        nodes = framework.nodes
        index = {node.code: i for i, node in enumerate(nodes)}
        self.index = index
        self.maxima = [node.max for node in nodes]
        self.zero = ZERO.quantize(self.quant)
        self.leaves = [
            (i, node.code, RULE_KINDS[node.rule.kind].scorer(node.max, node.rule.params, self.quant))
            for i, node in enumerate(nodes)
            if node.rule is not None
        ]
        self.leaf_codes = frozenset(code for _, code, _ in self.leaves)
        # Parents deepest first, so every child is summed before its parent.
        parents = [(i, node) for i, node in enumerate(nodes) if node.rule is None]
        parents.sort(key=lambda item: -item[1].depth)
        self.parents = [(i, tuple(index[c] for c in node.children)) for i, node in parents]
        self.roots = tuple(index[node.code] for node in framework.roots)
        self.parent_of = [index[node.parent] if node.parent is not None else -1 for node in nodes]
        self.applicable_max_total = sum((self.maxima[r] for r in self.roots), ZERO)


def score(framework: Framework, responses: Mapping[str, Any]) -> UnitScore:
    """Score one unit. Raises ``ResponsesInvalid`` listing every invalid response."""
    plan = framework.plan
    scores = [plan.zero] * len(plan.maxima)
    not_applicable: list[int] = []
    missing: list[str] = []
    problems: list[Problem] | None = None
    get = responses.get
    absent = 0
    decimal = Decimal
    for i, code, scorer in plan.leaves:
        response = get(code)
        if response is None:
            missing.append(code)
            absent += 1
            continue
        try:
            result = scorer(response)
        except ResponseError as exc:
            problems = problems or []
            path = f'responses."{code}".{exc.key}' if exc.key else f'responses."{code}"'
            problems.append(Problem(path, exc.message, code))
            continue
        if result.__class__ is decimal:  # the common case first
            scores[i] = result
        elif result is NOT_APPLICABLE:
            not_applicable.append(i)
        else:  # MISSING: answered with no input, e.g. {applicable: true}
            missing.append(code)
    if len(plan.leaves) - absent != len(responses):
        problems = problems or []
        problems.extend(_unknown_codes(framework, responses))
    if problems:
        raise ResponsesInvalid(problems)
    for i, children in plan.parents:
        total = ZERO
        for c in children:
            total += scores[c]
        scores[i] = total
    total = ZERO
    for r in plan.roots:
        total += scores[r]
    if not_applicable:
        applicable = _applicable_maxima(plan, not_applicable)
        applicable_max = sum((applicable[r] for r in plan.roots), ZERO)
    else:
        applicable = None
        applicable_max = plan.applicable_max_total
    return UnitScore(framework, scores, applicable, applicable_max, total, missing, not_applicable, responses)


def _unknown_codes(framework: Framework, responses: Mapping[str, Any]) -> list[Problem]:
    problems = []
    for code in responses:
        node = framework.by_code.get(code) if isinstance(code, str) else None
        if node is None:
            problems.append(
                Problem(f'responses."{code}"', f"mã '{code}' không có trong bộ chỉ số {framework.code}", None)
            )
        elif not node.is_leaf:
            problems.append(
                Problem(
                    f'responses."{code}"',
                    "đây là tiêu chí có tiêu chí thành phần; chỉ nhập số liệu cho tiêu chí thành phần",
                    code,
                )
            )
    return problems


def _applicable_maxima(plan: Plan, not_applicable: list[int]) -> list[Decimal]:
    """Maxima with every non-applicable leaf's max removed from it and its ancestors."""
    applicable = list(plan.maxima)
    parent_of = plan.parent_of
    for i in not_applicable:
        removed = plan.maxima[i]
        node = i
        while node != -1:
            applicable[node] -= removed
            node = parent_of[node]
    return applicable


@dataclass(frozen=True, slots=True)
class NodeScore:
    """One node's result, as shown on pages and in reports."""

    node: Node
    score: Decimal
    applicable_max: Decimal
    lost: Decimal
    applicable: bool
    missing: bool
    # The leaf's explanation, or what writes it when first asked for (a page shows a few of a
    # unit's explanations; a report all of them): read it as ``explanation``.
    explained: str | Callable[[], str] = field(default="", repr=False, compare=False)

    @property
    def explanation(self) -> str:
        """How the leaf's score was computed, in Vietnamese; "" for parents."""
        explained = self.explained
        if isinstance(explained, str):
            return explained
        text = explained()
        object.__setattr__(self, "explained", text)
        return text

    @property
    def code(self) -> str:
        return self.node.code

    @property
    def max(self) -> Decimal:
        return self.node.max


class UnitScore:
    """The result of scoring one unit; totals eagerly, nodes and explanations on demand."""

    __slots__ = (
        "framework",
        "_scores",
        "_applicable",
        "applicable_max",
        "total",
        "missing",
        "_not_applicable",
        "_responses",
        "percent",
        "classification",
        "_lookups",
    )

    def __init__(
        self,
        framework: Framework,
        scores: list[Decimal],
        applicable: list[Decimal] | None,
        applicable_max: Decimal,
        total: Decimal,
        missing: list[str],
        not_applicable: list[int],
        responses: Mapping[str, Any],
    ) -> None:
        self.framework = framework
        self._scores = scores
        self._applicable = applicable
        self.applicable_max = applicable_max
        self.total = total
        self.missing = missing
        self._not_applicable = not_applicable
        self._responses = responses
        plan = framework.plan
        self.percent: Decimal | None = (
            round_half_up(total * HUNDRED / applicable_max, plan.quant) if applicable_max > 0 else None
        )
        self.classification = framework.classify(self.percent)
        self._lookups: tuple[frozenset[int], frozenset[str]] | None = None  # built for node views only

    @property
    def max_total(self) -> Decimal:
        return self.framework.max_total

    @property
    def lost(self) -> Decimal:
        return self.applicable_max - self.total

    def node(self, code: str, *, decimal_sep: str = ".") -> NodeScore:
        plan = self.framework.plan
        i = plan.index[code]
        return self._node(i, decimal_sep)

    def nodes(self, *, decimal_sep: str = ".") -> Iterator[NodeScore]:
        """Every node in document order."""
        for i in range(len(self._scores)):
            yield self._node(i, decimal_sep)

    def _node(self, i: int, sep: str) -> NodeScore:
        framework = self.framework
        plan = framework.plan
        node = framework.nodes[i]
        score = self._scores[i]
        applicable_max = self._applicable[i] if self._applicable is not None else plan.maxima[i]
        if self._lookups is None:
            self._lookups = (frozenset(self._not_applicable), frozenset(self.missing))
        not_applicable, missing_codes = self._lookups
        applicable = i not in not_applicable if node.is_leaf else applicable_max > 0 or node.max == 0
        missing = node.is_leaf and applicable and node.code in missing_codes
        explained: str | Callable[[], str] = ""
        if node.rule is not None:
            explained = partial(self._explain, node, score, applicable, missing, sep)
        return NodeScore(
            node,
            score,
            applicable_max,
            round_half_up(applicable_max - score, plan.quant),
            applicable,
            missing,
            explained,
        )

    def _explain(self, node: Node, score: Decimal, applicable: bool, missing: bool, sep: str) -> str:
        if not applicable:
            return "Không áp dụng: không tính vào điểm tối đa"
        if missing:
            return f"Chưa có số liệu → {fixed(score).replace('.', sep)}"
        assert node.rule is not None
        kind = RULE_KINDS[node.rule.kind]
        inputs = kind.read(self._responses[node.code], node.max, node.rule.params)
        return kind.explain(node.max, node.rule.params, inputs, score, sep)

    def field_scores(self) -> list[NodeScore]:
        """The top-level nodes (lĩnh vực) in order."""
        plan = self.framework.plan
        return [self._node(i, ".") for i in plan.roots]

    def to_dict(self, *, unit: str | None = None, year: int | None = None) -> dict[str, Any]:
        """The JSON object of formats.md §4 (decimals as strings)."""
        nodes: dict[str, dict[str, Any]] = {}
        for ns in self.nodes():
            entry: dict[str, Any] = {
                "score": fixed(ns.score),
                "max": plain(ns.max),
                "applicable_max": plain(ns.applicable_max),
                "lost": fixed(ns.lost),
            }
            if ns.node.is_leaf:
                entry["applicable"] = ns.applicable
                entry["explanation"] = ns.explanation
            nodes[ns.code] = entry
        return {
            "framework": self.framework.code,
            "unit": unit,
            "year": year,
            "total": fixed(self.total),
            "max_total": plain(self.max_total),
            "applicable_max": plain(self.applicable_max),
            "percent": fixed(self.percent) if self.percent is not None else None,
            "classification": self.classification,
            "nodes": nodes,
            "missing": list(self.missing),
        }
