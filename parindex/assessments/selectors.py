"""Reading self-assessments: responses for the engine, scores, and submission facts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.db.models.functions import JSONArray

from parindex import scoring
from parindex.accounts.models import User
from parindex.assessments.inputs import to_response
from parindex.assessments.models import (
    Answer,
    Assessment,
    Assignment,
    DeadlineExtension,
    Evidence,
    EvidenceFile,
    Stage,
)
from parindex.core.aggregates import json_rows
from parindex.core.compiled import CompiledSelect
from parindex.frameworks.selectors import criterion_codes, framework_version_spec


def assessment_answers(assessment: Assessment) -> dict[str, Answer]:
    """Answers by criterion code (one query)."""
    rows = Answer.objects.filter(assessment=assessment).select_related("criterion")
    return {a.criterion.code: a for a in rows}


def answers_to_change(assessment: Assessment) -> dict[str, Answer]:
    """``assessment_answers`` for a save, without their criteria (codes from the cached tree):
    the answers' own columns are all a row's save reads (one query)."""
    codes = criterion_codes(assessment.cycle.framework_version)
    return {codes[a.criterion_id]: a for a in _ANSWERS.all(assessment.pk)}


# Read on every row save: compiled once per process (``core.compiled``).
_ANSWERS = CompiledSelect(lambda pk: Answer.objects.filter(assessment_id=pk).order_by())


def assessment_responses(answers: dict[str, Answer]) -> dict[str, dict[str, Any]]:
    return {code: to_response(a.inputs) for code, a in answers.items() if a.inputs}


def assessment_score(assessment: Assessment, answers: dict[str, Answer] | None = None) -> scoring.UnitScore:
    """The self-assessment scored by the engine (the projected score while it is a draft)."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    if answers is None:
        answers = assessment_answers(assessment)
    return scoring.score(spec, assessment_responses(answers))


def evidenced_codes(assessment: Assessment) -> set[str]:
    """Codes of the sub-criteria that at least one evidence document of the assessment serves."""
    return set(
        Evidence.criteria.through.objects.filter(evidence__assessment=assessment).values_list(
            "criterion__code", flat=True
        )
    )


def submission_facts(assessment: Assessment) -> tuple[scoring.Framework, dict[str, Any], dict[str, str], set[str]]:
    """What ``rules_check.submission_problems`` needs, in three queries."""
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    explanations = {code: a.explanation for code, a in answers.items()}
    return spec, assessment_responses(answers), explanations, evidenced_codes(assessment)


def commune_officials(unit: Any) -> list[Any]:
    """The people holding a commune role at ``unit``, who can be given items (one query)."""
    from django.contrib.auth import get_user_model

    from parindex.accounts.models import COMMUNE_ROLES

    return list(
        get_user_model()
        .objects.filter(role_assignments__unit=unit, role_assignments__role__in=COMMUNE_ROLES, is_active=True)
        .distinct()
        .order_by("full_name", "username")
    )


def extended_until(assessment: Assessment, stage: str) -> dt.date | None:
    """The latest extension granted to the unit for ``stage`` (one query, none when the
    assessment was read with it: ``assessment_to_change``)."""
    if stage == Stage.SELF_ASSESSMENT and hasattr(assessment, "self_assessment_extended"):
        return assessment.self_assessment_extended
    return (
        DeadlineExtension.objects.filter(assessment=assessment, stage=stage)
        .order_by("-granted_at", "-pk")
        .values_list("until", flat=True)
        .first()
    )


def latest_request(assessment: Assessment) -> Any:
    """The assessment's latest clarification request with its items, or None (two queries)."""
    from parindex.appraisals.models import ClarificationRequest

    return (
        ClarificationRequest.objects.filter(assessment=assessment)
        .prefetch_related("items__criterion")
        .order_by("-number")
        .first()
    )


def evidence_with_files(assessment: Assessment) -> list[Evidence]:
    """The assessment's evidence with its criteria and ``revisions`` (newest file first), in three queries."""
    revisions = Prefetch("files", queryset=EvidenceFile.objects.order_by("-revision"), to_attr="revisions")
    return list(Evidence.objects.filter(assessment=assessment).prefetch_related("criteria", revisions).order_by("pk"))


# -- the list of assessments ---------------------------------------------------------------------


def assessments_visible_to(principal: Any) -> Any:
    """Every assessment of the units the principal may see (a queryset, not yet read)."""
    from django.db.models import Q

    from parindex.assessments.permissions import VIEW_ROLES

    direct, subtree = principal.unit_ids(VIEW_ROLES)
    return Assessment.objects.filter(Q(unit_id__in=direct) | Q(unit__province_id__in=subtree))


