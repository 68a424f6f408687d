from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import selectors, services
from parindex.assessments.models import Answer, AssessmentEvent, Cycle, Evidence, EvidenceFile
from parindex.assessments.tests.factories import DUES, PDF, answer_everything, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db


@pytest.fixture
def version(reference_spec):
    return framework_services.framework_import(spec=reference_spec, publish=True).version


@pytest.fixture
def assessment(province, commune, other_commune, version):
    return open_cycle(province, version, commune, other_commune).assessments.get(unit=commune)


@pytest.fixture
def officer(commune):
    return user_with_role("congchuc", Role.COMMUNE_OFFICER, commune)


@pytest.fixture
def head(commune):
    return user_with_role("chutich", Role.COMMUNE_HEAD, commune, is_deputy=True)


def crit(version, code):
    return Criterion.objects.get(version=version, code=code)


class TestCycleOpen:
    def test_it_opens_one_draft_assessment_per_unit(self, assessment):
        assert assessment.status == Status.DRAFT
        assert assessment.cycle.assessments.count() == 2

    def test_it_refuses_a_draft_framework_and_deadlines_out_of_order(self, province, commune, reference_spec):
        draft = framework_services.framework_import(spec=reference_spec).version
        dues = dict(DUES, appraisal_due=dt.date(2026, 12, 1))
        with pytest.raises(ValidationError) as exc:
            services.cycle_open(province=province, year=2026, framework_version=draft, units=[commune], **dues)
        assert "đã ban hành" in str(exc.value) and "theo thứ tự" in str(exc.value)

    def test_it_refuses_a_unit_of_another_province_and_a_second_cycle(self, assessment, province, commune, version):
        from parindex.units.models import AdministrativeUnit

        elsewhere = AdministrativeUnit.objects.create(
            era="current", code="01", name="Thành phố Hà Nội", kind="thanh_pho_tw", level=1
        )
        stranger = AdministrativeUnit.objects.create(
            era="current",
            code="00004",
            name="Phường Ba Đình",
            kind="phuong",
            level=3,
            parent=elsewhere,
            province=elsewhere,
        )
        with pytest.raises(ValidationError, match="không thuộc Tỉnh Quảng Trị"):
            services.cycle_open(province=province, year=2025, framework_version=version, units=[stranger], **DUES)
        with pytest.raises(ValidationError, match="đã có kỳ đánh giá năm 2026"):
            services.cycle_open(province=province, year=2026, framework_version=version, units=[commune], **DUES)

    def test_it_refuses_another_provinces_framework_and_opens_with_its_own_or_a_national_one(
        self, province, commune, version
    ):
        from parindex.frameworks.tests.factories import province_unit, stored_version

        hanoi = province_unit()
        theirs = stored_version("HN-XA", owner=hanoi)
        with pytest.raises(ValidationError) as exc:
            services.cycle_open(province=province, year=2026, framework_version=theirs, units=[commune], **DUES)
        assert exc.value.messages == [
            "Bộ chỉ số HN-XA thuộc Thành phố Hà Nội; Tỉnh Quảng Trị chỉ dùng được bộ chỉ số của tỉnh mình "
            "hoặc bộ chỉ số dùng chung toàn quốc."
        ]
        assert not Cycle.objects.exists()
        own = stored_version("QT-XA", owner=province)
        assert services.cycle_open(province=province, year=2026, framework_version=own, units=[commune], **DUES)
        assert version.framework.owner is None  # the reference framework, national here: any province uses it
        assert services.cycle_open(province=province, year=2025, framework_version=version, units=[commune], **DUES)

    def test_it_refuses_a_year_outside_the_versions_period_listing_every_problem(self, province, commune, version):
        assert (version.period_from, version.period_to, version.extended_to) == (2023, 2025, None)
        dues = dict(DUES, appraisal_due=dt.date(2026, 12, 1))
        with pytest.raises(ValidationError) as exc:
            services.cycle_open(province=province, year=2026, framework_version=version, units=[], **dues)
        assert exc.value.messages == [
            "Bộ chỉ số QT-XA-2023 phiên bản 1 áp dụng cho giai đoạn 2023–2025; năm 2026 nằm ngoài giai đoạn này. "
            "Hãy dùng bộ chỉ số của giai đoạn mới, hoặc ghi quyết định kéo dài thời gian áp dụng ở trang bộ chỉ số.",
            "Các hạn phải theo thứ tự: tự đánh giá, thẩm định, giải trình, công bố.",
            "Chọn ít nhất một đơn vị được đánh giá.",
        ]
        with pytest.raises(ValidationError) as exc:
            services.cycle_open(province=province, year=2022, framework_version=version, units=[commune], **DUES)
        assert exc.value.messages == [
            "Bộ chỉ số QT-XA-2023 phiên bản 1 áp dụng cho giai đoạn 2023–2025; năm 2022 nằm ngoài giai đoạn này. "
            "Hãy dùng bộ chỉ số áp dụng cho năm 2022."
        ]
        assert not Cycle.objects.exists()

    def test_it_opens_a_year_the_version_was_extended_to_and_no_later(self, province, commune, version):
        framework_services.framework_version_extend(
            version=version,
            to_year=2026,
            decision_number="2156/QĐ-UBND",
            decision_date=dt.date(2026, 1, 12),
            actor=None,
        )
        assert services.cycle_open(province=province, year=2026, framework_version=version, units=[commune], **DUES)
        with pytest.raises(ValidationError, match="áp dụng cho giai đoạn 2023–2026; năm 2027 nằm ngoài"):
            services.cycle_open(province=province, year=2027, framework_version=version, units=[commune], **DUES)
        assert list(Cycle.objects.values_list("year", flat=True)) == [2026]

    def test_a_version_without_a_period_opens_any_year_and_one_end_bounds_one_side(self, province, commune):
        from parindex.frameworks.models import FrameworkVersion
        from parindex.frameworks.tests.factories import stored_version

        open_ended = stored_version("QT-MOI", owner=province)
        assert (open_ended.period_from, open_ended.period_to, open_ended.applies_until) == (None, None, None)
        for year in (2010, 2026, 2040):
            assert services.cycle_open(
                province=province, year=year, framework_version=open_ended, units=[commune], **DUES
            )
        FrameworkVersion.objects.filter(pk=open_ended.pk).update(period_from=2023)
        open_ended.refresh_from_db()
        with pytest.raises(ValidationError) as exc:
            services.cycle_open(province=province, year=2022, framework_version=open_ended, units=[commune], **DUES)
        assert exc.value.messages == [
            "Bộ chỉ số QT-MOI phiên bản 1 áp dụng từ năm 2023; năm 2022 nằm ngoài giai đoạn này. "
            "Hãy dùng bộ chỉ số áp dụng cho năm 2022."
        ]
        assert services.cycle_open(province=province, year=2041, framework_version=open_ended, units=[commune], **DUES)


