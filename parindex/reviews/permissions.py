"""Who may see and do what with review requests. Pure predicates over a Principal.

- see a unit's requests: whoever may see its self-assessment (the commune's officials; the
  province's appraisers, council, admins and viewers);
- file a request: the commune head (Chủ tịch / Phó Chủ tịch UBND xã), for its own unit;
- write the phúc tra round: the province's appraisers and the council chair;
- approve, return, reject: the transitions' roles (``workflow.TRANSITIONS``);
- set the period and issue the correcting decision: the Sở Nội vụ admin;
- a publication's panel (its period and every unit's requests): the province's staff.
"""

from __future__ import annotations

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.assessments import permissions as assessment_permissions
from parindex.results.permissions import can_view_board
from parindex.reviews.workflow import APPRAISERS


def can_view(p: Principal, unit: UnitRef) -> bool:
    return assessment_permissions.can_view(p, unit) or p.has_role(unit, APPRAISERS)


def can_file(p: Principal, unit: UnitRef) -> bool:
    return p.is_superuser or p.has_role(unit, {Role.COMMUNE_HEAD})


def can_reappraise(p: Principal, unit: UnitRef) -> bool:
    return p.is_superuser or p.has_role(unit, APPRAISERS)


def can_manage_period(p: Principal, province: UnitRef) -> bool:
    return is_province_admin(p, province)


def can_view_panel(p: Principal, province: UnitRef) -> bool:
    """A publication's review panel (its period and every unit's requests): the province's staff."""
    return can_view_board(p, province) or p.has_role(province, APPRAISERS)
