"""Who may see and do what with remediation plans. Pure predicates over a Principal.

- see a unit's lost-point analysis, plan, action board and report: whoever may see its
  self-assessment (the commune's officials; province council, admins and viewers);
- draft and edit the plan (causes, actions, owners, deadlines), and record any action's
  progress and result: the commune office (Văn phòng - Thống kê) and the head;
- record progress on an action: also the official it is given to;
- approve, return, report: the commune head (rules in ``workflow.TRANSITIONS``);
- the province's overview of every commune's plan: the results-board roles.

A superuser may do everything, as in the other apps' predicates; callers need no check of their own.
"""

from __future__ import annotations

from parindex.accounts.models import Role
from parindex.accounts.permissions import Principal, UnitRef
from parindex.assessments.permissions import EDIT_ALL_ROLES, can_view  # noqa: F401 (re-exported)
from parindex.results.permissions import can_view_board


def can_edit(p: Principal, unit: UnitRef) -> bool:
    return p.is_superuser or p.has_role(unit, EDIT_ALL_ROLES)


def can_record_progress(p: Principal, unit: UnitRef, official_id: int | None) -> bool:
    if can_edit(p, unit):
        return True
    return p.user_id is not None and official_id == p.user_id and p.has_role(unit, {Role.COMMUNE_OFFICER})


def can_view_province(p: Principal, province: UnitRef) -> bool:
    return can_view_board(p, province)
