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

from django.db.models import Q

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
        self=scoring.score(spec, _responses(self_inputs)),
        first=scoring.score(spec, _responses(first)),
        final=scoring.score(spec, _responses(final)),
    )


def _responses(inputs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {code: to_response(values) for code, values in inputs.items() if values}


def assessment_scores(assessment: Assessment, answers: dict[str, Answer] | None = None) -> Scores:
    """Self, first-appraisal and final scores of one assessment (two queries)."""
    from parindex.assessments.selectors import assessment_answers

    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment) if answers is None else answers
    return scores_from(spec, {c: a.inputs for c, a in answers.items()}, appraisal_rounds(assessment))


def cycle_inputs(
    ids: Iterable[int],
) -> tuple[dict[int, dict[str, dict[str, Any]]], dict[int, dict[str, ItemRounds]]]:
    """Many assessments' self-assessed inputs and appraisal rounds by criterion code (two queries)."""
    ids = list(ids)
    self_inputs: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    for assessment_id, code, inputs in Answer.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "criterion__code", "inputs"
    ):
        self_inputs[assessment_id][code] = inputs
    rounds: dict[int, dict[str, ItemRounds]] = defaultdict(lambda: defaultdict(ItemRounds))
    for row in (
        ItemAppraisal.objects.filter(assessment_id__in=ids)
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


def appraisal_queue(principal: Principal, cycles: Iterable[Cycle]) -> list[tuple[Cycle, Scope, list[Assessment]]]:
    """Per cycle, the assessments this person appraises (submitted or later), in name order."""
    from parindex.assessments.workflow import Status

    out = []
    for cycle in cycles:
        scope = appraisal_scope(principal, cycle)
        if not scope.everything and not scope.codes_by_unit:
            continue
        rows = Assessment.objects.filter(cycle=cycle).exclude(status=Status.DRAFT).select_related("unit")
        if not scope.everything and None not in scope.codes_by_unit:
            rows = rows.filter(Q(unit_id__in=[u for u in scope.unit_ids() if u is not None]))
        out.append((cycle, scope, list(rows.order_by("unit__name"))))
    return out
