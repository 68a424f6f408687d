"""Turning the engine's Framework into rows for the tree page (pure, no database)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from parindex import scoring
from parindex.core.numbers import vn_number


@dataclass(frozen=True)
class TreeRow:
    node: scoring.Node
    level_name: str
    rule_label: str
    rule_text: str


LEVEL_NAMES = ("Lĩnh vực", "Tiêu chí", "Tiêu chí thành phần")


def _n(value: Decimal) -> str:
    return vn_number(value)


def describe_rule(rule: scoring.Rule) -> str:
    """The rule's parameters in words, as an appraiser reads them in the decision's annex."""
    p = rule.params
    if rule.kind == "proportional":
        return "Điểm tối đa × tỷ lệ" + ("" if p["target"] == 1 else f"; đạt {_n(p['target'])} trở lên được điểm tối đa")
    if rule.kind == "tiered":
        parts = [f"≥ {_n(low)} → {_n(pts)}" for low, pts in p["tiers"]]
        return "; ".join(parts) + f"; thấp hơn → {_n(p['default'])}"
    if rule.kind == "count":
        return f"{_n(p['per_item'])} điểm mỗi trường hợp, không quá điểm tối đa"
    if rule.kind == "deduction":
        return f"Trừ {_n(p['per_item'])} điểm mỗi vi phạm, không thấp hơn 0"
    if rule.kind == "timeliness":
        parts = ["Đúng hạn → điểm tối đa"] + [f"chậm đến {days} ngày → {_n(pts)}" for days, pts in p["late"]]
        return "; ".join(parts) + f"; chậm hơn → {_n(p['default'])}"
    if rule.kind == "manual":
        return "Chấm trực tiếp" + (f", bước {_n(p['step'])}" if p.get("step") else "")
    return "Đạt → điểm tối đa; không đạt → 0"


def tree_rows(spec: scoring.Framework) -> list[TreeRow]:
    rows = []
    for node in spec.nodes:
        level = LEVEL_NAMES[min(node.depth, len(LEVEL_NAMES) - 1)]
        if node.rule is not None:
            kind = scoring.RULE_KINDS[node.rule.kind]
            rows.append(TreeRow(node, level, kind.label, describe_rule(node.rule)))
        else:
            rows.append(TreeRow(node, level, "", ""))
    return rows