def assessment_years(visible: Any) -> dict[int, int]:
    """How many of ``visible`` each year has, newest year first (one query)."""
    from django.db.models import Count

    return dict(visible.order_by("-cycle__year").values_list("cycle__year").annotate(n=Count("pk")))


def assessment_districts(visible: Any) -> list[tuple[int, str]]:
    """The old (pre-2025) districts of ``visible``'s units, as (pk, name): an old commune's own
    district, a current commune's predecessors' (one query)."""
    from django.db.models import Q

    from parindex.units.models import AdministrativeUnit, UnitSuccession

    unit_ids = visible.values("unit_id")
    own = AdministrativeUnit.objects.filter(pk__in=unit_ids).values("parent_id")
    before = UnitSuccession.objects.filter(successor_id__in=unit_ids).values("predecessor__parent_id")
    return list(
        AdministrativeUnit.objects.filter(level=AdministrativeUnit.Level.DISTRICT)
        .filter(Q(pk__in=own) | Q(pk__in=before))
        .order_by("search_name", "pk")
        .values_list("pk", "name")
    )


def assessment_search(
    visible: Any, *, q: str = "", nam: int | None = None, trang_thai: str = "", huyen: int | None = None
) -> Any:
    """``visible`` filtered, newest year first then by unit name, with cycle and unit loaded.

    ``q`` matches the unit's name (accents optional) or code, or an old commune merged into it
    ("Triệu Trạch" finds Xã Nam Cửa Việt); ``huyen`` an old district: the units that were in it
    or took in one of its communes."""
    from django.db.models import Exists, OuterRef, Q

    from parindex.units.models import UnitSuccession
    from parindex.units.selectors import unit_match

    rows = visible
    if nam:
        rows = rows.filter(cycle__year=nam)
    if trang_thai:
        rows = rows.filter(status=trang_thai)
    match = unit_match(q, "unit__")
    if match is not None:
        merged = UnitSuccession.objects.filter(successor_id=OuterRef("unit_id")).filter(unit_match(q, "predecessor__"))
        rows = rows.filter(match | Exists(merged))
    if huyen:
        came_from = UnitSuccession.objects.filter(successor_id=OuterRef("unit_id"), predecessor__parent_id=huyen)
        rows = rows.filter(Q(unit__parent_id=huyen) | Exists(came_from))
    return rows.select_related("cycle", "unit").order_by("-cycle__year", "unit__name", "pk")


# -- one assessment, read to be changed from its page -------------------------------------------


@dataclass(frozen=True)
class Owner:
    """The official a criterion is assigned to, as the page shows them (read with the assessment)."""

    pk: int
    name: str

    def __str__(self) -> str:
        return self.name


def _to_change(pk: Any) -> QuerySet:
    """``assessment_to_change``'s query (compiled once per process: ``_LOCKED_READ``)."""
    latest_extension = (
        DeadlineExtension.objects.filter(assessment=OuterRef("pk"), stage=Stage.SELF_ASSESSMENT)
        .order_by("-granted_at", "-pk")
        .values("until")[:1]
    )
    names = ("official__full_name", "official__first_name", "official__last_name", "official__username")
    return (
        Assessment.objects.select_related("cycle__framework_version", "unit")
        .select_for_update(of=("self",))
        .annotate(
            self_assessment_extended=Subquery(latest_extension),
            assignment_rows=json_rows(
                Assignment.objects.all(), "assessment", JSONArray("criterion_id", "official_id", *names)
            ),
            evidence_rows=json_rows(
                Evidence.criteria.through.objects.all(), "evidence__assessment", JSONArray("criterion_id")
            ),
        )
        .order_by()
        .filter(pk=pk)[:1]
    )


# Compiling this statement (three subqueries, two JSON aggregates) cost about 1.5 ms a save,
# running it 0.3 ms: it is compiled once per process and run with each save's primary key.
_LOCKED_READ = CompiledSelect(_to_change)


def assessment_to_change(pk: int) -> Assessment | None:
    """The assessment with its cycle, unit and framework version, its row locked for the caller's
    transaction (two changes of one assessment then follow each other, so each projects from
    the other's answers), and, in the same query, what a row of its page needs besides its
    answers: ``self_assessment_extended`` (the latest extension of the self-assessment
    deadline), ``assigned`` (criterion code -> Owner) and ``evidenced`` (the codes with evidence)."""
    assessment = _LOCKED_READ.first(pk)
    if assessment is None:
        return None
    codes = criterion_codes(assessment.cycle.framework_version)
    assessment.assigned = {
        codes[criterion]: Owner(official, str(User(full_name=full, first_name=first, last_name=last, username=name)))
        for criterion, official, full, first, last, name in assessment.assignment_rows or ()
    }
    assessment.evidenced = {codes[criterion] for (criterion,) in assessment.evidence_rows or ()}
    return assessment
