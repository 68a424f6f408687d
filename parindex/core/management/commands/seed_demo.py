"""``parindex seed_demo``: idempotent demo data for ``make run``.

Loads Quảng Trị's real units (current and pre-2025, with the 2025 conversion), the built-in
reference framework, one login per role, two published years (the year before last for
the old communes, last year for the merged ones, so rank changes follow the mergers) and
an open cycle for this year: partial answers, a few units submitted, one under appraisal
and one asked to clarify two items. Running it again adds nothing. Refuses to run with
DEBUG off, since it creates logins with a published password.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.permissions import Grant, Principal
from parindex.appraisals import services as appraisal_services
from parindex.appraisals.models import ItemAppraisal, Sector
from parindex.assessments import services as assessment_services
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer, Assessment, AssessmentEvent, Assignment, Cycle
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK, load_framework_path
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import services as result_services
from parindex.units.models import AdministrativeUnit
from parindex.units.services import units_load

DEMO_PASSWORD = "parindex-demo-2026"  # printed demo login; seed_demo refuses to run unless DEBUG
PROVINCE_CODE = "44"  # Tỉnh Quảng Trị
COMMUNES = 24
OLD_TRIEU_TRACH = "19639"  # the commune of the seed documents, merged in 2025

# username, full name, position, role, where ("province", "A" first commune, "B" second)
LOGINS = [
    ("sonoivu", "Lê Thị Hạnh", "Chuyên viên Sở Nội vụ", Role.PROVINCE_ADMIN, "province"),
    ("thamdinh", "Trần Văn Bình", "Chuyên viên Sở Tư pháp, thành viên tổ thẩm định", Role.APPRAISER, "province"),
    ("thamdinh.nv", "Ngô Thị Hoa", "Chuyên viên Sở Nội vụ, thành viên tổ thẩm định", Role.APPRAISER, "province"),
    (
        "hoidong",
        "Nguyễn Văn Quang",
        "Phó Giám đốc Sở Nội vụ, Chủ tịch Hội đồng thẩm định",
        Role.COUNCIL_CHAIR,
        "province",
    ),
    ("xem", "Phạm Thu Trang", "Văn phòng UBND tỉnh", Role.VIEWER, "province"),
    ("chutich", "Lê Văn Mẫn", "Phó Chủ tịch UBND xã", Role.COMMUNE_HEAD, "A"),
    ("vanphong", "Hoàng Thị Lan", "Công chức Văn phòng - Thống kê", Role.COMMUNE_OFFICE, "A"),
    ("congchuc", "Võ Văn Sơn", "Công chức Tư pháp - Hộ tịch", Role.COMMUNE_OFFICER, "A"),
    ("congchuc2", "Đặng Thị Mai", "Công chức Tài chính - Kế toán", Role.COMMUNE_OFFICER, "A"),
    ("congchuc.xakhac", "Bùi Văn Tùng", "Công chức Văn phòng - Thống kê", Role.COMMUNE_OFFICE, "B"),
    ("chutich.xakhac", "Trương Văn Hải", "Chủ tịch UBND phường", Role.COMMUNE_HEAD, "B"),
]
# appraiser -> sector and fields appraised in the open cycle (every unit)
APPRAISERS = [
    ("thamdinh", Sector.TU_PHAP, ["II", "IV", "VII"]),
    ("thamdinh.nv", Sector.NOI_VU, ["I", "III", "V", "VI"]),
]
OLD_PROVINCE_CODE = "45"  # Quảng Trị before 1 July 2025 (merged with Quảng Bình into code 44)
DECISIONS = ["165/QĐ-UBND", "350/QĐ-UBND"]
EXPLANATION = "Theo báo cáo kết quả công tác CCHC năm và số liệu Hệ thống thông tin giải quyết TTHC."
# officer -> fields assigned by the commune office in the open cycle
ASSIGNED = {"congchuc": ["II", "V"], "congchuc2": ["VI", "III"], "vanphong": ["I", "IV", "VII"]}


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: đơn vị hành chính tỉnh Quảng Trị, bộ chỉ số tham chiếu, tài khoản theo vai trò, kỳ đánh giá."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo tạo tài khoản với mật khẩu công khai; chỉ chạy khi DEBUG=true.")
        result = framework_services.framework_import(
            spec=load_framework_path(REFERENCE_FRAMEWORK), publish=True, source_name=REFERENCE_FRAMEWORK.name
        )
        self.stdout.write(result.message)
        self.stdout.write(units_load(province_code=PROVINCE_CODE).message)
        with transaction.atomic():
            province, communes = self._units(result.version)
            users = self._users(province, communes)
            self._cycles(province, communes, result.version, users)
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, name, _position, role, where in LOGINS:
            unit = province if where == "province" else communes[0 if where == "A" else 1]
            self.stdout.write(f"  {username:<16} {name:<18} {Role(role).label:<38} {unit.name}")

    def _units(self, version: FrameworkVersion) -> tuple[AdministrativeUnit, list[AdministrativeUnit]]:
        current = AdministrativeUnit.Era.CURRENT
        province = AdministrativeUnit.objects.get(era=current, code=PROVINCE_CODE)
        # Communes of old Quảng Trị, so the year before last (published for the old communes) and
        # last year (the merged ones) rank the same places.
        eligible = AdministrativeUnit.objects.filter(
            province=province,
            era=current,
            kind__in=version.applies_to,
            predecessor_links__predecessor__province__code=OLD_PROVINCE_CODE,
        ).distinct()
        first = eligible.filter(predecessor_links__predecessor__code=OLD_TRIEU_TRACH).first()
        chosen = list(eligible.exclude(pk=getattr(first, "pk", None)).order_by("code")[: COMMUNES - 1])
        return province, ([first] if first else []) + chosen

    def _users(self, province: AdministrativeUnit, communes: list[AdministrativeUnit]) -> dict[str, Any]:
        places = {"province": province, "A": communes[0], "B": communes[1]}
        # The province admin manages frameworks, and users and their roles in the admin site.
        manage = Permission.objects.filter(
            content_type__app_label__in=["frameworks", "accounts"]
        ) | Permission.objects.filter(content_type__app_label="units", codename__startswith="view_")
        users = {}
        for username, name, position, role, where in LOGINS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"full_name": name, "position": position}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role,
                unit=places[where],
                defaults={"include_descendants": where == "province", "is_deputy": position.startswith("Phó")},
            )
            if role == Role.PROVINCE_ADMIN:
                user.is_staff = True
                user.save(update_fields=["is_staff"])
                user.user_permissions.add(*manage)
            users[username] = user
        return users

    def _cycles(self, province: Any, communes: list[Any], version: FrameworkVersion, users: dict[str, Any]) -> None:
        year = timezone.localdate().year
        self._published_year(year - 2, _old_province(province), _predecessors(communes), version, users)
        self._published_year(year - 1, province, communes, version, users)
        self._open_year(year, province, communes, version, users)

    def _published_year(
        self, year: int, province: Any, units: list[Any], version: FrameworkVersion, users: dict[str, Any]
    ) -> None:
        """An earlier year, appraised and published: loaded as records, then approved and
        published through the services so rankings and rank changes are computed as for real."""
        if Cycle.objects.filter(province=province, year=year, framework_version=version).exists():
            self.stdout.write(f"Kỳ đánh giá năm {year} ({province.name}) đã có, giữ nguyên.")
            return
        spec = framework_version_spec(version)
        leaves = {c.code: c for c in Criterion.objects.filter(version=version).exclude(rule_kind="")}
        cycle = Cycle.objects.create(
            province=province,
            year=year,
            framework_version=version,
            name=f"Chỉ số CCHC năm {year} – {province.name}",
            self_assessment_due=dt.date(year, 12, 15),
            appraisal_due=dt.date(year + 1, 1, 15),
            clarification_due=dt.date(year + 1, 1, 31),
            publication_due=dt.date(year + 1, 2, 28),
        )
        submitted = timezone.make_aware(dt.datetime(year, 12, 10, 16, 0))
        assessments = Assessment.objects.bulk_create(
            [Assessment(cycle=cycle, unit=u, status=Status.APPRAISED, submitted_at=submitted) for u in units]
        )
        answers, appraisals, events = [], [], []
        for assessment in assessments:
            rng = random.Random(f"{year}-{assessment.unit.code}")
            for code, leaf in leaves.items():
                node = spec.node(code)
                own = to_stored(clean_inputs(node, _answer(leaf, rng)))
                # Appraisers lower about one item in twelve (evidence missing or figures unproven).
                checked = to_stored(clean_inputs(node, _answer(leaf, rng))) if rng.random() < 0.08 else own
                answers.append(Answer(assessment=assessment, criterion=leaf, inputs=own, explanation=EXPLANATION))
                comment = "Thống nhất với điểm tự đánh giá" if checked is own else "Chưa đủ tài liệu kiểm chứng"
                appraisals.append(
                    ItemAppraisal(assessment=assessment, criterion=leaf, round=1, inputs=checked, comment=comment)
                )
            events.append(
                AssessmentEvent(
                    assessment=assessment, from_status=Status.DRAFT, to_status=Status.APPRAISED,
                    note="Dữ liệu mẫu: kết quả năm trước đã thẩm định",
                )
            )  # fmt: skip
        Answer.objects.bulk_create(answers)
        ItemAppraisal.objects.bulk_create(appraisals)
        AssessmentEvent.objects.bulk_create(events)
        chair, admin = users["hoidong"], users["sonoivu"]
        grants = (Grant(Role.COUNCIL_CHAIR, province.pk, True), Grant(Role.PROVINCE_ADMIN, province.pk, True))
        principal = Principal(user_id=admin.pk, grants=grants)
        approval = result_services.approval_create(
            cycle=cycle, assessments=assessments, name=_group_name(province), note="Biên bản họp Hội đồng thẩm định",
            actor=chair, principal=principal,
        )  # fmt: skip
        publication = result_services.publication_publish(
            approval=approval, decision_number=DECISIONS[year % len(DECISIONS)], decision_date=dt.date(year + 1, 2, 20),
            issuer="UBND tỉnh Quảng Trị", actor=admin, principal=principal,
        )  # fmt: skip
        self.stdout.write(
            f"Đã công bố {cycle.name}: {len(assessments)} đơn vị, Quyết định {publication.decision_number}."
        )

    def _open_year(
        self, year: int, province: Any, communes: list[Any], version: FrameworkVersion, users: dict[str, Any]
    ) -> None:
        """This year's cycle: the demo commune is half-way; a few others submitted, one under
        appraisal and one asked to clarify two items."""
        if Cycle.objects.filter(province=province, year=year, framework_version=version).exists():
            self.stdout.write(f"Kỳ đánh giá năm {year} đã có, giữ nguyên.")
            return
        today = timezone.localdate()
        due = max(dt.date(year, 12, 15), today + dt.timedelta(days=21))
        cycle = assessment_services.cycle_open(
            province=province,
            year=year,
            framework_version=version,
            units=communes,
            self_assessment_due=due,
            appraisal_due=due + dt.timedelta(days=31),
            clarification_due=due + dt.timedelta(days=47),
            publication_due=due + dt.timedelta(days=75),
        )
        leaves = list(Criterion.objects.filter(version=version).exclude(rule_kind="").order_by("position"))
        fields = {c.code: c for c in Criterion.objects.filter(version=version, parent=None)}
        submitting = {u.pk for u in communes[1:5]}
        for assessment in cycle.assessments.select_related("unit"):
            rng = random.Random(f"{year}-{assessment.unit.code}")
            mine = assessment.unit == communes[0]
            full = assessment.unit_id in submitting
            answered = leaves if full else [leaf for leaf in leaves if rng.random() < (0.6 if mine else 0.3)]
            for leaf in answered:
                assessment_services.answer_save(
                    assessment=assessment, criterion=leaf, inputs=_answer(leaf, rng), explanation=EXPLANATION,
                    base_revision=None, actor=users["vanphong"] if mine else None,
                )  # fmt: skip
            if full:
                head = Principal(user_id=None, grants=(Grant(Role.COMMUNE_HEAD, assessment.unit_id, False),))
                assessment_services.assessment_transition(
                    assessment=assessment, to=Status.SUBMITTED, actor=None, principal=head, note="Dữ liệu mẫu"
                )
            elif mine:
                for username, codes in ASSIGNED.items():
                    for code in codes:
                        Assignment.objects.create(
                            assessment=assessment, criterion=fields[code], official=users[username]
                        )
        self._appraisal_under_way(cycle, communes, fields, users)
        done = Assessment.objects.filter(cycle=cycle).exclude(status=Status.DRAFT).count()
        self.stdout.write(f"Đã mở {cycle.name}: {cycle.assessments.count()} đơn vị, {done} đã gửi thẩm định.")

    def _appraisal_under_way(
        self, cycle: Cycle, communes: list[Any], fields: dict[str, Criterion], users: dict[str, Any]
    ) -> None:
        admin, chair = users["sonoivu"], users["hoidong"]
        province_grants = (
            Grant(Role.PROVINCE_ADMIN, cycle.province_id, True),
            Grant(Role.COUNCIL_CHAIR, cycle.province_id, True),
        )
        principal = Principal(user_id=admin.pk, grants=province_grants)
        for username, sector, codes in APPRAISERS:
            appraisal_services.appraiser_assignments_set(
                cycle=cycle, appraiser=users[username], criteria=[fields[c] for c in codes], sector=sector,
                actor=admin, principal=principal,
            )  # fmt: skip
        # Commune B (the other demo commune's office can answer): two items asked about.
        b = cycle.assessments.get(unit=communes[1])
        for code, inputs in (("1.1.3", {"value": "0.6"}), ("1.6", {"count": "0"})):
            appraisal_services.appraisal_save(
                assessment=b, criterion=Criterion.objects.get(version=cycle.framework_version, code=code), round=1,
                inputs=inputs, needs_clarification=True, base_revision=None, actor=chair, principal=principal,
                comment=f"Đề nghị bổ sung tài liệu kiểm chứng và giải trình số liệu tiêu chí {code}.",
            )  # fmt: skip
        b.refresh_from_db()
        appraisal_services.appraisal_accept_self(assessment=b, actor=chair, principal=principal)
        appraisal_services.clarification_request_send(
            assessment=b, deadline=cycle.clarification_due, actor=chair, principal=principal,
            message="Đề nghị UBND xã giải trình các nội dung dưới đây.",
        )  # fmt: skip
        # Commune C: appraisal begun.
        c = cycle.assessments.get(unit=communes[2])
        appraisal_services.appraisal_save(
            assessment=c, criterion=Criterion.objects.get(version=cycle.framework_version, code="1.1.3"), round=1,
            inputs={"value": "0.75"}, comment="Báo cáo ghi 18/24 nhiệm vụ hoàn thành.", base_revision=None,
            actor=chair, principal=principal,
        )  # fmt: skip


def _group_name(province: AdministrativeUnit) -> str:
    """Before 2025 townships (thị trấn) were ranked with communes and wards; after, there are none."""
    return "Khối xã, phường, thị trấn" if province.era == AdministrativeUnit.Era.PRE2025 else "Khối xã, phường"


def _old_province(province: Any) -> AdministrativeUnit:
    """Old Quảng Trị (before the 2025 merger), whose communes the demo commune came from."""
    return AdministrativeUnit.objects.get(era=AdministrativeUnit.Era.PRE2025, code=OLD_PROVINCE_CODE)


def _predecessors(communes: list[Any]) -> list[AdministrativeUnit]:
    return list(
        AdministrativeUnit.objects.filter(
            era=AdministrativeUnit.Era.PRE2025,
            successor_links__successor__in=communes,
            province__code=OLD_PROVINCE_CODE,
        )
        .distinct()
        .order_by("code")
    )


def _answer(leaf: Criterion, rng: random.Random) -> dict[str, Any]:
    """A plausible commune's figures for one sub-criterion."""
    kind = leaf.rule_kind
    if kind == "binary":
        return {"met": rng.random() < 0.85}
    if kind in ("proportional", "tiered"):
        if rng.random() < 0.5:
            total = rng.randint(20, 400)
            return {"numerator": str(rng.randint(int(total * 0.6), total)), "denominator": str(total)}
        return {"value": str(Decimal(rng.randint(600, 1000)) / 1000)}
    if kind in ("count", "deduction"):
        return {"count": rng.choice([0, 0, 1, 1, 2])}
    if kind == "timeliness":
        return {"days_late": rng.choice([0, 0, 0, 3, 12])}
    return {"score": str((leaf.max_points * Decimal(rng.randint(70, 100)) / 100).quantize(Decimal("0.1")))}
