"""``parindex seed_demo``: idempotent demo data for ``make run``.

Loads Quảng Trị's real units (current and pre-2025, with the 2025 conversion), the built-in
reference framework (kept in force for this year by a demo extension decision), one login
per role, two published years (the year before last for the old communes, last year for the
merged ones, so rank changes follow the mergers) and an open cycle for this year: partial answers, a few units submitted, one under appraisal
and one asked to clarify two items. Last year's results are followed by remediation plans
(kế hoạch khắc phục) carried out this year: the demo commune's approved plan with actions
done on time, in progress, overdue and a quarterly one; a second commune's approved plan; a
third commune's draft; the other communes have none. Running it again adds nothing. Refuses
to run with DEBUG off, since it creates logins with a published password.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from parindex.accounts.models import Role, RoleAssignment
from parindex.accounts.permissions import Grant, Principal
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services as appraisal_services
from parindex.appraisals.models import ItemAppraisal, Sector
from parindex.assessments import services as assessment_services
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer, Assessment, AssessmentEvent, Assignment, Cycle
from parindex.assessments.signals import projections_batched
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.files import REFERENCE_FRAMEWORK, load_framework_path
from parindex.frameworks.models import Criterion, FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.indicators import projections
from parindex.remediation import selectors as remediation_selectors
from parindex.remediation import services as remediation_services
from parindex.remediation.models import Action, ActionNote, Plan, PlanEvent, PlanItem
from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus
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

# Remediation plans: field -> (cause, measures, office, official of the demo commune or None).
# The official of field V is left blank, so its actions go to the commune office.
REMEDY = {
    "I": (
        "Theo dõi, đôn đốc thực hiện kế hoạch CCHC chưa thường xuyên; tài liệu kiểm chứng chưa đầy đủ.",
        ["Rà soát, hoàn thiện hồ sơ và tài liệu kiểm chứng nội dung: {name}",
         "Đưa nội dung '{name}' vào giao ban tháng, phân công theo dõi đến từng công chức"],
        "Văn phòng - Thống kê", "vanphong",
    ),
    "II": (
        "Công tác theo dõi thi hành pháp luật, phổ biến pháp luật chưa được quan tâm đúng mức; báo cáo chưa đủ nội dung.",
        ["Tham mưu UBND xã ban hành kế hoạch và tổ chức thực hiện: {name}",
         "Lập hồ sơ theo dõi, báo cáo kết quả gửi Phòng Tư pháp đúng hạn"],
        "Tư pháp - Hộ tịch", "congchuc",
    ),
    "III": (
        "Một số hồ sơ TTHC giải quyết trễ hạn, cập nhật trạng thái chưa kịp thời; người dân chưa quen nộp trực tuyến.",
        ["Theo dõi hằng tuần tại Bộ phận một cửa và khắc phục: {name}",
         "Hướng dẫn, hỗ trợ người dân nộp hồ sơ, thanh toán trực tuyến tại Bộ phận một cửa"],
        "Bộ phận một cửa", "congchuc",
    ),
    "IV": (
        "Quy chế làm việc chưa cập nhật theo quy định mới; chưa kiểm tra việc thực hiện phân cấp, ủy quyền.",
        ["Rà soát, sửa đổi quy chế, văn bản liên quan đến nội dung: {name}",
         "Tổ chức kiểm tra, báo cáo kết quả thực hiện"],
        "Văn phòng - Thống kê", "vanphong",
    ),
    "V": (
        "Kế hoạch đào tạo, bồi dưỡng chưa hoàn thành; đánh giá, xếp loại công chức chưa đúng thời hạn.",
        ["Xây dựng và thực hiện kế hoạch khắc phục nội dung: {name}",
         "Cử công chức tham gia đầy đủ các lớp bồi dưỡng theo kế hoạch của huyện, tỉnh"],
        "Văn phòng - Thống kê", None,
    ),
    "VI": (
        "Thu ngân sách chưa đạt dự toán; công khai ngân sách, tài chính chưa đúng thời hạn.",
        ["Thực hiện các biện pháp khắc phục nội dung: {name}",
         "Công khai dự toán, quyết toán ngân sách đúng thời hạn trên trang thông tin điện tử của xã"],
        "Tài chính - Kế toán", "congchuc2",
    ),
    "VII": (
        "Tỷ lệ văn bản điện tử, ký số chưa đạt; một số công chức chưa sử dụng thường xuyên các hệ thống dùng chung.",
        ["Khắc phục nội dung: {name}",
         "Tập huấn sử dụng chữ ký số, thư điện tử công vụ, hệ thống quản lý văn bản cho công chức"],
        "Văn phòng - Thống kê", "congchuc2",
    ),
}  # fmt: skip
# Sub-criteria of the seed documents: code -> (cause, measure).
REMEDY_ITEMS = {
    "1.1.3": ("Một số nhiệm vụ trong Kế hoạch CCHC năm chưa hoàn thành đúng hạn.",
              "Rà soát, đôn đốc hoàn thành 100% nhiệm vụ của Kế hoạch CCHC năm"),
    "1.2": ("Báo cáo CCHC định kỳ thiếu nội dung, gửi chậm so với yêu cầu.",
            "Xây dựng và gửi báo cáo CCHC định kỳ hằng quý đầy đủ nội dung, đúng hạn"),
    "1.5.3": ("Thực hiện báo cáo kết quả khắc phục chỉ số CCHC chậm so với yêu cầu đề ra.",
              "Ban hành kế hoạch khắc phục và báo cáo kết quả khắc phục Chỉ số CCHC đúng hạn"),
    "1.6": ("Chưa có sáng kiến CCHC được cấp có thẩm quyền công nhận.",
            "Đăng ký, xây dựng ít nhất 02 sáng kiến CCHC trình cấp có thẩm quyền công nhận"),
    "3.12": ("Chưa triển khai thanh toán trực tuyến nghĩa vụ tài chính trong giải quyết TTHC.",
             "Triển khai thanh toán trực tuyến cho các TTHC có nghĩa vụ tài chính"),
    "3.13.1": ("Tỷ lệ dịch vụ công trực tuyến toàn trình còn thấp.",
               "Rà soát, đăng ký thêm dịch vụ công trực tuyến toàn trình trên Cổng dịch vụ công tỉnh"),
    "7.7": ("Tỷ lệ văn bản thực hiện chữ ký số so với tổng văn bản phát hành chưa đạt yêu cầu.",
            "Ký số 100% văn bản phát hành trên hệ thống quản lý văn bản (trừ văn bản mật)"),
}  # fmt: skip
PLAN_NUMBER = "45/KH-UBND"


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: đơn vị hành chính tỉnh Quảng Trị, bộ chỉ số tham chiếu, tài khoản theo vai trò, kỳ đánh giá."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo tạo tài khoản với mật khẩu công khai; chỉ chạy khi DEBUG=true.")
        self.stdout.write(units_load(province_code=PROVINCE_CODE).message)
        # The reference framework is Quảng Trị's own: its province admin manages it.
        result = framework_services.framework_import(
            spec=load_framework_path(REFERENCE_FRAMEWORK),
            publish=True,
            source_name=REFERENCE_FRAMEWORK.name,
            owner=AdministrativeUnit.objects.get(era=AdministrativeUnit.Era.CURRENT, code=PROVINCE_CODE),
        )
        self.stdout.write(result.message)
        self._extend_reference(result.version, timezone.localdate().year)
        with transaction.atomic():
            # Each service write below would refresh its assessments' stored projections (one
            # refresh per answer saved); much is also loaded in bulk past the services, so every
            # projection is computed once afterwards instead.
            with projections_batched(sender=Assessment, discard=True):
                province, communes = self._units(result.version)
                users = self._users(province, communes)
                self._cycles(province, communes, result.version, users)
                self._indicators(communes, users)
                self._late_dossiers(communes, users)
                self._service_index(province, users)
            projections.refresh_all()
        self.stdout.write(f"\nTài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        for username, name, _position, role, where in LOGINS:
            unit = province if where == "province" else communes[0 if where == "A" else 1]
            self.stdout.write(f"  {username:<16} {name:<18} {Role(role).label:<38} {unit.name}")

    def _extend_reference(self, version: FrameworkVersion, year: int) -> None:
        """Keep the reference framework (period 2023–2025, its decision's) in force for this year,
        as a People's Committee does while a new criteria set is prepared, so the year can be
        opened. Once: a version that already applies this year is left as it is."""
        until = version.applies_until
        if until is None or year <= until:
            return
        # Demo data: a made-up decision (number and date), not a real one of Quảng Trị.
        version = framework_services.framework_version_extend(
            version=version,
            to_year=year,
            decision_number="2156/QĐ-UBND",
            decision_date=min(dt.date(year, 1, 12), timezone.localdate()),
            actor=None,
        )
        self.stdout.write(
            f"Đã kéo dài thời gian áp dụng {version.framework.code} phiên bản {version.number} đến năm {year} "
            f"(Quyết định số {version.extension_decision_number}, dữ liệu mẫu)."
        )

    def _indicators(self, communes: list[Any], users: dict[str, Any]) -> None:
        """The directive's indicators, and this year's months so far for the communes, from their
        one-stop shop (the figures 3.5, 3.7, 3.10, 3.11 and 7.7 of the self-assessment offer); the
        province's way of reading the one-stop shop's export of on-time dossiers, ready to import."""
        from parindex.indicators.models import ImportMapping, Indicator, IndicatorValue
        from parindex.indicators.services import indicators_load
        from parindex.indicators.status import figure_value

        indicators_load()
        ImportMapping.objects.get_or_create(
            province=communes[0].province,
            indicator=Indicator.objects.get(code="ho_so_dung_han"),
            name="Xuất từ Hệ thống thông tin giải quyết TTHC",
            defaults={
                "owner": users["sonoivu"],
                "columns": {
                    "unit_code": "Mã đơn vị",
                    "year": "Năm",
                    "month": "Tháng",
                    "numerator": "Số hồ sơ đúng hạn",
                    "denominator": "Tổng số hồ sơ",
                },
            },
        )
        year = timezone.localdate().year
        if IndicatorValue.objects.filter(unit__in=communes, year=year).exists():
            self.stdout.write(f"Số liệu chỉ số theo dõi năm {year} đã có, giữ nguyên.")
            return
        shares = {
            "ho_so_dung_han": 0.95,
            "ho_so_truc_tuyen": 0.24,
            "so_hoa_ho_so": 0.12,
            "hai_long": 0.94,
            "van_ban_ky_so": 0.97,
        }
        indicators = {i.code: i for i in Indicator.objects.filter(code__in=shares)}
        values = []
        for unit in communes:
            rng = random.Random(f"{year}-indicators-{unit.code}")
            for code, share in shares.items():
                for month in range(1, timezone.localdate().month):
                    denominator = rng.randint(40, 160)
                    numerator = min(denominator, round(denominator * (share + rng.uniform(-0.06, 0.05))))
                    values.append(
                        IndicatorValue(
                            indicator=indicators[code], unit=unit, year=year, month=month,
                            numerator=numerator, denominator=denominator, note="Theo Hệ thống thông tin giải quyết TTHC",
                        )
                    )  # fmt: skip
        for value in values:
            value.value = figure_value(value.indicator.kind, Decimal(value.numerator), Decimal(value.denominator))
        IndicatorValue.objects.bulk_create(values)
        self.stdout.write(f"Số liệu chỉ số theo dõi năm {year}: {len(values)} số liệu tháng của {len(communes)} xã.")

    def _service_index(self, province: Any, users: dict[str, Any]) -> None:
        """The last eight weeks of the 766 service index for every commune of the province, as the
        Sở Nội vụ imports the national portal's weekly export (made-up figures, the same each
        time), through the import a province uses."""
        import csv
        import io
        import random

        from parindex.accounts.selectors import principal_for
        from parindex.external import selectors as external_selectors
        from parindex.external import services as external_services

        index = external_selectors.index_by_code("766")
        if index is None:
            return
        today = timezone.localdate()
        last_monday = today - dt.timedelta(days=today.weekday() + 7)
        weeks = [last_monday - dt.timedelta(weeks=n) for n in range(7, -1, -1)]
        in_force = [v for v in external_selectors.versions(index) if v.valid_from <= weeks[0]]
        if not in_force:
            return
        components = [(c.code, c.max) for c in in_force[-1].components]
        draw = random.Random(766)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["ma_don_vi", "tu_ngay", "den_ngay", *[code for code, _ in components]])
        for code in sorted(external_selectors.commune_codes(province)):
            level = draw.uniform(0.55, 0.95)  # each commune's own level, moving a little week to week
            for start in weeks:
                level = min(0.99, max(0.4, level + draw.uniform(-0.04, 0.05)))
                figures = [
                    f"{min(top, top * Decimal(str(round(level + draw.uniform(-0.1, 0.1), 3)))):.2f}"
                    for _, top in components
                ]
                writer.writerow([code, f"{start:%d/%m/%Y}", f"{start + dt.timedelta(days=6):%d/%m/%Y}", *figures])
        admin = users["sonoivu"]
        result = external_services.external_results_import(
            index=index, province=province, file=out.getvalue().encode(), filename="chi-so-766-8-tuan.csv",
            source_system="Cổng Dịch vụ công quốc gia (dữ liệu mẫu)", extracted_on=today,
            contest_until=today + dt.timedelta(days=7), actor=admin, principal=principal_for(admin),
        )  # fmt: skip
        self.stdout.write(f"Chỉ số phục vụ 766: {result.values_written} số liệu của {len(weeks)} tuần.")

    def _late_dossiers(self, communes: list[Any], users: dict[str, Any]) -> None:
        """This year's register of late dossiers (hồ sơ trễ hạn) of the demo commune and of another
        commune still self-assessing, written through the service as their office would: some with
        an apology letter, some without, one still pending (the figure 3.6 of the self-assessment
        offers). Dates are counted back from today within this year."""
        from parindex.dossiers import selectors as dossier_selectors
        from parindex.dossiers import services as dossier_services

        today = timezone.localdate()
        year, start = today.year, dt.date(today.year, 1, 1)
        span = (today - start).days
        # The demo commune and the first commune after the four that submitted, while drafting.
        targets = [u for u in communes[:1] + communes[5:6] if not dossier_selectors.frozen_years([u.pk], {year})]
        if span < 20 or not targets:
            self.stdout.write(f"Sổ hồ sơ trễ hạn năm {year}: chưa ghi hồ sơ mẫu (đầu năm hoặc hồ sơ đã gửi).")
            return
        if any(f.late for f in dossier_selectors.year_figures([u.pk for u in targets], year).values()):
            self.stdout.write(f"Sổ hồ sơ trễ hạn năm {year} đã có, giữ nguyên.")
            return
        # (procedure, applicant, place of the due date in the year so far, days to process, days
        # late or None while pending, reason, letter sent)
        samples = [
            ("Đăng ký kết hôn", "Nguyễn Văn An", 0.15, 5, 3, "Chờ xác minh tình trạng hôn nhân tại nơi cư trú trước đây", True),
            ("Cấp bản sao trích lục hộ tịch", "Trần Thị Bích", 0.3, 2, 1, "Sổ hộ tịch gốc đang phục hồi, chưa tra cứu được", False),
            ("Đăng ký khai sinh có yếu tố nước ngoài", "Lê Minh Khôi", 0.45, 15, 6, "Chờ hợp pháp hóa lãnh sự giấy tờ của cha", True),
            ("Chứng thực hợp đồng, giao dịch liên quan đến tài sản", "Hộ ông Phan Văn Đức", 0.6, 3, 2, "Công chức tư pháp đi tập huấn, chưa bố trí người thay", True),
            ("Xác nhận tình trạng hôn nhân", "Hoàng Thị Thu", 0.75, 3, 4, "Hệ thống cơ sở dữ liệu hộ tịch gián đoạn", False),
            ("Đăng ký thay đổi, cải chính hộ tịch", "Võ Văn Tâm", 0.9, 3, None, "Chờ ý kiến của cơ quan đăng ký hộ tịch nơi đăng ký trước", True),
        ]  # fmt: skip
        written = 0
        for n, unit in enumerate(targets):
            principal = Principal(user_id=None, grants=(Grant(Role.COMMUNE_OFFICE, unit.pk, False),))
            # The demo commune has all six (four with a letter); the other commune the first three.
            for i, sample in enumerate(samples if n == 0 else samples[:3]):
                procedure, applicant, place, days, late, reason, letter = sample
                due = start + dt.timedelta(days=int(span * place))
                returned = due + dt.timedelta(days=late or 7)  # or, while pending, the day promised
                resolved = returned if late is not None and returned <= today else None
                dossier_services.late_dossier_save(
                    unit=unit, code=f"000.00.{unit.code}.H45-{due:%y%m%d}-{i + 1:04d}", procedure=procedure,
                    applicant=applicant, received_on=due - dt.timedelta(days=days), due_on=due, resolved_on=resolved,
                    delay_reason=reason, apology_issued=letter, letter_number=f"{i + 1:02d}/PXL-UBND" if letter else "",
                    letter_date=due if letter else None, new_due_on=returned if letter else None,
                    base_revision=None, actor=users["vanphong"] if n == 0 else None, principal=principal,
                )  # fmt: skip
                written += 1
        self.stdout.write(f"Sổ hồ sơ trễ hạn năm {year}: {written} hồ sơ mẫu của {len(targets)} xã.")

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
        # Nobody in the demo is staff: the province admin manages frameworks, people and roles
        # in the app (/tai-khoan/nguoi-dung/), within Quảng Trị; the admin site is for operators.
        users = {}
        for username, name, position, role, where in LOGINS:
            user, created = get_user_model().objects.get_or_create(
                username=username, defaults={"full_name": name, "position": position, "unit": places[where]}
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            elif user.is_staff or user.unit_id is None:
                # A demo database from before people were managed in the app.
                user.is_staff = False
                user.unit = user.unit or places[where]
                user.save(update_fields=["is_staff", "unit"])
                user.user_permissions.clear()
            RoleAssignment.objects.get_or_create(
                user=user,
                role=role,
                unit=places[where],
                defaults={"include_descendants": where == "province", "is_deputy": position.startswith("Phó")},
            )
            users[username] = user
        return users

    def _cycles(self, province: Any, communes: list[Any], version: FrameworkVersion, users: dict[str, Any]) -> None:
        year = timezone.localdate().year
        self._published_year(year - 2, _old_province(province), _predecessors(communes), version, users)
        self._published_year(year - 1, province, communes, version, users)
        self._open_year(year, province, communes, version, users)
        self._remediation(year - 1, province, communes, users)

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
                Assignment.objects.bulk_create(
                    [
                        Assignment(assessment=assessment, criterion=fields[code], official=users[username])
                        for username, codes in ASSIGNED.items()
                        for code in codes
                    ]
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

    # -- remediation plans ----------------------------------------------------------------------

    def _remediation(self, assessed_year: int, province: Any, communes: list[Any], users: dict[str, Any]) -> None:
        """Plans for last year's lost points, carried out this year, written through the services:
        the demo commune's approved plan in detail, the second commune's approved plan, the
        third commune's draft; the other communes have none (the province overview shows every
        state). Skipped for a commune that has a plan already."""
        published = {
            a.unit_id: a
            for a in Assessment.objects.filter(
                cycle__province=province, cycle__year=assessed_year, status=Status.PUBLISHED, unit__in=communes[:3]
            ).select_related("cycle__framework_version", "unit")
        }
        with_plan = set(Plan.objects.filter(assessment__in=published.values()).values_list("unit_id", flat=True))
        a, b, c = communes[:3]
        if a.pk in published and a.pk not in with_plan:
            plan = self._demo_plan(published[a.pk], users)
            done = remediation_selectors.plan_completion(plan, timezone.localdate())
            self.stdout.write(
                f"Đã lập và phê duyệt kế hoạch khắc phục số {plan.document_number} của {a.name}: {done.total} biện "
                f"pháp, {done.done_on_time} hoàn thành đúng hạn, {done.overdue} quá hạn."
            )
        if b.pk in published and b.pk not in with_plan:
            office, head = users["congchuc.xakhac"], users["chutich.xakhac"]
            remedy = {field: (*r[:3], None) for field, r in REMEDY.items()}  # every action with the office
            self._plan(published[b.pk], office, head, remedy, detailed=False)
            self.stdout.write(f"Đã lập và phê duyệt kế hoạch khắc phục của {b.name}.")
        if c.pk in published and c.pk not in with_plan:
            office = Principal(user_id=None, grants=(Grant(Role.COMMUNE_OFFICE, c.pk, False),))
            plan = remediation_services.plan_draft(assessment=published[c.pk], actor=None, principal=office)
            for item in list(plan.items.order_by("position"))[:4]:
                cause, measures, place, _ = _remedy(item, REMEDY)
                remediation_services.plan_item_save(
                    item=item, cause=cause, base_revision=item.revision, actor=None, principal=office
                )
                remediation_services.action_add(
                    item=item, description=measures[0], office=place, expected_points=item.lost, actor=None,
                    principal=office,
                )  # fmt: skip
            self.stdout.write(f"Đã lập dự thảo kế hoạch khắc phục của {c.name}.")

    def _plan(
        self, assessment: Assessment, office: Any, head: Any, remedy: dict[str, tuple], *, detailed: bool
    ) -> Plan:
        """Draft the plan as the commune office (a cause and one or two measures per line, the
        second for lines that lost a point or more; deadlines from ``_schedule``), approve it
        as the head, and record the year's progress as the officials in charge."""
        principal = principal_for(office)
        plan = remediation_services.plan_draft(assessment=assessment, actor=office, principal=principal)
        officials = {u.username: u for u in get_user_model().objects.filter(role_assignments__unit=assessment.unit)}
        # (line, measure, office, official, expected points): one or two measures per line.
        lines = []
        for item in plan.items.order_by("position"):
            cause, measures, place, official = _remedy(item, remedy)
            remediation_services.plan_item_save(
                item=item, cause=cause, base_revision=item.revision, actor=office, principal=principal
            )
            for text, share in zip(measures, ("1",) if len(measures) == 1 else ("0.6", "0.4"), strict=True):
                points = (item.lost * Decimal(share)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
                lines.append((item, text, place, officials.get(official or ""), points))
        codes = [item.code for item, *_ in lines]
        quarterly = codes.index("1.2") if "1.2" in codes else 0  # the periodic report, else the first line
        overdue = [k for k in ((1, 4, 9, 14) if detailed else (2, 5)) if k != quarterly][: 3 if detailed else 1]
        today = timezone.localdate()
        schedule: list[tuple[Action, Progress]] = []
        for k, (item, text, place, official, points) in enumerate(lines):
            progress = _schedule(k, today, plan.year, detailed=detailed, quarterly=k == quarterly, overdue=k in overdue)
            action = remediation_services.action_add(
                item=item, description=text, office=place, official=official, deadline_kind=progress.kind,
                due=progress.due, expected_points=points, actor=office, principal=principal,
            )  # fmt: skip
            schedule.append((action, progress))
        if detailed:
            remediation_services.plan_header_save(
                plan=plan, title=plan.title, document_number=PLAN_NUMBER, base_revision=plan.revision, actor=office,
                principal=principal,
            )  # fmt: skip
        plan = remediation_services.plan_transition(
            plan=plan, to=PlanStatus.APPROVED, actor=head, principal=principal_for(head)
        )
        # The plan was drafted and approved early in the year, as the real one would have been.
        drafted = timezone.make_aware(dt.datetime(plan.year, 2, 10, 8, 0))
        approved = timezone.make_aware(dt.datetime(plan.year, 2, 20, 15, 0))
        if approved < timezone.now():
            Plan.objects.filter(pk=plan.pk).update(created_at=drafted, approved_at=approved)
            PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.DRAFT).update(at=drafted)
            PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.APPROVED).update(at=approved)
            plan.refresh_from_db()
        for action, progress in schedule:
            if progress.status is None:
                continue
            action.plan = plan
            who = action.official or office
            note = remediation_services.action_progress(
                action=action, text=progress.text, status=progress.status,
                completed_on=progress.on if progress.status == ActionStatus.DONE else None,
                result=progress.text if progress.status == ActionStatus.DONE else None,
                base_revision=action.revision, actor=who, principal=principal_for(who),
            )  # fmt: skip
            if note is not None and progress.on < today:  # the note dated when the work was done
                ActionNote.objects.filter(pk=note.pk).update(on=progress.on)
        return plan

    def _demo_plan(self, assessment: Assessment, users: dict[str, Any]) -> Plan:
        return self._plan(assessment, users["vanphong"], users["chutich"], REMEDY, detailed=True)


