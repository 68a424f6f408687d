"""What each person has to do now ("Việc cần làm"), read in a bounded number of queries.

``inbox_for`` gathers the tasks of every role the person holds, each a ``Task``: a verb and
its object, the unit, the deadline and one link to the page where the work is done.

- commune officers: their sub-criteria not yet entered (a line each, linked to the row), the
  clarification items given to them, their overdue remediation actions;
- the commune office and head: completing and submitting the self-assessment (entered x/y,
  the deadline), answering and sending a clarification request, the draft remediation plan
  (the head approves it), and for the office the overdue actions given to nobody;
- appraisers: the units waiting in their fields (and the council chair, any field: one line
  per cycle), the items back from clarification, flags not sent yet, appraisals ready to close;
- the council chair: units appraised and not approved, approved groups not published;
- the Sở Nội vụ admin: units late for the self-assessment or a clarification, cycles without
  appraisers, approved groups to publish, framework drafts;
- review requests (phúc tra): to re-appraise (appraisers, the chair), to approve (the chair), to
  close with a correcting decision (the admin).

The commune part costs at most eight queries and the province part at most ten, whatever the
number of units, items or actions (the rows read grow, the queries do not); a person without
commune (or province) roles pays nothing for that part.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from parindex import scoring
from parindex.accounts.models import COMMUNE_ROLES, Role
from parindex.accounts.permissions import Principal, UnitRef
from parindex.appraisals.models import AppraiserAssignment, ClarificationItem, ItemAppraisal
from parindex.assessments.inputs import to_response
from parindex.assessments.models import Answer, Assessment, Assignment, Cycle, DeadlineExtension, Stage
from parindex.assessments.workflow import (
    APPRAISABLE,
    APPRAISERS_TURN,
    AWAITING_APPRAISAL_RESULT,
    COMMUNE_TURN,
    Status,
    window_open,
)
from parindex.core import jobs
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import schedule
from parindex.remediation.models import Action, Plan
from parindex.remediation.workflow import ActionStatus, PlanStatus
from parindex.results.models import Approval
from parindex.reviews.models import ReviewRequest
from parindex.reviews.workflow import ReviewStatus
from parindex.units.models import AdministrativeUnit

# The self-assessment page's query string and row anchors (``assessments.page``, ``assessment_detail.html``):
# ``?linh-vuc=II&tieu-chi=2.1.3#leaf-2.1.3`` opens field II with row 2.1.3 open.
FIELD_PARAM = "linh-vuc"
OPEN_PARAM = "tieu-chi"
# Items listed one per line for an officer before "N more"; the rest are one line.
ITEM_LINES = 8
# Days before a deadline from which a task is flagged as close.
SOON_DAYS = 3
# The line kinds, in the order the page groups them when deadlines tie.
SELF_ASSESSMENT, CLARIFICATION, APPRAISAL, APPROVAL, PUBLICATION, REVIEW, REMEDIATION, CYCLE, FRAMEWORK, JOB = (
    "self_assessment", "clarification", "appraisal", "approval", "publication", "review", "remediation", "cycle",
    "framework", "job",
)  # fmt: skip
KIND_LABELS = {
    SELF_ASSESSMENT: "Tự đánh giá",
    CLARIFICATION: "Giải trình",
    APPRAISAL: "Thẩm định",
    APPROVAL: "Thông qua",
    PUBLICATION: "Công bố",
    REVIEW: "Phúc tra",
    REMEDIATION: "Khắc phục",
    CYCLE: "Kỳ đánh giá",
    FRAMEWORK: "Bộ chỉ số",
    JOB: "Việc chạy nền",
}
PROVINCE_WORK_ROLES = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR, Role.PROVINCE_ADMIN})
BOARD_ROLES = frozenset({Role.COUNCIL_CHAIR, Role.PROVINCE_ADMIN, Role.VIEWER})


@dataclass(frozen=True)
class Task:
    """One thing to do: "<verb> <what>" linked to ``url``, for ``unit``, by ``due``."""

    kind: str
    verb: str
    what: str
    unit: str
    url: str
    due: dt.date | None = None
    days_left: int | None = None
    detail: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def urgency(self) -> str:
        """ "late", "soon", "ok" or "none" (no deadline), for the line's colour."""
        if self.days_left is None:
            return "none"
        if self.days_left < 0:
            return "late"
        return "soon" if self.days_left <= SOON_DAYS else "ok"

    @property
    def due_label(self) -> str:
        if self.due is None:
            return ""
        if self.days_left is None:
            return f"hạn {self.due:%d/%m/%Y}"
        if self.days_left < 0:
            return f"hạn {self.due:%d/%m/%Y} · quá hạn {-self.days_left} ngày"
        if self.days_left == 0:
            return f"hạn {self.due:%d/%m/%Y} · hôm nay là hạn cuối"
        return f"hạn {self.due:%d/%m/%Y} · còn {self.days_left} ngày"


