"""Dashboard scenes: a province's communes published for two years through the real services
(so every figure comes from the engine and the frozen node rows), and an open cycle."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Assessment, Cycle
from parindex.assessments.workflow import Status
from parindex.frameworks.models import FrameworkVersion
from parindex.results import services as result_services
from parindex.results.models import Publication
from parindex.results.tests.factories import bulk_cycle
from parindex.units.models import AdministrativeUnit

OPEN_STATES = [
    Status.DRAFT,
    Status.SUBMITTED,
    Status.APPRAISING,
    Status.CLARIFICATION,
    Status.CLARIFIED,
    Status.APPRAISED,
]


def publish_year(
    province: AdministrativeUnit,
    version: FrameworkVersion,
    units: Sequence[AdministrativeUnit],
    staff: dict[str, Any],
    *,
    year: int,
    shift: int = 0,
) -> Publication:
    """A year's cycle of ``units`` appraised, approved and published by the services. The
    appraised ratios depend on a unit's position, so ``shift`` rotates who does well."""
    k = shift % len(units)
    cycle = bulk_cycle(province, version, [*units[k:], *units[:k]], year=year)
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("unit"))
    chair, admin = staff["chair"], staff["admin"]
    approval = result_services.approval_create(
        cycle=cycle, assessments=assessments, name="Khối xã, phường", actor=chair, principal=principal_for(chair)
    )
    return result_services.publication_publish(
        approval=approval, decision_number=f"{year - 2000}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 20),
        issuer=f"UBND {province.name}", actor=admin, principal=principal_for(admin),
    )  # fmt: skip


def two_years(
    province: AdministrativeUnit, version: FrameworkVersion, units: Sequence[AdministrativeUnit], staff: dict[str, Any]
) -> tuple[Publication, Publication]:
    return (
        publish_year(province, version, units, staff, year=2024),
        publish_year(province, version, units, staff, year=2025, shift=3),
    )


def open_cycle(province: AdministrativeUnit, version: FrameworkVersion, units: Sequence[AdministrativeUnit]) -> Cycle:
    """This year's cycle with the units spread over the open states."""
    return bulk_cycle(province, version, units, status=lambda i: OPEN_STATES[i % len(OPEN_STATES)], year=2026)
