"""The framework as the engine sees it: an immutable tree of criteria with their rules."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .engine import Plan

UNIT_KINDS = ("tinh", "thanh_pho_tw", "huyen", "xa", "phuong", "thi_tran", "dac_khu")


@dataclass(frozen=True, slots=True)
class Rule:
    """How a leaf is scored: a rule kind and its normalised parameters."""

    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Node:
    """One criterion: a field (lĩnh vực), criterion (tiêu chí) or sub-criterion at any depth."""

    code: str
    name: str
    max: Decimal
    parent: str | None = None
    rule: Rule | None = None
    children: tuple[str, ...] = ()
    depth: int = 0
    evidence: str = ""
    guidance: str = ""
    responsible: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def is_leaf(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True, slots=True)
class Band:
    """A classification band: the index percent must be at least ``min``."""

    label: str
    min: Decimal


@dataclass(frozen=True)
class Framework:
    """One version of a criteria set, with its nodes in document (pre-)order."""

    code: str
    name: str
    max_total: Decimal
    nodes: tuple[Node, ...]
    rounding: int = 2
    classification: tuple[Band, ...] = ()
    issuer: str = ""
    decision_number: str = ""
    decision_date: dt.date | None = None
    applies_to: tuple[str, ...] = ()
    period_from: int | None = None
    period_to: int | None = None
    description: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @cached_property
    def content_sha256(self) -> str:
        """sha256 of the framework's canonical YAML text (``framework_to_dict`` written by
        ``dumps``): what identifies a version's content. Computed once per parsed framework,
        which never changes; writing the YAML is most of what importing one costs."""
        from .files import dumps
        from .framework_file import framework_to_dict

        return hashlib.sha256(dumps(framework_to_dict(self)).encode("utf-8")).hexdigest()

    @cached_property
    def by_code(self) -> dict[str, Node]:
        return {node.code: node for node in self.nodes}

    @cached_property
    def roots(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.parent is None)

    @cached_property
    def leaves(self) -> tuple[Node, ...]:
        return tuple(node for node in self.nodes if node.is_leaf)

    def lineage(self, code: str) -> Iterator[str]:
        """``code``, then the codes of its ancestors up to its field (lĩnh vực)."""
        current: str | None = code
        while current is not None:
            yield current
            current = self.by_code[current].parent

    def node(self, code: str) -> Node:
        return self.by_code[code]

    def children(self, code: str) -> tuple[Node, ...]:
        by_code = self.by_code
        return tuple(by_code[c] for c in by_code[code].children)

    def classify(self, percent: Decimal | None) -> str | None:
        """The first band, highest first, whose minimum the percent reaches."""
        if percent is None:
            return None
        for band in self.classification:
            if percent >= band.min:
                return band.label
        return None

    @cached_property
    def plan(self) -> Plan:
        from .engine import Plan

        return Plan(self)