@dataclass
class Inbox:
    today: dt.date
    tasks: list[Task] = field(default_factory=list)
    # (label, url): the dashboards of the person's units.
    dashboards: list[tuple[str, str]] = field(default_factory=list)

    @property
    def late(self) -> int:
        return sum(t.urgency == "late" for t in self.tasks)


def _task(
    kind: str, verb: str, what: str, unit: str, url: str, due: dt.date | None, today: dt.date, detail: str = ""
) -> Task:
    return Task(kind, verb, what, unit, url, due, (due - today).days if due else None, detail)


def _order(task: Task) -> tuple[int, int, int]:
    kinds = list(KIND_LABELS)
    return (0 if task.days_left is not None else 1, task.days_left or 0, kinds.index(task.kind))


def row_url(assessment_id: int, code: str, field_code: str) -> str:
    """The self-assessment page open at one sub-criterion's row."""
    query = urlencode([(FIELD_PARAM, field_code), (OPEN_PARAM, code)])
    return f"{reverse('assessments:assessment-detail', args=[assessment_id])}?{query}#leaf-{code}"


def appraisal_url(assessment_id: int, field_code: str = "", code: str = "") -> str:
    """The appraisal page of a unit, on a field and at an item when given."""
    url = reverse("appraisals:appraisal-detail", args=[assessment_id])
    return (
        url + (f"?{urlencode([(FIELD_PARAM, field_code)])}" if field_code else "") + (f"#item-{code}" if code else "")
    )


def _field_of(spec: scoring.Framework, code: str) -> str:
    *_, root = spec.lineage(code)
    return root


def _owner(spec: scoring.Framework, code: str, assigned: dict[str, int]) -> int | None:
    """The official of the nearest assigned node (the item itself first), as the page counts it."""
    return next((assigned[c] for c in spec.lineage(code) if c in assigned), None)


def _entered(spec: scoring.Framework, inputs: dict[str, dict[str, Any]]) -> tuple[list[str], int]:
    """(the applicable sub-criteria without input, in document order; how many are applicable),
    as the self-assessment page counts them (the scoring engine's missing items)."""
    responses = {code: to_response(values) for code, values in inputs.items() if values}
    try:
        result = scoring.score(spec, responses)
    except scoring.ScoringError:  # a stored answer the rule no longer reads: count the empty ones only
        missing = [leaf.code for leaf in spec.leaves if not inputs.get(leaf.code)]
        return missing, len(spec.leaves)
    missing = set(result.missing)
    applicable = sum(result.node(leaf.code).applicable for leaf in spec.leaves)
    return [leaf.code for leaf in spec.leaves if leaf.code in missing], applicable


def _latest(extensions: Iterable[tuple[int, str, dt.date]]) -> dict[tuple[int, str], dt.date]:
    out: dict[tuple[int, str], dt.date] = {}
    for assessment_id, stage, until in extensions:  # in grant order: the latest grant counts
        out[assessment_id, stage] = until
    return out


def _last_day(due: dt.date, extended: dt.date | None) -> dt.date:
    return max(due, extended) if extended else due


# -- the commune -------------------------------------------------------------------------------


