"""The register of late dossiers as a source of a self-assessment (``source: dossiers:apology``),
registered with ``assessments.sources`` by ``DossiersConfig.ready()``."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from parindex import scoring
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.sources import InputSource, SourceKind

# ``source: dossiers:apology`` (3.6 of the reference framework): the late dossiers due in the
# year with an apology letter over the late dossiers due in the year; "not applicable" when the
# register is empty and the on-time dossiers indicator shows none late; else nothing is offered
# (an empty register may just not have been kept). ``dossiers.selectors.apology_offer``.


KIND = DOSSIERS = "dossiers"  # the kind's ``source`` value, and how the forecast names the register


def _dossiers_collect(assessment: Assessment, spec: scoring.Framework, codes: Collection[str]) -> list[InputSource]:
    """The register's counts for the unit and year, with its on-time indicator's sums (one query)."""
    from django.urls import reverse

    from parindex.dossiers import selectors

    year = assessment.cycle.year
    offer = selectors.apology_offer(selectors.year_figures([assessment.unit_id], year).get(assessment.unit_id))
    if offer is None:
        return []
    source = InputSource(
        code="",
        kind=DOSSIERS,
        inputs=offer.inputs,
        label=f"Sổ theo dõi hồ sơ trễ hạn năm {year}",
        detail=offer.detail,
        url=reverse("dossiers:unit-list", args=[assessment.unit_id]) + f"?nam={year}",
    )
    return [replace(source, code=code) for code in codes]


def _dossiers_may_apply(principal: Principal, unit: UnitRef) -> bool:
    # As for an indicator: whoever may write the leaf's answer may fill it from the unit's own register.
    return principal.is_authenticated


def _dossiers_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    from parindex.dossiers.services import late_dossier_input_apply

    return late_dossier_input_apply(assessment=assessment, code=code, actor=actor, principal=principal)


SOURCE = SourceKind(_dossiers_collect, _dossiers_may_apply, _dossiers_apply)
