"""Reminders of remediation actions coming due or overdue.

The planner at the top is pure: plain facts in, planned notifications out; no database, no
clock, no URL resolution. The reminder source at the bottom (``action_reminders``) reads
the facts in a fixed number of queries and is listed in
``parindex.notifications.services.REMINDER_SOURCES``.

An action of an approved plan that is not done is reminded of:

- its next due date (``schedule.next_due``: the date, 31 December for "cả năm", the end of
  the current quarter for a quarterly task) on the reminder days before it
  (``settings.REMINDER_DAYS``, e.g. 7, 3 and 1) and on the day itself, as the assessment
  deadlines are. A quarterly task that already has a progress note in the current quarter
  is not reminded of the quarter's end;
- being overdue (``schedule.is_overdue``): on the first overdue day and then every
  ``REPEAT_EVERY`` days while it stays overdue. A quarterly task whose last ended quarter
  has no progress note is overdue from the day after that quarter.

An overdue action gets only the overdue reminder, and at most one reminder a day. It goes
to the action's official, or when none is named (or the official is no longer active) to
the commune office (Văn phòng - Thống kê) of the unit. Every reminder is keyed by day,
action, kind and due date (``remediation:2026-12-02:action7:overdue:2026-12-01``); the key
is unique per user, so a rerun on the same day creates nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from parindex.notifications.reminders import PlannedNotification, days_to_remind, unique
from parindex.remediation import schedule
from parindex.remediation.workflow import ActionStatus, PlanStatus

# An overdue action is reminded again every this many days while it stays overdue.
REPEAT_EVERY = 7
DUE = "due"
OVERDUE = "overdue"
# Characters of the measure quoted in a notification's title.
TITLE_CHARS = 80


@dataclass(frozen=True, slots=True)
class PlanFacts:
    id: int
    unit_id: int
    title: str
    year: int
    status: str
    url: str  # the plan's action board
    approved_on: dt.date | None = None


@dataclass(frozen=True, slots=True)
class ActionFacts:
    id: int
    plan_id: int
    code: str  # the sub-criterion of the plan line
    description: str
    deadline_kind: str
    due: dt.date | None
    status: str
    office: str = ""
    official_id: int | None = None  # an active official, else None
    last_note_on: dt.date | None = None


@dataclass(frozen=True)
class RemediationFacts:
    """Everything the action reminders depend on."""

    plans: Mapping[int, PlanFacts]
    actions: Sequence[ActionFacts]
    # unit id -> the active commune office users of the unit
    offices: Mapping[int, frozenset[int]] = field(default_factory=dict)

    def recipients(self, action: ActionFacts, plan: PlanFacts) -> list[int]:
        if action.official_id is not None:
            return [action.official_id]
        return sorted(self.offices.get(plan.unit_id, frozenset()))


@dataclass(frozen=True, slots=True)
class Reminder:
    """What one action is reminded of today."""

    kind: str  # DUE or OVERDUE
    due: dt.date
    days: int  # days left until ``due`` (DUE), days past it (OVERDUE, 1 on the first overdue day)
    quarter: bool  # ``due`` is the end of a quarter of a quarterly task, not the whole action's deadline


def overdue_since(action: ActionFacts, plan: PlanFacts, today: dt.date) -> tuple[dt.date, bool] | None:
    """The due date the action missed and whether it is a quarter's end, or None when it is not
    overdue (the same rules as ``schedule.is_overdue``)."""
    if action.status == ActionStatus.DONE:
        return None
    final = schedule.final_due(action.deadline_kind, action.due, plan.year)
    if today > final:
        return final, False
    if action.deadline_kind == schedule.QUARTERLY:
        missed = schedule.missed_quarter(plan.year, today, plan.approved_on, action.last_note_on)
        if missed is not None:
            return missed, True
    return None


def action_reminder(
    action: ActionFacts, plan: PlanFacts, today: dt.date, reminder_days: Collection[int]
) -> Reminder | None:
    """The reminder ``action`` gets today, if any."""
    if action.status == ActionStatus.DONE or plan.status != PlanStatus.APPROVED:
        return None
    missed = overdue_since(action, plan, today)
    if missed is not None:
        due, quarter = missed
        late = (today - due).days
        return Reminder(OVERDUE, due, late, quarter) if (late - 1) % REPEAT_EVERY == 0 else None
    due = schedule.next_due(action.deadline_kind, action.due, plan.year, today)
    final = schedule.final_due(action.deadline_kind, action.due, plan.year)
    quarter = action.deadline_kind == schedule.QUARTERLY and due != final
    if quarter and action.last_note_on is not None and action.last_note_on >= schedule.quarter_start(due):
        return None  # this quarter's progress is already reported
    left = days_to_remind(due, today, reminder_days)
    return None if left is None else Reminder(DUE, due, left, quarter)


def reminder_key(today: dt.date, action_id: int, kind: str, due: dt.date) -> str:
    """``remediation:2026-12-02:action7:overdue:2026-12-01``."""
    return f"remediation:{today.isoformat()}:action{action_id}:{kind}:{due.isoformat()}"


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= TITLE_CHARS else text[: TITLE_CHARS - 1].rstrip() + "…"


def compose(action: ActionFacts, plan: PlanFacts, reminder: Reminder) -> tuple[str, str]:
    """The title and body of an action's reminder."""
    what = f"{action.code} – {_short(action.description)}"
    due = f"{reminder.due:%d/%m/%Y}"
    if reminder.kind == OVERDUE:
        title = f"Biện pháp khắc phục quá hạn: {what}"
        if reminder.quarter:
            state = (
                f"Nhiệm vụ thực hiện hàng quý chưa có báo cáo tiến độ {schedule.quarter_label(reminder.due)} "
                f"(hạn {due}), đã quá hạn {reminder.days} ngày."
            )
        else:
            state = f"Hạn hoàn thành: {due}; đã quá hạn {reminder.days} ngày mà biện pháp chưa hoàn thành."
    else:
        if reminder.quarter:
            deadline = f"hạn báo cáo tiến độ {schedule.quarter_label(reminder.due)} ({due})"
        else:
            deadline = f"hạn biện pháp khắc phục ({due})"
        lead = "Hôm nay là " + deadline if reminder.days == 0 else f"Còn {reminder.days} ngày đến {deadline}"
        title = f"{lead}: {what}"
        state = (
            f"Hạn báo cáo tiến độ {schedule.quarter_label(reminder.due)}: hết ngày {due}."
            if reminder.quarter
            else f"Hạn hoàn thành: hết ngày {due}."
        )
    office = f" Bộ phận thực hiện: {action.office}." if action.office else ""
    body = (
        f"{plan.title}. Tiêu chí {action.code}, biện pháp: {action.description.strip()}.{office} {state} "
        "Đề nghị cập nhật tiến độ, kết quả thực hiện trên bảng theo dõi kế hoạch khắc phục."
    )
    return title, body


