"""The remediation source of a self-assessment (``source: remediation``, 1.5.3 of the reference
framework): the completion of the plan carried out in the assessment's year, registered with
``assessments.sources`` by ``RemediationConfig.ready()``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.sources import InputSource, SourceKind
from parindex.core.numbers import vn_number


def _remediation_collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    """The plan carried out in the assessment's year and its actions, in one query (the same plan
    and figures as ``remediation.services.remediation_input_apply``: ``selectors.plans_feeding``
    and ``selectors.plan_completion``)."""
    from django.db.models import Subquery
    from django.urls import reverse

    from parindex.remediation import selectors
    from parindex.remediation.models import Action

    feeding = selectors.plans_feeding(assessment).values("pk")[:1]
    actions = list(selectors.with_last_note(Action.objects.filter(plan_id=Subquery(feeding))).select_related("plan"))
    if not actions:  # no approved plan (an approved plan has an action on every line)
        return []
    plan = actions[0].plan
    today = timezone.localdate()
    completion = selectors.completion_of([selectors.action_row(a, plan, today) for a in actions], plan.year)
    percent = vn_number(completion.percent or Decimal(0))
    source = InputSource(
        code="",
        kind="remediation",
        inputs={"numerator": completion.done_on_time, "denominator": completion.total},
        label=f"Kế hoạch khắc phục Chỉ số CCHC năm {plan.assessed_year}",
        detail=f"hoàn thành đúng hạn {completion.done_on_time}/{completion.total} biện pháp ({percent}%)",
        url=reverse("remediation:plan-detail", args=[plan.pk]),
    )
    return [replace(source, code=code) for code in codes]


def _remediation_may_apply(principal: Principal, unit: UnitRef) -> bool:
    from parindex.remediation.permissions import can_edit

    return can_edit(principal, unit)


def _remediation_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    from parindex.remediation.services import remediation_input_apply

    return remediation_input_apply(assessment=assessment, actor=actor, principal=principal)


KIND = "remediation"
SOURCE = SourceKind(_remediation_collect, _remediation_may_apply, _remediation_apply)