def _commune_tasks(principal: Principal, unit_ids: set[int], today: dt.date) -> list[Task]:
    roles = {unit_id: principal.roles_at(UnitRef(unit_id)) for unit_id in unit_ids}
    leads = {u for u, r in roles.items() if r & {Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD}}
    heads = {u for u, r in roles.items() if Role.COMMUNE_HEAD in r}
    offices = {u for u, r in roles.items() if Role.COMMUNE_OFFICE in r}
    officer_only = unit_ids - leads
    me = principal.user_id
    tasks: list[Task] = []

    assessments = list(
        Assessment.objects.filter(unit_id__in=unit_ids, status__in=COMMUNE_TURN)
        .select_related("unit", "cycle__framework_version")
        .order_by("-cycle__year", "unit__name")
    )
    ids = [a.pk for a in assessments]
    drafts = [a.pk for a in assessments if a.status == Status.DRAFT]
    under_clarification = [a.pk for a in assessments if a.status == Status.CLARIFICATION]
    extensions = _latest(
        DeadlineExtension.objects.filter(assessment_id__in=ids)
        .order_by("granted_at", "pk")
        .values_list("assessment_id", "stage", "until")
    ) if ids else {}  # fmt: skip
    inputs: dict[int, dict[str, dict[str, Any]]] = defaultdict(dict)
    if drafts:
        for assessment_id, code, values in Answer.objects.filter(assessment_id__in=drafts).values_list(
            "assessment_id", "criterion__code", "inputs"
        ):
            inputs[assessment_id][code] = values
    assigned: dict[int, dict[str, int]] = defaultdict(dict)
    if ids and officer_only:
        for assessment_id, code, official_id in Assignment.objects.filter(
            assessment_id__in=[a.pk for a in assessments if a.unit_id in officer_only]
        ).values_list("assessment_id", "criterion__code", "official_id"):
            assigned[assessment_id][code] = official_id
    asked: dict[int, list[ClarificationItem]] = defaultdict(list)
    if under_clarification:
        open_items = (
            ClarificationItem.objects.filter(
                request__assessment_id__in=under_clarification, request__answered_at__isnull=True
            )
            .select_related("request", "criterion")
            .order_by("request__number", "criterion__position")
        )
        for item in open_items:
            asked[item.request.assessment_id].append(item)  # the open request is the latest one

    for a in assessments:
        spec = framework_version_spec(a.cycle.framework_version)
        unit = a.unit.name
        lead = a.unit_id in leads
        if a.status == Status.DRAFT:
            due = _last_day(a.cycle.self_assessment_due, extensions.get((a.pk, Stage.SELF_ASSESSMENT)))
            missing, applicable = _entered(spec, inputs[a.pk])
            late = not window_open(due, None, today)
            if lead:
                tasks.extend(_lead_draft_tasks(a, spec, missing, applicable, due, late, a.unit_id in heads, today))
            else:
                given = [c for c in missing if _owner(spec, c, assigned[a.pk]) == me]
                tasks.extend(_officer_draft_tasks(a, spec, given, due, late, today))
        else:
            items = asked.get(a.pk, [])
            if not items:
                continue
            request = items[0].request
            due = _last_day(request.deadline, extensions.get((a.pk, Stage.CLARIFICATION)))
            if lead:
                tasks.extend(_lead_clarification_tasks(a, spec, request, items, due, a.unit_id in heads, today))
            else:
                for item in items:
                    if item.answer.strip() or _owner(spec, item.criterion.code, assigned[a.pk]) != me:
                        continue
                    code = item.criterion.code
                    tasks.append(
                        _task(CLARIFICATION, "Giải trình", f"tiêu chí {code} {item.criterion.name}", unit,
                              row_url(a.pk, code, _field_of(spec, code)), due, today,
                              detail=f"Yêu cầu giải trình lần {request.number}: {' '.join(item.question.split())}")
                    )  # fmt: skip

    tasks.extend(_remediation_tasks(unit_ids, leads, heads, offices, me, today))
    return tasks


def _lead_draft_tasks(
    a: Assessment, spec: scoring.Framework, missing: list[str], applicable: int, due: dt.date, late: bool, head: bool,
    today: dt.date,
) -> list[Task]:  # fmt: skip
    unit = a.unit.name
    entered = applicable - len(missing)
    late_hint = " Đã quá hạn: đề nghị Sở Nội vụ gia hạn để tiếp tục." if late else ""
    if missing:
        first = missing[0]
        return [
            _task(SELF_ASSESSMENT, "Hoàn thành tự đánh giá", f"đã nhập {entered}/{applicable} tiêu chí", unit,
                  row_url(a.pk, first, _field_of(spec, first)), due, today,
                  detail=f"Còn {len(missing)} tiêu chí chưa nhập số liệu, đầu tiên là {first} "
                  f"{spec.node(first).name}.{late_hint}")
        ]  # fmt: skip
    url = reverse("assessments:assessment-detail", args=[a.pk]) + "#gui-ho-so"
    if head:
        return [
            _task(SELF_ASSESSMENT, "Gửi hồ sơ thẩm định", f"đã nhập {entered}/{applicable} tiêu chí", unit, url, due,
                  today, detail=f"Kiểm tra tài liệu kiểm chứng, giải thích rồi gửi hồ sơ {a.cycle.name}.{late_hint}")
        ]  # fmt: skip
    return [
        _task(SELF_ASSESSMENT, "Kiểm tra hồ sơ, trình lãnh đạo gửi thẩm định", f"đã nhập {entered}/{applicable} tiêu chí",
              unit, url, due, today, detail=late_hint.strip())
    ]  # fmt: skip