class TestAnswerSave:
    def test_it_stores_inputs_as_exact_text_and_scores_them(self, assessment, version, officer):
        services.answer_save(
            assessment=assessment,
            criterion=crit(version, "1.1.3"),
            inputs={"value": "0,8"},
            base_revision=None,
            actor=officer,
        )
        services.answer_save(
            assessment=assessment,
            criterion=crit(version, "3.13.1"),
            inputs={"numerator": "337", "denominator": "1000"},
            base_revision=None,
            actor=officer,
        )
        answer = Answer.objects.get(criterion__code="1.1.3")
        assert answer.inputs == {"value": "0.8"} and answer.revision == 1
        result = selectors.assessment_score(assessment)
        assert result.node("1.1.3").score == Decimal("1.60") and result.node("3.13.1").score == Decimal("0.34")
        assert result.total == Decimal("1.94")

    @pytest.mark.parametrize(
        ("code", "inputs", "message"),
        [
            ("1.1.3", {"value": "-0,2"}, "Tỷ lệ: tỷ lệ không được âm"),
            ("3.13.1", {"numerator": "5", "denominator": "0"}, "Mẫu số: mẫu số bằng 0"),
            ("1.6", {"count": "1,5"}, "Số lượng"),
            ("2.4.4", {"score": "2,5"}, "lớn hơn điểm tối đa"),
            ("1.1.3", {"value": "abc"}, "không phải là số"),
        ],
    )
    def test_it_refuses_invalid_inputs_in_vietnamese_and_keeps_what_was_saved(
        self, assessment, version, officer, code, inputs, message
    ):
        criterion = crit(version, code)
        first = {"1.1.3": {"value": "0.5"}, "3.13.1": {"value": "0.5"}, "1.6": {"count": "1"}, "2.4.4": {"score": "1"}}[
            code
        ]
        services.answer_save(
            assessment=assessment, criterion=criterion, inputs=first, base_revision=None, actor=officer
        )
        with pytest.raises(ValidationError, match=message):
            services.answer_save(
                assessment=assessment, criterion=criterion, inputs=inputs, base_revision=1, actor=officer
            )
        answer = Answer.objects.get(criterion=criterion)
        assert answer.revision == 1 and answer.inputs == {k: v.replace(",", ".") for k, v in first.items()} | (
            {"count": 1} if code == "1.6" else {}
        )

    def test_two_officials_saving_the_same_item_never_overwrite_each_other(self, assessment, version, officer, head):
        criterion = crit(version, "1.1.3")
        services.answer_save(
            assessment=assessment, criterion=criterion, inputs={"value": "0.5"}, base_revision=None, actor=officer
        )
        # Both opened revision 1; the officer saves first, the head's save must not win silently.
        services.answer_save(
            assessment=assessment, criterion=criterion, inputs={"value": "0.7"}, base_revision=1, actor=officer
        )
        with pytest.raises(ValidationError, match="vừa được người khác cập nhật"):
            services.answer_save(
                assessment=assessment, criterion=criterion, inputs={"value": "0.9"}, base_revision=1, actor=head
            )
        answer = Answer.objects.get(criterion=criterion)
        assert (answer.inputs, answer.revision, answer.updated_by) == ({"value": "0.7"}, 2, officer)

    def test_a_second_first_answer_is_a_conflict_too(self, assessment, version, officer, head):
        criterion = crit(version, "1.6")
        services.answer_save(
            assessment=assessment, criterion=criterion, inputs={"count": "1"}, base_revision=None, actor=officer
        )
        with pytest.raises(ValidationError, match="vừa được người khác"):
            services.answer_save(
                assessment=assessment, criterion=criterion, inputs={"count": "2"}, base_revision=None, actor=head
            )
        assert Answer.objects.get(criterion=criterion).inputs == {"count": 1}

    def test_it_refuses_a_parent_criterion_or_one_from_another_framework(self, assessment, version, officer):
        with pytest.raises(ValidationError, match="không chấm điểm trực tiếp"):
            services.answer_save(
                assessment=assessment, criterion=crit(version, "1.1"), inputs={}, base_revision=None, actor=officer
            )


