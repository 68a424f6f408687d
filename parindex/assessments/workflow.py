"""The life of one unit's assessment in a cycle. Pure: a transition table, no database.

    draft ──submit──▶ submitted ──start──▶ appraising ──finish──▶ appraised ──approve──▶ approved ──publish──▶ published
      ▲                  │                   │    ▲                   │
      └────withdraw──────┘       request     ▼    │ second round      │ reopen (council chair)
                              clarification ──answer──▶ clarified ─────┘──finish──▶ appraised

The commune drafts and its head submits (and may withdraw until appraisal starts).
Appraisers of the province appraise, may send a clarification request on chosen items,
which the commune head answers; a second appraisal of those items follows. The council
chair approves a group of appraised units and the province publishes them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models

from parindex.accounts.models import Role


class Status(models.TextChoices):
    DRAFT = "draft", "Đang tự đánh giá"
    SUBMITTED = "submitted", "Đã gửi thẩm định"
    APPRAISING = "appraising", "Đang thẩm định"
    CLARIFICATION = "clarification", "Đang giải trình"
    CLARIFIED = "clarified", "Đã giải trình, chờ thẩm định lại"
    APPRAISED = "appraised", "Đã thẩm định xong"
    APPROVED = "approved", "Hội đồng đã thông qua"
    PUBLISHED = "published", "Đã công bố"


@dataclass(frozen=True)
class Rule:
    label: str
    roles: frozenset[str]


APPRAISERS = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR})

TRANSITIONS: dict[tuple[str, str], Rule] = {
    (Status.DRAFT, Status.SUBMITTED): Rule("Gửi thẩm định", frozenset({Role.COMMUNE_HEAD})),
    (Status.SUBMITTED, Status.DRAFT): Rule("Rút lại để sửa", frozenset({Role.COMMUNE_HEAD})),
    (Status.SUBMITTED, Status.APPRAISING): Rule("Bắt đầu thẩm định", APPRAISERS),
    (Status.APPRAISING, Status.CLARIFICATION): Rule("Gửi yêu cầu giải trình", APPRAISERS),
    (Status.CLARIFIED, Status.CLARIFICATION): Rule("Gửi yêu cầu giải trình lần tiếp", APPRAISERS),
    (Status.CLARIFICATION, Status.CLARIFIED): Rule("Gửi giải trình", frozenset({Role.COMMUNE_HEAD})),
    (Status.APPRAISING, Status.APPRAISED): Rule("Hoàn thành thẩm định", APPRAISERS),
    (Status.CLARIFIED, Status.APPRAISED): Rule("Hoàn thành thẩm định", APPRAISERS),
    (Status.APPRAISED, Status.APPRAISING): Rule("Mở lại để thẩm định", frozenset({Role.COUNCIL_CHAIR})),
    (Status.APPRAISED, Status.APPROVED): Rule("Hội đồng thông qua", frozenset({Role.COUNCIL_CHAIR})),
    (Status.APPROVED, Status.PUBLISHED): Rule("Công bố", frozenset({Role.PROVINCE_ADMIN})),
}

# The commune may change everything while drafting; under clarification only the items asked about.
EDITABLE = frozenset({Status.DRAFT})
# The appraisers record scores in these states (second-round scores only for clarified items).
APPRAISABLE = frozenset({Status.SUBMITTED, Status.APPRAISING, Status.CLARIFIED})
# The commune has the file: drafting it, or answering a clarification request.
COMMUNE_TURN = frozenset({Status.DRAFT, Status.CLARIFICATION})
# The appraisers have the file and are scoring it (first round, or the clarified items).
APPRAISERS_TURN = frozenset({Status.APPRAISING, Status.CLARIFIED})
# An appraisal has started and its result is provisional: the appraised total is a projection.
APPRAISAL_PROVISIONAL = frozenset({Status.APPRAISING, Status.CLARIFICATION, Status.CLARIFIED})
# The appraisal is finished: the appraised total is final (then approved, then published).
APPRAISAL_FINAL = frozenset({Status.APPRAISED, Status.APPROVED, Status.PUBLISHED})
# Submitted and waiting for its final appraised result (what the province still has to do).
AWAITING_APPRAISAL_RESULT = frozenset({Status.SUBMITTED}) | APPRAISAL_PROVISIONAL
# The commune's own pages turn to the appraisal view from here on: provisional or final.
UNDER_APPRAISAL = APPRAISAL_PROVISIONAL | APPRAISAL_FINAL


def rule_for(from_status: str, to_status: str) -> Rule | None:
    return TRANSITIONS.get((from_status, to_status))


def allowed_transitions(status: str, roles: frozenset[str]) -> list[tuple[str, str]]:
    """(target, button label) pairs the holder of ``roles`` may take from ``status``."""
    return [(to, rule.label) for (frm, to), rule in TRANSITIONS.items() if frm == status and rule.roles & roles]


def window_open(due: dt.date, extended_until: dt.date | None, today: dt.date) -> bool:
    """A deadline is met through the whole of its day; an extension moves it later, never earlier."""
    last_day = max(due, extended_until) if extended_until else due
    return today <= last_day
