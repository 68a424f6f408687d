"""Reading appraisals: who appraises what, the three scores of each item, clarification state.

The scores of an assessment are three engine runs over three sets of responses:

- self: the commune's answers;
- first appraisal: the round-1 inputs, falling back to the self inputs for items not yet
  appraised (so the appraisers see a projection while they work);
- final: the round-2 inputs where the item was re-appraised after clarification, else the
  round-1 inputs, else the self inputs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef
from parindex.appraisals.models import AppraiserAssignment, ClarificationItem, ItemAppraisal
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, Assessment, Cycle
from parindex.frameworks.selectors import framework_version_spec

# Province roles that may appraise every field of every unit of their province.
WHOLE_PROVINCE_ROLES = frozenset({Role.COUNCIL_CHAIR})


@dataclass
class Scope:
    """What one person may appraise in a cycle: node codes per unit (None: every unit)."""

    everything: bool = False
    codes_by_unit: dict[int | None, set[str]] = field(default_factory=dict)

    def codes_for(self, unit_id: int) -> set[str]:
        return self.codes_by_unit.get(None, set()) | self.codes_by_unit.get(unit_id, set())

    def covers_unit(self, unit_id: int) -> bool:
        return self.everything or bool(self.codes_for(unit_id))

    def unit_ids(self) -> set[int | None]:
        return set(self.codes_by_unit)

    def leaves(self, spec: scoring.Framework, unit_id: int) -> list[scoring.Node]:
        """The sub-criteria of the unit this person appraises, in document order."""
        if self.everything:
            return list(spec.leaves)
        codes = self.codes_for(unit_id)
        return [leaf for leaf in spec.leaves if not codes.isdisjoint(spec.lineage(leaf.code))]


def appraisal_scope(principal: Principal, cycle: Cycle) -> Scope:
    """The principal's appraisal scope in ``cycle`` (one query, none for the council chair)."""
    province = UnitRef(id=cycle.province_id)
    if principal.is_superuser or principal.has_role(province, WHOLE_PROVINCE_ROLES):
        return Scope(everything=True)
    if principal.user_id is None or not principal.has_role(province, {Role.APPRAISER}):
        return Scope()
    scope = Scope()
    rows = AppraiserAssignment.objects.filter(cycle=cycle, appraiser_id=principal.user_id).values_list(
        "unit_id", "criterion__code"
    )
    for unit_id, code in rows:
        scope.codes_by_unit.setdefault(unit_id, set()).add(code)
    return scope


def appraiser_assignments(cycle: Cycle) -> list[AppraiserAssignment]:
    return list(
        AppraiserAssignment.objects.filter(cycle=cycle)
        .select_related("appraiser", "criterion", "unit")
        .order_by("criterion__position", "appraiser__full_name", "unit__name")
    )


@dataclass
class ItemRounds:
    """One item's appraisal rows by round (round 1 and 2, each possibly absent)."""

    first: ItemAppraisal | None = None
    second: ItemAppraisal | None = None

    def put(self, row: ItemAppraisal) -> None:
        if row.round == 1:
            self.first = row
        else:
            self.second = row


def appraisal_rounds(assessment: Assessment) -> dict[str, ItemRounds]:
    """Round-1 and round-2 rows by criterion code (one query)."""
    out: dict[str, ItemRounds] = defaultdict(ItemRounds)
    for row in ItemAppraisal.objects.filter(assessment=assessment).select_related("criterion", "updated_by"):
        out[row.criterion.code].put(row)
    return dict(out)


@dataclass
class Scores:
    self: scoring.UnitScore
    first: scoring.UnitScore
    final: scoring.UnitScore


def merged_inputs(
    self_inputs: dict[str, dict[str, Any]], rounds: Mapping[str, ItemRounds], *, second: bool = True
) -> dict[str, dict[str, Any]]:
    """The self-assessed inputs with the appraisers' over them: round 1, then round 2 unless
    ``second`` is False (pure)."""
    out = dict(self_inputs)
    for code, item in rounds.items():
        if item.first is not None:
            out[code] = item.first.inputs
        if second and item.second is not None:
            out[code] = item.second.inputs
    return out


