"""Who should be reminded of which deadline on a given day. Pure: plain data in, planned
notifications out; no database, no clock, no URL resolution.

A deadline is reminded of when the days left until it (``due - today``, the due date
counting the unit's extension where one applies) is one of the reminder days
(``settings.REMINDER_DAYS``, e.g. 7, 3 and 1) or 0, the last day itself. Nothing is
planned once a deadline has passed.

Every planned notification carries its key: the kind of deadline, the object, the due
date and the day. The key is unique per user, so planning twice on the same day plans the
same keys (and ``services.send_reminders`` creates nothing twice), the next reminder day
has new keys, and an extension (a new due date) starts its own series.

The deadlines:

- self-assessment: the commune users of each assessment still in draft;
- clarification: the commune head and office of each assessment under clarification,
  against the latest request's deadline (or the unit's clarification extension);
- appraisal: the appraisers assigned to units waiting for appraisal, and the council
  chairs of the province, one digest each per cycle;
- publication: the province admins and council chairs, while some assessment of the
  cycle is not yet published.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from parindex.accounts.models import COMMUNE_ROLES, Role
from parindex.assessments.workflow import APPRAISABLE, Status

# How each deadline is named in a sentence ("hạn tự đánh giá").
STAGE_LABELS = {
    "self_assessment": "tự đánh giá",
    "clarification": "giải trình",
    "appraisal": "thẩm định",
    "publication": "công bố kết quả",
}
CLARIFICATION_ROLES = frozenset({Role.COMMUNE_HEAD, Role.COMMUNE_OFFICE})
PUBLICATION_ROLES = frozenset({Role.PROVINCE_ADMIN, Role.COUNCIL_CHAIR})
# Unit names listed in a digest before "và N đơn vị khác".
DIGEST_NAMES = 10


@dataclass(frozen=True, slots=True)
class PlannedNotification:
    """A notification to create (and e-mail) unless the user already has one with ``key``."""

    user_id: int
    key: str
    title: str
    body: str
    url: str


@dataclass(frozen=True, slots=True)
class CycleFacts:
    id: int
    name: str
    province_id: int
    self_assessment_due: dt.date
    appraisal_due: dt.date
    clarification_due: dt.date
    publication_due: dt.date


@dataclass(frozen=True, slots=True)
class AssessmentFacts:
    """One unit's assessment, with the extensions and the clarification request that move its deadlines."""

    id: int
    cycle_id: int
    unit_id: int
    unit_name: str
    status: str
    url: str
    appraisal_url: str
    self_assessment_until: dt.date | None = None
    clarification_until: dt.date | None = None
    clarification_deadline: dt.date | None = None
    clarification_number: int | None = None


@dataclass(frozen=True)
class DeadlineFacts:
    """Everything the deadline reminders of the unfinished cycles depend on."""

    cycles: Mapping[int, CycleFacts]
    assessments: Sequence[AssessmentFacts]
    # (unit id, role) -> the active users holding that role at that unit
    people: Mapping[tuple[int, str], frozenset[int]] = field(default_factory=dict)
    # cycle id -> appraiser id -> the units assigned (None: every unit of the cycle)
    appraiser_units: Mapping[int, Mapping[int, frozenset[int | None]]] = field(default_factory=dict)
    assessment_list_url: str = ""
    appraisal_list_url: str = ""

    def holders(self, unit_id: int, roles: Iterable[str]) -> list[int]:
        """The users holding any of ``roles`` at ``unit_id``, each once, in id order."""
        return sorted(set().union(*(self.people.get((unit_id, role), frozenset()) for role in roles)))


def last_day(due: dt.date, extended_until: dt.date | None) -> dt.date:
    """The last day of a deadline: an extension moves it later, never earlier (as ``workflow.window_open``)."""
    return max(due, extended_until) if extended_until else due


def days_to_remind(due: dt.date, today: dt.date, reminder_days: Collection[int]) -> int | None:
    """The days left until ``due`` when today is a reminder day for it, else None."""
    left = (due - today).days
    return left if left == 0 or (left > 0 and left in reminder_days) else None


