"""Following remediation plans through the year.

- the commune's action board (bảng theo dõi): every action of a plan with its deadline, status
  and overdue flag, filters, counters, and an htmx form on each row to record progress;
- recording progress on one action (htmx panel with the history and the form);
- a progress note's evidence file, served through an access check, never a public URL;
- the province's overview of every published unit's plan and how far it has got;
- the points at stake in the open cycle (điểm có thể giành được), with last year's losses
  and the status of the plan's actions for each item.

Every page reads a fixed number of queries whatever the number of actions or units. The
views change nothing themselves: progress goes through ``services.action_progress``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Assessment
from parindex.assessments.workflow import UNDER_APPRAISAL
from parindex.assessments.workflow import Status as AssessmentStatus
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import permissions, schedule, selectors, services
from parindex.remediation.models import Action, ActionNote, Plan
from parindex.remediation.workflow import SHOWN_STATUS_LABELS, TRACKED, ActionStatus, PlanStatus
from parindex.units.models import AdministrativeUnit

BOARD_TEMPLATE = "remediation/board.html"
ROW_TEMPLATE = "remediation/_board_row.html"
PANEL_TEMPLATE = "remediation/_progress_panel.html"
PROGRESS_TEMPLATE = "remediation/progress.html"
PROVINCE_TEMPLATE = "remediation/province.html"
AT_STAKE_TEMPLATE = "remediation/at_stake.html"

# GET parameters of the board.
STATUS_PARAM = "trang-thai"
OFFICIAL_PARAM = "cong-chuc"
OFFICE_PARAM = "bo-phan"
MINE_PARAM = "cua-toi"
# GET parameters of the province's overview.
YEAR_PARAM = "nam"
FILTER_PARAM = "loc"
THRESHOLD_PARAM = "nguong"
NOT_APPROVED = "chua-duyet"
OVERDUE = "qua-han"
PROVINCE_FILTERS = {NOT_APPROVED: "Chưa có kế hoạch được duyệt", OVERDUE: "Có biện pháp quá hạn"}

NO_PLAN = "none"
PLAN_STATUS_LABELS = {NO_PLAN: "Chưa lập kế hoạch", **dict(PlanStatus.choices)}


# -- shared ----------------------------------------------------------------------------------


def _plan_for(request: HttpRequest, pk: int) -> tuple[Plan, Principal]:
    """The plan with its unit, or 404 when the user may not see the unit's plans."""
    plan = Plan.objects.select_related("unit").filter(pk=pk).first()
    principal = principal_for(request.user)
    if plan is None or not permissions.can_view(principal, plan.unit):
        raise Http404("Không tìm thấy kế hoạch khắc phục")
    return plan, principal


def may_record(principal: Principal, plan: Plan, action: Action) -> bool:
    """May record progress on ``action`` now: their action (or the office's) and the plan approved."""
    return plan.status in TRACKED and permissions.can_record_progress(principal, plan.unit, action.official_id)


def _safe_next(request: HttpRequest, value: str | None) -> str:
    """``value`` when it is a local URL of this site (e.g. the report page), else ""."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return ""
    return value if url_has_allowed_host_and_scheme(value, {request.get_host()}, require_https=False) else ""


@dataclass(frozen=True)
class Line:
    """A board row: the action as shown (overdue flag, next due day), its deadline in words,
    and whether the person looking may record progress on it."""

    row: selectors.ActionRow
    deadline: str
    can_record: bool

    @property
    def action(self) -> Action:
        return self.row.action

    @property
    def status_label(self) -> str:
        return SHOWN_STATUS_LABELS[self.row.shown_status]

    @property
    def missed_quarter(self) -> str:
        """ "quý III/2026" when a quarterly task has no progress note for the last ended quarter."""
        return schedule.quarter_label(self.row.missed_quarter) if self.row.missed_quarter else ""

    @property
    def short(self) -> str:
        return _short(self.action.description)


def _line(row: selectors.ActionRow, plan: Plan, principal: Principal) -> Line:
    a = row.action
    return Line(
        row=row,
        deadline=schedule.describe_deadline(a.deadline_kind, a.due, plan.year),
        can_record=may_record(principal, plan, a),
    )


# -- the board -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    value: str
    label: str


def _board_filter(request: HttpRequest) -> tuple[selectors.BoardFilter, bool]:
    """The board's filter from the GET parameters; unknown values show everything."""
    status = request.GET.get(STATUS_PARAM, "")
    if status not in SHOWN_STATUS_LABELS:
        status = ""
    mine = request.GET.get(MINE_PARAM) == "1"
    official = None
    if mine:
        official = request.user.pk
    else:
        raw = request.GET.get(OFFICIAL_PARAM, "")
        official = int(raw) if raw.isdigit() else None
    office = request.GET.get(OFFICE_PARAM, "").strip()
    return selectors.BoardFilter(status=status, official=official, office=office), mine