def scores_from(
    spec: scoring.Framework, self_inputs: dict[str, dict[str, Any]], rounds: dict[str, ItemRounds]
) -> Scores:
    """The three engine runs (pure: no queries)."""
    first = merged_inputs(self_inputs, rounds, second=False)
    final = merged_inputs(self_inputs, rounds)
    return Scores(
        self=scoring.score(spec, inputs_responses(self_inputs)),
        first=scoring.score(spec, inputs_responses(first)),
        final=scoring.score(spec, inputs_responses(final)),
    )


def inputs_responses(inputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Stored inputs by code as engine responses; empty inputs (an item unanswered) left out."""
    return {code: to_response(values) for code, values in inputs.items() if values}


def assessment_scores(assessment: Assessment, answers: dict[str, Answer] | None = None) -> Scores:
    """Self, first-appraisal and final scores of one assessment (two queries)."""
    from parindex.assessments.selectors import assessment_answers

    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment) if answers is None else answers
    return scores_from(spec, {c: a.inputs for c, a in answers.items()}, appraisal_rounds(assessment))


def cycle_inputs(
    ids: Iterable[int], *, appraised: Iterable[int] | None = None
) -> tuple[dict[int, dict[str, dict[str, Any]]], dict[int, dict[str, ItemRounds]]]:
    """Many assessments' self-assessed inputs and appraisal rounds by criterion code (two queries;
    one when ``appraised``, the ids that may have rounds, is given and empty)."""
    ids = list(ids)
    self_inputs: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for assessment_id, code, inputs in Answer.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "criterion__code", "inputs"
    ):
        self_inputs[assessment_id][code] = inputs
    rounds: dict[int, dict[str, ItemRounds]] = defaultdict(lambda: defaultdict(ItemRounds))
    with_rounds = ids if appraised is None else list(appraised)
    if not with_rounds:
        return self_inputs, rounds
    for row in (
        ItemAppraisal.objects.filter(assessment_id__in=with_rounds)
        .select_related("criterion")
        .only("assessment_id", "round", "inputs", "criterion__code")
    ):
        rounds[row.assessment_id][row.criterion.code].put(row)
    return self_inputs, rounds


def final_scores_for(assessments: Iterable[Assessment], spec: scoring.Framework) -> dict[int, Scores]:
    """Scores of many assessments of one cycle in two queries, whatever their number."""
    assessments = list(assessments)
    self_inputs, rounds = cycle_inputs(a.pk for a in assessments)
    return {a.pk: scores_from(spec, self_inputs[a.pk], rounds[a.pk]) for a in assessments}


def clarification_items(assessment: Assessment) -> dict[str, list[ClarificationItem]]:
    """Every clarification item of the assessment by criterion code, oldest request first (one query)."""
    out: dict[str, list[ClarificationItem]] = defaultdict(list)
    rows = (
        ClarificationItem.objects.filter(request__assessment=assessment)
        .select_related("request", "criterion", "answered_by")
        .order_by("request__number", "criterion__position")
    )
    for item in rows:
        out[item.criterion.code].append(item)
    return dict(out)


def unsent_flags(assessment: Assessment) -> list[ItemAppraisal]:
    """Round-1 items flagged for clarification that no request has carried yet (one query)."""
    sent = ClarificationItem.objects.filter(request__assessment=assessment).values("criterion_id")
    return list(
        ItemAppraisal.objects.filter(assessment=assessment, round=1, needs_clarification=True)
        .exclude(criterion_id__in=sent)
        .select_related("criterion")
        .order_by("criterion__position")
    )


def finish_problems(assessment: Assessment) -> list[str]:
    """Why the appraisal of ``assessment`` cannot be closed yet (empty: it can)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    rounds = appraisal_rounds(assessment)
    problems = []
    unappraised = [leaf.code for leaf in spec.leaves if rounds.get(leaf.code, ItemRounds()).first is None]
    if unappraised:
        problems.append(
            f"Còn {len(unappraised)} tiêu chí thành phần chưa có điểm thẩm định: {', '.join(unappraised[:12])}"
            + (" …" if len(unappraised) > 12 else "")
        )
    asked = {code for code, items in clarification_items(assessment).items() if items}
    not_reappraised = sorted(
        (code for code in asked if rounds.get(code, ItemRounds()).second is None), key=spec.plan.index.get
    )
    if not_reappraised:
        problems.append(f"Chưa thẩm định lại sau giải trình: {', '.join(not_reappraised)}")
    flagged = [row.criterion.code for row in unsent_flags(assessment)]
    if flagged:
        problems.append(f"Đã đánh dấu cần giải trình nhưng chưa gửi yêu cầu: {', '.join(flagged)}")
    return problems


