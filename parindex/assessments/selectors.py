"""Reading self-assessments: responses for the engine, scores, and submission facts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch

from parindex import scoring
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, Assessment, DeadlineExtension, Evidence, EvidenceFile
from parindex.frameworks.selectors import framework_version_spec


def assessment_answers(assessment: Assessment) -> dict[str, Answer]:
    """Answers by criterion code (one query)."""
    rows = Answer.objects.filter(assessment=assessment).select_related("criterion")
    return {a.criterion.code: a for a in rows}


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
    """The latest extension granted to the unit for ``stage`` (one query)."""
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
