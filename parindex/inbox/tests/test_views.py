"""The "Việc cần làm" page: each role's tasks and their one link, nobody else's units, the
landing page, the menu's count, and a fixed number of queries per role."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import engines
from django.test import RequestFactory
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services as appraisal_services
from parindex.appraisals.models import ClarificationItem, Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.models import Answer, Assessment, Assignment
from parindex.assessments.tests.factories import answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.inbox.context_processors import SESSION_KEY
from parindex.inbox.selectors import ITEM_LINES, row_url
from parindex.results.models import Approval, ApprovalEntry
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

INBOX = reverse("inbox:inbox")
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def tasks(client) -> list[tuple[str, str, str]]:
    """(link text, link, the line's text) of each task, in the page's order."""
    html = client.get(INBOX).content.decode()
    out = []
    for line in re.findall(r'<li class="task task-[a-z]+" id="viec-\d+">(.*?)</li>', html, re.S):
        link = re.search(r'<a class="task-link" href="([^"]+)">(.*?)</a>', line, re.S)
        text = lambda s: " ".join(unescape(re.sub(r"<[^>]+>", " ", s)).split())  # noqa: E731
        out.append((text(link.group(2)), unescape(link.group(1)), text(line)))
    return out


@pytest.fixture
def version(reference_spec):
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    framework_version_spec(version)  # cached: the pins below leave parsing out
    return version


@pytest.fixture
def far_province(db):
    return AdministrativeUnit.objects.create(era="current", code="46", name="Thành phố Huế", kind="tinh", level=1)


@pytest.fixture
def scene(province, commune, other_commune, version):
    cycle = open_cycle(province, version, commune, other_commune)
    people = {
        "head": user_with_role("chutich", Role.COMMUNE_HEAD, commune),
        "office": user_with_role("vanphong", Role.COMMUNE_OFFICE, commune),
        "officer": user_with_role("congchuc", Role.COMMUNE_OFFICER, commune),
        "officer2": user_with_role("congchuc2", Role.COMMUNE_OFFICER, commune),
        "head_b": user_with_role("chutich.xakhac", Role.COMMUNE_HEAD, other_commune),
        "office_b": user_with_role("congchuc.xakhac", Role.COMMUNE_OFFICE, other_commune),
        "officer_b": user_with_role("congchuc.b", Role.COMMUNE_OFFICER, other_commune),
        "chair": user_with_role("hoidong", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("sonoivu", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "viewer": user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "tp": appraiser("thamdinh", province),
        "nv": appraiser("thamdinh.nv", province),
    }
    return {
        "cycle": cycle,
        "a": cycle.assessments.get(unit=commune),
        "b": cycle.assessments.get(unit=other_commune),
        **people,
    }


def criterion(assessment, code):
    return Criterion.objects.get(version_id=assessment.cycle.framework_version_id, code=code)


def give(assessment, code, official):
    Assignment.objects.create(assessment=assessment, criterion=criterion(assessment, code), official=official)


def answer(assessment, *codes):
    from parindex.assessments.tests.factories import SAMPLE_INPUTS

    for code in codes:
        c = criterion(assessment, code)
        assessment_services.answer_save(
            assessment=assessment, criterion=c, inputs=SAMPLE_INPUTS[c.rule_kind], explanation="Theo báo cáo",
            base_revision=None, actor=None,
        )  # fmt: skip


def submitted(assessment):
    answers_bulk(assessment)
    Assessment.objects.filter(pk=assessment.pk).update(status=Status.SUBMITTED)
    assessment.refresh_from_db()
    return assessment


def assign_fields(scene, who, codes):
    admin = scene["admin"]
    cycle = scene["cycle"]
    appraisal_services.appraiser_assignments_set(
        cycle=cycle, appraiser=scene[who], sector=Sector.NOI_VU, actor=admin, principal=principal_for(admin),
        criteria=list(Criterion.objects.filter(version=cycle.framework_version, code__in=codes)),
    )  # fmt: skip


def ask(scene):
    """Đông Hà submitted; 1.1.3 and 1.6 flagged by the chair and sent for clarification by 20/12."""
    b = submitted(scene["b"])
    chair = scene["chair"]
    for code in ("1.1.3", "1.6"):
        appraisal_services.appraisal_save(
            assessment=b, criterion=criterion(b, code), round=1, inputs={"value": "0.6"} if code == "1.1.3" else {"count": "0"},
            needs_clarification=True, comment=f"Bổ sung tài liệu tiêu chí {code}.", base_revision=None, actor=chair,
            principal=principal_for(chair),
        )  # fmt: skip
        b.refresh_from_db()
    return appraisal_services.clarification_request_send(
        assessment=b, deadline=dt.date(2026, 12, 20), actor=chair, principal=principal_for(chair)
    )


class TestAccess:
    def test_anonymous_is_sent_to_login_and_home_shows_the_results(self, client):
        response = client.get(INBOX)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
        assert client.get(reverse("home")).url == reverse("results:publication-list")

    def test_signed_in_people_land_on_their_tasks(self, client, scene):
        for who in ("officer", "head", "tp", "chair", "admin", "viewer"):
            client.force_login(scene[who])
            assert client.get(reverse("home")).url == INBOX
            assert client.get(INBOX).status_code == 200
        assert client.post(INBOX).status_code == 405

    def test_another_communes_tasks_are_never_shown(self, client, scene):
        ask(scene)
        give(scene["b"], "I", scene["officer_b"])
        for who in ("head", "office", "officer"):
            client.force_login(scene[who])
            html = client.get(INBOX).content.decode()
            assert "Phường Đông Hà" not in html and f"/danh-gia/{scene['b'].pk}/" not in html, who
        client.force_login(scene["office_b"])
        html = client.get(INBOX).content.decode()
        assert "Xã Nam Cửa Việt" not in html and f"/danh-gia/{scene['a'].pk}/" not in html

    def test_another_provinces_appraiser_sees_nothing_of_ours(self, client, scene, far_province):
        submitted(scene["a"])
        far = appraiser("hue.thamdinh", far_province)
        client.force_login(far)
        assert tasks(client) == []


class TestCommune:
    def test_an_officer_gets_each_item_given_to_them_not_yet_entered(self, client, scene):
        a = scene["a"]
        give(a, "II", scene["officer"])
        give(a, "III", scene["officer2"])
        give(a, "2.1", scene["officer2"])  # taken out of the officer's field
        answer(a, "2.2", "2.3")
        client.force_login(scene["officer"])
        lines = tasks(client)
        spec = framework_version_spec(a.cycle.framework_version)
        field_ii = [
            leaf.code for leaf in spec.leaves if leaf.code.startswith("2.") and leaf.code not in ("2.1", "2.2", "2.3")
        ]
        first = field_ii[0]
        assert lines[0][0] == f"Nhập số liệu: tiêu chí {first} {spec.node(first).name}"
        assert (
            lines[0][1] == row_url(a.pk, first, "II") == f"/danh-gia/{a.pk}/?linh-vuc=II&tieu-chi={first}#leaf-{first}"
        )
        assert "Xã Nam Cửa Việt" in lines[0][2] and "Hạn 15/12/2026 · còn 25 ngày" in lines[0][2]
        shown = [t for t, *_ in lines]
        assert not any(" 2.1 " in t or " 2.2 " in t or " 3." in t for t in shown)
        if len(field_ii) > ITEM_LINES:
            assert shown[ITEM_LINES].startswith(f"Nhập số liệu: {len(field_ii) - ITEM_LINES} tiêu chí khác được giao")
            assert len(shown) == ITEM_LINES + 1
        else:
            assert len(shown) == len(field_ii)

    def test_the_office_and_head_see_the_draft_with_entered_and_days_left(self, client, scene):
        a = scene["a"]
        answer(a, "1.1.1", "1.1.2")
        spec = framework_version_spec(a.cycle.framework_version)
        total = len(spec.leaves)
        for who in ("office", "head"):
            client.force_login(scene[who])
            ((text, url, line),) = tasks(client)
            assert text == f"Hoàn thành tự đánh giá: đã nhập 2/{total} tiêu chí"
            assert url == row_url(a.pk, "1.1.3", "I")
            assert "Hạn 15/12/2026 · còn 25 ngày" in line and "Còn " in line

    def test_complete_the_head_submits_the_office_asks_the_head(self, client, scene):
        answers_bulk(scene["a"])
        client.force_login(scene["head"])
        ((text, url, _),) = tasks(client)
        assert text.startswith("Gửi hồ sơ thẩm định: đã nhập ") and url.endswith("#gui-ho-so")
        client.force_login(scene["office"])
        assert tasks(client)[0][0].startswith("Kiểm tra hồ sơ, trình lãnh đạo gửi thẩm định:")

    def test_past_the_deadline_it_says_how_late(self, client, scene, clock):
        clock.move_to(dt.datetime(2026, 12, 18, 9, tzinfo=VN))
        client.force_login(scene["head"])
        ((_, _, line),) = tasks(client)
        assert "Hạn 15/12/2026 · quá hạn 3 ngày" in line and "đề nghị Sở Nội vụ gia hạn" in line

    def test_a_clarification_request_with_its_items(self, client, scene):
        request = ask(scene)
        b = scene["b"]
        give(b, "I", scene["officer_b"])
        for who in ("office_b", "head_b"):
            client.force_login(scene[who])
            ((text, url, line),) = tasks(client)
            assert text == "Trả lời yêu cầu giải trình lần 1: 2/2 tiêu chí chưa giải trình (1.1.3, 1.6)"
            assert url == row_url(b.pk, "1.1.3", "I") and "Phường Đông Hà" in line
            assert "Hạn 20/12/2026 · còn 30 ngày" in line and "1.6 Sáng kiến" in line
        client.force_login(scene["officer_b"])
        assert [(t, u) for t, u, _ in tasks(client)] == [
            (f"Giải trình: tiêu chí 1.1.3 {criterion(b, '1.1.3').name}", row_url(b.pk, "1.1.3", "I")),
            (f"Giải trình: tiêu chí 1.6 {criterion(b, '1.6').name}", row_url(b.pk, "1.6", "I")),
        ]
        head = scene["head_b"]
        for item in ClarificationItem.objects.filter(request=request):
            appraisal_services.clarification_answer_save(
                item=item, answer="Đã bổ sung.", base_revision=item.revision, actor=head, principal=principal_for(head)
            )
        client.force_login(head)
        ((text, url, _),) = tasks(client)
        assert text == "Gửi giải trình lần 1: đã giải trình đủ 2 tiêu chí (1.1.3, 1.6)"
        client.force_login(scene["officer_b"])
        assert tasks(client) == []

    def test_overdue_actions_and_the_plan_to_approve(self, client, version, province, commune, scene):
        from parindex.remediation.models import Action
        from parindex.remediation.tests.factories import SEED_001, drafted_plan, published_assessment

        staff = {"chair": scene["chair"], "admin": scene["admin"]}
        (last_year,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
        plan = drafted_plan(last_year, scene["office"], official=scene["officer"], due=dt.date(2026, 11, 1))
        client.force_login(scene["head"])
        assert (
            "Phê duyệt kế hoạch khắc phục: Chỉ số CCHC năm 2025 (dự thảo)",
            reverse("remediation:plan-detail", args=[plan.pk]),
        ) in [(t, u) for t, u, _ in tasks(client)]
        from parindex.remediation import services as remediation_services

        head = scene["head"]
        remediation_services.plan_transition(plan=plan, to="approved", actor=head, principal=principal_for(head))
        first = Action.objects.filter(plan=plan).order_by("item__position", "position").first()
        Action.objects.filter(pk=first.pk).update(official=None)
        client.force_login(scene["officer"])
        lines = [t for t in tasks(client) if t[0].startswith("Cập nhật biện pháp quá hạn:")]
        assert len(lines) == Action.objects.filter(plan=plan).count() - 1
        assert "quá hạn 19 ngày" in lines[0][2] and lines[0][1].startswith(
            reverse("remediation:action-board", args=[plan.pk])
        )
        client.force_login(scene["office"])
        (mine,) = [t for t in tasks(client) if t[0].startswith("Cập nhật biện pháp quá hạn:")]
        assert mine[0].endswith("(giao Văn phòng - Thống kê)") and mine[1].endswith(f"#bien-phap-{first.pk}")


class TestProvince:
    def test_an_appraiser_gets_the_units_waiting_in_their_fields(self, client, scene):
        assign_fields(scene, "tp", ["II", "IV", "VII"])
        assign_fields(scene, "nv", ["I", "III", "V", "VI"])
        a = submitted(scene["a"])
        client.force_login(scene["tp"])
        ((text, url, line),) = tasks(client)
        spec = framework_version_spec(a.cycle.framework_version)
        mine = [leaf.code for leaf in spec.leaves if leaf.code.split(".")[0] in ("2", "4", "7")]
        assert text == f"Thẩm định: Xã Nam Cửa Việt, còn {len(mine)}/{len(mine)} tiêu chí được giao chưa có điểm"
        assert url == f"/tham-dinh/{a.pk}/?linh-vuc=II#item-{mine[0]}"
        assert "Xã Nam Cửa Việt" in line and "Hạn 15/01/2027 · còn 56 ngày" in line

    def test_answered_clarifications_to_appraise_again(self, client, scene):
        assign_fields(scene, "nv", ["I", "III", "V", "VI"])
        request = ask(scene)
        head = scene["head_b"]
        for item in ClarificationItem.objects.filter(request=request):
            appraisal_services.clarification_answer_save(
                item=item, answer="Đã bổ sung.", base_revision=item.revision, actor=head, principal=principal_for(head)
            )
        b = Assessment.objects.get(pk=scene["b"].pk)
        appraisal_services.clarification_answers_send(assessment=b, actor=head, principal=principal_for(head))
        client.force_login(scene["nv"])
        lines = {t: u for t, u, _ in tasks(client)}
        assert (
            lines["Thẩm định lại sau giải trình: Phường Đông Hà, 2 tiêu chí (1.1.3, 1.6)"]
            == f"/tham-dinh/{b.pk}/?linh-vuc=I#item-1.1.3"
        )
        client.force_login(scene["chair"])
        assert "Thẩm định lại sau giải trình: Phường Đông Hà, 2 tiêu chí (1.1.3, 1.6)" in {t for t, *_ in tasks(client)}

    def test_the_council_approves_and_follows_the_publication(self, client, scene):
        for x in (scene["a"], scene["b"]):
            answers_bulk(x)
        Assessment.objects.filter(pk__in=[scene["a"].pk, scene["b"].pk]).update(status=Status.APPRAISED)
        client.force_login(scene["chair"])
        ((text, url, line),) = tasks(client)
        assert text == "Thông qua kết quả: 2 đơn vị đã thẩm định xong"
        assert (
            url == reverse("results:cycle-board", args=[scene["cycle"].pk])
            and "Phường Đông Hà, Xã Nam Cửa Việt" in line
        )
        approval = Approval.objects.create(cycle=scene["cycle"], name="Khối xã, phường")
        ApprovalEntry.objects.create(approval=approval, assessment=scene["a"])
        Assessment.objects.filter(pk=scene["a"].pk).update(status=Status.APPROVED)
        board = reverse("results:cycle-board", args=[scene["cycle"].pk])
        assert (
            "Trình công bố kết quả: nhóm Khối xã, phường (Hội đồng đã thông qua)",
            f"{board}#nhom-{approval.pk}",
        ) in [(t, u) for t, u, _ in tasks(client)]
        client.force_login(scene["admin"])
        assert "Công bố kết quả: nhóm Khối xã, phường (Hội đồng đã thông qua)" in [t for t, *_ in tasks(client)]

    def test_the_admin_late_units_and_cycles_without_appraisers(self, client, scene, clock, province):
        submitted(scene["b"])
        clock.move_to(dt.datetime(2026, 12, 17, 9, tzinfo=VN))
        client.force_login(scene["admin"])
        lines = {t: (u, line) for t, u, line in tasks(client)}
        late = lines["Xử lý đơn vị quá hạn tự đánh giá: 1 đơn vị chưa gửi hồ sơ, chưa được gia hạn"]
        assert late[0] == reverse("dashboards:province", args=[province.pk]) and "Xã Nam Cửa Việt" in late[1]
        assert "quá hạn 2 ngày" in late[1]
        assign = lines["Phân công thẩm định: 1 hồ sơ đã gửi, chưa phân công tổ thẩm định"]
        assert assign[0] == reverse("appraisals:appraiser-assignment", args=[scene["cycle"].pk])

    def test_a_framework_draft_to_publish(self, client, scene, province, version):
        from parindex.frameworks.models import Framework, FrameworkVersion

        Framework.objects.filter(pk=version.framework_id).update(owner=province)
        draft = FrameworkVersion.objects.get(pk=version.pk)
        draft.pk, draft.number, draft.status = None, 2, "draft"
        draft.save()
        code = version.framework.code
        client.force_login(scene["admin"])
        assert (f"Ban hành bộ chỉ số: {code} phiên bản 2 (bản nháp)", f"/bo-chi-so/{code}/phien-ban/2/") in [
            (t, u) for t, u, _ in tasks(client)
        ]
        client.force_login(scene["chair"])
        assert not [t for t in tasks(client) if "bộ chỉ số" in t[0]]


class TestPage:
    def test_dashboards_and_notifications_are_linked(self, client, scene, province, commune):
        client.force_login(scene["office"])
        html = client.get(INBOX).content.decode()
        assert f'href="{reverse("dashboards:commune", args=[commune.pk])}">Bảng điều khiển Xã Nam Cửa Việt</a>' in html
        assert f'href="{reverse("notifications:notification-list")}">Thông báo' in html
        client.force_login(scene["chair"])
        html = client.get(INBOX).content.decode()
        assert f'href="{reverse("dashboards:province", args=[province.pk])}">Tổng quan Tỉnh Quảng Trị</a>' in html

    def test_nothing_to_do(self, client, scene):
        client.force_login(scene["viewer"])
        html = client.get(INBOX).content.decode()
        assert "Không có việc nào cần làm" in html and 'class="tasks"' not in html

    def test_the_menu_count_is_the_last_visits_and_costs_nothing(self, client, scene, django_assert_num_queries):
        request = RequestFactory().get("/")
        request.user = AnonymousUser()
        request.session = {}
        engine = engines["django"]
        with django_assert_num_queries(0):
            assert engine.from_string("{{ nav_inbox_count|default:'-' }}").render({}, request) == "-"
        client.force_login(scene["head"])
        client.get(INBOX)
        assert client.session[SESSION_KEY] == 1
        request.user = scene["head"]
        request.session = client.session
        request.session.get("_auth_user_id")  # loaded, as the authentication middleware does
        with django_assert_num_queries(0):
            assert (
                engine.from_string("{% if nav_inbox_count %}{{ nav_inbox_count }}{% endif %}").render({}, request)
                == "1"
            )


# -- queries: the same number for 3 and 12 units ---------------------------------------------

# Every page: session, user with their grants, the unread badge;
# then the page's own reads; the visit saves the count in the session (savepoint, update, release).
PAGE = 3
SESSION_SAVE = 3
QUERIES = {
    # the open assessments, extensions, answers, assignments (whose items), overdue actions, the
    # dashboards (no clarification open: no clarification items read)
    "officer": 6,
    # the open assessments, extensions, answers, overdue actions, draft plans, the dashboards
    "office": 6,
    "head": 6,
    # review requests, cycles, assessments, the appraiser's assignments, item appraisals, clarification
    # items, dashboards
    "appraiser": 7,
    # review requests, cycles, assessments, item appraisals, clarification items, approvals to publish,
    # dashboards
    "chair": 7,
    # framework drafts, the background jobs that failed, review requests, cycles, assessments, approvals
    # to publish, extensions, appraiser assignments, dashboards
    "admin": 9,
}


def _bulk_scene(n, province, version, tag):
    units = [
        AdministrativeUnit.objects.create(
            era="current", code=f"{tag}{n}{i:03d}", name=f"Xã Số {i:02d}", kind="xa", level=3, parent=province,
            province=province,
        )
        for i in range(n)
    ]  # fmt: skip
    cycle = open_cycle(province, version, *units)
    assessments = list(cycle.assessments.select_related("unit").order_by("unit__name"))
    home = assessments[0]
    people = {
        "officer": user_with_role(f"{tag}cc", Role.COMMUNE_OFFICER, home.unit),
        "office": user_with_role(f"{tag}vp", Role.COMMUNE_OFFICE, home.unit),
        "head": user_with_role(f"{tag}ct", Role.COMMUNE_HEAD, home.unit),
        "appraiser": appraiser(f"{tag}td", province),
        "chair": user_with_role(f"{tag}hd", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role(f"{tag}nv", Role.PROVINCE_ADMIN, province, include_descendants=True),
    }
    give(home, "II", people["officer"])
    Answer.objects.bulk_create(
        [
            Answer(assessment=home, criterion=c, inputs={"value": "0.9"} if c.rule_kind == "proportional" else {})
            for c in Criterion.objects.filter(version=version, code__startswith="2.").exclude(rule_kind="")[:3]
        ]
    )
    # The others submitted, every third appraised, the rest waiting for the appraiser's fields.
    for i, a in enumerate(assessments[1:], start=1):
        answers_bulk(a)
        Assessment.objects.filter(pk=a.pk).update(status=Status.APPRAISED if i % 3 == 0 else Status.SUBMITTED)
    admin = people["admin"]
    appraisal_services.appraiser_assignments_set(
        cycle=cycle, appraiser=people["appraiser"], sector=Sector.TU_PHAP, actor=admin, principal=principal_for(admin),
        criteria=list(Criterion.objects.filter(version=version, code__in=["II", "IV"])),
    )  # fmt: skip
    return people


@pytest.mark.parametrize("who", list(QUERIES))
@pytest.mark.parametrize("n", [3, 12])
def test_each_roles_inbox_costs_the_same_queries_for_3_and_12_units(
    client, province, version, who, n, django_assert_num_queries
):
    people = _bulk_scene(n, province, version, tag=f"q{n}")
    client.force_login(people[who])
    with django_assert_num_queries(PAGE + QUERIES[who] + SESSION_SAVE):
        response = client.get(INBOX)
    assert response.status_code == 200
    assert len(response.context["inbox"].tasks) >= 1
