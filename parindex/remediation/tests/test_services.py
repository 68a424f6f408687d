"""Drafting, editing, approving, following and reporting remediation plans (services and selectors)."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.accounts.selectors import principal_for
from parindex.assessments.models import Answer, AuditEntry
from parindex.assessments.tests.factories import PDF, open_cycle
from parindex.remediation import selectors, services
from parindex.remediation.models import Action, ActionNote, PlanEvent
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    assign,
    commune_people,
    drafted_plan,
    merged_last_year,
    published_assessment,
)
from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus
from tests.shared import FIXED_NOW

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def as_(user):
    return {"actor": user, "principal": principal_for(user)}


class TestDraft:
    def test_the_plan_has_exactly_the_items_that_lost_points_and_they_sum_to_the_total_loss(
        self, version, province, commune, other_commune, staff, people
    ):
        # Another mix: a non-applicable item, items at full marks, and losses in four fields.
        appraised = {
            "1.1.3": ({"value": "0.5"}, "Chỉ hoàn thành một nửa kế hoạch"),
            "3.12": ({"applicable": False}, ""),
            "4.1": ({"met": False}, ""),
            "5.4": ({"value": "0.97"}, ""),
        }
        first, second = published_assessment(
            version, province, [commune, other_commune], staff, per_unit={commune.pk: appraised, other_commune.pk: {}}
        )
        plan = services.plan_draft(assessment=first, **as_(people["office"]))
        result = selectors.current_result(first)
        assert {i.code for i in plan.items.all()} == {"1.1.3", "4.1", "5.4"}
        for item in plan.items.all():
            score, maximum = result.scores[item.code]
            assert (item.score, item.max_points, item.lost) == (
                Decimal(score), Decimal(maximum), Decimal(maximum) - Decimal(score)
            )  # fmt: skip
        assert sum(i.lost for i in plan.items.all()) == result.applicable_max - result.total == plan.total_lost
        assert plan.items.get(code="1.1.3").cause == "Chỉ hoàn thành một nửa kế hoạch"
        assert plan.items.get(code="4.1").cause == ""
        # A unit at full marks everywhere has nothing to remedy.
        with pytest.raises(ValidationError, match="không có nội dung cần khắc phục"):
            services.plan_draft(assessment=second, **as_(commune_people(other_commune, prefix="b.")["head"]))

    def test_one_plan_per_published_result_and_only_for_published_results(
        self, version, province, commune, staff, people, published
    ):
        services.plan_draft(assessment=published, **as_(people["office"]))
        with pytest.raises(ValidationError, match="đã có kế hoạch"):
            services.plan_draft(assessment=published, **as_(people["office"]))
        (cycle_assessment,) = open_cycle(province, version, commune).assessments.all()
        with pytest.raises(ValidationError, match="đã được công bố"):
            services.plan_draft(assessment=cycle_assessment, **as_(people["office"]))

    def test_only_the_commune_office_and_head_draft(self, published, people, staff):
        with pytest.raises(PermissionDenied):
            services.plan_draft(assessment=published, **as_(people["officer"]))
        with pytest.raises(PermissionDenied):
            services.plan_draft(assessment=published, **as_(staff["admin"]))


class TestAnalysis:
    def test_losses_by_official_follow_the_assignments_of_the_published_assessment(self, published, people):
        assign(published, "I", people["officer"])  # a whole field
        assign(published, "3.13.1", people["officer2"])  # a single item
        analysis = selectors.lost_analysis(published)
        groups = {(g.official.username if g.official else None): g for g in analysis.by_official}
        assert [x.code for x in groups["congchuc"].losses] == ["1.2", "1.5.3", "1.6", "1.1.3"]
        assert groups["congchuc"].lost == Decimal("3.90")
        assert [x.code for x in groups["congchuc2"].losses] == ["3.13.1"]
        assert sorted(x.code for x in groups[None].losses) == ["2.4.4", "3.12", "3.13.3", "7.7"]
        assert analysis.by_official[-1].official is None  # the unassigned come last
        assert sum(g.lost for g in analysis.by_official) == analysis.total_lost == Decimal("7.26")

    def test_last_years_loss_is_the_units_own_or_the_mean_of_the_units_merged_into_it(
        self, version, province, commune, other_commune, staff, people
    ):
        # Last year (2024) Nam Cửa Việt did not exist: it was formed from two old communes.
        merged_last_year(version, commune, staff)
        (merged, own) = published_assessment(
            version, province, [commune, other_commune], staff, year=2025,
            per_unit={commune.pk: SEED_001, other_commune.pk: {"1.1.3": ({"value": "0.9"}, "")}},
        )  # fmt: skip
        analysis = selectors.lost_analysis(merged)
        previous = analysis.previous["1.1.3"]
        assert previous.year == 2024 and previous.lost == Decimal("0.70")  # the mean of 0,40 and 1,00
        assert dict(previous.sources) == {"Xã Triệu Trạch": Decimal("0.40"), "Xã Triệu Tân": Decimal("1.00")}
        assert analysis.previous["1.6"].lost == 0  # both predecessors had full marks on 1.6
        assert selectors.lost_analysis(own).previous == {}  # no earlier year for Phường Đông Hà


class TestEditing:
    def test_actions_are_checked_and_kept_to_the_plan_year(self, published, people):
        plan = services.plan_draft(assessment=published, **as_(people["office"]))
        item = plan.items.get(code="1.1.3")
        with pytest.raises(ValidationError) as caught:
            services.action_add(
                item=item, description=" ", deadline_kind=DeadlineKind.DATE, due=dt.date(2025, 5, 1),
                expected_points=Decimal("0.5"), **as_(people["office"]),
            )  # fmt: skip
        assert caught.value.messages == [
            "Ghi nội dung biện pháp khắc phục.",
            "Hạn hoàn thành phải trong năm 2026, năm thực hiện kế hoạch.",
            "Điểm dự kiến khắc phục không vượt quá số điểm bị mất của tiêu chí 1.1.3 (0,4).",
        ]
        with pytest.raises(ValidationError, match="Chọn hạn hoàn thành"):
            services.action_add(
                item=item, description="Kiểm tra", deadline_kind=DeadlineKind.DATE, **as_(people["office"])
            )
        assert not Action.objects.exists()
        action = services.action_add(
            item=item, description="Kiểm tra quý III", office="Văn phòng - Thống kê", official=people["officer"],
            deadline_kind=DeadlineKind.QUARTERLY, due=dt.date(2026, 9, 30), **as_(people["office"]),
        )  # fmt: skip
        assert action.due is None and action.expected_points == 0 and action.plan_id == plan.pk

    def test_an_official_of_another_commune_cannot_be_given_an_action(self, published, people, other_commune):
        stranger = commune_people(other_commune, prefix="b.")["officer"]
        plan = services.plan_draft(assessment=published, **as_(people["office"]))
        with pytest.raises(ValidationError, match="công chức của xã"):
            services.action_add(
                item=plan.items.first(), description="Tuyên truyền", official=stranger, **as_(people["office"])
            )

    def test_a_stale_save_is_refused_and_overwrites_nothing(self, published, people):
        plan = services.plan_draft(assessment=published, **as_(people["office"]))
        item = plan.items.get(code="1.2")
        services.plan_item_save(
            item=item, cause="Báo cáo thiếu nội dung PAPI", base_revision=1, **as_(people["office"])
        )
        with pytest.raises(ValidationError, match="vừa được người khác sửa"):
            services.plan_item_save(item=item, cause="Bản cũ", base_revision=1, **as_(people["head"]))
        item.refresh_from_db()
        assert item.cause == "Báo cáo thiếu nội dung PAPI" and item.revision == 2

    def test_approval_needs_an_action_and_a_cause_on_every_line_and_freezes_the_lines(self, published, people):
        plan = services.plan_draft(assessment=published, **as_(people["office"]))
        with pytest.raises(PermissionDenied):
            services.plan_transition(plan=plan, to=PlanStatus.APPROVED, **as_(people["office"]))
        with pytest.raises(ValidationError) as caught:
            services.plan_transition(plan=plan, to=PlanStatus.APPROVED, **as_(people["head"]))
        assert caught.value.messages[0].startswith("Còn 9 tiêu chí chưa có biện pháp khắc phục: 1.1.3, 1.2")
        assert "Còn 1 tiêu chí chưa ghi nguyên nhân: 2.4.4." in caught.value.messages
        plan.delete()
        plan = approved_plan(published, people)
        assert plan.status == PlanStatus.APPROVED and plan.approved_by == people["head"]
        assert [e.to_status for e in PlanEvent.objects.filter(plan=plan)] == ["draft", "approved"]
        item = plan.items.first()
        with pytest.raises(ValidationError, match="đã được phê duyệt"):
            services.plan_item_save(item=item, cause="Sửa", base_revision=item.revision, **as_(people["office"]))
        with pytest.raises(ValidationError, match="đã được phê duyệt"):
            services.action_add(item=item, description="Thêm", **as_(people["office"]))
        # The head may return it for changes, which opens the lines again.
        services.plan_transition(plan=plan, to=PlanStatus.DRAFT, **as_(people["head"]))
        services.plan_item_save(item=item, cause="Sửa", base_revision=item.revision, **as_(people["office"]))

    def test_two_heads_moving_the_same_plan_at_once_move_it_once(self, published, people):
        plan = drafted_plan(published, people["office"])
        stale = type(plan).objects.get(pk=plan.pk)
        services.plan_transition(plan=plan, to=PlanStatus.APPROVED, **as_(people["head"]))
        with pytest.raises(ValidationError, match="vừa được người khác"):
            services.plan_transition(plan=stale, to=PlanStatus.APPROVED, **as_(people["head"]))
        assert PlanEvent.objects.filter(plan=plan, to_status=PlanStatus.APPROVED).count() == 1


class TestFollowUp:
    def test_overdue_is_detected_across_the_deadline(self, published, people, clock):
        clock.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
        plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 6, 30))
        rows = selectors.action_board(plan, dt.date(2026, 6, 30))
        assert not any(r.overdue for r in rows) and selectors.plan_completion(plan, dt.date(2026, 6, 30)).overdue == 0
        # The day after the deadline every unfinished action is overdue, and shows so.
        clock.move_to(dt.datetime(2026, 7, 1, 8, 0, tzinfo=HCM))
        rows = selectors.action_board(plan, dt.date(2026, 7, 1))
        assert all(r.overdue and r.shown_status == "overdue" for r in rows)
        assert len(selectors.action_board(plan, dt.date(2026, 7, 1), selectors.BoardFilter(status="overdue"))) == 9
        # Finishing one (late) takes it off the overdue list; it is done, but not on time.
        action = Action.objects.filter(plan=plan).first()
        services.action_progress(
            action=action, status=ActionStatus.DONE, text="Đã ban hành", base_revision=action.revision,
            **as_(people["officer"]),
        )  # fmt: skip
        completion = selectors.plan_completion(plan, dt.date(2026, 7, 1))
        assert (completion.total, completion.done, completion.done_on_time, completion.overdue) == (9, 1, 0, 8)

    def test_a_draft_plan_is_never_overdue(self, published, people):
        plan = drafted_plan(published, people["office"], due=dt.date(2026, 1, 31))
        assert not any(r.overdue for r in selectors.action_board(plan, dt.date(2026, 11, 20)))

    def test_progress_is_recorded_by_the_actions_official_with_evidence(self, published, people, clock):
        clock.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
        plan = approved_plan(published, people, official=people["officer"])
        action = Action.objects.filter(plan=plan).first()
        with pytest.raises(PermissionDenied):
            services.action_progress(
                action=action, text="Không phải việc của tôi", base_revision=1, **as_(people["officer2"])
            )
        with pytest.raises(ValidationError, match="Ghi nội dung tiến độ"):
            services.action_progress(action=action, base_revision=1, **as_(people["officer"]))
        note = services.action_progress(
            action=action, text="Đã tuyên truyền trên loa truyền thanh", status=ActionStatus.IN_PROGRESS,
            upload=io.BytesIO(PDF), filename="bien-ban.pdf", base_revision=1, **as_(people["officer"]),
        )  # fmt: skip
        assert (note.from_status, note.to_status, note.on) == ("not_started", "in_progress", dt.date(2026, 3, 1))
        assert note.size == len(PDF) and len(note.sha256) == 64 and note.content_type == "application/pdf"
        assert note.file.name.startswith(f"remediation/{plan.pk}/") and "bien-ban" not in note.file.name
        with pytest.raises(ValidationError, match="PDF"):
            services.action_progress(
                action=action, text="Tệp giả", upload=io.BytesIO(b"not a pdf"), filename="gia.pdf", base_revision=2,
                **as_(people["officer"]),
            )  # fmt: skip
        assert ActionNote.objects.filter(action=action).count() == 1
        with pytest.raises(ValidationError, match="sau hôm nay"):
            services.action_progress(
                action=action, status=ActionStatus.DONE, completed_on=dt.date(2026, 3, 2), base_revision=2,
                **as_(people["officer"]),
            )  # fmt: skip
        action.refresh_from_db()
        assert action.status == ActionStatus.IN_PROGRESS and action.revision == 2

    def test_progress_waits_for_approval(self, published, people):
        plan = drafted_plan(published, people["office"], official=people["officer"])
        action = Action.objects.filter(plan=plan).first()
        with pytest.raises(ValidationError, match="đã được phê duyệt"):
            services.action_progress(action=action, text="Bắt đầu", base_revision=1, **as_(people["officer"]))


class TestReport:
    def test_the_report_needs_every_result_and_feeds_1_5_3_of_the_next_cycle(
        self, version, province, commune, published, people, clock
    ):
        clock.move_to(dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
        plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 10, 31))
        actions = list(Action.objects.filter(plan=plan).order_by("item__position"))
        clock.move_to(dt.datetime(2026, 10, 20, 8, 0, tzinfo=HCM))
        for action in actions[:6]:  # six done on time
            services.action_progress(
                action=action, status=ActionStatus.DONE, result="Đã hoàn thành", base_revision=action.revision,
                **as_(people["officer"]),
            )  # fmt: skip
        clock.move_to(FIXED_NOW)
        services.action_progress(  # one done late
            action=actions[6],
            status=ActionStatus.DONE,
            result="Hoàn thành chậm",
            base_revision=1,
            **as_(people["office"]),
        )
        with pytest.raises(ValidationError, match="Còn 2 biện pháp chưa ghi kết quả thực hiện"):
            services.plan_transition(plan=plan, to=PlanStatus.REPORTED, **as_(people["head"]))
        for action in actions[7:]:
            services.action_progress(
                action=action, result="Chưa hoàn thành do chưa có hướng dẫn", base_revision=1, **as_(people["office"])
            )
        cycle = open_cycle(province, version, commune, year=2026)
        services.plan_report_save(
            plan=plan, summary="Cơ bản hoàn thành kế hoạch", base_revision=plan.revision, **as_(people["office"])
        )
        plan.refresh_from_db()
        plan = services.plan_transition(plan=plan, to=PlanStatus.REPORTED, **as_(people["head"]))
        assert plan.status == PlanStatus.REPORTED and plan.reported_by == people["head"]
        # The next cycle's 1.5.3 now holds the plan's completion: 6 of 9 done on time.
        answer = Answer.objects.get(assessment__cycle=cycle, criterion__code="1.5.3")
        assert answer.inputs == {"numerator": "6", "denominator": "9"}
        assert "hoàn thành đúng hạn 6/9 biện pháp" in answer.explanation
        assert AuditEntry.objects.filter(
            assessment__cycle=cycle, criterion__code="1.5.3", actor=people["head"]
        ).exists()
        # After the report nothing more is recorded until the head reopens it.
        with pytest.raises(ValidationError):
            services.action_progress(action=actions[8], text="Muộn", base_revision=2, **as_(people["office"]))
