"""The self-assessment page's data, gathered in a fixed number of queries (pure assembly).

``self_assessment_page`` reads the assessment's answers, evidence and assignments once each,
and the figures offered by the leaves' sources (``sources``: one query when the framework
has a ``source: remediation`` leaf, none otherwise), and scores with the engine; rows and
progress are then built in memory, so the page costs the same number of queries whatever
the number of criteria, files or officials.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, is_province_admin
from parindex.assessments import permissions
from parindex.assessments.models import Answer, Assessment, Assignment, DeadlineExtension, Evidence, Stage
from parindex.assessments.selectors import (
    assessment_answers,
    assessment_responses,
    evidence_with_files,
    latest_request,
)
from parindex.assessments.sources import InputSource, input_sources, source_kind
from parindex.assessments.workflow import EDITABLE, UNDER_APPRAISAL, Status, allowed_transitions, window_open
from parindex.frameworks.selectors import framework_version_spec


@dataclass
class Row:
    node: scoring.Node
    result: scoring.NodeScore
    answer: Answer | None = None
    evidence: list[Evidence] = field(default_factory=list)
    owners: list[Any] = field(default_factory=list)
    can_edit: bool = False
    # Where the input may be taken from (1.5.3: last year's remediation plan), and whether
    # this person may write that figure into the answer now.
    source: InputSource | None = None
    can_apply_source: bool = False

    @property
    def percent_value(self) -> str:
        """The stored ratio shown as the percent an official types (0.8 -> "80")."""
        if self.answer is None or "value" not in self.answer.inputs:
            return ""
        return scoring.decimals.plain(Decimal(self.answer.inputs["value"]) * 100).replace(".", ",")

    @property
    def values(self) -> dict[str, Any]:
        return self.answer.inputs if self.answer else {}

    def input(self, key: str) -> str:
        if self.answer is None or key not in self.answer.inputs:
            return ""
        value = self.answer.inputs[key]
        return str(value).replace(".", ",") if isinstance(value, str) else str(value)


@dataclass
class Progress:
    label: str
    applicable: int = 0
    answered: int = 0
    lost: Decimal = Decimal(0)

    @property
    def percent(self) -> int:
        return round(self.answered * 100 / self.applicable) if self.applicable else 100


@dataclass
class Page:
    assessment: Assessment
    result: scoring.UnitScore
    rows: list[Row]
    fields: list[Progress]
    officials: list[Progress]
    evidence: list[Evidence]
    transitions: list[tuple[str, str]]
    editable: bool
    can_assign: bool
    # Deadlines and clarification: the window for the commune, extensions, the latest request.
    due: Any = None
    late: bool = False
    extensions: list[DeadlineExtension] = field(default_factory=list)
    request: Any = None
    answerable: set[str] = field(default_factory=set)
    can_extend: bool = False
    # Once published, the commune sees each item's appraised score and the appraisers' comments.
    appraised: Any = None

    @property
    def answered(self) -> int:
        return sum(p.answered for p in self.fields)

    @property
    def applicable(self) -> int:
        return sum(p.applicable for p in self.fields)


def self_assessment_page(assessment: Assessment, principal: Principal) -> Page:
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    evidence = evidence_with_files(assessment)
    assignments = list(Assignment.objects.filter(assessment=assessment).select_related("criterion", "official"))
    extensions = list(assessment.extensions.select_related("granted_by"))
    request = latest_request(assessment) if assessment.status in UNDER_APPRAISAL else None
    result = scoring.score(spec, assessment_responses(answers))
    sources = input_sources(assessment, spec, answers=answers)
    status = assessment.status
    today = timezone.localdate()
    if status == Status.CLARIFICATION and request is not None:
        due = request.deadline
        stage = Stage.CLARIFICATION
    else:
        due, stage = assessment.cycle.self_assessment_due, Stage.SELF_ASSESSMENT
    extended = next((e.until for e in extensions if e.stage == stage), None)
    late = status in (Status.DRAFT, Status.CLARIFICATION) and not window_open(due, extended, today)

    by_code: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        for criterion in item.criteria.all():
            by_code[criterion.code].append(item)
    assigned = {a.criterion.code: a.official for a in assignments}
    editable = assessment.status in EDITABLE and not late
    unit = assessment.unit

    appraised = None
    if status == Status.PUBLISHED:
        from parindex.appraisals.selectors import appraisal_rounds, scores_from

        rounds = appraisal_rounds(assessment)
        appraised = scores_from(spec, {c: a.inputs for c, a in answers.items()}, rounds).final
    rows, field_progress, official_progress = [], [], {}
    current_field: Progress | None = None
    for ns in result.nodes(decimal_sep=","):
        node = ns.node
        if node.parent is None:
            current_field = Progress(f"{node.code}. {node.name}")
            field_progress.append(current_field)
        owners = _owners(spec, node, assigned)
        row = Row(node, ns, answers.get(node.code), by_code.get(node.code, []), owners)
        if appraised is not None:
            row.final = appraised.node(node.code, decimal_sep=",")
            item = rounds.get(node.code)
            latest = item and (item.second or item.first)
            row.comment = latest.comment if latest else ""
        if node.is_leaf:
            row.can_edit = editable and permissions.can_edit_item(
                principal, unit, [getattr(o, "pk", o) for o in owners]
            )
            row.source = sources.get(node.code)
            if row.source is not None and row.can_edit and not row.source.matches_answer:
                kind = source_kind(spec, node.code)
                row.can_apply_source = kind is not None and kind.may_apply(principal, unit)
            if ns.applicable and current_field is not None:
                current_field.applicable += 1
                current_field.answered += not ns.missing
                current_field.lost += ns.lost
                for owner in owners[:1]:
                    progress = official_progress.setdefault(owner.pk, Progress(str(owner)))
                    progress.applicable += 1
                    progress.answered += not ns.missing
                    progress.lost += ns.lost
        rows.append(row)
    return Page(
        assessment=assessment,
        result=result,
        rows=rows,
        fields=field_progress,
        officials=sorted(official_progress.values(), key=lambda p: p.label),
        evidence=evidence,
        transitions=allowed_transitions(assessment.status, principal.roles_at(unit)),
        editable=editable,
        can_assign=editable and permissions.can_assign(principal, unit),
        due=extended if extended and extended > due else due,
        late=late,
        extensions=extensions,
        request=request,
        answerable=_answerable(spec, request, assigned, principal, unit)
        if status == Status.CLARIFICATION and not late
        else set(),
        can_extend=is_province_admin(principal, unit) and status in (Status.DRAFT, Status.CLARIFICATION),
        appraised=appraised,
    )


def _answerable(
    spec: scoring.Framework, request: Any, assigned: dict[str, Any], principal: Principal, unit: Any
) -> set[str]:
    """The clarification items this person may answer (the office and head all; an official their own)."""
    if request is None:
        return set()
    codes = {item.criterion.code for item in request.items.all()}
    return {
        code
        for code in codes
        if permissions.can_edit_item(
            principal, unit, [getattr(o, "pk", o) for o in _owners(spec, spec.node(code), assigned)]
        )
    }


def editable_codes(assessment: Assessment, principal: Principal) -> set[str]:
    """The sub-criteria ``principal`` may change now: every item of a draft, or the items asked
    about under clarification, limited to the person's own items (one or two queries)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    if assessment.status == Status.CLARIFICATION:
        request = latest_request(assessment)
        open_codes = {item.criterion.code for item in request.items.all()} if request else set()
    elif assessment.status in EDITABLE:
        open_codes = {leaf.code for leaf in spec.leaves}
    else:
        return set()
    unit = assessment.unit
    if permissions.can_edit_all(principal, unit):
        return open_codes
    if not permissions.can_view(principal, unit):
        return set()
    assigned = dict(Assignment.objects.filter(assessment=assessment).values_list("criterion__code", "official_id"))
    return {
        code
        for code in open_codes
        if permissions.can_edit_item(principal, unit, _owners(spec, spec.node(code), assigned))
    }


def _owners(spec: scoring.Framework, node: scoring.Node, assigned: dict[str, Any]) -> list[Any]:
    """The official of the nearest assigned node, the node itself first."""
    return next(([assigned[code]] for code in spec.lineage(node.code) if code in assigned), [])
