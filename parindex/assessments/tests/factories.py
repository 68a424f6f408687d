"""Arranging cycles and answers for assessment tests (unit, view and browser tests alike)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from parindex.assessments import services
from parindex.assessments.models import Answer, Assessment
from parindex.frameworks.models import Criterion

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


def answer_everything(assessment: Assessment, actor: Any, explanation: str = "Theo báo cáo CCHC năm") -> None:
    """Answer every sub-criterion not answered yet, with an explanation, as a diligent commune would."""
    done = set(Answer.objects.filter(assessment=assessment).values_list("criterion_id", flat=True))
    for criterion in Criterion.objects.filter(version=assessment.cycle.framework_version).exclude(rule_kind=""):
        if criterion.pk not in done:
            services.answer_save(
                assessment=assessment,
                criterion=criterion,
                inputs=SAMPLE_INPUTS[criterion.rule_kind],
                explanation=explanation,
                base_revision=None,
                actor=actor,
            )
