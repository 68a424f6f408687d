"""Arranging appraisal and publication scenes: appraisers, old-era units, earlier published years."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from parindex.accounts.models import Role
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.tests.factories import DUES, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks.models import FrameworkVersion
from parindex.results.models import Approval, ApprovalEntry, Publication, PublishedResult
from parindex.units.models import AdministrativeUnit, UnitSuccession


def appraiser(username: str, province: Any, **kw: Any) -> Any:
    return user_with_role(username, Role.APPRAISER, province, include_descendants=True, **kw)


def old_province() -> AdministrativeUnit:
    """Quảng Trị before the 2025 merger (code 45)."""
    return AdministrativeUnit.objects.get_or_create(
        era="pre2025", code="45", defaults={"name": "Tỉnh Quảng Trị", "kind": "tinh", "level": 1}
    )[0]


def old_commune(code: str, name: str, *successors: AdministrativeUnit, partial: bool = False) -> AdministrativeUnit:
    """A pre-2025 commune of old Quảng Trị that went into ``successors``."""
    province = old_province()
    unit = AdministrativeUnit.objects.create(
        era="pre2025", code=code, name=name, kind="xa", level=3, parent=province, province=province
    )
    for successor in successors:
        UnitSuccession.objects.create(
            predecessor=unit, successor=successor, is_partial=partial, effective_date=dt.date(2025, 7, 1)
        )
    return unit


def published_year(
    version: FrameworkVersion, province: AdministrativeUnit, year: int, percents: dict[AdministrativeUnit, str]
) -> Publication:
    """An earlier year's publication with the given indexes, as if published through parindex.

    Only what change of rank reads is arranged (the rows and their percent); scores are not
    recomputed from answers.
    """
    cycle = Cycle.objects.create(
        province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year}",
        **{key: due.replace(year=due.year - (2026 - year)) for key, due in DUES.items()},
    )  # fmt: skip
    approval = Approval.objects.create(cycle=cycle, name="Khối xã, phường, thị trấn")
    publication = Publication.objects.create(
        approval=approval, decision_number=f"{year - 2000}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 20), year=year
    )
    ordered = sorted(percents.items(), key=lambda item: -Decimal(item[1]))
    for unit, percent in ordered:
        assessment = Assessment.objects.create(cycle=cycle, unit=unit, status=Status.PUBLISHED)
        ApprovalEntry.objects.create(approval=approval, assessment=assessment)
        value = Decimal(percent)
        PublishedResult.objects.create(
            publication=publication, assessment=assessment, unit=unit, unit_name=unit.name, total=value,
            self_total=value, applicable_max=100, percent=value, classification="",
            rank=1 + sum(Decimal(p) > value for p in percents.values()), rank_of=len(percents),
        )  # fmt: skip
    return publication
