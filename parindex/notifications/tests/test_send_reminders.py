"""``parindex send_reminders`` on the test clock: across deadlines, with extensions, reruns,
users without e-mail, dry runs and a bounded number of queries."""

from __future__ import annotations

import datetime as dt
import io
import smtplib
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import AppraiserAssignment, ClarificationRequest, Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.models import Assessment, Stage
from parindex.assessments.tests.factories import answer_everything, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.notifications import selectors, services
from parindex.notifications.models import Notification
from parindex.notifications.reminders import PlannedNotification
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def on(clock, day: dt.date, hour: int = 7) -> None:
    """Move the test clock to ``day`` at ``hour`` o'clock, Vietnamese time (the cron's hour)."""
    clock.move_to(dt.datetime(day.year, day.month, day.day, hour, tzinfo=VN))


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("send_reminders", *args, stdout=out, stderr=out)
    return out.getvalue()


def with_email(user, email: str):
    user.email = email
    user.save(update_fields=["email"])
    return user


def titles(user) -> list[str]:
    return list(Notification.objects.filter(user=user).order_by("pk").values_list("title", flat=True))


@pytest.fixture
def version(reference_spec):
    return framework_services.framework_import(spec=reference_spec, publish=True).version


@pytest.fixture
def scene(province, commune, other_commune, version):
    cycle = open_cycle(province, version, commune, other_commune)
    people = {
        "officer": with_email(user_with_role("congchuc", Role.COMMUNE_OFFICER, commune), "congchuc@xa.vn"),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),  # no e-mail address
        "head": with_email(user_with_role("chutich", Role.COMMUNE_HEAD, commune), "chutich@xa.vn"),
        "head_b": with_email(user_with_role("chutich.b", Role.COMMUNE_HEAD, other_commune), "chutich.b@phuong.vn"),
        "chair": with_email(
            user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True), "hoidong@tinh.vn"
        ),
        "admin": with_email(
            user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True), "sonoivu@tinh.vn"
        ),
        "appraiser": with_email(appraiser("thamdinh", province), "thamdinh@tinh.vn"),
    }
    a = cycle.assessments.get(unit=commune)
    b = cycle.assessments.get(unit=other_commune)
    return {"cycle": cycle, "a": a, "b": b, "version": version, **people}


def set_status(assessment: Assessment, status: str) -> None:
    Assessment.objects.filter(pk=assessment.pk).update(status=status)


