"""What must be true before an assessment may be submitted. Pure; no database."""

from __future__ import annotations

from collections.abc import Mapping, Set
from dataclasses import dataclass
from typing import Any

from parindex import scoring


@dataclass(frozen=True)
class Missing:
    code: str
    name: str
    reason: str


def submission_problems(
    spec: scoring.Framework,
    responses: Mapping[str, Mapping[str, Any]],
    explanations: Mapping[str, str],
    evidenced: Set[str],
) -> list[Missing]:
    """Every applicable sub-criterion needs inputs, and either evidence or a written explanation."""
    problems = []
    for leaf in spec.leaves:
        response = responses.get(leaf.code)
        if response is not None and response.get("applicable") is False:
            continue
        if not response or all(key == "applicable" for key in response):
            problems.append(Missing(leaf.code, leaf.name, "chưa nhập số liệu"))
        elif leaf.code not in evidenced and not explanations.get(leaf.code, "").strip():
            problems.append(Missing(leaf.code, leaf.name, "chưa có tài liệu kiểm chứng hoặc giải thích"))
    return problems