def _officer_draft_tasks(
    a: Assessment, spec: scoring.Framework, missing: list[str], due: dt.date, late: bool, today: dt.date
) -> list[Task]:
    unit = a.unit.name
    hint = "Đã quá hạn tự đánh giá: liên hệ Văn phòng - Thống kê." if late else ""
    tasks = [
        _task(SELF_ASSESSMENT, "Nhập số liệu", f"tiêu chí {code} {spec.node(code).name}", unit,
              row_url(a.pk, code, _field_of(spec, code)), due, today, detail=hint)
        for code in missing[:ITEM_LINES]
    ]  # fmt: skip
    rest = missing[ITEM_LINES:]
    if rest:
        tasks.append(
            _task(SELF_ASSESSMENT, "Nhập số liệu", f"{len(rest)} tiêu chí khác được giao ({', '.join(rest[:6])}"
                  f"{' …' if len(rest) > 6 else ''})", unit, row_url(a.pk, rest[0], _field_of(spec, rest[0])), due,
                  today, detail=hint)
        )  # fmt: skip
    return tasks


def _lead_clarification_tasks(
    a: Assessment, spec: scoring.Framework, request: Any, items: list[ClarificationItem], due: dt.date, head: bool,
    today: dt.date,
) -> list[Task]:  # fmt: skip
    unit = a.unit.name
    codes = [i.criterion.code for i in items]
    waiting = [i for i in items if not i.answer.strip()]
    if waiting:
        first = waiting[0].criterion.code
        names = "; ".join(f"{i.criterion.code} {i.criterion.name}" for i in waiting[:4])
        return [
            _task(CLARIFICATION, f"Trả lời yêu cầu giải trình lần {request.number}",
                  f"{len(waiting)}/{len(items)} tiêu chí chưa giải trình ({', '.join(i.criterion.code for i in waiting)})",
                  unit, row_url(a.pk, first, _field_of(spec, first)), due, today,
                  detail=f"Các tiêu chí: {names}{' …' if len(waiting) > 4 else ''}.")
        ]  # fmt: skip
    url = reverse("assessments:assessment-detail", args=[a.pk]) + "#gui-ho-so"
    if head:
        return [
            _task(CLARIFICATION, f"Gửi giải trình lần {request.number}", f"đã giải trình đủ {len(items)} tiêu chí "
                  f"({', '.join(codes)})", unit, url, due, today)
        ]  # fmt: skip
    return [
        _task(CLARIFICATION, f"Trình lãnh đạo gửi giải trình lần {request.number}",
              f"đã giải trình đủ {len(items)} tiêu chí ({', '.join(codes)})", unit, url, due, today)
    ]  # fmt: skip


def _remediation_tasks(
    unit_ids: set[int], leads: set[int], heads: set[int], offices: set[int], me: int | None, today: dt.date
) -> list[Task]:
    from parindex.remediation.selectors import local_day, with_last_note

    tasks: list[Task] = []
    # Mine, and for an office the actions given to nobody (the reminders' rule).
    actions = Action.objects.filter(
        plan__unit_id__in=unit_ids, plan__status=PlanStatus.APPROVED, official_id=me
    ).exclude(status=ActionStatus.DONE)
    if offices:
        actions = actions | Action.objects.filter(
            plan__unit_id__in=offices, plan__status=PlanStatus.APPROVED, official__isnull=True
        ).exclude(status=ActionStatus.DONE)
    for action in with_last_note(actions.select_related("plan__unit", "item")).order_by(
        "plan__unit__name", "item__position", "position"
    ):
        plan = action.plan
        kind, due = action.deadline_kind, action.due
        approved = local_day(plan.approved_at)
        if not schedule.is_overdue(
            kind, due, plan.year, action.status, today, approved_on=approved, last_note_on=action.last_note_on
        ):
            continue
        final = schedule.final_due(kind, due, plan.year)
        missed = (
            schedule.missed_quarter(plan.year, today, approved, action.last_note_on)
            if kind == schedule.QUARTERLY and today <= final
            else None
        )
        deadline = missed or final
        description = " ".join(action.description.split())
        short = description if len(description) <= 90 else description[:89].rstrip() + "…"
        whose = "" if action.official_id else " (giao Văn phòng - Thống kê)"
        tasks.append(
            _task(REMEDIATION, "Cập nhật biện pháp quá hạn", f"{action.item.code} – {short}{whose}", plan.unit.name,
                  reverse("remediation:action-board", args=[plan.pk]) + f"#bien-phap-{action.pk}", deadline, today,
                  detail=f"Chưa có báo cáo tiến độ {schedule.quarter_label(missed)}." if missed else "")
        )  # fmt: skip
    if leads:
        for plan in (
            Plan.objects.filter(unit_id__in=leads, status=PlanStatus.DRAFT)
            .select_related("unit")
            .order_by("unit__name", "-year")
        ):
            url = reverse("remediation:plan-detail", args=[plan.pk])
            if plan.unit_id in heads:
                verb, hint = (
                    "Phê duyệt kế hoạch khắc phục",
                    "Xem nguyên nhân, biện pháp, người phụ trách rồi phê duyệt.",
                )
            else:
                verb, hint = (
                    "Hoàn thiện kế hoạch khắc phục",
                    "Dự thảo: ghi đủ nguyên nhân, biện pháp rồi trình lãnh đạo phê duyệt.",
                )
            tasks.append(
                _task(REMEDIATION, verb, f"Chỉ số CCHC năm {plan.assessed_year} (dự thảo)", plan.unit.name, url, None,
                      today, detail=hint)
            )  # fmt: skip
    return tasks


