"""Recording late dossiers: who may, what is refused (in Vietnamese), edits that started from a
stale revision, and years frozen once the unit's assessment has been submitted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Assessment
from parindex.assessments.tests.factories import open_cycle
from parindex.assessments.workflow import Status
from parindex.dossiers import services
from parindex.dossiers.models import LateDossier
from parindex.dossiers.tests.factories import NO_LETTER, late_dossier, people, values
from parindex.frameworks import services as framework_services
from parindex.indicators.tests.factories import old_commune

pytestmark = pytest.mark.django_db


@pytest.fixture
def users(commune, other_commune, province):
    return people(commune, other_commune, province)


def save(unit, user, *, dossier=None, base_revision=None, **changes):
    return services.late_dossier_save(
        dossier=dossier,
        unit=unit,
        **values(**changes),
        base_revision=base_revision,
        actor=user,
        principal=principal_for(user),
    )


def refused(unit, user, **changes) -> list[str]:
    with pytest.raises(ValidationError) as exc:
        save(unit, user, **changes)
    assert not LateDossier.objects.exists()
    return exc.value.messages


class TestRecord:
    def test_the_office_records_a_late_dossier_with_its_letter(self, commune, users):
        dossier = save(commune, users["office"], code="  H45-001  ", note=" gọi điện báo trước ")
        stored = LateDossier.objects.get()
        assert stored.pk == dossier.pk and stored.unit == commune
        assert (stored.code, stored.note, stored.revision, stored.entered_by) == (
            "H45-001", "gọi điện báo trước", 1, users["office"],
        )  # fmt: skip
        assert (stored.letter_number, stored.letter_date, stored.new_due_on) == (
            "12/PXL-UBND", dt.date(2026, 10, 9), dt.date(2026, 10, 15),
        )  # fmt: skip
        assert stored.year == 2026

    def test_a_pending_dossier_without_a_letter_is_recorded(self, commune, users):
        dossier = save(commune, users["head"], resolved_on=None, **NO_LETTER)
        assert dossier.pending and not dossier.apology_issued

    @pytest.mark.parametrize("who", ["head", "office", "admin"])
    def test_the_office_the_head_and_the_province_admin_may_record(self, commune, users, who):
        assert save(commune, users[who]).pk

    @pytest.mark.parametrize("who", ["officer", "outsider", "viewer", "chair", "appraiser"])
    def test_others_may_not(self, commune, users, who):
        with pytest.raises(PermissionDenied, match="không có quyền ghi hồ sơ trễ hạn của Xã Nam Cửa Việt"):
            save(commune, users[who])
        assert not LateDossier.objects.exists()

    def test_the_same_dossier_code_twice_is_refused(self, commune, other_commune, users):
        save(commune, users["office"])
        with pytest.raises(ValidationError) as exc:
            save(commune, users["office"], procedure="Khác")
        assert exc.value.messages == [
            "Mã hồ sơ 000.00.19.H45-261002-0013 đã có trong sổ hồ sơ trễ hạn của Xã Nam Cửa Việt; hãy sửa hồ sơ đó."
        ]
        assert save(other_commune, users["admin"]).unit == other_commune  # unique per unit only


class TestRefused:
    @pytest.mark.parametrize(
        ("changes", "message"),
        [
            ({"code": " "}, "Nhập mã hồ sơ."),
            ({"procedure": ""}, "Nhập tên thủ tục hành chính."),
            ({"delay_reason": "  "}, "Ghi lý do trễ hạn."),
            ({"code": "x" * 65}, "Mã hồ sơ: dài quá 64 ký tự."),
            ({"received_on": None}, "Nhập ngày tiếp nhận hồ sơ (dd/mm/yyyy)."),
            ({"due_on": None}, "Nhập ngày hẹn trả kết quả (dd/mm/yyyy)."),
            (
                {"received_on": dt.date(2026, 11, 21)},
                "Ngày tiếp nhận 21/11/2026 không được sau hôm nay (20/11/2026).",
            ),
            (
                {"due_on": dt.date(2026, 10, 1)},
                "Ngày hẹn trả kết quả 01/10/2026 không được trước ngày tiếp nhận 02/10/2026.",
            ),
            (
                {"resolved_on": dt.date(2026, 10, 10)},
                "Hồ sơ trả kết quả ngày 10/10/2026, không sau ngày hẹn trả 10/10/2026: "
                "đây là hồ sơ đúng hạn, không ghi vào sổ hồ sơ trễ hạn.",
            ),
            (
                {"resolved_on": dt.date(2026, 11, 25), "new_due_on": dt.date(2026, 11, 25)},
                "Ngày trả kết quả 25/11/2026 không được sau hôm nay; để trống nếu chưa trả.",
            ),
            ({"letter_number": " "}, "Ghi số, ký hiệu thư xin lỗi (ví dụ: 12/PXL-UBND)."),
            ({"letter_date": None}, "Ghi ngày thư xin lỗi (dd/mm/yyyy)."),
            (
                {"letter_date": dt.date(2026, 11, 21), "new_due_on": dt.date(2026, 11, 30), "resolved_on": None},
                "Ngày thư xin lỗi 21/11/2026 không được sau hôm nay (20/11/2026).",
            ),
            (
                {"letter_date": dt.date(2026, 10, 1)},
                "Ngày thư xin lỗi 01/10/2026 không được trước ngày tiếp nhận hồ sơ 02/10/2026.",
            ),
            ({"new_due_on": None}, "Ghi ngày hẹn trả lại kết quả nêu trong thư xin lỗi (dd/mm/yyyy)."),
            (
                {"new_due_on": dt.date(2026, 10, 10)},
                "Ngày hẹn trả lại 10/10/2026 phải sau ngày hẹn trả ban đầu 10/10/2026.",
            ),
            (
                {"letter_date": dt.date(2026, 10, 14), "new_due_on": dt.date(2026, 10, 12)},
                "Ngày hẹn trả lại 12/10/2026 không được trước ngày thư xin lỗi 14/10/2026.",
            ),
            (
                {"apology_issued": False},
                "Đã ghi số, ngày hoặc ngày hẹn trả lại của thư xin lỗi: đánh dấu “Đã gửi thư xin lỗi”, "
                "hoặc xóa các thông tin đó nếu chưa gửi thư.",
            ),
            (
                {"received_on": dt.date(2025, 6, 20), "due_on": dt.date(2025, 6, 30), "resolved_on": dt.date(2025, 7, 3),
                 "letter_date": dt.date(2025, 6, 30), "new_due_on": dt.date(2025, 7, 3)},
                "Hồ sơ hẹn trả ngày 30/06/2025 (trước 01/7/2025) ghi cho đơn vị cũ đã hợp thành Xã Nam Cửa Việt, "
                "không ghi cho đơn vị mới.",
            ),
        ],
    )  # fmt: skip
    def test_each_problem_is_named(self, commune, users, changes, message):
        assert message in refused(commune, users["office"], **changes)

    def test_every_problem_is_listed_at_once(self, commune, users):
        messages = refused(commune, users["office"], code="", delay_reason="", letter_number="", new_due_on=None)
        assert len(messages) == 4

    def test_an_old_commune_takes_the_dossiers_due_before_the_reform(self, commune, users):
        old = old_commune("19640", "Xã Triệu Trạch", successor=commune)
        before = {
            "received_on": dt.date(2025, 6, 20), "due_on": dt.date(2025, 6, 30), "resolved_on": dt.date(2025, 7, 3),
            "letter_date": dt.date(2025, 6, 30), "new_due_on": dt.date(2025, 7, 3),
        }  # fmt: skip
        assert save(old, users["office"], **before).unit == old  # the successor's office may
        with pytest.raises(ValidationError, match="là đơn vị trước 01/7/2025"):
            save(old, users["office"], code="H45-2")
        with pytest.raises(PermissionDenied):
            save(old, users["outsider"], code="H45-3", **before)

    def test_the_database_keeps_the_invariants_too(self, commune):
        broken = [
            {"due_on": dt.date(2026, 9, 1)},  # before received
            {"resolved_on": dt.date(2026, 10, 10)},  # on time
            {"letter_number": ""},  # letter without a number
            {"apology_issued": False},  # letter fields without a letter
            {"letter_date": dt.date(2026, 10, 1)},  # letter before received
            {"new_due_on": dt.date(2026, 10, 9)},  # new date not after the due date
        ]
        for i, changes in enumerate(broken):
            with pytest.raises(IntegrityError), transaction.atomic():
                late_dossier(commune, code=f"bad-{i}", **changes)
        assert not LateDossier.objects.exists()


class TestRevisions:
    def test_an_edit_states_its_revision_and_a_stale_one_is_refused_and_loses_nothing(self, commune, users):
        dossier = save(commune, users["office"], **NO_LETTER)
        first = save(
            commune, users["office"], dossier=dossier, base_revision=1,
            apology_issued=True, letter_number="15/PXL-UBND", letter_date=dt.date(2026, 10, 9),
            new_due_on=dt.date(2026, 10, 15),
        )  # fmt: skip
        assert first.revision == 2 and first.apology_issued
        with pytest.raises(ValidationError) as exc:
            save(commune, users["head"], dossier=dossier, base_revision=1, delay_reason="Lý do khác", **NO_LETTER)
        assert exc.value.messages == [
            "Hồ sơ 000.00.19.H45-261002-0013 vừa được người khác sửa hoặc xóa. Thay đổi của bạn chưa được lưu; "
            "hãy tải lại trang để xem thông tin mới rồi sửa lại."
        ]
        stored = LateDossier.objects.get()
        assert (stored.revision, stored.letter_number, stored.delay_reason) == (
            2,
            "15/PXL-UBND",
            values()["delay_reason"],
        )

    def test_an_edit_may_not_move_a_dossier_to_another_unit(self, commune, other_commune, users):
        dossier = save(commune, users["admin"])
        with pytest.raises(ValidationError, match="Không chuyển hồ sơ trễ hạn sang đơn vị khác"):
            save(other_commune, users["admin"], dossier=dossier, base_revision=1)

    def test_a_delete_from_a_stale_revision_is_refused(self, commune, users):
        dossier = save(commune, users["office"])
        save(commune, users["office"], dossier=dossier, base_revision=1, note="đã gọi điện")
        with pytest.raises(ValidationError, match="vừa được người khác sửa hoặc xóa"):
            services.late_dossier_delete(
                dossier=dossier, base_revision=1, actor=users["head"], principal=principal_for(users["head"])
            )
        assert LateDossier.objects.filter(pk=dossier.pk).exists()
        services.late_dossier_delete(
            dossier=dossier, base_revision=2, actor=users["head"], principal=principal_for(users["head"])
        )
        assert not LateDossier.objects.exists()

    def test_a_viewer_may_not_delete(self, commune, users):
        dossier = save(commune, users["office"])
        with pytest.raises(PermissionDenied):
            services.late_dossier_delete(
                dossier=dossier, base_revision=1, actor=users["viewer"], principal=principal_for(users["viewer"])
            )
        assert LateDossier.objects.exists()


class TestFrozen:
    @pytest.fixture
    def assessment(self, reference_spec, province, commune):
        version = framework_services.framework_import(spec=reference_spec, publish=True).version
        return open_cycle(province, version, commune).assessments.get()

    FROZEN = (
        "Hồ sơ đánh giá Chỉ số CCHC năm 2026 của Xã Nam Cửa Việt đã gửi thẩm định: sổ hồ sơ trễ hạn "
        "năm 2026 không còn được thêm, sửa hoặc xóa."
    )

    def test_while_drafting_the_year_is_open(self, commune, users, assessment):
        assert assessment.status == Status.DRAFT
        assert save(commune, users["office"]).pk

    @pytest.mark.parametrize("status", [Status.SUBMITTED, Status.APPRAISING, Status.PUBLISHED])
    def test_once_submitted_the_year_is_frozen(self, commune, users, assessment, status):
        dossier = save(commune, users["office"])
        Assessment.objects.filter(pk=assessment.pk).update(status=status)
        with pytest.raises(ValidationError) as exc:
            save(commune, users["office"], code="H45-new")
        assert exc.value.messages == [self.FROZEN]
        with pytest.raises(ValidationError) as exc:
            save(commune, users["office"], dossier=dossier, base_revision=1, note="sửa")
        assert exc.value.messages == [self.FROZEN]
        with pytest.raises(ValidationError) as exc:
            services.late_dossier_delete(
                dossier=dossier, base_revision=1, actor=users["office"], principal=principal_for(users["office"])
            )
        assert exc.value.messages == [self.FROZEN]
        stored = LateDossier.objects.get()
        assert (stored.revision, stored.note) == (1, "")

    def test_a_dossier_may_not_leave_a_frozen_year_nor_another_year_be_touched_by_it(self, commune, users, assessment):
        of_2025 = {
            "received_on": dt.date(2025, 12, 20), "due_on": dt.date(2025, 12, 30), "resolved_on": dt.date(2026, 1, 3),
            "letter_date": dt.date(2025, 12, 29), "new_due_on": dt.date(2026, 1, 3),
        }  # fmt: skip
        dossier = save(commune, users["office"])
        Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
        with pytest.raises(ValidationError, match="năm 2026"):
            save(commune, users["office"], dossier=dossier, base_revision=1, **of_2025)
        # 2025 has no submitted assessment: its register stays open.
        assert save(commune, users["office"], code="H45-2025", **of_2025).year == 2025