def appraisal_scopes(principal: Principal, cycles: Iterable[Cycle]) -> dict[int, Scope]:
    """``appraisal_scope`` of each cycle, in one query whatever their number (none for the
    council chair)."""
    out: dict[int, Scope] = {}
    assigned = []
    for cycle in cycles:
        province = UnitRef(id=cycle.province_id)
        if principal.is_superuser or principal.has_role(province, WHOLE_PROVINCE_ROLES):
            out[cycle.pk] = Scope(everything=True)
            continue
        out[cycle.pk] = Scope()
        if principal.user_id is not None and principal.has_role(province, {Role.APPRAISER}):
            assigned.append(cycle.pk)
    if assigned:
        rows = AppraiserAssignment.objects.filter(cycle_id__in=assigned, appraiser_id=principal.user_id).values_list(
            "cycle_id", "unit_id", "criterion__code"
        )
        for cycle_id, unit_id, code in rows:
            out[cycle_id].codes_by_unit.setdefault(unit_id, set()).add(code)
    return out


def scope_fields(spec: scoring.Framework, scope: Scope) -> list[scoring.Node]:
    """The fields (lĩnh vực) the scope appraises some part of, in document order."""
    if scope.everything:
        return list(spec.roots)
    codes = set().union(*scope.codes_by_unit.values()) if scope.codes_by_unit else set()
    touched = {list(spec.lineage(code))[-1] for code in codes if code in spec.by_code}
    return [root for root in spec.roots if root.code in touched]


def _touches(spec: scoring.Framework, codes: set[str], in_field: str) -> bool:
    return any(code in spec.by_code and in_field in spec.lineage(code) for code in codes)


def appraisal_queue(
    cycle: Cycle, scope: Scope, spec: scoring.Framework, *, status: str = "", q: str = "", in_field: str = ""
) -> Any:
    """The assessments of ``cycle`` this scope appraises (submitted or later) by unit name, not
    yet read: of one status, a unit's name or code (accents optional), the units whose part in
    ``in_field`` is the scope's."""
    from parindex.assessments.workflow import Status
    from parindex.units.selectors import unit_match

    rows = Assessment.objects.filter(cycle=cycle).exclude(status=Status.DRAFT)
    if not scope.everything:
        units = {u for u, codes in scope.codes_by_unit.items() if not in_field or _touches(spec, codes, in_field)}
        if None not in units:
            rows = rows.filter(unit_id__in=[u for u in units if u is not None])
    if status:
        rows = rows.filter(status=status)
    match = unit_match(q, "unit__")
    if match is not None:
        rows = rows.filter(match)
    return rows.select_related("unit").order_by("unit__name", "pk")


@dataclass
class QueueRow:
    """One unit to appraise: the sub-criteria of my part appraised (round 1) out of my part's,
    and the same for the whole dossier."""

    assessment: Assessment
    done: int
    total: int
    all_done: int
    all_total: int


def queue_progress(
    spec: scoring.Framework, scope: Scope, assessments: Iterable[Assessment], *, in_field: str = ""
) -> list[QueueRow]:
    """How far each assessment's appraisal is, in my part (of ``in_field`` when given) and in all
    (one query)."""
    assessments = list(assessments)
    appraised: dict[int, set[str]] = defaultdict(set)
    for assessment_id, code in ItemAppraisal.objects.filter(
        assessment_id__in=[a.pk for a in assessments], round=1
    ).values_list("assessment_id", "criterion__code"):
        appraised[assessment_id].add(code)
    mine_by_codes: dict[frozenset[str] | None, set[str]] = {}
    rows = []
    for a in assessments:
        key = None if scope.everything else frozenset(scope.codes_for(a.unit_id))
        if key not in mine_by_codes:
            leaves = scope.leaves(spec, a.unit_id)
            mine_by_codes[key] = {leaf.code for leaf in leaves if not in_field or in_field in spec.lineage(leaf.code)}
        mine = mine_by_codes[key]
        done = appraised[a.pk]
        rows.append(QueueRow(a, len(done & mine), len(mine), len(done), len(spec.leaves)))
    return rows