class TestSelfAssessment:
    def test_reminded_7_3_1_days_before_and_on_the_day_and_not_between(self, scene, clock):
        a_users = [scene["officer"], scene["office"], scene["head"]]
        sent = []
        for day in range(7, 17):
            on(clock, dt.date(2026, 12, day))
            run()
            sent.append((day, Notification.objects.count(), len(mail.outbox)))
        # 4 commune users (3 of A, 1 of B) each reminder day; 3 of them have an e-mail address.
        assert sent == [
            (7, 0, 0), (8, 4, 3), (9, 4, 3), (10, 4, 3), (11, 4, 3), (12, 8, 6), (13, 8, 6), (14, 12, 9),
            (15, 16, 12), (16, 16, 12),
        ]  # fmt: skip
        assert titles(scene["head"]) == [
            "Còn 7 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt",
            "Còn 3 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt",
            "Còn 1 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt",
            "Hôm nay là hạn cuối tự đánh giá (15/12/2026) – Xã Nam Cửa Việt",
        ]
        assert titles(scene["head_b"])[0] == "Còn 7 ngày đến hạn tự đánh giá (15/12/2026) – Phường Đông Hà"
        for user in a_users:
            n = Notification.objects.filter(user=user).first()
            assert (
                n.url == reverse("assessments:assessment-detail", args=[scene["a"].pk]) == f"/danh-gia/{scene['a'].pk}/"
            )
            assert "Xã Nam Cửa Việt chưa gửi thẩm định" in n.body
        # Nobody in the province is reminded of a commune's self-assessment.
        assert not Notification.objects.filter(user__in=[scene["chair"], scene["admin"], scene["appraiser"]]).exists()

    def test_the_email_copies_the_notification(self, scene, clock, settings):
        settings.SITE_URL = "https://cchc.quangtri.gov.vn/"
        on(clock, dt.date(2026, 12, 12))
        run()
        message = next(m for m in mail.outbox if m.to == ["chutich@xa.vn"])
        assert message.subject == "Còn 3 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt"
        assert message.from_email == "parindex@localhost"
        assert f"Xem chi tiết: https://cchc.quangtri.gov.vn/danh-gia/{scene['a'].pk}/" in message.body
        assert message.body.startswith("Kính gửi chutich,")
        assert "hết ngày 15/12/2026" in message.body

    def test_rerun_on_the_same_day_sends_nothing_more_the_next_reminder_day_does(self, scene, clock):
        on(clock, dt.date(2026, 12, 12))
        first = run()
        assert "đã tạo 4 thông báo, gửi 3 thư" in first
        assert (Notification.objects.count(), len(mail.outbox)) == (4, 3)
        on(clock, dt.date(2026, 12, 12), hour=18)
        again = run()
        assert "đã tạo 0 thông báo, gửi 0 thư" in again
        assert "4 thông báo đã gửi từ lần chạy trước trong ngày, bỏ qua." in again
        assert (Notification.objects.count(), len(mail.outbox)) == (4, 3)
        on(clock, dt.date(2026, 12, 14))
        assert "đã tạo 4 thông báo, gửi 3 thư" in run()
        assert (Notification.objects.count(), len(mail.outbox)) == (8, 6)

    def test_an_extension_moves_the_units_reminders(self, scene, clock):
        admin = scene["admin"]
        assessment_services.deadline_extend(
            assessment=scene["a"], stage=Stage.SELF_ASSESSMENT, until=dt.date(2026, 12, 22), reason="Thiên tai",
            actor=admin, principal=principal_for(admin),
        )  # fmt: skip
        on(clock, dt.date(2026, 12, 12))
        run()
        assert titles(scene["head"]) == [] and len(titles(scene["head_b"])) == 1  # only B's deadline is near
        on(clock, dt.date(2026, 12, 15))
        run()
        (extended,) = Notification.objects.filter(user=scene["head"])
        assert extended.title == "Còn 7 ngày đến hạn tự đánh giá (22/12/2026) – Xã Nam Cửa Việt"
        assert "hết ngày 22/12/2026 (đã được gia hạn)" in extended.body
        on(clock, dt.date(2026, 12, 22))
        run()
        assert titles(scene["head"])[-1] == "Hôm nay là hạn cuối tự đánh giá (22/12/2026) – Xã Nam Cửa Việt"

    def test_a_submitted_unit_is_not_reminded(self, scene, clock):
        head = scene["head"]
        answer_everything(scene["a"], head)
        assessment_services.assessment_transition(
            assessment=scene["a"], to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        on(clock, dt.date(2026, 12, 14))
        run()
        reminded = Notification.objects.filter(kind=Notification.Kind.REMINDER)
        assert not reminded.filter(user__in=[scene["officer"], scene["office"], head]).exists()
        assert titles(scene["head_b"]) == ["Còn 1 ngày đến hạn tự đánh giá (15/12/2026) – Phường Đông Hà"]

    def test_users_without_email_get_the_notification_only(self, scene, clock):
        on(clock, dt.date(2026, 12, 8))
        out = run()
        assert "(1 thông báo chỉ trong ứng dụng vì người nhận chưa có địa chỉ thư điện tử)" in out
        office = Notification.objects.get(user=scene["office"])
        assert office.emailed_at is None
        assert all(n.emailed_at for n in Notification.objects.exclude(user=scene["office"]))
        assert sorted(to for m in mail.outbox for to in m.to) == [
            "chutich.b@phuong.vn",
            "chutich@xa.vn",
            "congchuc@xa.vn",
        ]

    def test_inactive_users_are_not_reminded(self, scene, clock):
        officer = scene["officer"]
        officer.is_active = False
        officer.save(update_fields=["is_active"])
        on(clock, dt.date(2026, 12, 8))
        run()
        assert not Notification.objects.filter(user=officer).exists()
        assert Notification.objects.count() == 3


class TestCommand:
    def test_dry_run_writes_and_sends_nothing(self, scene, clock):
        on(clock, dt.date(2026, 12, 8))
        out = run("--dry-run", "--verbosity", "2")
        assert "chạy thử, không ghi gì: sẽ tạo 4 thông báo, gửi 3 thư" in out
        assert "Còn 7 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt → 3 người nhận" in out
        assert Notification.objects.count() == 0 and mail.outbox == []

    def test_date_option_plans_for_that_day(self, scene):
        out = run("--date", "2026-12-08")  # the clock says 20/11
        assert out.startswith("Nhắc hạn ngày 08/12/2026 (nhắc trước 7, 3, 1 ngày và đúng ngày hết hạn)")
        assert Notification.objects.count() == 4
        assert Notification.objects.filter(key__startswith="reminder:2026-12-08:self_assessment:").count() == 4

    def test_today_is_vietnamese_today(self, scene, clock):
        # 17:30 UTC on 7 December is already 8 December in Vietnam: 7 days before the deadline.
        clock.move_to(dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC))
        assert "Nhắc hạn ngày 08/12/2026" in run()
        assert Notification.objects.count() == 4

    def test_a_bad_date_is_refused(self, db):
        with pytest.raises(CommandError, match="Ngày không hợp lệ"):
            run("--date", "08/12/2026")

    def test_reminder_days_come_from_settings(self, scene, clock, settings):
        settings.REMINDER_DAYS = [10]
        on(clock, dt.date(2026, 12, 8))  # 7 days before: not a reminder day any more
        run()
        assert Notification.objects.count() == 0
        on(clock, dt.date(2026, 12, 5))
        assert "nhắc trước 10 ngày" in run()
        assert titles(scene["head"]) == ["Còn 10 ngày đến hạn tự đánh giá (15/12/2026) – Xã Nam Cửa Việt"]

    def test_a_failed_email_is_sent_again_by_the_next_run_of_the_day(self, scene, clock, monkeypatch):
        real_send_mail = services.send_mail

        def flaky(subject, message, from_email, recipient_list, **kw):
            if recipient_list == ["chutich@xa.vn"]:
                raise smtplib.SMTPRecipientsRefused({"chutich@xa.vn": (450, b"try later")})
            return real_send_mail(subject, message, from_email, recipient_list, **kw)

        on(clock, dt.date(2026, 12, 8))
        monkeypatch.setattr(services, "send_mail", flaky)
        out = run()
        assert "1 thư gửi không được" in out and len(mail.outbox) == 2
        assert Notification.objects.get(user=scene["head"]).emailed_at is None
        monkeypatch.setattr(services, "send_mail", real_send_mail)
        assert "đã tạo 0 thông báo, gửi 1 thư" in run()
        assert [m.to for m in mail.outbox[2:]] == [["chutich@xa.vn"]]
        assert Notification.objects.get(user=scene["head"]).emailed_at is not None
        run()
        assert len(mail.outbox) == 3