@login_required
@require_GET
def action_board(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune office's board of all the plan's actions."""
    plan, principal = _plan_for(request, pk)
    today = timezone.localdate()
    board_filter, mine = _board_filter(request)
    every = selectors.action_board(plan, today)
    filtered = bool(board_filter.status or board_filter.official or board_filter.office)
    rows = selectors.action_board(plan, today, board_filter) if filtered else every
    statuses = Counter(r.shown_status for r in every)
    officials = sorted(
        {r.action.official_id: r.action.official for r in every if r.action.official_id}.values(),
        key=lambda u: str(u).lower(),
    )
    offices = sorted({r.action.office for r in every if r.action.office})
    show_mine = mine or any(o.pk == request.user.pk for o in officials)
    return render(
        request,
        BOARD_TEMPLATE,
        {
            "plan": plan,
            "lines": [_line(r, plan, principal) for r in rows],
            "completion": selectors.completion_of(every, plan.year),
            "filter": board_filter,
            "filtered": filtered,
            "mine": mine,
            "show_mine": show_mine,
            "status_choices": [
                Choice(value, f"{label} ({statuses.get(value, 0)})") for value, label in SHOWN_STATUS_LABELS.items()
            ],
            "official_choices": [Choice(str(u.pk), str(u)) for u in officials],
            "office_choices": offices,
            "params": {"status": STATUS_PARAM, "official": OFFICIAL_PARAM, "office": OFFICE_PARAM, "mine": MINE_PARAM},
            "tracked": plan.status in TRACKED,
            "today": today,
            "next_url": request.get_full_path(),
            "action_statuses": ActionStatus.choices,
            "in_board": True,
        },
    )


# -- recording progress ------------------------------------------------------------------------


class ProgressForm(forms.Form):
    """What a progress note may carry; every field optional, the service decides what is enough."""

    text = forms.CharField(label="Nội dung tiến độ", required=False, max_length=5000)
    status = forms.ChoiceField(
        label="Tình trạng",
        required=False,
        choices=[("", ""), *ActionStatus.choices],
        error_messages={"invalid_choice": "Chọn một tình trạng trong danh sách."},
    )
    completed_on = forms.DateField(
        label="Ngày hoàn thành",
        required=False,
        error_messages={"invalid": "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy, ví dụ 20/11/2026."},
    )
    result = forms.CharField(label="Kết quả thực hiện", required=False, max_length=5000)
    revision = forms.IntegerField(
        label="Lần sửa",
        min_value=1,
        error_messages={"required": "Thiếu lần sửa; hãy tải lại trang.", "invalid": "Lần sửa không hợp lệ."},
    )
    file = forms.FileField(
        label="Tài liệu kèm theo",
        required=False,
        error_messages={"empty": "Tệp đính kèm rỗng.", "invalid": "Tệp đính kèm không hợp lệ."},
    )

    def problems(self) -> list[str]:
        out = []
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            out.extend(f"{label}: {e}" if label else e for e in errors)
        return out


def _action_for(plan: Plan, action_pk: int) -> Action:
    """The plan's action as the board shows it (owner, line, last progress date), or 404."""
    action = (
        selectors.with_last_note(Action.objects.filter(pk=action_pk, plan=plan))
        .select_related("item", "official", "updated_by")
        .first()
    )
    if action is None:
        raise Http404("Không có biện pháp này trong kế hoạch")
    return action


@login_required
@require_http_methods(["GET", "POST"])
def action_progress(request: HttpRequest, pk: int, action_pk: int) -> HttpResponse:
    """GET: the action's progress history and the form (an htmx panel, or a page without htmx).
    POST: record progress; htmx gets the updated board row and counters, others a redirect."""
    plan, principal = _plan_for(request, pk)
    action = _action_for(plan, action_pk)
    today = timezone.localdate()
    next_url = _safe_next(request, request.POST.get("next") if request.method == "POST" else request.GET.get("next"))
    back = next_url or reverse("remediation:action-board", args=[plan.pk])
    if request.method == "GET":
        context = _panel_context(plan, principal, action, today, next_url=next_url)
        if request.htmx:
            return render(request, PANEL_TEMPLATE, {**context, "in_board": True})
        return render(request, PROGRESS_TEMPLATE, {**context, "back": back})

    if not permissions.can_record_progress(principal, plan.unit, action.official_id):
        raise PermissionDenied("Bạn không phụ trách biện pháp này.")
    form = ProgressForm(request.POST, request.FILES)
    problems: list[str] = []
    label = f"tiêu chí {action.item.code}: {_short(action.description)}"
    action.plan = plan  # the same plan, with its unit: spares the service two queries
    if form.is_valid():
        data = form.cleaned_data
        upload = data["file"]
        try:
            services.action_progress(
                action=action,
                text=data["text"],
                status=data["status"] or None,
                completed_on=data["completed_on"],
                result=data["result"] if "result" in request.POST else None,
                upload=upload,
                filename=upload.name if upload else "",
                base_revision=data["revision"],
                actor=request.user,
                principal=principal,
            )
        except ValidationError as exc:
            problems = list(exc.messages)
    else:
        problems = form.problems()
    if problems and request.FILES.get("file"):
        problems.append("Tệp đính kèm chưa được lưu: hãy chọn lại tệp trước khi lưu lại.")
    if not problems:
        if not request.htmx:
            messages.success(request, f"Đã cập nhật tiến độ biện pháp ({label}).")
            return redirect(back)
        action = _action_for(plan, action_pk)
        line = _line(selectors.action_row(action, plan, today), plan, principal)
        context = {
            "plan": plan,
            "line": line,
            "saved": True,
            "next_url": next_url or back,
            "action_statuses": ActionStatus.choices,
            "in_board": True,
        }
        html = render_to_string(ROW_TEMPLATE, context, request=request)
        completion = selectors.plan_completion(plan, today)
        html += render_to_string(
            f"{BOARD_TEMPLATE}#counters", {"plan": plan, "completion": completion, "oob": True}, request=request
        )
        return HttpResponse(html)
    # Refused: show the latest state, the history and what was typed, with why.
    action = _action_for(plan, action_pk)
    context = _panel_context(
        plan, principal, action, today, next_url=next_url or back, posted=request.POST, problems=problems
    )
    if request.htmx:
        return render(request, ROW_TEMPLATE, {**context, "panel": True, "in_board": True})
    return render(request, PROGRESS_TEMPLATE, {**context, "back": back})


def _panel_context(
    plan: Plan,
    principal: Principal,
    action: Action,
    today: dt.date,
    *,
    next_url: str,
    posted: Any = None,
    problems: list[str] | None = None,
) -> dict[str, Any]:
    return {
        "plan": plan,
        "line": _line(selectors.action_row(action, plan, today), plan, principal),
        "notes": selectors.action_notes(action),
        "action_statuses": ActionStatus.choices,
        "posted": posted,
        "problems": problems or [],
        "next_url": next_url,
    }


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


# -- a note's file -------------------------------------------------------------------------------


@login_required
@require_GET
def note_file(request: HttpRequest, note_pk: int) -> FileResponse:
    """A progress note's evidence file, to whoever may see the unit's plan (404 otherwise)."""
    from parindex.assessments.views import evidence_response

    note = ActionNote.objects.select_related("action__plan__unit").filter(pk=note_pk).first()
    principal = principal_for(request.user)
    if note is None or not note.file or not permissions.can_view(principal, note.action.plan.unit):
        raise Http404("Không có tệp này")
    return evidence_response(note)  # the same private, no-sniff, inline-only-for-PDF/images response


# -- the province's overview -------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceRow:
    state: selectors.UnitPlanState
    percent: Decimal  # at the publication's places, as published
    lost: Decimal
    plan_status: str  # a PlanStatus value or NO_PLAN

    @property
    def plan_status_label(self) -> str:
        return PLAN_STATUS_LABELS[self.plan_status]

    @property
    def overdue(self) -> int:
        return self.state.completion.overdue if self.state.completion else 0


@dataclass(frozen=True)
class ProvinceSummary:
    units: int
    no_plan: int
    draft: int
    approved: int  # approved or reported
    reported: int
    with_overdue: int
    actions: int
    done: int
    overdue: int

    @property
    def not_approved(self) -> int:
        return self.no_plan + self.draft


def _threshold(raw: str | None) -> int:
    return max(1, min(int(raw), 10_000)) if raw and raw.isdigit() else 1


@login_required
@require_GET
def province_overview(request: HttpRequest, province_pk: int) -> HttpResponse:
    """Every unit published for a year in the province, with its plan and how far it has got."""
    province = AdministrativeUnit.objects.filter(pk=province_pk, level=AdministrativeUnit.Level.PROVINCE).first()
    principal = principal_for(request.user)
    if province is None or not permissions.can_view_province(principal, province):
        raise Http404("Không tìm thấy tỉnh")
    years = selectors.published_years(province.pk)
    raw_year = request.GET.get(YEAR_PARAM, "")
    year = int(raw_year) if raw_year.isdigit() and int(raw_year) in years else (years[0] if years else None)
    today = timezone.localdate()
    states = selectors.province_plans(province.pk, year, today) if year is not None else []
    threshold = _threshold(request.GET.get(THRESHOLD_PARAM))
    chosen = request.GET.get(FILTER_PARAM, "")
    if chosen not in PROVINCE_FILTERS:
        chosen = ""
    every = []
    for s in states:
        quant = Decimal(1).scaleb(-s.result.publication.places)
        every.append(
            ProvinceRow(
                state=s,
                percent=s.result.percent.quantize(quant),
                lost=scoring.aggregates.lost(s.result.total, s.result.applicable_max).quantize(quant),
                plan_status=s.plan.status if s.plan is not None else NO_PLAN,
            )
        )
    if chosen == NOT_APPROVED:
        rows = [r for r in every if not r.state.approved]
    elif chosen == OVERDUE:
        rows = sorted((r for r in every if r.overdue >= threshold), key=lambda r: -r.overdue)  # stable: by rank
    else:
        rows = every
    counts = Counter(r.plan_status for r in every)
    completions = [r.state.completion for r in every if r.state.completion is not None]
    summary = ProvinceSummary(
        units=len(every),
        no_plan=counts[NO_PLAN],
        draft=counts[PlanStatus.DRAFT],
        approved=counts[PlanStatus.APPROVED] + counts[PlanStatus.REPORTED],
        reported=counts[PlanStatus.REPORTED],
        with_overdue=sum(r.overdue >= threshold for r in every),
        actions=sum(c.total for c in completions),
        done=sum(c.done for c in completions),
        overdue=sum(c.overdue for c in completions),
    )
    return render(
        request,
        PROVINCE_TEMPLATE,
        {
            "province": province,
            "years": years,
            "year": year,
            "rows": rows,
            "summary": summary,
            "chosen": chosen,
            "threshold": threshold,
            "filters": PROVINCE_FILTERS,
            "params": {"year": YEAR_PARAM, "filter": FILTER_PARAM, "threshold": THRESHOLD_PARAM},
            "not_approved_value": NOT_APPROVED,
            "overdue_value": OVERDUE,
        },
    )


# -- points at stake in the open cycle ----------------------------------------------------------


@dataclass(frozen=True)
class StakeRow:
    stake: scoring.analysis.Stake
    missing: bool  # not entered yet: the score counts it as 0
    classification_if_recovered: str | None
    actions: list[Line]


@login_required
@require_GET
def at_stake(request: HttpRequest, pk: int) -> HttpResponse:
    """Điểm có thể giành được: the open cycle's items below their maximum, most recoverable
    points first, with last year's loss and the status of the plan's actions on each."""
    assessment = (
        Assessment.objects.select_related("cycle__framework_version__framework", "cycle__province", "unit")
        .filter(pk=pk)
        .first()
    )
    principal = principal_for(request.user)
    if assessment is None or not permissions.can_view(principal, assessment.unit):
        raise Http404("Không tìm thấy hồ sơ đánh giá")
    if assessment.status == AssessmentStatus.PUBLISHED:
        messages.info(request, "Kết quả đã công bố: xem điểm bị mất và kế hoạch khắc phục của đơn vị.")
        return redirect("remediation:analysis", pk=assessment.pk)
    spec = framework_version_spec(assessment.cycle.framework_version)
    appraised = assessment.status in UNDER_APPRAISAL
    if appraised:
        from parindex.appraisals.selectors import assessment_scores

        current = assessment_scores(assessment).final
    else:
        from parindex.assessments.selectors import assessment_score

        current = assessment_score(assessment)
    previous = selectors.previous_losses(
        assessment.unit_id, assessment.cycle.year, [leaf.code for leaf in spec.leaves], spec.rounding
    )
    stakes = scoring.analysis.at_stake(current, {code: p.lost for code, p in previous.items()})
    today = timezone.localdate()
    plan = selectors.plan_feeding(assessment)
    by_code: dict[str, list[Line]] = {}
    if plan is not None:
        plan.unit = assessment.unit  # the same unit: spares a query when checking who may record
        for item in selectors.plan_items(plan):
            by_code[item.code] = [
                _line(selectors.action_row(a, plan, today), plan, principal) for a in item.actions.all()
            ]
    missing = set(current.missing)
    rows = [
        StakeRow(
            stake=s,
            missing=s.code in missing,
            classification_if_recovered=spec.classify(s.percent_if_recovered),
            actions=by_code.get(s.code, []),
        )
        for s in stakes
    ]
    return render(
        request,
        AT_STAKE_TEMPLATE,
        {
            "assessment": assessment,
            "current": current,
            "appraised": appraised,
            "rows": rows,
            "recoverable": scoring.aggregates.total(s.recoverable for s in stakes),
            "previous_year": next((p.year for p in previous.values()), None),
            "plan": plan,
        },
    )