# -- the province -------------------------------------------------------------------------------


def _province_tasks(principal: Principal, today: dt.date) -> list[Task]:
    appraiser_of = principal.unit_ids({Role.APPRAISER})[0]
    chair_of = principal.unit_ids({Role.COUNCIL_CHAIR})[0]
    admin_of = principal.unit_ids({Role.PROVINCE_ADMIN})[0]
    provinces = appraiser_of | chair_of | admin_of
    tasks: list[Task] = []
    if admin_of:
        tasks.extend(_framework_tasks(admin_of, today))
        tasks.extend(_job_tasks(admin_of, today))
    tasks.extend(_review_tasks(appraiser_of, chair_of, admin_of, today))
    unpublished = Assessment.objects.filter(cycle=OuterRef("pk")).exclude(status=Status.PUBLISHED)
    cycles = {
        c.pk: c
        for c in Cycle.objects.filter(province_id__in=provinces)
        .filter(Exists(unpublished))
        .select_related("framework_version")
        .order_by("-year", "pk")
    }
    if not cycles:
        return tasks
    rows = list(
        Assessment.objects.filter(cycle_id__in=list(cycles))
        .exclude(status=Status.PUBLISHED)
        .order_by("unit__name", "pk")
        .values("pk", "status", "unit_id", "unit__name", "cycle_id")
    )
    appraising = appraiser_of | chair_of
    if appraising:
        tasks.extend(_appraisal_tasks(principal, cycles, rows, chair_of, today))
    if chair_of or admin_of:
        tasks.extend(_result_tasks(cycles, rows, chair_of, admin_of, today))
    if admin_of:
        tasks.extend(_cycle_tasks(cycles, rows, admin_of, today))
    return tasks


