"""Small builders for framework documents used across the scoring tests.

Every number is an exact ``Decimal`` (or an int), as the file loaders produce them.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from parindex import scoring
from parindex.scoring.decimals import fixed

D = Decimal

REFERENCE_PATH = Path(scoring.__file__).resolve().parent.parent / "frameworks" / "data" / "qt-xa-2023.yaml"

BANDS = [
    {"label": "Tốt", "min": D(80)},
    {"label": "Khá", "min": D(70)},
    {"label": "Trung bình", "min": D(50)},
    {"label": "Yếu", "min": D(0)},
]


def leaf(code: str, max_: Any, kind: str, **params: Any) -> dict[str, Any]:
    """A leaf criterion with a rule; ``params`` are written only when given."""
    rule: dict[str, Any] = {"kind": kind}
    if params:
        rule["params"] = params
    return {"code": code, "name": f"Tiêu chí {code}", "max": D(max_), "rule": rule}


def parent(code: str, *children: dict[str, Any]) -> dict[str, Any]:
    """A parent criterion whose max is the sum of its children's max."""
    return {
        "code": code,
        "name": f"Nhóm {code}",
        "max": sum((D(child["max"]) for child in children), D(0)),
        "children": list(children),
    }


def document(
    *criteria: dict[str, Any],
    rounding: int = 2,
    classification: list[dict[str, Any]] | None = None,
    code: str = "TEST-1",
    max_total: Any = None,
) -> dict[str, Any]:
    """A complete parindex-framework/1 document around ``criteria``."""
    total = sum((D(node["max"]) for node in criteria), D(0)) if max_total is None else D(max_total)
    doc: dict[str, Any] = {
        "format": "parindex-framework/1",
        "code": code,
        "name": f"Bộ chỉ số thử {code}",
        "max_total": total,
        "rounding": rounding,
        "criteria": list(criteria),
    }
    if classification is not None:
        doc["classification"] = classification
    return doc


def build(*criteria: dict[str, Any], **options: Any) -> scoring.Framework:
    return scoring.parse_framework(document(*criteria, **options))


def single(max_: Any, kind: str, *, rounding: int = 2, **params: Any) -> scoring.Framework:
    """A framework with one leaf, coded ``x``."""
    return build(leaf("x", max_, kind, **params), rounding=rounding)


def leaf_score(max_: Any, kind: str, response: dict[str, Any], *, rounding: int = 2, **params: Any) -> str:
    """The published (fixed-decimal) score of leaf ``x`` for ``response``."""
    result = scoring.score(single(max_, kind, rounding=rounding, **params), {"x": response})
    return fixed(result.node("x").score)


def reference() -> scoring.Framework:
    return scoring.parse_framework(scoring.load_path(REFERENCE_PATH))