class TestClarification:
    def test_head_and_office_against_the_latest_request_then_the_extension(self, scene, clock):
        a = scene["a"]
        set_status(a, Status.CLARIFICATION)
        ClarificationRequest.objects.create(assessment=a, number=1, deadline=dt.date(2027, 1, 10))
        ClarificationRequest.objects.create(assessment=a, number=2, deadline=dt.date(2027, 1, 20))
        on(clock, dt.date(2027, 1, 7))  # 3 days before the first request's deadline: superseded
        run()
        assert Notification.objects.count() == 0
        on(clock, dt.date(2027, 1, 17))
        run()
        assert set(Notification.objects.values_list("user__username", flat=True)) == {"chutich", "vanphong"}
        n = Notification.objects.get(user=scene["head"])
        assert n.title == "Còn 3 ngày đến hạn giải trình (20/01/2027) – Xã Nam Cửa Việt"
        assert "yêu cầu giải trình lần 2" in n.body and n.url == f"/danh-gia/{a.pk}/"

        admin = scene["admin"]
        assessment_services.deadline_extend(
            assessment=Assessment.objects.get(pk=a.pk), stage=Stage.CLARIFICATION, until=dt.date(2027, 1, 25),
            reason="Chờ xác nhận của Sở Tư pháp", actor=admin, principal=principal_for(admin),
        )  # fmt: skip
        on(clock, dt.date(2027, 1, 19))  # 1 day before the request's deadline, but extended
        run()
        on(clock, dt.date(2027, 1, 24))
        run()
        assert titles(scene["head"]) == [
            "Còn 3 ngày đến hạn giải trình (20/01/2027) – Xã Nam Cửa Việt",
            "Còn 1 ngày đến hạn giải trình (25/01/2027) – Xã Nam Cửa Việt",
        ]


