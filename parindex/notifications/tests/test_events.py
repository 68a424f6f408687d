"""Notifications written with the workflow events: who is told, what it says, the same
transaction as the event, and the e-mail copies after the commit, as each person chose."""

from __future__ import annotations

import datetime as dt
import smtplib

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services as appraisal_services
from parindex.appraisals.models import ClarificationItem, Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.models import Assessment, AssessmentEvent
from parindex.assessments.tests.factories import answer_everything, answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.notifications import events, services
from parindex.notifications.models import Kind, Notification, NotificationPreference
from parindex.remediation import services as remediation_services
from parindex.results import services as result_services
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

DEADLINE = dt.date(2026, 12, 20)


def of(user, kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(user=user).order_by("pk")
    return list(rows.filter(kind=kind) if kind else rows)


def notified(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("user__username", flat=True))


def with_email(user, email: str):
    user.email = email
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)
    return version


@pytest.fixture
def far_province(db):
    return AdministrativeUnit.objects.create(era="current", code="46", name="Thành phố Huế", kind="tinh", level=1)


@pytest.fixture
def scene(province, commune, other_commune, version, far_province):
    cycle = open_cycle(province, version, commune, other_commune)
    people = {
        "head": user_with_role("chutich", Role.COMMUNE_HEAD, commune),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "officer": user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "head_b": user_with_role("chutich.xakhac", Role.COMMUNE_HEAD, other_commune),
        "office_b": user_with_role("congchuc.xakhac", Role.COMMUNE_OFFICE, other_commune),
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "viewer": user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "tp": appraiser("thamdinh", province),
        "nv": appraiser("thamdinh.nv", province),
        "far": appraiser("hue.thamdinh", far_province),
    }
    return {
        "cycle": cycle,
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        **people,
    }


def submit(scene, key: str = "a") -> Assessment:
    assessment = scene[key]
    head = scene["head" if key == "a" else "head_b"]
    answer_everything(assessment, head)
    return assessment_services.assessment_transition(
        assessment=assessment, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
    )


def assign_fields(scene, username: str, codes: list[str]) -> None:
    cycle = scene["cycle"]
    admin = scene["admin"]
    appraisal_services.appraiser_assignments_set(
        cycle=cycle, appraiser=scene[username], sector=Sector.NOI_VU, actor=admin, principal=principal_for(admin),
        criteria=list(Criterion.objects.filter(version=cycle.framework_version, code__in=codes)),
    )  # fmt: skip


def ask(scene, codes=("1.1.3", "1.6")) -> object:
    """Đông Hà submitted, two items flagged by the council chair and sent for clarification."""
    b = submit(scene, "b")
    chair = scene["chair"]
    by_chair = principal_for(chair)
    for code in codes:
        appraisal_services.appraisal_save(
            assessment=b, criterion=Criterion.objects.get(version=b.cycle.framework_version, code=code), round=1,
            inputs={"value": "0.6"} if code == "1.1.3" else {"count": "0"}, needs_clarification=True,
            comment=f"Đề nghị bổ sung tài liệu kiểm chứng tiêu chí {code}.", base_revision=None, actor=chair,
            principal=by_chair,
        )  # fmt: skip
    b.refresh_from_db()
    return appraisal_services.clarification_request_send(
        assessment=b, deadline=DEADLINE, message="Đề nghị UBND phường giải trình.", actor=chair, principal=by_chair
    )


