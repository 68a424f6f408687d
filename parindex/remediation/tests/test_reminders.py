"""Reminders of remediation actions: the pure planner, then ``send_reminders`` on the test clock
across an action's due date, and the source's bounded number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from parindex.accounts.selectors import principal_for
from parindex.notifications import services as notification_services
from parindex.notifications.models import Notification
from parindex.remediation import reminders
from parindex.remediation.models import Action
from parindex.remediation.reminders import ActionFacts, PlanFacts, RemediationFacts
from parindex.remediation.services import action_progress
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    bulk_actions,
    commune_people,
    drafted_plan,
    published_assessment,
)
from parindex.remediation.workflow import ActionStatus, PlanStatus

D = dt.date
DAYS = frozenset({7, 3, 1})
VN = ZoneInfo("Asia/Ho_Chi_Minh")
UNIT = 10
OFFICER, OFFICE, OFFICE2 = 101, 102, 103
PLAN = PlanFacts(
    id=3,
    unit_id=UNIT,
    title="Kế hoạch khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm 2025 của UBND Xã Nam Cửa Việt",
    year=2026,
    status=PlanStatus.APPROVED,
    url="/khac-phuc/3/theo-doi/",
    approved_on=D(2026, 3, 10),
)


def action(pk: int = 7, **kw) -> ActionFacts:
    values = {
        "plan_id": PLAN.id, "code": "1.1.3", "description": "Xây dựng và ban hành kế hoạch CCHC đúng hạn",
        "deadline_kind": "date", "due": D(2026, 12, 1), "status": ActionStatus.IN_PROGRESS,
        "office": "Văn phòng - Thống kê", "official_id": OFFICER,
    } | kw  # fmt: skip
    return ActionFacts(id=pk, **values)


def facts(*actions: ActionFacts, plan: PlanFacts = PLAN) -> RemediationFacts:
    return RemediationFacts(
        plans={plan.id: plan}, actions=actions, offices={UNIT: frozenset({OFFICE, OFFICE2}), 99: frozenset({999})}
    )


def plan(f: RemediationFacts, today: dt.date):
    return reminders.plan_action_reminders(f, today, DAYS)


def reminded_days(f: RemediationFacts, start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [day for day in days if plan(f, day)]


class TestPlanner:
    def test_a_dated_action_on_the_reminder_days_the_day_itself_then_first_overdue_day_and_weekly(self):
        assert reminded_days(facts(action()), D(2026, 11, 1), D(2026, 12, 31)) == [
            D(2026, 11, 24), D(2026, 11, 28), D(2026, 11, 30), D(2026, 12, 1),  # 7, 3, 1 days before; the day
            D(2026, 12, 2), D(2026, 12, 9), D(2026, 12, 16), D(2026, 12, 23), D(2026, 12, 30),  # overdue, weekly
        ]  # fmt: skip

    def test_what_the_notifications_say(self):
        (before,) = plan(facts(action()), D(2026, 11, 28))
        assert before.title == (
            "Còn 3 ngày đến hạn biện pháp khắc phục (01/12/2026): 1.1.3 – Xây dựng và ban hành kế hoạch CCHC đúng hạn"
        )
        assert before.user_id == OFFICER and before.url == PLAN.url
        assert before.key == "remediation:2026-11-28:action7:due:2026-12-01"
        assert PLAN.title in before.body and "Hạn hoàn thành: hết ngày 01/12/2026." in before.body
        assert "Bộ phận thực hiện: Văn phòng - Thống kê." in before.body
        (on_the_day,) = plan(facts(action()), D(2026, 12, 1))
        assert on_the_day.title.startswith("Hôm nay là hạn biện pháp khắc phục (01/12/2026): 1.1.3 – ")
        (late,) = plan(facts(action()), D(2026, 12, 9))
        assert late.title == "Biện pháp khắc phục quá hạn: 1.1.3 – Xây dựng và ban hành kế hoạch CCHC đúng hạn"
        assert "Hạn hoàn thành: 01/12/2026; đã quá hạn 8 ngày mà biện pháp chưa hoàn thành." in late.body
        assert late.key == "remediation:2026-12-09:action7:overdue:2026-12-01"

    def test_a_long_measure_is_shortened_in_the_title_only(self):
        long = "Rà soát, " * 30
        (p,) = plan(facts(action(description=long)), D(2026, 12, 2))
        assert len(p.title) < 120 and p.title.endswith("…")
        assert long.strip() in p.body

    def test_the_same_day_plans_the_same_keys_another_day_new_ones(self):
        f = facts(action(1), action(2, due=D(2026, 12, 3)))
        first, again = plan(f, D(2026, 11, 30)), plan(f, D(2026, 11, 30))
        assert first == again and len({p.key for p in first}) == 2  # one notification per action
        assert {p.key for p in first}.isdisjoint(p.key for p in plan(f, D(2026, 12, 1)))

    def test_done_actions_and_plans_not_approved_are_never_reminded(self):
        done = action(status=ActionStatus.DONE)
        assert reminded_days(facts(done), D(2026, 11, 1), D(2027, 2, 1)) == []
        for status in (PlanStatus.DRAFT, PlanStatus.REPORTED):
            other = replace(PLAN, status=status)
            assert reminded_days(facts(action(), plan=other), D(2026, 11, 1), D(2027, 2, 1)) == []

    def test_the_official_or_else_the_commune_office(self):
        assert [p.user_id for p in plan(facts(action()), D(2026, 12, 2))] == [OFFICER]
        assert [p.user_id for p in plan(facts(action(official_id=None)), D(2026, 12, 2))] == [OFFICE, OFFICE2]
        lonely = replace(PLAN, unit_id=55)
        assert plan(facts(action(official_id=None), plan=lonely), D(2026, 12, 2)) == []

    def test_a_whole_year_action_is_due_on_31_december(self):
        year = action(deadline_kind="year", due=None)
        assert reminded_days(facts(year), D(2026, 11, 1), D(2027, 1, 9)) == [
            D(2026, 12, 24), D(2026, 12, 28), D(2026, 12, 30), D(2026, 12, 31), D(2027, 1, 1), D(2027, 1, 8)
        ]  # fmt: skip
        (p,) = plan(facts(year), D(2026, 12, 24))
        assert p.title.startswith("Còn 7 ngày đến hạn biện pháp khắc phục (31/12/2026)")

    def test_a_quarterly_task_is_reminded_of_each_quarters_progress_note(self):
        quarterly = action(deadline_kind="quarterly", due=None, last_note_on=D(2026, 3, 20))
        # The quarter's end (30/6) is reminded like a deadline; the note of quarter I does not answer for it.
        (p,) = plan(facts(quarterly), D(2026, 6, 23))
        assert p.title.startswith("Còn 7 ngày đến hạn báo cáo tiến độ quý II/2026 (30/06/2026): 1.1.3")
        assert p.key == "remediation:2026-06-23:action7:due:2026-06-30"
        # With a note already made in quarter II, nothing to remind of.
        noted = action(deadline_kind="quarterly", due=None, last_note_on=D(2026, 4, 3))
        assert plan(facts(noted), D(2026, 6, 23)) == []
        # No note in quarter II: overdue from 1/7, then weekly, until a note comes.
        assert reminded_days(facts(quarterly), D(2026, 7, 1), D(2026, 7, 20)) == [
            D(2026, 7, 1), D(2026, 7, 8), D(2026, 7, 15)
        ]  # fmt: skip
        (late,) = plan(facts(quarterly), D(2026, 7, 1))
        assert late.title.startswith("Biện pháp khắc phục quá hạn: 1.1.3")
        assert "chưa có báo cáo tiến độ quý II/2026 (hạn 30/06/2026), đã quá hạn 1 ngày" in late.body
        assert late.key == "remediation:2026-07-01:action7:overdue:2026-06-30"
        assert plan(facts(action(deadline_kind="quarterly", due=None, last_note_on=D(2026, 7, 2))), D(2026, 7, 8)) == []

    def test_the_last_quarter_of_a_quarterly_task_is_the_whole_tasks_deadline(self):
        noted = action(deadline_kind="quarterly", due=None, last_note_on=D(2026, 10, 5))
        (p,) = plan(facts(noted), D(2026, 12, 24))  # a note this quarter, but the task itself is due
        assert p.title.startswith("Còn 7 ngày đến hạn biện pháp khắc phục (31/12/2026)")

    def test_quarters_ended_before_approval_are_not_asked(self):
        approved_late = replace(PLAN, approved_on=D(2026, 5, 2))
        quarterly = action(deadline_kind="quarterly", due=None)
        assert plan(facts(quarterly, plan=approved_late), D(2026, 5, 2)) == []
        assert reminders.action_reminder(quarterly, PLAN, D(2026, 5, 2), DAYS) is None  # day 32 overdue: not a repeat
        assert reminders.action_reminder(quarterly, PLAN, D(2026, 4, 29), DAYS).kind == reminders.OVERDUE


# -- end to end: the daily command on the test clock ----------------------------------------


def on(clock, day: dt.date, hour: int = 7) -> None:
    clock.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=VN))


def with_email(user, email: str):
    user.email = email
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def scene(version, province, commune, other_commune, staff, people):
    """Nam Cửa Việt's approved plan (9 actions due 1/12/2026: one done, one given to nobody, the
    rest to the officer) and Đông Hà's draft plan with the same deadlines."""
    a, b = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2025)
    with_email(people["officer"], "congchuc@xa.vn")  # the office has no e-mail address
    plan = approved_plan(a, people, official=people["officer"], due=D(2026, 12, 1))
    actions = list(Action.objects.filter(plan=plan).order_by("item__position", "position"))
    done, nobodys = actions[0], actions[1]
    action_progress(
        action=done, status=ActionStatus.DONE, text="Đã ban hành", base_revision=done.revision,
        actor=people["officer"], principal=principal_for(people["officer"]),
    )  # fmt: skip
    Action.objects.filter(pk=nobodys.pk).update(official=None)
    b_people = commune_people(other_commune, prefix="b.")
    for user in b_people.values():
        with_email(user, f"{user.username}@phuong.vn")
    draft = drafted_plan(b, b_people["office"], official=b_people["officer"], due=D(2026, 12, 1))
    Notification.objects.all().delete()  # the scene's own events (publication, actions given); reminders only below
    return {"plan": plan, "done": done, "nobodys": nobodys, "draft": draft, "b_people": b_people, **people}