def lead(stage: str, due: dt.date, left: int) -> str:
    """ "Còn 3 ngày đến hạn tự đánh giá (15/12/2026)", or on the day "Hôm nay là hạn cuối ..."."""
    label = STAGE_LABELS[stage]
    if left == 0:
        return f"Hôm nay là hạn cuối {label} ({due:%d/%m/%Y})"
    return f"Còn {left} ngày đến hạn {label} ({due:%d/%m/%Y})"


def reminder_key(today: dt.date, stage: str, subject: str, due: dt.date) -> str:
    """One day's reminder of one deadline of one object: ``reminder:2026-12-08:self_assessment:a12:2026-12-15``."""
    return f"reminder:{today.isoformat()}:{stage}:{subject}:{due.isoformat()}"


def unit_names(assessments: Sequence[AssessmentFacts]) -> str:
    names = [a.unit_name for a in assessments[:DIGEST_NAMES]]
    more = len(assessments) - len(names)
    return ", ".join(names) + (f" và {more} đơn vị khác" if more else "")


def self_assessment_reminders(
    facts: DeadlineFacts, today: dt.date, reminder_days: Collection[int]
) -> Iterator[PlannedNotification]:
    for a in facts.assessments:
        if a.status != Status.DRAFT:
            continue
        cycle = facts.cycles[a.cycle_id]
        due = last_day(cycle.self_assessment_due, a.self_assessment_until)
        left = days_to_remind(due, today, reminder_days)
        if left is None:
            continue
        extended = " (đã được gia hạn)" if due != cycle.self_assessment_due else ""
        title = f"{lead('self_assessment', due, left)} – {a.unit_name}"
        body = (
            f"Hồ sơ tự đánh giá {cycle.name} của {a.unit_name} chưa gửi thẩm định. "
            f"Hạn cuối: hết ngày {due:%d/%m/%Y}{extended}. "
            "Đề nghị hoàn thành số liệu, tài liệu kiểm chứng và gửi thẩm định trước hạn."
        )
        key = reminder_key(today, "self_assessment", f"a{a.id}", due)
        for user_id in facts.holders(a.unit_id, COMMUNE_ROLES):
            yield PlannedNotification(user_id, key, title, body, a.url)


def clarification_reminders(
    facts: DeadlineFacts, today: dt.date, reminder_days: Collection[int]
) -> Iterator[PlannedNotification]:
    for a in facts.assessments:
        if a.status != Status.CLARIFICATION:
            continue
        cycle = facts.cycles[a.cycle_id]
        asked_by = a.clarification_deadline or cycle.clarification_due
        due = last_day(asked_by, a.clarification_until)
        left = days_to_remind(due, today, reminder_days)
        if left is None:
            continue
        extended = " (đã được gia hạn)" if due != asked_by else ""
        number = f" lần {a.clarification_number}" if a.clarification_number else ""
        title = f"{lead('clarification', due, left)} – {a.unit_name}"
        body = (
            f"{a.unit_name} đang được yêu cầu giải trình{number} ({cycle.name}). "
            f"Hạn gửi giải trình: hết ngày {due:%d/%m/%Y}{extended}. "
            "Đề nghị trả lời từng tiêu chí được yêu cầu, bổ sung tài liệu và gửi giải trình trước hạn."
        )
        key = reminder_key(today, "clarification", f"a{a.id}-r{a.clarification_number or 0}", due)
        for user_id in facts.holders(a.unit_id, CLARIFICATION_ROLES):
            yield PlannedNotification(user_id, key, title, body, a.url)