def _appraisal_tasks(
    principal: Principal, cycles: dict[int, Cycle], rows: list[dict[str, Any]], chair_of: set[int], today: dt.date
) -> list[Task]:
    open_rows = [r for r in rows if r["status"] in AWAITING_APPRAISAL_RESULT]
    if not open_rows:
        return []
    # What each cycle gives this person: None = every item of every unit (council chair).
    mine: dict[int, dict[int | None, set[str]] | None] = {}
    appraiser_cycles = [c for c in cycles.values() if c.province_id not in chair_of]
    by_cycle: dict[int, dict[int | None, set[str]]] = defaultdict(lambda: defaultdict(set))
    if appraiser_cycles:
        for cycle_id, unit_id, code in AppraiserAssignment.objects.filter(
            cycle_id__in=[c.pk for c in appraiser_cycles], appraiser_id=principal.user_id
        ).values_list("cycle_id", "unit_id", "criterion__code"):
            by_cycle[cycle_id][unit_id].add(code)
    for cycle in cycles.values():
        if cycle.province_id in chair_of:
            mine[cycle.pk] = None
        elif principal.has_role(UnitRef(cycle.province_id), {Role.APPRAISER}) and by_cycle.get(cycle.pk):
            mine[cycle.pk] = by_cycle[cycle.pk]
    ids = [r["pk"] for r in open_rows if r["cycle_id"] in mine]
    if not ids:
        return []
    first: dict[int, set[str]] = defaultdict(set)
    second: dict[int, set[str]] = defaultdict(set)
    flagged: dict[int, set[str]] = defaultdict(set)
    for assessment_id, code, round_, needs in ItemAppraisal.objects.filter(assessment_id__in=ids).values_list(
        "assessment_id", "criterion__code", "round", "needs_clarification"
    ):
        (first if round_ == 1 else second)[assessment_id].add(code)
        if round_ == 1 and needs:
            flagged[assessment_id].add(code)
    asked: dict[int, set[str]] = defaultdict(set)
    for assessment_id, code in ClarificationItem.objects.filter(request__assessment_id__in=ids).values_list(
        "request__assessment_id", "criterion__code"
    ):
        asked[assessment_id].add(code)

    tasks: list[Task] = []
    waiting_for_chair: dict[int, list[str]] = defaultdict(list)
    for r in open_rows:
        if r["pk"] not in ids:
            continue
        cycle = cycles[r["cycle_id"]]
        spec = framework_version_spec(cycle.framework_version)
        given = mine[cycle.pk]
        if given is None:
            scope = [leaf.code for leaf in spec.leaves]
        else:
            codes = given.get(None, set()) | given.get(r["unit_id"], set())
            scope = [leaf.code for leaf in spec.leaves if not codes.isdisjoint(spec.lineage(leaf.code))]
        if not scope:
            continue
        a_id, unit, status = r["pk"], r["unit__name"], r["status"]
        due = cycle.appraisal_due
        todo = [c for c in scope if c not in first[a_id] and c not in asked[a_id]]
        again = [c for c in scope if c in asked[a_id] and c not in second[a_id]] if status == Status.CLARIFIED else []
        unsent = [c for c in scope if c in flagged[a_id] and c not in asked[a_id]]
        everything_done = (
            all(leaf.code in first[a_id] for leaf in spec.leaves)
            and all(c in second[a_id] for c in asked[a_id])
            and not (flagged[a_id] - asked[a_id])
        )
        if given is None:  # the council chair: one line per cycle for the first round
            if todo and status != Status.CLARIFICATION:
                waiting_for_chair[cycle.pk].append(unit)
        elif todo:
            f = _field_of(spec, todo[0])
            tasks.append(
                _task(APPRAISAL, "Thẩm định", f"{unit}, còn {len(todo)}/{len(scope)} tiêu chí được giao chưa có điểm", unit,
                      appraisal_url(a_id, f, todo[0]), due, today,
                      detail=f"Đầu tiên: {todo[0]} {spec.node(todo[0]).name}.")
            )  # fmt: skip
        if again:
            tasks.append(
                _task(APPRAISAL, "Thẩm định lại sau giải trình", f"{unit}, {len(again)} tiêu chí ({', '.join(again)})", unit,
                      appraisal_url(a_id, _field_of(spec, again[0]), again[0]), due, today)
            )  # fmt: skip
        if unsent and status in APPRAISABLE:
            tasks.append(
                _task(APPRAISAL, "Gửi yêu cầu giải trình", f"{unit}, {len(unsent)} tiêu chí đã đánh dấu ({', '.join(unsent)})",
                      unit, appraisal_url(a_id) + "#summary", due, today)
            )  # fmt: skip
        if everything_done and status in APPRAISERS_TURN:
            tasks.append(
                _task(APPRAISAL, "Hoàn thành thẩm định", f"{unit}, mọi tiêu chí đã có điểm thẩm định", unit,
                      appraisal_url(a_id) + "#summary", due, today)
            )  # fmt: skip
    for cycle_id, names in waiting_for_chair.items():
        cycle = cycles[cycle_id]
        shown = ", ".join(names[:5]) + (f" và {len(names) - 5} đơn vị khác" if len(names) > 5 else "")
        tasks.append(
            _task(APPRAISAL, "Theo dõi thẩm định", f"{len(names)} hồ sơ chưa thẩm định xong", cycle.name,
                  reverse("appraisals:appraisal-list") + f"?ky={cycle.pk}", cycle.appraisal_due, today,
                  detail=f"{shown}. Chủ tịch Hội đồng thẩm định được chấm mọi lĩnh vực; tổ thẩm định chấm theo phân công.")
        )  # fmt: skip
    return tasks


def _result_tasks(
    cycles: dict[int, Cycle], rows: list[dict[str, Any]], chair_of: set[int], admin_of: set[int], today: dt.date
) -> list[Task]:
    tasks: list[Task] = []
    appraised: dict[int, list[str]] = defaultdict(list)
    for r in rows:
        if r["status"] == Status.APPRAISED:
            appraised[r["cycle_id"]].append(r["unit__name"])
    for cycle_id, names in appraised.items():
        cycle = cycles[cycle_id]
        if cycle.province_id not in chair_of:
            continue
        shown = ", ".join(names[:5]) + (f" và {len(names) - 5} đơn vị khác" if len(names) > 5 else "")
        tasks.append(
            _task(APPROVAL, "Thông qua kết quả", f"{len(names)} đơn vị đã thẩm định xong", cycle.name,
                  reverse("results:cycle-board", args=[cycle.pk]), cycle.publication_due, today, detail=shown)
        )  # fmt: skip
    for approval in (
        Approval.objects.filter(cycle_id__in=list(cycles), publications__isnull=True)
        .select_related("cycle")
        .order_by("approved_at", "pk")
    ):
        cycle = approval.cycle
        url = reverse("results:cycle-board", args=[cycle.pk]) + f"#nhom-{approval.pk}"
        if cycle.province_id in admin_of:
            verb = "Công bố kết quả"
        elif cycle.province_id in chair_of:
            verb = "Trình công bố kết quả"
        else:
            continue
        tasks.append(
            _task(PUBLICATION, verb, f"nhóm {approval.name} (Hội đồng đã thông qua)", cycle.name, url,
                  cycle.publication_due, today)
        )  # fmt: skip
    return tasks