@pytest.mark.django_db
def test_send_reminders_across_an_actions_due_date(scene, clock):
    officer, office = scene["officer"], scene["office"]
    sent, before = [], 0
    for i in range(27):  # 20/11 to 16/12
        day = D(2026, 11, 20) + dt.timedelta(days=i)
        on(clock, day)
        notification_services.send_reminders()
        if Notification.objects.count() != before:
            before = Notification.objects.count()
            sent.append((day.day, before, len(mail.outbox)))
    # 8 actions not done each reminder day: 7 of the officer (e-mailed), 1 of the office (no address).
    assert sent == [
        (24, 8, 7), (28, 16, 14), (30, 24, 21), (1, 32, 28), (2, 40, 35), (9, 48, 42), (16, 56, 49)
    ]  # fmt: skip
    board = reverse("remediation:action-board", args=[scene["plan"].pk])
    late = Notification.objects.filter(user=officer, key__contains=":overdue:2026-12-01").order_by("pk").first()
    assert late.title.startswith("Biện pháp khắc phục quá hạn: ") and late.url == board
    assert late.created_at.astimezone(VN).date() == D(2026, 12, 2)
    assert "01/12/2026" in late.body and scene["plan"].title in late.body
    assert Notification.objects.filter(user=office).count() == 7
    assert set(Notification.objects.filter(user=office).values_list("key", flat=True)) == {
        f"remediation:2026-{day}:action{scene['nobodys'].pk}:{kind}:2026-12-01"
        for day, kind in [("11-24", "due"), ("11-28", "due"), ("11-30", "due"), ("12-01", "due"), ("12-02", "overdue"),
                          ("12-09", "overdue"), ("12-16", "overdue")]
    }  # fmt: skip
    # The done action and the draft plan's actions are never reminded.
    assert not Notification.objects.filter(key__contains=f":action{scene['done'].pk}:").exists()
    assert not Notification.objects.filter(user__in=scene["b_people"].values()).exists()
    assert not [m for m in mail.outbox if any(to.endswith("@phuong.vn") for to in m.to)]


