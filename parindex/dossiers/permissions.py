"""Who may see and record a commune's late dossiers. Pure predicates over a Principal.

- record, correct and delete a commune's late dossiers and their apology letters: its commune
  office (Văn phòng - Thống kê) and head, and the province's admins (Sở Nội vụ) for every
  commune of the province: the same people who enter its indicator figures
  (``parindex.indicators.permissions``);
- see a commune's register: whoever may see the commune (``dashboards.permissions.can_view_commune``:
  its own people and the province's board roles);
- the province's overview of every commune: the province's board roles (council chair, Sở Nội
  vụ admins, viewers).

Dossiers due before 1 July 2025 belong to the old units; whoever may record or see them for a
current unit may do so for the old units it was formed from (``selectors.unit_refs``).
A superuser may do everything.
"""

from __future__ import annotations

from collections.abc import Iterable

from parindex.accounts.permissions import Principal, UnitRef, is_province_admin
from parindex.dashboards.permissions import can_view_commune
from parindex.indicators.permissions import ENTER_ROLES
from parindex.results.permissions import can_view_board

RECORD_ROLES = ENTER_ROLES


def can_record(p: Principal, unit: UnitRef) -> bool:
    return is_province_admin(p, unit) or p.has_role(unit, RECORD_ROLES)


def can_record_any(p: Principal, refs: Iterable[UnitRef]) -> bool:
    """For an old unit, ``refs`` are the current units it went into: any one of them will do."""
    return any(can_record(p, ref) for ref in refs)


def can_view(p: Principal, unit: UnitRef) -> bool:
    return can_view_commune(p, unit)


def can_view_any(p: Principal, refs: Iterable[UnitRef]) -> bool:
    return any(can_view(p, ref) for ref in refs)


def can_view_province(p: Principal, province: UnitRef) -> bool:
    return can_view_board(p, province)