class TestAppraisal:
    def test_assigned_appraisers_and_the_chair_get_one_digest_per_cycle(self, scene, clock, province):
        a, b = scene["a"], scene["b"]
        set_status(a, Status.SUBMITTED)
        set_status(b, Status.APPRAISING)
        field = Criterion.objects.get(version=scene["version"], code="I")
        AppraiserAssignment.objects.create(
            cycle=scene["cycle"], appraiser=scene["appraiser"], criterion=field, sector=Sector.NOI_VU
        )
        only_a = with_email(appraiser("thamdinh.a", province), "a@tinh.vn")
        AppraiserAssignment.objects.create(
            cycle=scene["cycle"], appraiser=only_a, criterion=field, unit=a.unit, sector=Sector.TU_PHAP
        )
        unassigned = appraiser("thamdinh.khac", province)
        on(clock, dt.date(2027, 1, 8))
        run()
        title = "Còn 7 ngày đến hạn thẩm định (15/01/2027)"
        assert titles(scene["appraiser"]) == titles(scene["chair"]) == titles(only_a) == [title]
        assert titles(unassigned) == []
        everything = Notification.objects.get(user=scene["chair"])
        assert "2 hồ sơ chưa thẩm định xong: Phường Đông Hà, Xã Nam Cửa Việt." in everything.body
        assert everything.url == "/tham-dinh/"
        mine = Notification.objects.get(user=only_a)
        assert "1 hồ sơ được phân công cho bạn chưa thẩm định xong: Xã Nam Cửa Việt." in mine.body
        assert mine.url == f"/tham-dinh/{a.pk}/"

        set_status(a, Status.APPRAISED)
        on(clock, dt.date(2027, 1, 12))
        run()
        assert len(titles(only_a)) == 1  # A is appraised: nothing left for this appraiser
        assert (
            "1 hồ sơ chưa thẩm định xong: Phường Đông Hà."
            in Notification.objects.filter(user=scene["chair"]).first().body
        )


class TestPublication:
    def test_admin_and_chair_until_every_unit_is_published(self, scene, clock, province):
        set_status(scene["a"], Status.APPROVED)
        set_status(scene["b"], Status.PUBLISHED)
        elsewhere = AdministrativeUnit.objects.create(
            era="current", code="46", name="Thành phố Huế", kind="thanh_pho_tw", level=1
        )
        user_with_role("sonoivu.hue", Role.PROVINCE_ADMIN, elsewhere, include_descendants=True)
        on(clock, dt.date(2027, 2, 21))
        run()
        assert set(Notification.objects.values_list("user__username", flat=True)) == {"sonoivu", "hoidong"}
        n = Notification.objects.get(user=scene["admin"])
        assert n.title == "Còn 7 ngày đến hạn công bố kết quả (28/02/2027)"
        assert "còn 1/2 hồ sơ chưa công bố kết quả (Hội đồng đã thông qua: 1)" in n.body
        assert n.url == reverse("assessments:assessment-list")
        set_status(scene["a"], Status.PUBLISHED)
        on(clock, dt.date(2027, 2, 25))
        run()
        assert Notification.objects.count() == 2


