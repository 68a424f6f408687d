"""The life of a framework version: draft -> published -> retired. Pure; no database."""

from __future__ import annotations

from django.db import models


class Status(models.TextChoices):
    DRAFT = "draft", "Bản nháp"
    PUBLISHED = "published", "Đã ban hành"
    RETIRED = "retired", "Ngừng áp dụng"


TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.DRAFT, Status.PUBLISHED): "Ban hành",
    (Status.PUBLISHED, Status.RETIRED): "Ngừng áp dụng",
}


def can_transition(from_status: str, to_status: str) -> bool:
    return (from_status, to_status) in TRANSITIONS


def allowed_transitions(status: str) -> list[tuple[str, str]]:
    """(target status, button label) pairs for a version in ``status``."""
    return [(to, label) for (frm, to), label in TRANSITIONS.items() if frm == status]