@pytest.mark.django_db
def test_a_rerun_the_same_day_creates_and_emails_nothing_more(scene, clock):
    on(clock, D(2026, 12, 2))
    first = notification_services.send_reminders()
    assert (first.created, first.emailed, len(mail.outbox)) == (8, 7, 7)
    message = mail.outbox[0]
    assert message.to == ["congchuc@xa.vn"] and message.subject.startswith("Biện pháp khắc phục quá hạn: ")
    on(clock, D(2026, 12, 2), hour=18)
    again = notification_services.send_reminders()
    assert (again.planned, again.created, again.emailed) == (8, 0, 0)
    assert (Notification.objects.count(), len(mail.outbox)) == (8, 7)
    # The next days: nothing new until the weekly repeat; an action done meanwhile drops out.
    officer = scene["officer"]
    for day in range(3, 9):
        on(clock, D(2026, 12, day))
        assert notification_services.send_reminders().created == 0
    last = Action.objects.filter(plan=scene["plan"], official=officer).exclude(status=ActionStatus.DONE).last()
    action_progress(
        action=last, status=ActionStatus.DONE, base_revision=last.revision, actor=officer,
        principal=principal_for(officer),
    )  # fmt: skip
    on(clock, D(2026, 12, 9))
    weekly = notification_services.send_reminders()
    assert (weekly.created, weekly.emailed) == (7, 6)
    assert len(mail.outbox) == 13


@pytest.mark.django_db
def test_the_command_sends_them_too(scene, clock):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("send_reminders", "--date", "2026-11-24", "--verbosity", "2", stdout=out)
    assert "đã tạo 8 thông báo, gửi 7 thư" in out.getvalue()
    assert "Còn 7 ngày đến hạn biện pháp khắc phục (01/12/2026): 1.2 – Khắc phục tiêu chí 1.2 → 1 người nhận" in (
        out.getvalue()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("n", [2, 50])
def test_the_source_reads_a_fixed_number_of_queries(
    version, province, commune, other_commune, staff, people, clock, n, django_assert_num_queries
):
    a, b = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2025)
    plan = approved_plan(a, people, official=people["officer"])
    bulk_actions(plan, n, official=None)  # some given to nobody: the commune office is read
    other = approved_plan(b, commune_people(other_commune, prefix="b."), due=D(2026, 12, 1))
    bulk_actions(other, n, official=None, start=D(2026, 11, 24))
    on(clock, D(2026, 12, 2))
    # The actions not done of approved plans with their plan, line and last note; the commune offices.
    with django_assert_num_queries(2):
        planned = reminders.action_reminders(D(2026, 12, 2), DAYS)
    assert planned and {p.url for p in planned} <= {
        reverse("remediation:action-board", args=[plan.pk]),
        reverse("remediation:action-board", args=[other.pk]),
    }