def _cycle_tasks(
    cycles: dict[int, Cycle], rows: list[dict[str, Any]], admin_of: set[int], today: dt.date
) -> list[Task]:
    mine = {pk: c for pk, c in cycles.items() if c.province_id in admin_of}
    if not mine:
        return []
    waiting = [r["pk"] for r in rows if r["cycle_id"] in mine and r["status"] in COMMUNE_TURN]
    extended = _latest(
        DeadlineExtension.objects.filter(assessment_id__in=waiting)
        .order_by("granted_at", "pk")
        .values_list("assessment_id", "stage", "until")
    ) if waiting else {}  # fmt: skip
    deadlines: dict[int, dt.date] = {}
    if any(r["status"] == Status.CLARIFICATION for r in rows if r["cycle_id"] in mine):
        from parindex.appraisals.models import ClarificationRequest

        for assessment_id, deadline in (
            ClarificationRequest.objects.filter(assessment_id__in=waiting, answered_at__isnull=True)
            .order_by("number")
            .values_list("assessment_id", "deadline")
        ):
            deadlines[assessment_id] = deadline
    assigned = set(
        AppraiserAssignment.objects.filter(cycle_id__in=list(mine))
        .order_by()
        .values_list("cycle_id", flat=True)
        .distinct()
    )
    tasks: list[Task] = []
    for cycle in mine.values():
        in_cycle = [r for r in rows if r["cycle_id"] == cycle.pk]
        drafts = [r for r in in_cycle if r["status"] == Status.DRAFT]
        dashboard = reverse("dashboards:province", args=[cycle.province_id])
        if drafts:
            late = [
                r
                for r in drafts
                if not window_open(cycle.self_assessment_due, extended.get((r["pk"], Stage.SELF_ASSESSMENT)), today)
            ]
            if late:
                tasks.append(
                    _task(CYCLE, "Xử lý đơn vị quá hạn tự đánh giá", f"{len(late)} đơn vị chưa gửi hồ sơ, chưa được gia hạn",
                          cycle.name, dashboard, cycle.self_assessment_due, today,
                          detail=", ".join(r["unit__name"] for r in late[:5]) + (" …" if len(late) > 5 else ""))
                )  # fmt: skip
            elif today <= cycle.self_assessment_due:
                tasks.append(
                    _task(CYCLE, "Đôn đốc tự đánh giá", f"{len(drafts)}/{len(in_cycle)} đơn vị chưa gửi hồ sơ",
                          cycle.name, dashboard, cycle.self_assessment_due, today)
                )  # fmt: skip
        late_answers = [
            r for r in in_cycle
            if r["status"] == Status.CLARIFICATION and r["pk"] in deadlines
            and not window_open(deadlines[r["pk"]], extended.get((r["pk"], Stage.CLARIFICATION)), today)
        ]  # fmt: skip
        if late_answers:
            tasks.append(
                _task(CYCLE, "Xử lý đơn vị quá hạn giải trình", f"{len(late_answers)} đơn vị chưa gửi giải trình",
                      cycle.name, dashboard, min(deadlines[r["pk"]] for r in late_answers), today,
                      detail=", ".join(r["unit__name"] for r in late_answers[:5]))
            )  # fmt: skip
        submitted = [r for r in in_cycle if r["status"] != Status.DRAFT]
        if cycle.pk not in assigned and submitted:
            tasks.append(
                _task(CYCLE, "Phân công thẩm định", f"{len(submitted)} hồ sơ đã gửi, chưa phân công tổ thẩm định",
                      cycle.name, reverse("appraisals:appraiser-assignment", args=[cycle.pk]), cycle.appraisal_due, today)
            )  # fmt: skip
    return tasks


