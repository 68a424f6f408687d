"""Arranging cycles and answers for assessment tests (unit, view and browser tests alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import RoleAssignment
from parindex.assessments import services
from parindex.assessments.models import Answer, Assessment, Cycle
from parindex.assessments.signals import projections_batched
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.workflow import Status as VersionStatus

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
DUES = {
    "self_assessment_due": dt.date(2026, 12, 15),
    "appraisal_due": dt.date(2027, 1, 15),
    "clarification_due": dt.date(2027, 1, 31),
    "publication_due": dt.date(2027, 2, 28),
}
# A plausible, valid answer for each rule kind.
SAMPLE_INPUTS = {
    "binary": {"met": True},
    "proportional": {"value": "0.9"},
    "tiered": {"value": "0.97"},
    "count": {"count": "1"},
    "deduction": {"count": "0"},
    "timeliness": {"days_late": "0"},
    "manual": {"score": "1"},
}


PASSWORD = "Cchc-demo-2026!"
# The decision open_cycle records when it extends a version to the year it opens (test data).
TEST_EXTENSION_DECISION = "99/QĐ-UBND-THU"


def dues_from(today: dt.date) -> dict[str, dt.date]:
    """Deadlines in the same order as DUES, starting 25 days after ``today`` (for the real clock)."""
    return {key: today + dt.timedelta(days=25 + 30 * i) for i, key in enumerate(DUES)}


def open_cycle(
    province: Any, version: FrameworkVersion, *units: Any, year: int = 2026, dues: dict[str, dt.date] | None = None
) -> Cycle:
    """The province's cycle for ``year`` with the standard deadlines (DUES; tests run on conftest's clock).

    A version whose period ends before ``year`` (the reference framework's is 2023–2025, the
    tests open 2026) is first extended to ``year`` through the service, with a test decision,
    as the province would; ``cycle_open`` refuses a year outside the version's period.
    """
    until = version.applies_until
    if until is not None and year > until and version.status == VersionStatus.PUBLISHED:
        framework_services.framework_version_extend(
            version=version,
            to_year=year,
            decision_number=TEST_EXTENSION_DECISION,
            decision_date=min(dt.date(year, 1, 5), timezone.localdate()),  # never a future decision
            actor=None,
        )
    return services.cycle_open(
        province=province, year=year, framework_version=version, units=list(units), **(dues or DUES)
    )


def user_with_role(username: str, role: str, unit: Any, *, full_name: str = "", **grant: Any) -> Any:
    """A user (password PASSWORD) holding ``role`` at ``unit``; ``grant`` sets include_descendants/is_deputy."""
    user = get_user_model().objects.create_user(username, password=PASSWORD, full_name=full_name)
    RoleAssignment.objects.create(user=user, role=role, unit=unit, **grant)
    return user


def answer_everything(assessment: Assessment, actor: Any, explanation: str = "Theo báo cáo CCHC năm") -> None:
    """Answer every sub-criterion not answered yet, with an explanation, as a diligent commune would.

    Through the service, one answer at a time; the projection is computed once at the end, as an
    import of many answers does (each save would otherwise score the whole assessment again)."""
    done = set(Answer.objects.filter(assessment=assessment).values_list("criterion_id", flat=True))
    criteria = Criterion.objects.filter(version=assessment.cycle.framework_version).exclude(rule_kind="")
    with transaction.atomic(), projections_batched(sender=Answer):
        for criterion in (c for c in criteria if c.pk not in done):
            services.answer_save(
                assessment=assessment,
                criterion=criterion,
                inputs=SAMPLE_INPUTS[criterion.rule_kind],
                explanation=explanation,
                base_revision=None,
                actor=actor,
            )


def answers_bulk(assessment: Assessment, explanation: str = "Theo báo cáo CCHC năm") -> None:
    """The same answers as ``answer_everything``, written in one insert.

    For tests about what comes after the self-assessment (appraisal, publication), where
    saving 53 items one by one through the service would only slow the suite down.
    """
    Answer.objects.bulk_create(
        [
            Answer(assessment=assessment, criterion=c, inputs=_stored(c), explanation=explanation)
            for c in Criterion.objects.filter(version=assessment.cycle.framework_version).exclude(rule_kind="")
        ]
    )


def _stored(criterion: Criterion) -> dict[str, Any]:
    from parindex.assessments.inputs import clean_inputs, to_stored
    from parindex.frameworks.selectors import framework_version_spec

    node = framework_version_spec(criterion.version).node(criterion.code)
    return to_stored(clean_inputs(node, SAMPLE_INPUTS[criterion.rule_kind]))