class TestSubmission:
    def test_the_province_is_told_and_the_commune_gets_a_receipt(self, scene):
        a = submit(scene)
        assert notified(Kind.SUBMITTED) == {"thamdinh", "thamdinh.nv", "hoidong", "chutich", "vanphong"}
        (tp,) = of(scene["tp"])
        assert tp.title == "Hồ sơ mới chờ thẩm định: Xã Nam Cửa Việt"
        assert tp.url == reverse("appraisals:appraisal-detail", args=[a.pk])
        assert "Hạn hoàn thành thẩm định: hết ngày 15/01/2027" in tp.body and "(người gửi: chutich)" in tp.body
        (receipt,) = of(scene["head"])
        assert receipt.title == "Đã gửi hồ sơ tự đánh giá thẩm định: Xã Nam Cửa Việt"
        assert receipt.url == reverse("assessments:assessment-detail", args=[a.pk])
        assert receipt.key == tp.key == f"submitted:a{a.pk}:1"
        # Not the officer, not the other commune, not the admin or viewer, not another province.
        for who in ("officer", "head_b", "office_b", "admin", "viewer", "far"):
            assert of(scene[who]) == [], who

    def test_once_appraisers_are_assigned_only_those_of_the_unit_are_told(self, scene):
        assign_fields(scene, "nv", ["I", "III"])
        submit(scene)
        assert notified(Kind.SUBMITTED) == {"thamdinh.nv", "hoidong", "chutich", "vanphong"}

    def test_a_second_submission_is_a_second_notification(self, scene):
        a = submit(scene)
        head = scene["head"]
        assessment_services.assessment_transition(
            assessment=a, to=Status.DRAFT, actor=head, principal=principal_for(head)
        )
        assessment_services.assessment_transition(
            assessment=a, to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        assert [n.key for n in of(scene["tp"])] == [f"submitted:a{a.pk}:1", f"submitted:a{a.pk}:2"]

    def test_a_refused_submission_notifies_nobody(self, scene):
        head = scene["head"]
        with pytest.raises(ValidationError):  # nothing answered
            assessment_services.assessment_transition(
                assessment=scene["a"], to=Status.SUBMITTED, actor=head, principal=principal_for(head)
            )
        answer_everything(scene["a"], head)
        office = scene["office"]
        with pytest.raises(PermissionDenied):  # only the head submits
            assessment_services.assessment_transition(
                assessment=scene["a"], to=Status.SUBMITTED, actor=office, principal=principal_for(office)
            )
        assert not Notification.objects.exists()


class TestSameTransaction:
    def test_an_event_rolled_back_leaves_no_notification_and_sends_no_mail(
        self, scene, django_capture_on_commit_callbacks
    ):
        with_email(scene["tp"], "thamdinh@tuphap.gov.vn")
        with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
            submit(scene)
            assert Notification.objects.filter(kind=Kind.SUBMITTED).count() == 5
            raise RuntimeError("a later step of the same request fails")
        assert not Notification.objects.exists()
        assert Assessment.objects.get(pk=scene["a"].pk).status == Status.DRAFT
        assert mail.outbox == []

    def test_a_failing_notification_undoes_the_event(self, scene, monkeypatch):
        def broken(**kwargs):
            raise RuntimeError("notifications table unavailable")

        monkeypatch.setattr(events, "notify", broken)
        with pytest.raises(RuntimeError):
            submit(scene)
        a = Assessment.objects.get(pk=scene["a"].pk)
        assert a.status == Status.DRAFT and a.submitted_at is None
        assert not AssessmentEvent.objects.filter(assessment=a).exists()

    def test_replaying_an_event_key_notifies_once(self, scene):
        for _ in range(2):
            services.notify(users=[scene["head"], scene["head"].pk], kind=Kind.SUBMITTED, key="k", title="Một lần")
        assert [n.title for n in of(scene["head"])] == ["Một lần"]


class TestClarification:
    def test_the_office_and_head_get_the_items_and_the_deadline(self, scene):
        request = ask(scene)
        b = request.assessment
        assert notified(Kind.CLARIFICATION_REQUESTED) == {"congchuc.xakhac", "chutich.xakhac"}
        (n,) = of(scene["office_b"], Kind.CLARIFICATION_REQUESTED)
        assert n.title == "Yêu cầu giải trình lần 1: 2 tiêu chí (1.1.3, 1.6) – Phường Đông Hà, hạn 20/12/2026"
        names = dict(Criterion.objects.filter(version=b.cycle.framework_version).values_list("code", "name"))
        assert f"- 1.1.3 {names['1.1.3']}: Đề nghị bổ sung tài liệu kiểm chứng tiêu chí 1.1.3." in n.body
        assert f"- 1.6 {names['1.6']}: Đề nghị bổ sung tài liệu kiểm chứng tiêu chí 1.6." in n.body
        assert "Hạn gửi giải trình: hết ngày 20/12/2026." in n.body and "Đề nghị UBND phường giải trình." in n.body
        assert n.url == reverse("assessments:assessment-detail", args=[b.pk]) + "#clarification"
        assert n.key == f"clarification:a{b.pk}:r1"
        # Nam Cửa Việt's people and the chair who asked hear nothing of it.
        assert not Notification.objects.filter(
            user__in=[scene["head"], scene["office"], scene["chair"]], kind=Kind.CLARIFICATION_REQUESTED
        ).exists()

    def test_the_answers_go_to_the_appraisers_of_the_fields_asked_about(self, scene):
        assign_fields(scene, "nv", ["I", "III"])
        assign_fields(scene, "tp", ["II", "IV"])
        request = ask(scene)
        head = scene["head_b"]
        for item in ClarificationItem.objects.filter(request=request):
            appraisal_services.clarification_answer_save(
                item=item, answer=f"Bổ sung kế hoạch và báo cáo cho tiêu chí {item.criterion.code}.",
                base_revision=item.revision, actor=head, principal=principal_for(head),
            )  # fmt: skip
        b = Assessment.objects.get(pk=request.assessment_id)
        appraisal_services.clarification_answers_send(assessment=b, actor=head, principal=principal_for(head))
        assert notified(Kind.CLARIFICATION_ANSWERED) == {"thamdinh.nv", "hoidong"}  # field I only
        (n,) = of(scene["nv"], Kind.CLARIFICATION_ANSWERED)
        assert n.title == "Phường Đông Hà đã gửi giải trình lần 1: 2 tiêu chí chờ thẩm định lại"
        assert ": Bổ sung kế hoạch và báo cáo cho tiêu chí 1.6." in n.body
        assert n.url == reverse("appraisals:appraisal-detail", args=[b.pk])


class TestAppraisedApprovedPublished:
    def test_the_end_of_the_appraisal_goes_to_the_council_and_the_head(self, scene):
        assign_fields(scene, "nv", ["I", "II", "III", "IV", "V", "VI", "VII"])
        a = submit(scene)
        chair, nv = scene["chair"], scene["nv"]
        appraisal_services.appraisal_accept_self(assessment=a, actor=chair, principal=principal_for(chair))
        a.refresh_from_db()
        appraisal_services.appraisal_finish(assessment=a, actor=nv, principal=principal_for(nv))
        assert notified(Kind.APPRAISED) == {"hoidong", "chutich"}
        (n,) = of(chair, Kind.APPRAISED)
        assert n.title == "Đã thẩm định xong: Xã Nam Cửa Việt – chờ Hội đồng thông qua"
        assert n.url == reverse("results:cycle-board", args=[a.cycle_id])

    def test_approval_and_publication_reach_each_units_people_with_its_rank(self, scene):
        a, b = scene["a"], scene["b"]
        for x in (a, b):
            answers_bulk(x)
        Assessment.objects.filter(pk__in=[a.pk, b.pk]).update(status=Status.APPRAISED)
        chair, admin = scene["chair"], scene["admin"]
        both = list(Assessment.objects.filter(pk__in=[a.pk, b.pk]).select_related("unit"))
        approval = result_services.approval_create(
            cycle=scene["cycle"], assessments=both, name="Khối xã, phường", actor=chair, principal=principal_for(chair)
        )
        assert notified(Kind.APPROVED) == {"chutich", "vanphong", "chutich.xakhac", "congchuc.xakhac", "sonoivu"}
        (to_admin,) = of(admin, Kind.APPROVED)
        assert to_admin.title == "Chờ công bố: Hội đồng đã thông qua 2 đơn vị – Khối xã, phường"
        (to_head,) = of(scene["head"], Kind.APPROVED)
        assert to_head.title == "Hội đồng thẩm định đã thông qua kết quả Chỉ số CCHC năm 2026: Xã Nam Cửa Việt"
        publication = result_services.publication_publish(
            approval=approval, decision_number="165/QĐ-UBND", decision_date=dt.date(2027, 2, 20), actor=admin,
            principal=principal_for(admin),
        )  # fmt: skip
        assert notified(Kind.PUBLISHED) == {"chutich", "vanphong", "chutich.xakhac", "congchuc.xakhac"}
        results = {r.unit_id: r for r in publication.results.all()}
        (published,) = of(scene["office_b"], Kind.PUBLISHED)
        rb = results[b.unit_id]
        assert published.title == f"Đã công bố kết quả Chỉ số CCHC năm 2026: Phường Đông Hà xếp hạng {rb.rank}/2"
        assert published.body.startswith("Theo Quyết định số 165/QĐ-UBND ngày 20/02/2027: Phường Đông Hà đạt ")
        assert published.url == reverse("results:publication-detail", args=[publication.pk])
        assert "Xã Nam Cửa Việt" not in published.body
        corrected = result_services.publication_correct(
            publication=publication, reason="Sai số liệu tiêu chí 3.12", decision_number="170/QĐ-UBND",
            decision_date=dt.date(2027, 3, 1), actor=admin, principal=principal_for(admin),
        )  # fmt: skip
        (correction,) = of(scene["head"], Kind.CORRECTED)
        assert correction.title.startswith("Đính chính kết quả Chỉ số CCHC năm 2026: Xã Nam Cửa Việt xếp hạng ")
        assert "Lý do đính chính: Sai số liệu tiêu chí 3.12." in correction.body
        assert correction.key == f"corrected:p{corrected.pk}:u{a.unit_id}"

    @pytest.mark.parametrize("kind", ["approve", "publish"])
    def test_the_notifications_cost_the_same_queries_for_3_and_12_units(self, province, version, kind):
        from parindex.results.models import Approval, Publication, PublishedResult

        counts = []
        for n in (3, 12):
            units = [
                AdministrativeUnit.objects.create(
                    era="current", code=f"{kind[:2]}{n}{i:03d}", name=f"Xã Thử {n}-{i}", kind="xa", level=3,
                    parent=province, province=province,
                )
                for i in range(n)
            ]  # fmt: skip
            for i, unit in enumerate(units):
                user_with_role(f"{kind}{n}.head{i}", Role.COMMUNE_HEAD, unit)
                user_with_role(f"{kind}{n}.office{i}", Role.COMMUNE_OFFICE, unit)
            cycle = open_cycle(province, version, *units, year=2026 - (n == 3))
            assessments = list(cycle.assessments.select_related("unit"))
            approval = Approval.objects.create(cycle=cycle, name="Khối xã")
            if kind == "approve":
                with CaptureQueriesContext(connection) as ctx:
                    events.results_approved(approval=approval, assessments=assessments, actor=None)
            else:
                publication = Publication.objects.create(
                    approval=approval, decision_number="1/QĐ", decision_date=dt.date(2027, 2, 1), year=cycle.year
                )
                PublishedResult.objects.bulk_create(
                    [
                        PublishedResult(
                            publication=publication, assessment=a, unit=a.unit, unit_name=a.unit.name, total=80,
                            self_total=80, applicable_max=100, percent=80, classification="Tốt", rank=1, rank_of=n,
                        )
                        for a in assessments
                    ]
                )  # fmt: skip
                with CaptureQueriesContext(connection) as ctx:
                    events.results_published(publication=publication, actor=None)
            counts.append(len(ctx))
            assert Notification.objects.filter(user__username__startswith=f"{kind}{n}.").count() == 2 * n
        # approve: the people (one query), their notifications (one insert);
        # publish: the results, the people, their notifications.
        assert counts == ([2, 2] if kind == "approve" else [3, 3])


class TestRemediationAction:
    @pytest.fixture
    def plan(self, version, province, commune):
        from parindex.remediation.tests.factories import SEED_001, commune_people, province_staff, published_assessment

        staff = province_staff(province)
        (assessment,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
        people = commune_people(commune)
        office = people["office"]
        plan = remediation_services.plan_draft(assessment=assessment, actor=office, principal=principal_for(office))
        Notification.objects.all().delete()  # the publication's own notifications
        return plan, people

    def test_the_official_given_an_action_or_else_the_office(self, plan):
        plan, people = plan
        head, office, officer = people["head"], people["office"], people["officer"]
        item = plan.items.order_by("position").first()
        given = remediation_services.action_add(
            item=item, description="Rà soát, hoàn thiện hồ sơ kiểm chứng", office="Văn phòng - Thống kê",
            official=officer, due=dt.date(2026, 3, 1), deadline_kind="date", actor=office,
            principal=principal_for(office),
        )  # fmt: skip
        (n,) = of(officer, Kind.ACTION_ASSIGNED)
        assert n.title == f"Biện pháp khắc phục được giao: {item.code} – Rà soát, hoàn thiện hồ sơ kiểm chứng"
        assert "Bạn được giao biện pháp khắc phục tiêu chí" in n.body and "Hạn 01/03/2026." in n.body
        assert "Kế hoạch đang là dự thảo" in n.body
        assert n.url == reverse("remediation:plan-detail", args=[plan.pk]) + f"#action-{given.pk}"
        # Nobody named: the office (here the head adds it, so the office is told).
        remediation_services.action_add(
            item=item, description="Đưa vào giao ban tháng", actor=head, principal=principal_for(head)
        )
        (to_office,) = of(office, Kind.ACTION_ASSIGNED)
        assert to_office.body.startswith("Văn phòng - Thống kê được giao (chưa có công chức phụ trách)")
        assert of(head) == []  # nobody is told of their own action
        # An edit that keeps the official tells nobody; giving it to someone else tells them.
        given.refresh_from_db()
        remediation_services.action_update(
            action=given, description="Rà soát lại", official=officer, deadline_kind="year", base_revision=given.revision,
            actor=office, principal=principal_for(office),
        )  # fmt: skip
        assert len(of(officer)) == 1
        given.refresh_from_db()
        remediation_services.action_update(
            action=given, description="Rà soát lại", official=people["officer2"], deadline_kind="year",
            base_revision=given.revision, actor=office, principal=principal_for(office),
        )  # fmt: skip
        assert [n.title for n in of(people["officer2"])] == [
            f"Biện pháp khắc phục được giao: {item.code} – Rà soát lại"
        ]


class TestEmail:
    def test_sent_after_the_commit_to_who_has_an_address_and_wants_it(self, scene, django_capture_on_commit_callbacks):
        with_email(scene["tp"], "thamdinh@tuphap.gov.vn")
        with_email(scene["nv"], "thamdinh.nv@noivu.gov.vn")
        with_email(scene["head"], "chutich@xa.vn")
        NotificationPreference.objects.create(user=scene["nv"], email_enabled=False)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            submit(scene)
        assert mail.outbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
        assert sorted(to for m in mail.outbox for to in m.to) == ["chutich@xa.vn", "thamdinh@tuphap.gov.vn"]
        message = next(m for m in mail.outbox if m.to == ["thamdinh@tuphap.gov.vn"])
        assert message.subject == "Hồ sơ mới chờ thẩm định: Xã Nam Cửa Việt"
        assert f"/tham-dinh/{scene['a'].pk}/" in message.body and message.body.startswith("Kính gửi thamdinh,")
        # The one who opted out still has it in the app; e-mailed ones are stamped.
        assert of(scene["nv"])[0].emailed_at is None
        assert of(scene["tp"])[0].emailed_at is not None

    def test_a_mail_failure_after_the_commit_keeps_the_event(
        self, scene, django_capture_on_commit_callbacks, monkeypatch
    ):
        def refused(*args, **kwargs):
            raise smtplib.SMTPServerDisconnected("máy chủ thư ngắt kết nối")

        monkeypatch.setattr(services, "send_mail", refused)
        with_email(scene["tp"], "thamdinh@tuphap.gov.vn")
        with django_capture_on_commit_callbacks(execute=True):
            submit(scene)
        assert Assessment.objects.get(pk=scene["a"].pk).status == Status.SUBMITTED
        assert of(scene["tp"])[0].emailed_at is None

    def test_reminders_respect_the_reminder_choice(self, scene, clock):
        from zoneinfo import ZoneInfo

        head = with_email(scene["head"], "chutich@xa.vn")
        office = with_email(scene["office"], "vanphong@xa.vn")
        NotificationPreference.objects.create(user=office, email_enabled=True, email_reminders=False)
        clock.move_to(dt.datetime(2026, 12, 8, 7, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
        run = services.send_reminders()
        assert sorted(to for m in mail.outbox for to in m.to) == ["chutich@xa.vn"]
        assert run.emailed == 1 and of(office, Kind.REMINDER) and of(head, Kind.REMINDER)


class TestPreferencePage:
    URL = reverse("notifications:notification-preferences")

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get(self.URL)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert client.post(self.URL, {"email_enabled": "on"}).status_code == 302
        assert not NotificationPreference.objects.exists()

    def test_defaults_on_then_saved_for_me_only(self, client, scene, django_assert_num_queries):
        me = with_email(scene["office"], "vanphong@xa.vn")
        client.force_login(me)
        # session, user with their grants, my preference, unread badge
        with django_assert_num_queries(4):
            html = client.get(self.URL).content.decode()
        assert "vanphong@xa.vn" in html
        assert 'name="email_enabled" id="id_email_enabled" checked' in html.replace(
            'aria-describedby="id_email_enabled_helptext" ', ""
        )
        response = client.post(self.URL, {"email_reminders": "on"}, follow=True)
        assert "Đã lưu cài đặt nhận thông báo qua thư điện tử." in response.content.decode()
        (saved,) = NotificationPreference.objects.all()
        assert (saved.user, saved.email_enabled, saved.email_reminders) == (me, False, True)

    def test_without_an_address_it_says_so(self, client, scene):
        client.force_login(scene["head"])
        assert "Tài khoản chưa có địa chỉ thư điện tử" in client.get(self.URL).content.decode()

    def test_the_list_links_to_it(self, client, scene):
        client.force_login(scene["head"])
        assert f'href="{self.URL}"' in client.get(reverse("notifications:notification-list")).content.decode()
