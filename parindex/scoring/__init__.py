"""The pure scoring engine: frameworks, rules, scores, classification and ranking.

No Django import is allowed anywhere in this package (a test enforces it): pages,
rankings, reports and the command line all score through ``score`` here.
"""

from __future__ import annotations

from . import aggregates, analysis
from .engine import NodeScore, UnitScore, score
from .errors import (
    DocumentInvalid,
    FileUnreadable,
    FrameworkInvalid,
    Problem,
    ProblemsError,
    ResponsesInvalid,
    ScoringError,
)
from .files import dumps, dumps_json, load_path, loads
from .framework_file import framework_to_dict, parse_framework
from .model import Band, Framework, Node, Rule
from .ranking import (
    TIE_BREAKS,
    TIE_SHARE,
    TIE_TOTAL,
    Ranked,
    Standing,
    describe_change,
    previous_standing,
    rank,
    rank_by_index,
    rank_change,
)
from .responses_file import ResponsesDocument, parse_responses
from .rules import RULE_KINDS

__all__ = [
    "RULE_KINDS", "TIE_BREAKS", "TIE_SHARE", "TIE_TOTAL", "Band", "aggregates", "analysis", "DocumentInvalid",
    "FileUnreadable", "Framework", "FrameworkInvalid", "Node",
    "NodeScore", "Problem", "ProblemsError", "Ranked", "ResponsesDocument", "ResponsesInvalid", "Rule",
    "ScoringError", "UnitScore", "describe_change", "dumps", "dumps_json", "framework_to_dict", "load_path", "loads",
    "parse_framework", "parse_responses", "previous_standing", "rank", "rank_by_index", "rank_change", "score", "Standing",
]  # fmt: skip