def planned_reminders(
    facts: RemediationFacts, today: dt.date, reminder_days: Collection[int]
) -> Iterator[PlannedNotification]:
    for action in facts.actions:
        plan = facts.plans.get(action.plan_id)
        if plan is None:
            continue
        reminder = action_reminder(action, plan, today, reminder_days)
        if reminder is None:
            continue
        title, body = compose(action, plan, reminder)
        key = reminder_key(today, action.id, reminder.kind, reminder.due)
        for user_id in facts.recipients(action, plan):
            yield PlannedNotification(user_id, key, title, body, plan.url)


def plan_action_reminders(
    facts: RemediationFacts, today: dt.date, reminder_days: Collection[int]
) -> list[PlannedNotification]:
    """Every action reminder due ``today``, each (user, key) once."""
    return unique(planned_reminders(facts, today, reminder_days))


# -- the reminder source: reading the facts --------------------------------------------------


def action_facts() -> RemediationFacts:
    """The actions not done of the approved plans, and the commune offices of their units
    (two queries, whatever the number of plans, actions or users; one when there is nothing)."""
    from django.db.models import OuterRef, Subquery
    from django.urls import reverse

    from parindex.accounts.models import Role, RoleAssignment
    from parindex.remediation import selectors
    from parindex.remediation.models import Action, ActionNote

    last_note = ActionNote.objects.filter(action=OuterRef("pk")).order_by("-on").values("on")[:1]
    rows = list(
        Action.objects.filter(plan__status=PlanStatus.APPROVED)
        .exclude(status=ActionStatus.DONE)
        .annotate(last_note_on=Subquery(last_note))
        .order_by("plan_id", "item__position", "position", "pk")
        .values(
            "pk", "plan_id", "item__code", "description", "deadline_kind", "due", "status", "office", "official_id",
            "official__is_active", "last_note_on", "plan__unit_id", "plan__title", "plan__year", "plan__status",
            "plan__approved_at",
        )
    )  # fmt: skip
    if not rows:
        return RemediationFacts(plans={}, actions=())
    plans: dict[int, PlanFacts] = {}
    actions = []
    for r in rows:
        if r["plan_id"] not in plans:
            approved_at = r["plan__approved_at"]
            plans[r["plan_id"]] = PlanFacts(
                id=r["plan_id"],
                unit_id=r["plan__unit_id"],
                title=r["plan__title"],
                year=r["plan__year"],
                status=r["plan__status"],
                url=reverse("remediation:action-board", args=[r["plan_id"]]),
                # As selectors.action_row, so the board and the reminders agree on what is overdue.
                approved_on=selectors.local_day(approved_at),
            )
        actions.append(
            ActionFacts(
                id=r["pk"],
                plan_id=r["plan_id"],
                code=r["item__code"],
                description=r["description"],
                deadline_kind=r["deadline_kind"],
                due=r["due"],
                status=r["status"],
                office=r["office"],
                official_id=r["official_id"] if r["official__is_active"] else None,
                last_note_on=r["last_note_on"],
            )
        )
    offices: dict[int, set[int]] = defaultdict(set)
    units = {plans[a.plan_id].unit_id for a in actions if a.official_id is None}
    if units:
        for unit_id, user_id in RoleAssignment.objects.filter(
            role=Role.COMMUNE_OFFICE, unit_id__in=units, user__is_active=True
        ).values_list("unit_id", "user_id"):
            offices[unit_id].add(user_id)
    return RemediationFacts(
        plans=plans, actions=actions, offices={unit: frozenset(users) for unit, users in offices.items()}
    )


def action_reminders(today: dt.date, reminder_days: Collection[int]) -> list[PlannedNotification]:
    """Reminder source: remediation actions coming due or overdue."""
    return plan_action_reminders(action_facts(), today, reminder_days)