@dataclass(frozen=True)
class Progress:
    """An action's deadline, and how far it has got by today (status None: not started)."""

    kind: str
    due: dt.date | None
    status: str | None = None
    on: dt.date = dt.date.min  # when it was done, or the date of the progress note
    text: str = ""


def _schedule(i: int, today: dt.date, year: int, *, detailed: bool, quarterly: bool, overdue: bool) -> Progress:
    """The ``i``-th action's deadline and progress as the year has gone. The demo commune: about
    half done on time, one done late, some in progress, the overdue ones (past their date, not
    done), the quarterly report kept up to date, the rest due at the end of the year. The
    other commune: a third done, a third in progress, the rest due at year end. Dates are
    counted from today and kept inside the plan year (work done never after today)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)

    def day(offset: int) -> dt.date:
        return min(max(today + dt.timedelta(days=offset), first), last)

    def past(offset: int) -> dt.date:
        return min(day(offset), today)

    if quarterly:
        return Progress(
            DeadlineKind.QUARTERLY, None, ActionStatus.IN_PROGRESS, past(-12),
            "Đã gửi báo cáo CCHC quý đúng hạn, đủ nội dung theo đề cương của Sở Nội vụ.",
        )  # fmt: skip
    if overdue:
        late = (-45, -21, -9)[i % 3]
        started = ActionStatus.IN_PROGRESS if late > -30 else None
        return Progress(DeadlineKind.DATE, day(late), started, past(late - 10),
                        "Đang phối hợp thực hiện, chưa hoàn thành.")  # fmt: skip
    if detailed and i == 6:
        return Progress(DeadlineKind.DATE, day(-70), ActionStatus.DONE, past(-55),
                        "Hoàn thành chậm so với kế hoạch do chờ hướng dẫn của cấp trên.")  # fmt: skip
    step = i % 5 if detailed else i % 3
    if (detailed and step in (0, 2, 3)) or (not detailed and step == 0):
        due = day(-150 + (7 * i) % 140)
        return Progress(DeadlineKind.DATE, due, ActionStatus.DONE, min(past((due - today).days - 3 - i % 7), due),
                        "Đã hoàn thành, có văn bản, tài liệu kiểm chứng lưu tại bộ phận.")  # fmt: skip
    if step == 1:
        return Progress(DeadlineKind.DATE, day(20 + 6 * ((i // 5) % 6)), ActionStatus.IN_PROGRESS, past(-12),
                        "Đang triển khai, dự kiến hoàn thành trước hạn.")  # fmt: skip
    return Progress(DeadlineKind.YEAR, None)


def _remedy(item: PlanItem, remedy: dict[str, tuple]) -> tuple[str, list[str], str, str | None]:
    """The cause, measures, office and official (username) of a plan line: the seed documents'
    wording for their sub-criteria, else the field's, with a second measure for a line that
    lost a point or more."""
    cause, measures, place, official = remedy[item.field_code]
    name = item.name[0].lower() + item.name[1:]
    if item.code in REMEDY_ITEMS:
        cause, measure = REMEDY_ITEMS[item.code]
        return cause, [measure], place, official
    texts = [m.format(name=name) for m in measures]
    return cause, texts if item.lost >= 1 else texts[:1], place, official


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
