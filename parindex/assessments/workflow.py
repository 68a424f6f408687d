"""The life of one unit's assessment in a cycle. Pure: a transition table, no database.

Issue scope so far: the commune drafts, its head submits, and may withdraw until appraisal
starts. Appraisal states are added with the appraisal work.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from parindex.accounts.models import Role


class Status(models.TextChoices):
    DRAFT = "draft", "Đang tự đánh giá"
    SUBMITTED = "submitted", "Đã gửi thẩm định"


@dataclass(frozen=True)
class Rule:
    label: str
    roles: frozenset[str]


TRANSITIONS: dict[tuple[str, str], Rule] = {
    (Status.DRAFT, Status.SUBMITTED): Rule("Gửi thẩm định", frozenset({Role.COMMUNE_HEAD})),
    (Status.SUBMITTED, Status.DRAFT): Rule("Rút lại để sửa", frozenset({Role.COMMUNE_HEAD})),
}

EDITABLE = frozenset({Status.DRAFT})


def rule_for(from_status: str, to_status: str) -> Rule | None:
    return TRANSITIONS.get((from_status, to_status))


def allowed_transitions(status: str, roles: frozenset[str]) -> list[tuple[str, str]]:
    """(target, button label) pairs the holder of ``roles`` may take from ``status``."""
    return [(to, rule.label) for (frm, to), rule in TRANSITIONS.items() if frm == status and rule.roles & roles]