def appraisal_reminders(
    facts: DeadlineFacts, today: dt.date, reminder_days: Collection[int]
) -> Iterator[PlannedNotification]:
    """One digest per cycle: the council chairs get every unit waiting, an appraiser the units assigned to them."""
    waiting_by_cycle: dict[int, list[AssessmentFacts]] = {}
    for a in facts.assessments:
        if a.status in APPRAISABLE:
            waiting_by_cycle.setdefault(a.cycle_id, []).append(a)
    for cycle_id, waiting in waiting_by_cycle.items():
        cycle = facts.cycles[cycle_id]
        due = cycle.appraisal_due
        left = days_to_remind(due, today, reminder_days)
        if left is None:
            continue
        title = lead("appraisal", due, left)
        key = reminder_key(today, "appraisal", f"c{cycle.id}", due)
        chairs = facts.holders(cycle.province_id, {Role.COUNCIL_CHAIR})
        body, url = _appraisal_digest(facts, cycle, waiting, "")
        for user_id in chairs:
            yield PlannedNotification(user_id, key, title, body, url)
        # As appraisal_scope: an assignment counts while its holder is an appraiser of the province.
        appraisers = set(facts.holders(cycle.province_id, {Role.APPRAISER})) - set(chairs)
        for user_id, assigned in sorted(facts.appraiser_units.get(cycle_id, {}).items()):
            if user_id not in appraisers:
                continue
            mine = [a for a in waiting if None in assigned or a.unit_id in assigned]
            if mine:
                body, url = _appraisal_digest(facts, cycle, mine, "được phân công cho bạn ")
                yield PlannedNotification(user_id, key, title, body, url)


def _appraisal_digest(
    facts: DeadlineFacts, cycle: CycleFacts, units: Sequence[AssessmentFacts], whose: str
) -> tuple[str, str]:
    """The body and link of an appraisal reminder: the unit's page for one unit, the list for several."""
    body = (
        f"{cycle.name}: {len(units)} hồ sơ {whose}chưa thẩm định xong: {unit_names(units)}. "
        f"Hạn hoàn thành thẩm định: hết ngày {cycle.appraisal_due:%d/%m/%Y}."
    )
    return body, units[0].appraisal_url if len(units) == 1 else facts.appraisal_list_url


def publication_reminders(
    facts: DeadlineFacts, today: dt.date, reminder_days: Collection[int]
) -> Iterator[PlannedNotification]:
    by_cycle: dict[int, list[AssessmentFacts]] = {}
    for a in facts.assessments:
        by_cycle.setdefault(a.cycle_id, []).append(a)
    for cycle_id, assessments in by_cycle.items():
        cycle = facts.cycles[cycle_id]
        due = cycle.publication_due
        left = days_to_remind(due, today, reminder_days)
        pending = Counter(a.status for a in assessments if a.status != Status.PUBLISHED)
        if left is None or not pending:
            continue
        states = "; ".join(f"{label}: {pending[value]}" for value, label in Status.choices if pending[value])
        body = (
            f"{cycle.name}: còn {pending.total()}/{len(assessments)} hồ sơ chưa công bố kết quả ({states}). "
            f"Hạn công bố: hết ngày {due:%d/%m/%Y}."
        )
        key = reminder_key(today, "publication", f"c{cycle.id}", due)
        title = lead("publication", due, left)
        for user_id in facts.holders(cycle.province_id, PUBLICATION_ROLES):
            yield PlannedNotification(user_id, key, title, body, facts.assessment_list_url)


def unique(planned: Iterable[PlannedNotification]) -> list[PlannedNotification]:
    """The first of each (user, key): someone holding two roles is reminded once."""
    seen: set[tuple[int, str]] = set()
    out = []
    for p in planned:
        if (p.user_id, p.key) not in seen:
            seen.add((p.user_id, p.key))
            out.append(p)
    return out


def deadline_reminders(
    facts: DeadlineFacts, today: dt.date, reminder_days: Collection[int]
) -> list[PlannedNotification]:
    """Every deadline reminder due ``today``, each (user, key) once."""
    return unique(
        p
        for source in (self_assessment_reminders, clarification_reminders, appraisal_reminders, publication_reminders)
        for p in source(facts, today, reminder_days)
    )