def _framework_tasks(admin_of: set[int], today: dt.date) -> list[Task]:
    from parindex.frameworks.models import FrameworkVersion
    from parindex.frameworks.workflow import Status as VersionStatus

    return [
        _task(FRAMEWORK, "Ban hành bộ chỉ số", f"{v.framework.code} phiên bản {v.number} (bản nháp)", v.framework.owner.name,
              reverse("frameworks:version-detail", args=[v.framework.code, v.number]), None, today,
              detail=" ".join(v.name.split()))
        for v in FrameworkVersion.objects.filter(status=VersionStatus.DRAFT, framework__owner_id__in=admin_of)
        .select_related("framework__owner")
        .order_by("framework__code", "number")
    ]  # fmt: skip


def _review_tasks(appraiser_of: set[int], chair_of: set[int], admin_of: set[int], today: dt.date) -> list[Task]:
    """Review requests (phúc tra) waiting for this person: to re-appraise (appraisers and the
    chair), to approve (the chair), to close with a correcting decision (the admin); one query."""
    waiting = {
        ReviewStatus.FILED: appraiser_of | chair_of,
        ReviewStatus.REVIEWED: chair_of,
        ReviewStatus.APPROVED: admin_of,
    }
    if not any(waiting.values()):
        return []
    verbs = {
        ReviewStatus.FILED: "Phúc tra",
        ReviewStatus.REVIEWED: "Thông qua kết quả phúc tra",
        ReviewStatus.APPROVED: "Ban hành quyết định đính chính",
    }
    rows = (
        ReviewRequest.objects.filter(status__in=[s for s, provinces in waiting.items() if provinces])
        .filter(unit__province_id__in=set().union(*waiting.values()))
        .order_by("filed_at", "pk")
        .values("pk", "status", "unit__name", "unit__province_id", "publication_id", "assessment__cycle__name")
    )
    tasks = []
    for r in rows:
        if r["unit__province_id"] not in waiting[r["status"]]:
            continue
        if r["status"] == ReviewStatus.APPROVED:
            url = reverse("reviews:publication-panel", args=[r["publication_id"]])
        else:
            url = reverse("reviews:request-detail", args=[r["pk"]])
        tasks.append(
            _task(REVIEW, verbs[r["status"]], f"đề nghị phúc tra của {r['unit__name']}", r["assessment__cycle__name"],
                  url, None, today)
        )  # fmt: skip
    return tasks


def _job_tasks(admin_of: set[int], today: dt.date) -> list[Task]:
    """Background jobs of the admin's provinces that failed for good (one query; one more for
    the provinces' names when there is one)."""
    failed = jobs.failures(admin_of)
    if not failed:
        return []
    names = dict(AdministrativeUnit.objects.filter(pk__in={f.province_id for f in failed}).values_list("pk", "name"))
    return [
        _task(JOB, "Xem lỗi", f.label, names.get(f.province_id, ""), f.url, None, today,
              detail=f"Không chạy được sau {jobs.MAX_ATTEMPTS} lần thử"
              + (f", lần cuối lúc {timezone.localtime(f.at):%H:%M %d/%m/%Y}" if f.at else "") + f": {f.error}")
        for f in failed
    ]  # fmt: skip


# -- the page ------------------------------------------------------------------------------------


def inbox_for(principal: Principal, today: dt.date) -> Inbox:
    """Every task of the person, most urgent first (overdue, then soonest deadline, then the rest)."""
    inbox = Inbox(today=today)
    if not principal.is_authenticated:
        return inbox
    commune_ids = principal.unit_ids(COMMUNE_ROLES)[0]
    tasks: list[Task] = []
    if commune_ids:
        tasks.extend(_commune_tasks(principal, commune_ids, today))
    if principal.unit_ids(PROVINCE_WORK_ROLES)[0]:
        tasks.extend(_province_tasks(principal, today))
    inbox.tasks = sorted(tasks, key=_order)
    inbox.dashboards = dashboards_of(principal)
    return inbox


def dashboards_of(principal: Principal) -> list[tuple[str, str]]:
    """The dashboards of the person's communes and provinces (one query, none without roles)."""
    communes = principal.unit_ids(COMMUNE_ROLES)[0]
    provinces = principal.unit_ids(BOARD_ROLES | {Role.APPRAISER})[0]
    if not communes and not provinces:
        return []
    out = []
    for unit in (
        AdministrativeUnit.objects.filter(pk__in=communes | provinces)
        .only("pk", "name", "level")
        .order_by("level", "name")
    ):
        if unit.pk in provinces:
            out.append((f"Tổng quan {unit.name}", reverse("dashboards:province", args=[unit.pk])))
        if unit.pk in communes:
            out.append((f"Bảng điều khiển {unit.name}", reverse("dashboards:commune", args=[unit.pk])))
    return out
