"""Arranging remediation scenes: a unit's published result with chosen lost points, a plan
drafted from it with actions, and plans in bulk for board and query-count tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.appraisals.tests.factories import appraiser, old_commune
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer, Assessment, Assignment, Cycle
from parindex.assessments.tests.factories import DUES, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.remediation import services
from parindex.remediation.models import Action, Plan, PlanItem
from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus
from parindex.results import services as result_services

# Inputs that reach each rule kind's maximum in the reference framework.
FULL_MARKS = {
    "binary": {"met": True},
    "proportional": {"value": "1"},
    "tiered": {"value": "1"},
    "count": {"count": "10"},
    "deduction": {"count": "0"},
    "timeliness": {"days_late": "0"},
}

# The appraised values behind the seed 001 table (Triệu Trạch, 2022): code -> (inputs, cause).
SEED_001 = {
    "1.1.3": ({"value": "0.8"}, "Hoàn thành 80% nhiệm vụ CCHC theo Kế hoạch"),
    "1.2": ({"count": "3"}, "BC CCHC thiếu nội dung papi"),
    "1.5.3": (
        {"value": "0"},
        "Thực hiện báo cáo kết quả khắc phục chỉ số CCHC chậm so với yêu cầu đề ra",
    ),
    "1.6": ({"count": "1"}, "Có 1 sáng kiến CCHC"),
    "2.4.4": ({"score": "1.8"}, ""),
    "3.12": ({"met": False}, "Không thực hiện"),
    "3.13.1": ({"numerator": "337", "denominator": "1000"}, "Tỷ lệ dịch vụ công trực tuyến toàn trình 33,7 %"),
    "3.13.3": (
        {"numerator": "83", "denominator": "15600"},
        "Tỷ lệ DVCTT mức độ cao đã đăng ký triển khai trên Cổng DVC tỉnh chưa đạt yêu cầu",
    ),
    "7.7": ({"value": "0.9"}, "Tỷ lệ văn bản thực hiện chữ ký số so với tổng văn bản phát hành chưa đạt yêu cầu."),
}
# What the seed's table shows for them: code -> (max, appraised score).
SEED_001_TABLE = {
    "1.1.3": ("2", "1.6"),
    "1.2": ("4", "2.5"),
    "1.5.3": ("1", "0"),
    "1.6": ("2", "1"),
    "2.4.4": ("2", "1.8"),
    "3.12": ("1", "0"),
    "3.13.1": ("1", "0.34"),
    "3.13.3": ("0.5", "0"),
    "7.7": ("2", "1"),
}


def full_marks(criterion: Criterion) -> dict[str, Any]:
    if criterion.rule_kind == "manual":
        return {"score": str(criterion.max_points.normalize())}
    return FULL_MARKS[criterion.rule_kind]


def province_staff(province: Any) -> dict[str, Any]:
    """The council chair and the Sở Nội vụ admin who approve and publish."""
    return {
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
    }


def published_assessment(
    version: FrameworkVersion,
    province: Any,
    units: list[Any],
    staff: dict[str, Any],
    *,
    appraised: dict[str, tuple[dict[str, Any], str]] | None = None,
    year: int = 2025,
    per_unit: dict[int, dict[str, tuple[dict[str, Any], str]]] | None = None,
) -> list[Assessment]:
    """A year's cycle of ``units``, self-assessed at full marks and appraised with
    ``appraised`` (code -> (inputs, appraiser's comment)), approved and published through the
    real services, so the published snapshot is the engine's. ``per_unit`` overrides by unit pk."""
    cycle = Cycle.objects.create(
        province=province, year=year, framework_version=version, name=f"Chỉ số CCHC năm {year}",
        **{key: due.replace(year=due.year - (2026 - year)) for key, due in DUES.items()},
    )  # fmt: skip
    spec = framework_version_spec(version)
    leaves = {c.code: c for c in Criterion.objects.filter(version=version).exclude(rule_kind="")}
    assessments = []
    for unit in units:
        assessment = Assessment.objects.create(cycle=cycle, unit=unit, status=Status.APPRAISED)
        Answer.objects.bulk_create(
            [
                Answer(
                    assessment=assessment,
                    criterion=c,
                    inputs=to_stored(clean_inputs(spec.node(code), full_marks(c))),
                    explanation="Theo báo cáo CCHC năm",
                )
                for code, c in leaves.items()
            ]
        )
        chosen = (per_unit or {}).get(unit.pk, appraised or {})
        ItemAppraisal.objects.bulk_create(
            [
                ItemAppraisal(
                    assessment=assessment,
                    criterion=leaves[code],
                    round=1,
                    inputs=to_stored(clean_inputs(spec.node(code), inputs)),
                    comment=comment,
                )
                for code, (inputs, comment) in chosen.items()
            ]
        )
        assessments.append(assessment)
    chair, admin = staff["chair"], staff["admin"]
    approval = result_services.approval_create(
        cycle=cycle, assessments=assessments, name="Khối xã, phường", actor=chair, principal=principal_for(chair)
    )
    result_services.publication_publish(
        approval=approval, decision_number=f"{year - 2000 + 100}/QĐ-UBND", decision_date=dt.date(year + 1, 2, 14),
        issuer="UBND tỉnh Quảng Trị", actor=admin, principal=principal_for(admin),
    )  # fmt: skip
    return [Assessment.objects.select_related("cycle__framework_version", "unit").get(pk=a.pk) for a in assessments]


def commune_people(unit: Any, prefix: str = "") -> dict[str, Any]:
    """The commune head, the office (Văn phòng - Thống kê) and two officials of ``unit``."""
    return {
        "head": user_with_role(f"{prefix}chutich", Role.COMMUNE_HEAD, unit, full_name="Lê Văn Mẫn"),
        "office": user_with_role(f"{prefix}vanphong", Role.COMMUNE_OFFICE, unit, full_name="Hoàng Thị Lan"),
        "officer": user_with_role(f"{prefix}congchuc", Role.COMMUNE_OFFICER, unit, full_name="Nguyễn Văn Tư"),
        "officer2": user_with_role(f"{prefix}congchuc2", Role.COMMUNE_OFFICER, unit, full_name="Trần Thị Mai"),
    }


def scene_users(province: Any, people: dict[str, Any], staff: dict[str, Any], other_commune: Any) -> dict[str, Any]:
    """Who a plan or document page is tried with: the commune's ``people``, the other commune's
    head, office and officer, the province's council chair and admin (``staff``), a viewer of the
    province and an appraiser."""
    others = commune_people(other_commune, prefix="b.")
    return {
        **people,
        "other_head": others["head"],
        "other_office": others["office"],
        "other_officer": others["officer"],
        "chair": staff["chair"],
        "admin": staff["admin"],
        "viewer": user_with_role("nguoixem", Role.VIEWER, province, include_descendants=True),
        "appraiser": appraiser("thamdinh", province),
    }


def merged_last_year(version: FrameworkVersion, commune: Any, staff: dict[str, Any]) -> None:
    """Last year (2024) ``commune`` did not exist: Xã Triệu Trạch and Xã Triệu Tân, since merged
    into it, were published by their old province (1.1.3 at 0.8 and 0.5), whose council chair and
    admin are ``staff``'s."""
    trieu_trach = old_commune("19639x", "Xã Triệu Trạch", commune)
    trieu_tan = old_commune("19640x", "Xã Triệu Tân", commune)
    for user, role in ((staff["chair"], Role.COUNCIL_CHAIR), (staff["admin"], Role.PROVINCE_ADMIN)):
        RoleAssignment.objects.create(user=user, role=role, unit=trieu_trach.province, include_descendants=True)
    published_assessment(
        version, trieu_trach.province, [trieu_trach, trieu_tan], staff, year=2024,
        per_unit={trieu_trach.pk: {"1.1.3": ({"value": "0.8"}, "")}, trieu_tan.pk: {"1.1.3": ({"value": "0.5"}, "")}},
    )  # fmt: skip


def assign(assessment: Assessment, code: str, official: Any) -> None:
    criterion = Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)
    Assignment.objects.create(assessment=assessment, criterion=criterion, official=official)


def drafted_plan(assessment: Assessment, office: Any, *, official: Any = None, due: dt.date | None = None) -> Plan:
    """The plan drafted through the service, with one action per line (owner ``official``;
    due ``due`` or "cả năm"), each cause filled in."""
    principal = principal_for(office)
    plan = services.plan_draft(assessment=assessment, actor=office, principal=principal)
    for item in plan.items.all():
        if not item.cause:
            PlanItem.objects.filter(pk=item.pk).update(cause="Chưa quan tâm đúng mức")
        services.action_add(
            item=item,
            description=f"Khắc phục tiêu chí {item.code}",
            office="Văn phòng - Thống kê",
            official=official,
            deadline_kind=DeadlineKind.DATE if due else DeadlineKind.YEAR,
            due=due,
            expected_points=item.lost,
            actor=office,
            principal=principal,
        )
    plan.refresh_from_db()
    return plan


def approved_plan(assessment: Assessment, people: dict[str, Any], **kw: Any) -> Plan:
    plan = drafted_plan(assessment, people["office"], **kw)
    return services.plan_transition(
        plan=plan, to=PlanStatus.APPROVED, actor=people["head"], principal=principal_for(people["head"])
    )


def bulk_actions(plan: Plan, n: int, *, official: Any = None, start: dt.date | None = None) -> list[Action]:
    """``n`` more actions spread over the plan's lines, written in one insert (for board and
    query-count tests): every third one done, every third in progress, deadlines a week apart."""
    items = list(plan.items.order_by("position"))
    start = start or dt.date(plan.year, 1, 15)
    actions = []
    for i in range(n):
        status = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.DONE)[i % 3]
        due = min(start + dt.timedelta(days=7 * (i % 50)), dt.date(plan.year, 12, 31))
        actions.append(
            Action(
                plan=plan,
                item=items[i % len(items)],
                position=100 + i,
                description=f"Biện pháp số {i + 1}",
                office="Bộ phận một cửa" if i % 2 else "Văn phòng - Thống kê",
                official=official,
                deadline_kind=DeadlineKind.DATE,
                due=due,
                expected_points=Decimal("0.1"),
                status=status,
                completed_on=due if status == ActionStatus.DONE else None,
            )
        )
    return Action.objects.bulk_create(actions)
