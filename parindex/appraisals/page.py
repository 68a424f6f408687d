"""The appraisal page's data: the items in the appraiser's scope with their three scores.

Everything is read once (answers, appraisal rounds, clarification items, evidence) and
assembled in memory, so the page costs the same number of queries whatever the number of
criteria, evidence files or clarification rounds.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.appraisals import selectors
from parindex.appraisals.models import ClarificationItem, ItemAppraisal
from parindex.appraisals.services import FIRST_ROUND
from parindex.assessments.models import Answer, Assessment, Evidence
from parindex.assessments.selectors import assessment_answers, evidence_with_files
from parindex.assessments.workflow import Status, allowed_transitions
from parindex.frameworks.selectors import framework_version_spec


class Inputs:
    """Stored inputs as the rule-inputs form shows them (decimal comma, percent for ratios)."""

    def __init__(self, values: dict[str, Any] | None) -> None:
        self.values = values or {}

    def input(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        return value.replace(".", ",") if isinstance(value, str) else str(value)

    @property
    def percent_value(self) -> str:
        if "value" not in self.values:
            return ""
        return scoring.decimals.plain(Decimal(self.values["value"]) * 100).replace(".", ",")


@dataclass
class Item:
    node: scoring.Node
    self_score: scoring.NodeScore
    first_score: scoring.NodeScore
    final_score: scoring.NodeScore
    answer: Answer | None
    first: ItemAppraisal | None
    second: ItemAppraisal | None
    clarifications: list[ClarificationItem] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    can_first: bool = False
    can_second: bool = False

    @property
    def form_inputs(self) -> Inputs:
        """What the form starts from: this round's saved inputs, else the previous round's, else self."""
        current = self.second if self.can_second else self.first
        if current is not None:
            return Inputs(current.inputs)
        if self.can_second and self.first is not None:
            return Inputs(self.first.inputs)
        return Inputs(self.answer.inputs if self.answer else None)

    @property
    def form_row(self) -> ItemAppraisal | None:
        return self.second if self.can_second else self.first

    @property
    def asked(self) -> bool:
        return bool(self.clarifications)

    @property
    def differs(self) -> bool:
        mine, theirs = self.final_score, self.self_score
        return mine.score != theirs.score or mine.applicable != theirs.applicable


@dataclass
class Section:
    node: scoring.Node
    items: list[Item]
    self_total: Decimal = Decimal(0)
    final_total: Decimal = Decimal(0)


@dataclass
class AppraisalPage:
    assessment: Assessment
    scores: selectors.Scores
    sections: list[Section]
    scope: selectors.Scope
    evidence: list[Evidence]
    unsent: list[ItemAppraisal]
    transitions: list[tuple[str, str]]

    @property
    def items(self) -> list[Item]:
        return [item for section in self.sections for item in section.items]

    @property
    def appraised(self) -> int:
        return sum(item.first is not None for item in self.items)

    @property
    def can_accept(self) -> bool:
        return any(item.can_first and item.first is None and item.answer and item.answer.inputs for item in self.items)

    @property
    def can_request(self) -> bool:
        return self.assessment.status in (Status.APPRAISING, Status.CLARIFIED) and bool(self.unsent)


# The moves offered as buttons here; sending a clarification has its own form, and the first
# appraisal saved starts the appraisal.
PAGE_TRANSITIONS = frozenset(
    {(Status.APPRAISING, Status.APPRAISED), (Status.CLARIFIED, Status.APPRAISED), (Status.APPRAISED, Status.APPRAISING)}
)


def appraisal_page(assessment: Assessment, principal: Principal, scope: selectors.Scope) -> AppraisalPage:
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    rounds = selectors.appraisal_rounds(assessment)
    asked = selectors.clarification_items(assessment)
    evidence = evidence_with_files(assessment)
    scores = selectors.scores_from(spec, {c: a.inputs for c, a in answers.items()}, rounds)
    leaves = {leaf.code for leaf in scope.leaves(spec, assessment.unit_id)}
    by_code: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        for criterion in item.criteria.all():
            if criterion.code in leaves:
                by_code[criterion.code].append(item)
    status = assessment.status
    sections: list[Section] = []
    for root in spec.roots:
        section = Section(root, [])
        for leaf in spec.leaves:
            if leaf.code not in leaves or root.code not in spec.lineage(leaf.code):
                continue
            item_rounds = rounds.get(leaf.code, selectors.ItemRounds())
            item = Item(
                node=leaf,
                self_score=scores.self.node(leaf.code, decimal_sep=","),
                first_score=scores.first.node(leaf.code, decimal_sep=","),
                final_score=scores.final.node(leaf.code, decimal_sep=","),
                answer=answers.get(leaf.code),
                first=item_rounds.first,
                second=item_rounds.second,
                clarifications=asked.get(leaf.code, []),
                evidence=by_code.get(leaf.code, []),
            )
            item.can_first = status in FIRST_ROUND and not item.asked
            item.can_second = status == Status.CLARIFIED and item.asked
            section.items.append(item)
            section.self_total += item.self_score.score
            section.final_total += item.final_score.score
        if section.items:
            sections.append(section)
    roles = principal.roles_at(assessment.unit)
    transitions = [(to, label) for to, label in allowed_transitions(status, roles) if (status, to) in PAGE_TRANSITIONS]
    return AppraisalPage(
        assessment=assessment,
        scores=scores,
        sections=sections,
        scope=scope,
        evidence=[e for e in evidence if any(c.code in leaves for c in e.criteria.all())],
        unsent=selectors.unsent_flags(assessment) if status in (Status.APPRAISING, Status.CLARIFIED) else [],
        transitions=transitions,
    )
