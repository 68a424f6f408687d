"""The life of a remediation plan. Pure: a transition table, no database.

    draft ──approve──▶ approved ──report──▶ reported
      ▲                  │  ▲                  │
      └────return────────┘  └────reopen────────┘

The commune office drafts the plan from the published lost points; the commune head
approves it (it is then followed through the year), may return it for changes, and at the
end of the year sends the report of its results (báo cáo kết quả khắc phục), which may be
reopened to correct it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from parindex.accounts.models import Role


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Dự thảo"
    APPROVED = "approved", "Đã phê duyệt, đang thực hiện"
    REPORTED = "reported", "Đã báo cáo kết quả"


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa thực hiện"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"


# Shown, never stored: an action past its deadline and not done.
OVERDUE_LABEL = "Quá hạn"
SHOWN_STATUS_LABELS = {**dict(ActionStatus.choices), "overdue": OVERDUE_LABEL}


class DeadlineKind(models.TextChoices):
    DATE = "date", "Đến ngày"
    YEAR = "year", "Cả năm"
    QUARTERLY = "quarterly", "Hàng quý"


@dataclass(frozen=True)
class Rule:
    label: str
    roles: frozenset[str]


HEAD = frozenset({Role.COMMUNE_HEAD})

TRANSITIONS: dict[tuple[str, str], Rule] = {
    (PlanStatus.DRAFT, PlanStatus.APPROVED): Rule("Phê duyệt kế hoạch", HEAD),
    (PlanStatus.APPROVED, PlanStatus.DRAFT): Rule("Trả lại để sửa", HEAD),
    (PlanStatus.APPROVED, PlanStatus.REPORTED): Rule("Gửi báo cáo kết quả khắc phục", HEAD),
    (PlanStatus.REPORTED, PlanStatus.APPROVED): Rule("Mở lại báo cáo để sửa", HEAD),
}

# The plan's lines (causes, actions, owners, deadlines) are edited while drafting only.
PLAN_EDITABLE = frozenset({PlanStatus.DRAFT})
# Progress is recorded while the plan is carried out.
TRACKED = frozenset({PlanStatus.APPROVED})


def rule_for(from_status: str, to_status: str) -> Rule | None:
    return TRANSITIONS.get((from_status, to_status))


def allowed_transitions(status: str, roles: frozenset[str]) -> list[tuple[str, str]]:
    """(target, button label) pairs the holder of ``roles`` may take from ``status``."""
    return [(to, rule.label) for (frm, to), rule in TRANSITIONS.items() if frm == status and rule.roles & roles]
