"""The pure planning of deadline reminders: plain facts in, planned notifications out."""

from __future__ import annotations

import datetime as dt

import pytest

from parindex.accounts.models import Role
from parindex.assessments.workflow import Status
from parindex.notifications import reminders
from parindex.notifications.reminders import AssessmentFacts, CycleFacts, DeadlineFacts

D = dt.date
DAYS = frozenset({7, 3, 1})
PROVINCE, UNIT_A, UNIT_B = 1, 10, 20
CYCLE = CycleFacts(
    id=5,
    name="Chỉ số CCHC năm 2026",
    province_id=PROVINCE,
    self_assessment_due=D(2026, 12, 15),
    appraisal_due=D(2027, 1, 15),
    clarification_due=D(2027, 1, 31),
    publication_due=D(2027, 2, 28),
)
# (unit, role) -> users: A has an officer (101), an office (102) and a head (103); B a head (201).
# The province: appraisers 301 and 302, chair 303 (also an appraiser), admin 304.
PEOPLE = {
    (UNIT_A, Role.COMMUNE_OFFICER): frozenset({101}),
    (UNIT_A, Role.COMMUNE_OFFICE): frozenset({102}),
    (UNIT_A, Role.COMMUNE_HEAD): frozenset({103}),
    (UNIT_B, Role.COMMUNE_HEAD): frozenset({201}),
    (PROVINCE, Role.APPRAISER): frozenset({301, 302, 303}),
    (PROVINCE, Role.COUNCIL_CHAIR): frozenset({303}),
    (PROVINCE, Role.PROVINCE_ADMIN): frozenset({304}),
}


def assessment(pk: int, unit: int, status: str, **kw) -> AssessmentFacts:
    name = {UNIT_A: "Xã Nam Cửa Việt", UNIT_B: "Phường Đông Hà"}.get(unit, f"Xã {unit}")
    return AssessmentFacts(
        id=pk, cycle_id=CYCLE.id, unit_id=unit, unit_name=name, status=status, url=f"/danh-gia/{pk}/",
        appraisal_url=f"/tham-dinh/{pk}/", **kw,
    )  # fmt: skip


def facts(*assessments: AssessmentFacts, appraisers=None) -> DeadlineFacts:
    return DeadlineFacts(
        cycles={CYCLE.id: CYCLE},
        assessments=assessments,
        people=PEOPLE,
        appraiser_units={CYCLE.id: appraisers or {}},
        assessment_list_url="/danh-gia/",
        appraisal_list_url="/tham-dinh/",
    )


def plan(f: DeadlineFacts, today: dt.date) -> list[reminders.PlannedNotification]:
    return reminders.deadline_reminders(f, today, DAYS)


@pytest.mark.parametrize(
    ("today", "left"),
    [(D(2026, 12, 8), 7), (D(2026, 12, 12), 3), (D(2026, 12, 14), 1), (D(2026, 12, 15), 0)]
    + [(D(2026, 12, d), None) for d in (7, 9, 13, 16)]
    + [(D(2026, 11, 20), None)],
)
def test_reminder_days_are_the_configured_ones_and_the_day_itself(today, left):
    assert reminders.days_to_remind(D(2026, 12, 15), today, DAYS) == left


def test_an_extension_moves_a_deadline_later_never_earlier():
    due = D(2026, 12, 15)
    assert reminders.last_day(due, None) == due
    assert reminders.last_day(due, D(2026, 12, 22)) == D(2026, 12, 22)
    assert reminders.last_day(due, D(2026, 12, 10)) == due


def test_self_assessment_goes_to_every_commune_user_of_a_draft():
    planned = plan(facts(assessment(1, UNIT_A, Status.DRAFT), assessment(2, UNIT_B, Status.SUBMITTED)), D(2026, 12, 12))
    assert [p.user_id for p in planned] == [101, 102, 103]
    p = planned[0]
    assert p.title == "Còn 3 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt"
    assert "Xã Nam Cửa Việt chưa gửi thẩm định" in p.body and "hết ngày 15/12/2026." in p.body
    assert p.url == "/danh-gia/1/"
    assert p.key == "reminder:2026-12-12:self_assessment:a1:2026-12-15"


def test_on_the_day_itself_the_title_says_so():
    (p, *_) = plan(facts(assessment(1, UNIT_A, Status.DRAFT)), D(2026, 12, 15))
    assert p.title == "Hôm nay là hạn cuối tự đánh giá (15/12/2026) – Xã Nam Cửa Việt"


def test_self_assessment_counts_the_extension():
    a = assessment(1, UNIT_A, Status.DRAFT, self_assessment_until=D(2026, 12, 22))
    assert plan(facts(a), D(2026, 12, 12)) == []  # 3 days before the cycle's date: not this unit's deadline
    (p, *_) = plan(facts(a), D(2026, 12, 15))
    assert p.title.startswith("Còn 7 ngày đến hạn tự đánh giá (22/12/2026)")
    assert "(đã được gia hạn)" in p.body
    assert p.key.endswith(":2026-12-22")


