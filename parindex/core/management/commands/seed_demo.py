"""``parindex seed_demo``: idempotent demo data for ``make run``.

Loads Quảng Trị's real units (current and pre-2025, with the 2025 conversion), the built-in
reference framework, one login per role, a submitted cycle for last year and an open cycle
for this year with partial answers. Running it again adds nothing. Refuses to run with
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
from parindex.assessments import services as assessment_services
from parindex.assessments.models import Assessment, Assignment, Cycle
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK, load_framework_path
from parindex.frameworks.models import Criterion, FrameworkVersion
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
]
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
        eligible = AdministrativeUnit.objects.filter(province=province, era=current, kind__in=version.applies_to)
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
        leaves = list(Criterion.objects.filter(version=version).exclude(rule_kind="").order_by("position"))
        fields = {c.code: c for c in Criterion.objects.filter(version=version, parent=None)}
        for cycle_year, share, submit in ((year - 1, 1.0, True), (year, 0.6, False)):
            if Cycle.objects.filter(province=province, year=cycle_year, framework_version=version).exists():
                self.stdout.write(f"Kỳ đánh giá năm {cycle_year} đã có, giữ nguyên.")
                continue
            cycle = assessment_services.cycle_open(
                province=province,
                year=cycle_year,
                framework_version=version,
                units=communes,
                self_assessment_due=dt.date(cycle_year, 12, 15),
                appraisal_due=dt.date(cycle_year + 1, 1, 15),
                clarification_due=dt.date(cycle_year + 1, 1, 31),
                publication_due=dt.date(cycle_year + 1, 2, 28),
            )
            for assessment in cycle.assessments.select_related("unit"):
                rng = random.Random(f"{cycle_year}-{assessment.unit.code}")
                mine = assessment.unit == communes[0]
                answered = leaves if submit else [leaf for leaf in leaves if rng.random() < (share if mine else 0.3)]
                actor = users["vanphong"] if mine else None
                for leaf in answered:
                    assessment_services.answer_save(
                        assessment=assessment,
                        criterion=leaf,
                        inputs=_answer(leaf, rng),
                        explanation="Theo báo cáo kết quả công tác CCHC năm và số liệu Hệ thống thông tin giải quyết TTHC.",
                        base_revision=None,
                        actor=actor,
                    )
                if submit:
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
            done = Assessment.objects.filter(cycle=cycle, status=Status.SUBMITTED).count()
            self.stdout.write(f"Đã mở {cycle.name}: {cycle.assessments.count()} đơn vị, {done} đã gửi thẩm định.")


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
