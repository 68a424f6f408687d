"""The life of a review request (đề nghị phúc tra). Pure: a transition table, no database.

    filed ──finish──▶ reviewed ──approve──▶ approved ──correcting decision──▶ corrected
      │  ▲              │  │
      │  └───return─────┘  └──approve, no score changed──▶ kept
      └──reject──▶ rejected ◀──reject── reviewed

After a publication, the commune head files a request on named items with reasons and
evidence, before the date the province set. The province's appraisers re-appraise those items
(the "phúc tra" round) and finish; the council chair approves (the raised items become the
unit's final inputs), returns it to the appraisers, or rejects it with a reason. Approved
requests are closed by the province's correcting decision, which supersedes the publication.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from parindex.accounts.models import Role


class ReviewStatus(models.TextChoices):
    FILED = "filed", "Đã gửi, chờ phúc tra"
    REVIEWED = "reviewed", "Đã phúc tra, chờ Hội đồng"
    APPROVED = "approved", "Hội đồng đã thông qua, chờ quyết định đính chính"
    KEPT = "kept", "Giữ nguyên kết quả"
    REJECTED = "rejected", "Không chấp nhận"
    CORRECTED = "corrected", "Đã đính chính"


class ItemOutcome(models.TextChoices):
    PENDING = "", "Chưa phúc tra"
    CHANGED = "changed", "Điều chỉnh điểm"
    KEPT = "kept", "Giữ nguyên điểm"


@dataclass(frozen=True)
class Rule:
    label: str
    roles: frozenset[str]
    needs_note: bool = False


APPRAISERS = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR})
CHAIR = frozenset({Role.COUNCIL_CHAIR})
ADMIN = frozenset({Role.PROVINCE_ADMIN})

TRANSITIONS: dict[tuple[str, str], Rule] = {
    (ReviewStatus.FILED, ReviewStatus.REVIEWED): Rule("Hoàn thành phúc tra, trình Hội đồng", APPRAISERS),
    (ReviewStatus.FILED, ReviewStatus.REJECTED): Rule("Không chấp nhận đề nghị", APPRAISERS | ADMIN, needs_note=True),
    (ReviewStatus.REVIEWED, ReviewStatus.APPROVED): Rule("Thông qua kết quả phúc tra", CHAIR),
    (ReviewStatus.REVIEWED, ReviewStatus.KEPT): Rule("Thông qua: giữ nguyên kết quả", CHAIR),
    (ReviewStatus.REVIEWED, ReviewStatus.FILED): Rule("Trả lại tổ thẩm định", CHAIR, needs_note=True),
    (ReviewStatus.REVIEWED, ReviewStatus.REJECTED): Rule("Không chấp nhận đề nghị", CHAIR, needs_note=True),
    (ReviewStatus.APPROVED, ReviewStatus.CORRECTED): Rule("Ban hành quyết định đính chính", ADMIN),
}

# Requests still being handled: a unit files one at a time.
OPEN = frozenset({ReviewStatus.FILED, ReviewStatus.REVIEWED, ReviewStatus.APPROVED})
# The appraisers write the phúc tra round while the request is filed.
REAPPRAISABLE = frozenset({ReviewStatus.FILED})


def rule_for(from_status: str, to_status: str) -> Rule | None:
    return TRANSITIONS.get((from_status, to_status))


def allowed_transitions(status: str, roles: frozenset[str], *, superuser: bool = False) -> list[tuple[str, Rule]]:
    """(target, rule) pairs the holder of ``roles`` may take from ``status`` on a page; the
    correcting decision is issued from the publication, not from a request."""
    return [
        (to, rule)
        for (frm, to), rule in TRANSITIONS.items()
        if frm == status and to != ReviewStatus.CORRECTED and (superuser or rule.roles & roles)
    ]