def complete(assessment, version, officer):
    answer_everything(assessment, officer)


class TestSubmission:
    def test_it_blocks_submission_with_a_clear_list_of_what_is_missing(self, assessment, version, officer, head):
        services.answer_save(
            assessment=assessment,
            criterion=crit(version, "1.1.3"),
            inputs={"value": "0.8"},
            base_revision=None,
            actor=officer,
        )
        with pytest.raises(ValidationError) as exc:
            services.assessment_transition(
                assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
            )
        messages = exc.value.messages
        assert messages[0] == "Chưa gửi được: còn 53 tiêu chí thành phần chưa đủ."
        assert "1.1.3 Mức độ thực hiện kế hoạch CCHC: chưa có tài liệu kiểm chứng hoặc giải thích" in messages
        assert any(m.startswith("1.1.1 ") and "chưa nhập số liệu" in m for m in messages)
        assessment.refresh_from_db()
        assert assessment.status == Status.DRAFT and not AssessmentEvent.objects.exists()

    def test_only_the_head_submits_and_submitted_data_is_read_only(self, assessment, version, officer, head):
        complete(assessment, version, officer)
        with pytest.raises(PermissionDenied):
            services.assessment_transition(
                assessment=assessment, to=Status.SUBMITTED, actor=officer, principal=principal_for(officer)
            )
        services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        assert assessment.status == Status.SUBMITTED and assessment.submitted_by == head
        event = AssessmentEvent.objects.get()
        assert (event.from_status, event.to_status, event.actor) == (Status.DRAFT, Status.SUBMITTED, head)
        with pytest.raises(ValidationError, match="chỉ xem"):
            services.answer_save(
                assessment=assessment,
                criterion=crit(version, "1.6"),
                inputs={"count": "2"},
                base_revision=1,
                actor=officer,
            )
        with pytest.raises(ValidationError, match="chỉ xem"):
            services.evidence_add(
                assessment=assessment,
                upload=io.BytesIO(PDF),
                filename="a.pdf",
                title="KH",
                criteria=[crit(version, "1.6")],
                actor=officer,
            )

    def test_the_head_may_withdraw_and_a_stale_second_click_changes_nothing(self, assessment, version, officer, head):
        complete(assessment, version, officer)
        stale = type(assessment).objects.get(pk=assessment.pk)
        services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        with pytest.raises(ValidationError, match="vừa được người khác"):
            services.assessment_transition(
                assessment=stale, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
            )
        services.assessment_transition(
            assessment=assessment, to=Status.DRAFT, actor=head, principal=principal_for(head)
        )
        assert assessment.status == Status.DRAFT and assessment.submitted_at is None
        assert list(AssessmentEvent.objects.values_list("to_status", flat=True)) == [Status.SUBMITTED, Status.DRAFT]

    def test_evidence_instead_of_an_explanation_satisfies_an_item(self, assessment, version, officer, head):
        complete(assessment, version, officer)
        Answer.objects.filter(criterion__code="1.6").update(explanation="")
        with pytest.raises(ValidationError, match="1.6 Sáng kiến"):
            services.assessment_transition(
                assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
            )
        services.evidence_add(
            assessment=assessment, upload=io.BytesIO(PDF), filename="qd-cong-nhan.pdf", title="QĐ công nhận sáng kiến",
            criteria=[crit(version, "1.6")], actor=officer,
        )  # fmt: skip
        services.assessment_transition(
            assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        assert assessment.status == Status.SUBMITTED


class TestEvidence:
    def test_it_stores_a_pdf_with_hash_size_type_and_a_generated_name(
        self, assessment, version, officer, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path
        evidence = services.evidence_add(
            assessment=assessment, upload=io.BytesIO(PDF), filename="Kế hoạch CCHC 2026.pdf", title="Kế hoạch CCHC năm 2026",
            document_number="12/KH-UBND", document_date=dt.date(2026, 1, 10), issuer="UBND xã Triệu Trạch",
            criteria=[crit(version, "1.1.1"), crit(version, "1.1.2")], actor=officer,
        )  # fmt: skip
        stored = evidence.files.get()
        assert (stored.revision, stored.size, stored.content_type) == (1, len(PDF), "application/pdf")
        assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
        assert stored.original_name == "Kế hoạch CCHC 2026.pdf"
        assert "Kế hoạch" not in stored.file.name and stored.file.name.endswith(".pdf")
        assert selectors.evidenced_codes(assessment) == {"1.1.1", "1.1.2"}

    def test_a_new_file_is_a_new_revision_and_the_old_one_stays(self, assessment, version, officer, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        evidence = services.evidence_add(
            assessment=assessment,
            upload=io.BytesIO(PDF),
            filename="a.pdf",
            title="A",
            criteria=[crit(version, "1.6")],
            actor=officer,
        )
        second = PDF.replace(b"1.4", b"1.7")
        services.evidence_file_add(evidence=evidence, upload=io.BytesIO(second), filename="a-sua.pdf", actor=officer)
        files = list(evidence.files.order_by("revision"))
        assert [f.revision for f in files] == [1, 2]
        assert files[0].file.read() == PDF and files[1].sha256 == hashlib.sha256(second).hexdigest()

    @pytest.mark.parametrize(
        ("filename", "content", "message"),
        [
            ("bao-cao.pdf", b"MZ\x90\x00\x03\x00\x00\x00 this is a windows executable", "không phải là PDF"),
            ("anh.png", PDF, "không phải là PNG"),
            ("virus.exe", b"MZ\x90\x00", "không được nhận"),
            ("../../etc/passwd", b"root:x:0:0", "không được nhận"),
            ("bang.xlsx", b"PK\x03\x04 broken zip", "không phải là XLSX"),
            ("rong.pdf", b"", "Tệp rỗng"),
        ],
    )
    def test_it_refuses_bad_files_and_keeps_existing_evidence(
        self, assessment, version, officer, settings, tmp_path, filename, content, message
    ):
        settings.MEDIA_ROOT = tmp_path
        kept = services.evidence_add(
            assessment=assessment,
            upload=io.BytesIO(PDF),
            filename="giu.pdf",
            title="Giữ",
            criteria=[crit(version, "1.6")],
            actor=officer,
        )
        with pytest.raises(ValidationError, match=message):
            services.evidence_file_add(evidence=kept, upload=io.BytesIO(content), filename=filename, actor=officer)
        with pytest.raises(ValidationError, match=message):
            services.evidence_add(
                assessment=assessment,
                upload=io.BytesIO(content),
                filename=filename,
                title="X",
                criteria=[crit(version, "1.6")],
                actor=officer,
            )
        assert Evidence.objects.count() == 1 and EvidenceFile.objects.count() == 1
        assert kept.files.get().file.read() == PDF

    def test_it_refuses_an_oversize_file(self, assessment, version, officer, settings, tmp_path):
        settings.MEDIA_ROOT, settings.EVIDENCE_MAX_BYTES = tmp_path, 100
        with pytest.raises(ValidationError, match="Tệp quá lớn"):
            services.evidence_add(
                assessment=assessment,
                upload=io.BytesIO(PDF + b"0" * 200),
                filename="lon.pdf",
                title="X",
                criteria=[crit(version, "1.6")],
                actor=officer,
            )
        assert not Evidence.objects.exists()

    def test_a_path_traversal_name_is_only_ever_a_display_name(self, assessment, version, officer, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path
        evidence = services.evidence_add(
            assessment=assessment,
            upload=io.BytesIO(PDF),
            filename="..\\..\\windows\\x.pdf",
            title="X",
            criteria=[crit(version, "1.6")],
            actor=officer,
        )
        stored = evidence.files.get()
        assert stored.original_name == "x.pdf"
        assert (
            stored.file.name.startswith(f"evidence/{assessment.cycle_id}/{assessment.unit_id}/")
            and ".." not in stored.file.name
        )
        assert (tmp_path / stored.file.name).resolve().is_relative_to(tmp_path)