def test_keys_differ_by_day_and_object_not_by_recipient():
    a, b = assessment(1, UNIT_A, Status.DRAFT), assessment(2, UNIT_B, Status.DRAFT)
    first = plan(facts(a, b), D(2026, 12, 12))
    assert len({p.key for p in first if p.url == "/danh-gia/1/"}) == 1
    assert len({p.key for p in first}) == 2
    later = plan(facts(a, b), D(2026, 12, 14))
    assert not {p.key for p in first} & {p.key for p in later}


def test_clarification_goes_to_head_and_office_against_the_latest_request():
    a = assessment(1, UNIT_A, Status.CLARIFICATION, clarification_deadline=D(2027, 1, 20), clarification_number=2)
    planned = plan(facts(a), D(2027, 1, 17))
    assert [p.user_id for p in planned] == [102, 103]  # not the officer
    assert planned[0].title == "Còn 3 ngày đến hạn giải trình (20/01/2027) – Xã Nam Cửa Việt"
    assert "yêu cầu giải trình lần 2" in planned[0].body
    assert planned[0].key == "reminder:2027-01-17:clarification:a1-r2:2027-01-20"
    extended = assessment(
        1, UNIT_A, Status.CLARIFICATION, clarification_deadline=D(2027, 1, 20), clarification_number=2,
        clarification_until=D(2027, 1, 25),
    )  # fmt: skip
    assert plan(facts(extended), D(2027, 1, 17)) == []
    assert plan(facts(extended), D(2027, 1, 24))[0].title.startswith("Còn 1 ngày đến hạn giải trình (25/01/2027)")


def test_appraisal_digest_per_cycle_for_chair_and_assigned_appraisers():
    waiting = [
        assessment(1, UNIT_A, Status.SUBMITTED),
        assessment(2, UNIT_B, Status.CLARIFIED),
        assessment(3, 30, Status.CLARIFICATION),  # waiting for the commune, not the appraisers
        assessment(4, 40, Status.APPRAISED),
    ]
    appraisers = {
        301: frozenset({None}),  # every unit
        302: frozenset({UNIT_A, 40}),
        303: frozenset({None}),  # the chair, also assigned: reminded once, as chair
        999: frozenset({None}),  # no longer an appraiser of the province
    }
    planned = {p.user_id: p for p in plan(facts(*waiting, appraisers=appraisers), D(2027, 1, 8))}
    assert set(planned) == {301, 302, 303}
    assert all(p.title == "Còn 7 ngày đến hạn thẩm định (15/01/2027)" for p in planned.values())
    assert "2 hồ sơ chưa thẩm định xong: Xã Nam Cửa Việt, Phường Đông Hà" in planned[303].body
    assert planned[303].url == "/tham-dinh/"
    assert "2 hồ sơ được phân công cho bạn" in planned[301].body
    assert "1 hồ sơ được phân công cho bạn chưa thẩm định xong: Xã Nam Cửa Việt." in planned[302].body
    assert planned[302].url == "/tham-dinh/1/"
    assert len({p.key for p in planned.values()}) == 1


def test_no_appraisal_reminder_without_waiting_units():
    f = facts(assessment(1, UNIT_A, Status.APPRAISED), appraisers={301: frozenset({None})})
    assert [p for p in plan(f, D(2027, 1, 8)) if "thẩm định" in p.title] == []


def test_a_long_digest_names_ten_units_and_counts_the_rest():
    many = [assessment(i, 1000 + i, Status.SUBMITTED) for i in range(12)]
    (p,) = plan(facts(*many), D(2027, 1, 14))
    assert "12 hồ sơ" in p.body and p.body.count("Xã 10") == 10 and "và 2 đơn vị khác" in p.body


def test_publication_until_every_assessment_is_published():
    f = facts(
        assessment(1, UNIT_A, Status.APPROVED),
        assessment(2, UNIT_B, Status.PUBLISHED),
        assessment(3, 30, Status.APPRAISED),
    )
    planned = plan(f, D(2027, 2, 27))
    assert [p.user_id for p in planned] == [303, 304]
    assert planned[0].title == "Còn 1 ngày đến hạn công bố kết quả (28/02/2027)"
    assert "còn 2/3 hồ sơ chưa công bố kết quả (Đã thẩm định xong: 1; Hội đồng đã thông qua: 1)" in planned[0].body
    assert planned[0].url == "/danh-gia/"
    done = facts(assessment(1, UNIT_A, Status.PUBLISHED), assessment(2, UNIT_B, Status.PUBLISHED))
    assert plan(done, D(2027, 2, 27)) == []


def test_nothing_after_a_deadline():
    assert plan(facts(assessment(1, UNIT_A, Status.DRAFT)), D(2026, 12, 16)) == []