def province_with(version, units: int, *, code: str):
    """A province with ``units`` communes in one cycle: each with an officer and a head (with e-mail),
    assessments spread over draft, clarification (with a request) and submitted, and an appraiser."""
    province = AdministrativeUnit.objects.create(era="current", code=code, name=f"Tỉnh {code}", kind="tinh", level=1)
    communes = [
        AdministrativeUnit.objects.create(
            era="current",
            code=f"{code}{i:03}",
            name=f"Xã {code}-{i}",
            kind="xa",
            level=3,
            parent=province,
            province=province,
        )  # fmt: skip
        for i in range(units)
    ]
    cycle = open_cycle(province, version, *communes)
    for i, commune in enumerate(communes):
        for role in (Role.COMMUNE_OFFICER, Role.COMMUNE_HEAD):
            with_email(user_with_role(f"{role}-{code}-{i}", role, commune), f"{role}.{i}@{code}.vn")
    assessments = list(cycle.assessments.order_by("pk"))
    for i, a in enumerate(assessments):
        if i % 3 == 1:
            set_status(a, Status.CLARIFICATION)
            ClarificationRequest.objects.create(assessment=a, number=1, deadline=dt.date(2026, 12, 15))
        elif i % 3 == 2:
            set_status(a, Status.SUBMITTED)
    chair = with_email(
        user_with_role(f"chair-{code}", Role.COUNCIL_CHAIR, province, include_descendants=True), "c@x.vn"
    )
    who = with_email(appraiser(f"appraiser-{code}", province), "ap@x.vn")
    field = Criterion.objects.get(version=version, code="I")
    AppraiserAssignment.objects.create(cycle=cycle, appraiser=who, criterion=field, sector=Sector.NOI_VU)
    return cycle, chair


# The deadline source's five reads (assessments with their cycles, extensions, clarification
# requests, roles, appraiser assignments), the remediation source's one (actions of approved
# plans: none here; parindex/remediation/reminders.py), then the users, the existing keys,
# one insert, the notifications not e-mailed yet and one update of emailed_at.
QUERIES = 11


@pytest.mark.parametrize("units", [2, 20])
def test_queries_do_not_grow_with_units_or_users(version, clock, units, django_assert_num_queries):
    province_with(version, units, code="90")
    on(clock, dt.date(2026, 12, 12))  # 3 days before the self-assessment and clarification deadlines
    with django_assert_num_queries(QUERIES):
        run_ = services.send_reminders()
    drafts, clarifications = len(range(0, units, 3)), len(range(1, units, 3))
    expected = 2 * drafts + clarifications  # officer and head of a draft; the head under clarification
    assert run_.created == run_.emailed == expected == {2: 3, 20: 21}[units]
    with django_assert_num_queries(QUERIES - 2):  # rerun: nothing to insert, nothing to mark e-mailed
        again = services.send_reminders()
    assert again.created == 0 and again.planned == expected


def test_queries_do_not_grow_with_cycles(version, clock, django_assert_num_queries):
    for code in ("90", "91", "92"):
        province_with(version, 4, code=code)
    on(clock, dt.date(2026, 12, 12))
    with django_assert_num_queries(QUERIES):
        services.send_reminders()


def test_a_new_reminder_source_is_one_function(scene, clock):
    """How issue 5's overdue remediation actions plug in: a function planning notifications."""
    head = scene["head"]

    def overdue_actions(today, reminder_days):
        return [
            PlannedNotification(
                head.pk, f"reminder:{today}:remediation:7", "Nhiệm vụ khắc phục quá hạn", "Quá hạn 2 ngày.", "/"
            )
        ]

    on(clock, dt.date(2026, 12, 8))
    first = services.send_reminders(sources=[selectors.deadline_reminders, overdue_actions])
    assert (first.created, first.emailed) == (5, 4)
    assert titles(head)[-1] == "Nhiệm vụ khắc phục quá hạn"
    again = services.send_reminders(sources=[selectors.deadline_reminders, overdue_actions])
    assert (again.created, again.emailed) == (0, 0)
