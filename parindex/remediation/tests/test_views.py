"""Plan pages: who sees a unit's analysis, plan and report (404), who may draft, edit and move
the plan (403), editing lines and actions with htmx, conflicts and bad input, approval and the
year-end report. The pages on one year and their query counts: test_views_one_year.py."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from parindex.accounts.selectors import principal_for
from parindex.frameworks.tests.factories import published_version
from parindex.remediation import selectors, services
from parindex.remediation.models import Action, Plan, PlanEvent, PlanItem
from parindex.remediation.services import STALE
from parindex.remediation.tests.factories import (
    SEED_001,
    SEED_001_TABLE,
    approved_plan,
    commune_people,
    drafted_plan,
    province_staff,
    published_assessment,
    scene_users,
)
from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri
from tests.shared import shared_fixtures

pytestmark = pytest.mark.django_db


def u(name, *args):
    return reverse(f"remediation:{name}", args=args)


def html_of(response):
    return response.content.decode()


def _three_years(reference_spec):
    """The commune's results of 2023 (plan approved, carried out in 2024), 2024 (plan in draft)
    and 2025 (no plan yet); the other commune is published alongside."""
    version = published_version(reference_spec)
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    staff, people = province_staff(province), commune_people(commune)
    (a2023, _) = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2023)
    (a2024, _) = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2024)
    (a2025, _) = published_assessment(version, province, [commune, other_commune], staff, appraised=SEED_001, year=2025)
    users = scene_users(province, people, staff, other_commune)
    approved = approved_plan(a2023, people, official=people["officer"])
    draft = drafted_plan(a2024, people["office"], official=people["officer"])
    scene = {"a2023": a2023, "a2024": a2024, "a2025": a2025, "approved": approved, "draft": draft, "users": users}
    return {"province": province, "people": people, "scene": scene}


# Built once for the module's tests (tests/shared.py); each test works on its own copy.
SHARED = shared_fixtures(_three_years, "scene", "province", "people")
globals().update(SHARED)


def first_item(plan):
    return plan.items.order_by("position").first()


def first_action(plan):
    return Action.objects.filter(plan=plan).order_by("item__position", "position").first()


def request(client, scene, view):
    draft, approved = scene["draft"], scene["approved"]
    item, action = first_item(draft), first_action(draft)
    calls = {
        "list": lambda: client.get(u("plan-list")),
        "analysis": lambda: client.get(u("analysis", scene["a2025"].pk)),
        "draft": lambda: client.post(u("plan-draft", scene["a2025"].pk)),
        "detail": lambda: client.get(u("plan-detail", draft.pk)),
        "header": lambda: client.post(
            u("plan-header", draft.pk), {"title": "KH khắc phục", "document_number": "12/KH-UBND", "revision": draft.revision}
        ),
        "item": lambda: client.post(u("item-save", draft.pk, item.pk), {"cause": "Chưa quyết liệt", "revision": item.revision}),
        "add": lambda: client.post(
            u("action-add", draft.pk, item.pk), {"description": "Rà soát", "deadline_kind": "year", "expected_points": "0,1"}
        ),
        "update": lambda: client.post(
            u("action-update", draft.pk, action.pk),
            {"description": "Rà soát lại", "deadline_kind": "year", "expected_points": "0,1", "revision": action.revision},
        ),
        "delete": lambda: client.post(u("action-delete", draft.pk, action.pk), {"revision": action.revision}),
        "transition": lambda: client.post(u("plan-transition", draft.pk), {"to": PlanStatus.APPROVED}),
        "report": lambda: client.get(u("plan-report", approved.pk)),
        "report-save": lambda: client.post(
            u("plan-report", approved.pk), {"summary": "Cơ bản hoàn thành", "revision": approved.revision}
        ),
    }  # fmt: skip
    return calls[view]()


SEE = {"head": 200, "office": 200, "officer": 200, "chair": 200, "admin": 200, "viewer": 200}
EDIT = {"head": 302, "office": 302, "officer": 403, "chair": 403, "admin": 403, "viewer": 403}
HEAD = {"head": 302, "office": 403, "officer": 403, "chair": 403, "admin": 403, "viewer": 403}
OUTSIDE = {"other_head": 404, "other_office": 404, "other_officer": 404, "appraiser": 404}
EVERYONE = dict.fromkeys([*SEE, *OUTSIDE], 200)

# view -> persona -> expected status (404: may not see the unit; 403: may see but not do)
MATRIX = {
    "list": EVERYONE,
    "analysis": SEE | OUTSIDE,
    "draft": EDIT | OUTSIDE,
    "detail": SEE | OUTSIDE,
    "header": EDIT | OUTSIDE,
    "item": EDIT | OUTSIDE,
    "add": EDIT | OUTSIDE,
    "update": EDIT | OUTSIDE,
    "delete": EDIT | OUTSIDE,
    "transition": HEAD | OUTSIDE,
    "report": SEE | OUTSIDE,
    "report-save": EDIT | OUTSIDE,
}
CASES = [(view, persona, status) for view, row in MATRIX.items() for persona, status in row.items()]


@pytest.mark.parametrize(("view", "persona", "status"), CASES, ids=[f"{v}-{p}" for v, p, _ in CASES])
def test_access(client, scene, view, persona, status):
    client.force_login(scene["users"][persona])
    assert request(client, scene, view).status_code == status


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, scene, view):
    response = request(client, scene, view)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_a_refused_edit_changes_nothing(client, scene):
    draft = scene["draft"]
    before = (list(PlanItem.objects.values_list("cause", "revision")), Action.objects.count(), draft.status)
    for persona in ("officer", "chair", "other_office", "appraiser"):
        client.force_login(scene["users"][persona])
        for view in ("header", "item", "add", "update", "delete", "transition", "draft"):
            assert request(client, scene, view).status_code in (403, 404)
    draft.refresh_from_db()
    after = (list(PlanItem.objects.values_list("cause", "revision")), Action.objects.count(), draft.status)
    assert before == after and Plan.objects.count() == 2


# -- the list and the analysis -------------------------------------------------------------------


def test_the_list_shows_each_published_result_with_its_plan_state(client, scene):
    client.force_login(scene["users"]["office"])
    html = html_of(client.get(u("plan-list")))
    assert html.count("Phân tích điểm bị mất") == 3
    assert "7,26" in html and "92,74" in html and "1/2" in html  # lost points, index, rank N/M
    assert u("plan-detail", scene["draft"].pk) in html and u("action-board", scene["approved"].pk) in html
    assert html.count(">Lập kế hoạch<") == 1 and u("plan-draft", scene["a2025"].pk) in html
    # An official sees the same rows but may not draft.
    client.force_login(scene["users"]["officer"])
    html = html_of(client.get(u("plan-list")))
    assert u("analysis", scene["a2025"].pk) in html and ">Lập kế hoạch<" not in html


def test_province_staff_get_the_overview_of_each_province_for_the_newest_year(client, scene, province):
    client.force_login(scene["users"]["viewer"])
    html = html_of(client.get(u("plan-list")))
    assert f"{u('province-overview', province.pk)}?nam=2025" in html
    assert "Kết quả đã công bố của đơn vị" not in html
    client.force_login(scene["users"]["appraiser"])
    assert u("province-overview", province.pk) not in html_of(client.get(u("plan-list")))


def test_the_analysis_shows_the_seed_001_rows_with_decimal_commas(client, scene):
    client.force_login(scene["users"]["officer"])
    response = client.get(u("analysis", scene["a2025"].pk))
    html = html_of(response)
    for code in SEED_001_TABLE:
        assert f'id="mat-{code}"' in html
    assert "1,60" in html and "0,34" in html and "0,66" in html and "0,5<" in html  # 1.1.3, 3.13.1, 3.13.3's max
    assert "Tỷ lệ dịch vụ công trực tuyến toàn trình 33,7 %" in html  # the appraiser's comment
    # Last year's loss of each code, and the total shown equals the unit's loss.
    assert "Năm 2024" in html
    fields = response.context["fields"]
    shown = sum(row.lost for block in fields for row in block.rows)
    result = selectors.current_result(scene["a2025"])
    assert shown == response.context["total_lost"] == result.applicable_max - result.total == Decimal("7.26")
    assert sum(block.lost for block in fields) == shown
    assert sum(row.lost for row in response.context["officials"]) == shown
    assert "Chưa phân công" in html
    assert "Lập kế hoạch khắc phục" not in html  # an official may not draft


# -- drafting and editing --------------------------------------------------------------------------


def test_drafting_from_the_analysis_page_makes_lines_that_add_up_to_the_loss(client, scene):
    client.force_login(scene["users"]["office"])
    assessment = scene["a2025"]
    html = html_of(client.get(u("analysis", assessment.pk)))
    assert u("plan-draft", assessment.pk) in html
    response = client.post(u("plan-draft", assessment.pk))
    plan = Plan.objects.get(assessment=assessment)
    assert response["Location"] == u("plan-detail", plan.pk)
    result = selectors.current_result(assessment)
    assert sum(i.lost for i in plan.items.all()) == result.applicable_max - result.total == plan.total_lost
    assert plan.status == PlanStatus.DRAFT and plan.year == 2026
    page = html_of(client.get(u("plan-detail", plan.pk)))
    assert "Đã lập dự thảo kế hoạch khắc phục với 9 tiêu chí" in page
    assert "Tiêu chí chưa có biện pháp: 1.1.3, 1.2" in page
    # A second draft is refused with a message, and the analysis links to the plan.
    response = client.post(u("plan-draft", assessment.pk), follow=True)
    assert "đã có kế hoạch" in html_of(response) and Plan.objects.filter(assessment=assessment).count() == 1


def test_the_plan_page_shows_the_lines_grouped_by_field(client, scene):
    draft = scene["draft"]
    client.force_login(scene["users"]["viewer"])
    html = html_of(client.get(u("plan-detail", draft.pk)))
    assert "I. Công tác chỉ đạo, điều hành CCHC" in html and "VII. " in html
    assert "Khắc phục tiêu chí 3.13.1" in html and "Cả năm 2025" in html and "Nguyễn Văn Tư" in html
    assert "0,66" in html and "7,26" in html
    assert "Lưu nguyên nhân" not in html and "Thêm biện pháp" not in html  # a viewer sees, never edits
    assert "Phê duyệt kế hoạch</button>" not in html
    assert "Lập dự thảo từ kết quả công bố" in html  # the history


def test_an_htmx_cause_save_returns_the_line_and_a_stale_one_saves_nothing(client, scene):
    draft = scene["draft"]
    item = first_item(draft)
    client.force_login(scene["users"]["office"])
    response = client.post(
        u("item-save", draft.pk, item.pk), {"cause": "Chưa theo dõi sát tiến độ", "revision": item.revision}, HTTP_HX_REQUEST="true"
    )  # fmt: skip
    html = html_of(response)
    assert response.status_code == 200 and f'id="line-{item.pk}"' in html and "<tbody" in html
    assert 'id="plan-totals" aria-label="Tổng hợp kế hoạch" hx-swap-oob="true"' in html
    assert "Đã lưu nguyên nhân tiêu chí 1.1.3" in html and 'rowspan="3"' in html and "Lưu nguyên nhân" in html
    assert "<html" not in html and html.count("<tbody") == 1
    item.refresh_from_db()
    assert item.cause == "Chưa theo dõi sát tiến độ" and item.revision == 2
    # Someone else's save started from revision 1: refused, the typed text kept on the form.
    stale = client.post(
        u("item-save", draft.pk, item.pk), {"cause": "Nguyên nhân khác", "revision": 1}, HTTP_HX_REQUEST="true"
    )
    html = html_of(stale)
    assert STALE in html and "Nguyên nhân khác" in html
    item.refresh_from_db()
    assert item.cause == "Chưa theo dõi sát tiến độ" and item.revision == 2


def test_without_htmx_a_save_redirects_and_a_refusal_shows_the_page_with_what_was_typed(client, scene):
    draft = scene["draft"]
    item = first_item(draft)
    client.force_login(scene["users"]["head"])
    response = client.post(u("item-save", draft.pk, item.pk), {"cause": "Lý do mới", "revision": item.revision})
    assert response.status_code == 302 and response["Location"].endswith(f"#line-{item.pk}")
    response = client.post(u("item-save", draft.pk, item.pk), {"cause": "Lý do cũ hơn", "revision": item.revision})
    html = html_of(response)
    assert response.status_code == 400 and STALE in html and "Lý do cũ hơn" in html
    assert f'href="#line-{item.pk}"' in html
    item.refresh_from_db()
    assert item.cause == "Lý do mới"


def test_actions_are_added_edited_and_deleted_with_htmx(client, scene, people):
    draft = scene["draft"]
    item = draft.items.get(code="1.2")  # lost 1,50
    client.force_login(people["office"])
    response = client.post(
        u("action-add", draft.pk, item.pk),
        {"description": "Bổ sung nội dung PAPI vào báo cáo", "office": "Văn phòng - Thống kê", "official": people["officer2"].pk,
         "deadline_kind": DeadlineKind.DATE, "due": "31/03/2025", "expected_points": "0,5"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    html = html_of(response)
    assert "Bổ sung nội dung PAPI vào báo cáo" in html and "Hạn 31/03/2025" in html and "Trần Thị Mai" in html
    added = Action.objects.get(description="Bổ sung nội dung PAPI vào báo cáo")
    assert (added.expected_points, added.due, added.official) == (
        Decimal("0.5"),
        dt.date(2025, 3, 31),
        people["officer2"],
    )
    response = client.post(
        u("action-update", draft.pk, added.pk),
        {"description": "Bổ sung PAPI", "official": "", "deadline_kind": DeadlineKind.QUARTERLY, "expected_points": "1.5",
         "revision": added.revision},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip
    assert "Hàng quý, năm 2025" in html_of(response)
    added.refresh_from_db()
    assert (added.description, added.deadline_kind, added.due, added.expected_points, added.official) == (
        "Bổ sung PAPI", DeadlineKind.QUARTERLY, None, Decimal("1.5"), None
    )  # fmt: skip
    # A delete from an old page (revision 1) is refused; from the current one it goes.
    stale = client.post(u("action-delete", draft.pk, added.pk), {"revision": 1}, HTTP_HX_REQUEST="true")
    assert STALE in html_of(stale) and Action.objects.filter(pk=added.pk).exists()
    response = client.post(u("action-delete", draft.pk, added.pk), {"revision": added.revision}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and not Action.objects.filter(pk=added.pk).exists()
    assert "Bổ sung PAPI" not in html_of(response)


def test_bad_action_input_gives_vietnamese_messages_keeps_what_was_typed_and_saves_nothing(client, scene):
    draft = scene["draft"]
    item = draft.items.get(code="1.1.3")  # lost 0,40; the plan is carried out in 2025
    client.force_login(scene["users"]["office"])
    before = Action.objects.count()
    posted = {"description": "  ", "office": "Bộ phận một cửa", "deadline_kind": DeadlineKind.DATE, "due": "15/03/2026",
              "expected_points": "0,9"}  # fmt: skip
    html = html_of(client.post(u("action-add", draft.pk, item.pk), posted, HTTP_HX_REQUEST="true"))
    assert "Ghi nội dung biện pháp khắc phục." in html
    assert "Hạn hoàn thành phải trong năm 2025" in html
    assert "Điểm dự kiến khắc phục không vượt quá số điểm bị mất của tiêu chí 1.1.3 (0,4)" in html
    assert 'value="15/03/2026"' in html and 'value="0,9"' in html and 'value="Bộ phận một cửa"' in html
    assert "<details open>" in html
    # Malformed numbers and dates are refused by the form, in Vietnamese.
    posted |= {"description": "Rà soát", "due": "31/02/2025", "expected_points": "nửa điểm"}
    response = client.post(u("action-add", draft.pk, item.pk), posted)
    html = html_of(response)
    assert response.status_code == 400
    assert "Số điểm phải là một số, ví dụ 0,5." in html and "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy" in html
    assert 'value="nửa điểm"' in html
    # An edit with a due date outside the year keeps the stored action as it was.
    action = Action.objects.filter(item=item).first()
    response = client.post(
        u("action-update", draft.pk, action.pk),
        {
            "description": "Đổi hạn",
            "deadline_kind": DeadlineKind.DATE,
            "due": "01/01/2024",
            "revision": action.revision,
        },
        HTTP_HX_REQUEST="true",
    )
    assert "Hạn hoàn thành phải trong năm 2025" in html_of(response) and 'value="01/01/2024"' in html_of(response)
    action.refresh_from_db()
    assert action.description == "Khắc phục tiêu chí 1.1.3" and action.deadline_kind == DeadlineKind.YEAR
    assert Action.objects.count() == before


def test_the_header_is_edited_with_its_revision(client, scene):
    draft = scene["draft"]
    client.force_login(scene["users"]["office"])
    data = {"title": "Kế hoạch khắc phục năm 2024", "document_number": "45/KH-UBND", "revision": draft.revision}
    assert client.post(u("plan-header", draft.pk), data).status_code == 302
    draft.refresh_from_db()
    assert (draft.title, draft.document_number) == ("Kế hoạch khắc phục năm 2024", "45/KH-UBND")
    response = client.post(u("plan-header", draft.pk), data | {"title": "Tên cũ"})  # the old revision
    assert response.status_code == 400 and STALE in html_of(response) and 'value="Tên cũ"' in html_of(response)
    response = client.post(u("plan-header", draft.pk), data | {"title": "", "revision": draft.revision})
    assert response.status_code == 400 and "Nhập tên kế hoạch." in html_of(response)
    draft.refresh_from_db()
    assert draft.title == "Kế hoạch khắc phục năm 2024"


# -- approval ----------------------------------------------------------------------------------------


def test_approval_is_refused_while_a_line_has_no_action_and_the_message_lists_the_codes(client, scene):
    draft = scene["draft"]
    Action.objects.filter(plan=draft, item__code__in=["1.2", "7.7"]).delete()
    client.force_login(scene["users"]["head"])
    response = client.post(u("plan-transition", draft.pk), {"to": PlanStatus.APPROVED}, follow=True)
    html = html_of(response)
    assert "Chưa thể phê duyệt kế hoạch:" in html
    assert "Còn 2 tiêu chí chưa có biện pháp khắc phục: 1.2, 7.7." in html
    draft.refresh_from_db()
    assert draft.status == PlanStatus.DRAFT


def test_after_approval_the_forms_are_gone_and_edits_are_refused(client, scene):
    draft = scene["draft"]
    client.force_login(scene["users"]["head"])
    detail = html_of(client.get(u("plan-detail", draft.pk)))
    assert ">Phê duyệt kế hoạch</button>" in detail and "Lưu nguyên nhân" in detail
    response = client.post(u("plan-transition", draft.pk), {"to": PlanStatus.APPROVED})
    assert response["Location"] == u("plan-detail", draft.pk)
    draft.refresh_from_db()
    assert draft.status == PlanStatus.APPROVED and draft.approved_by == scene["users"]["head"]
    html = html_of(client.get(u("plan-detail", draft.pk)))
    for form_text in ("Lưu nguyên nhân", "Thêm biện pháp", "Sửa hoặc xoá", "Sửa tên kế hoạch"):
        assert form_text not in html
    assert ">Trả lại để sửa</button>" in html and ">Phê duyệt kế hoạch</button>" not in html and "Lê Văn Mẫn" in html
    item, action = first_item(draft), first_action(draft)
    client.force_login(scene["users"]["office"])
    refused = client.post(u("item-save", draft.pk, item.pk), {"cause": "Sửa sau phê duyệt", "revision": item.revision}, HTTP_HX_REQUEST="true")  # fmt: skip
    assert "không sửa được nội dung" in html_of(refused)
    assert "Lưu nguyên nhân" not in html_of(refused)  # the line comes back read-only
    refused = client.post(u("action-delete", draft.pk, action.pk), {"revision": action.revision})
    assert refused.status_code == 400 and "không sửa được nội dung" in html_of(refused)
    refused = client.post(
        u("action-add", draft.pk, item.pk), {"description": "Thêm", "deadline_kind": "year"}, HTTP_HX_REQUEST="true"
    )
    assert "không sửa được nội dung" in html_of(refused)
    item.refresh_from_db()
    assert item.cause != "Sửa sau phê duyệt" and Action.objects.filter(pk=action.pk).exists()
    assert Action.objects.filter(description="Thêm").count() == 0


def test_a_transition_not_in_the_table_is_refused_with_a_message(client, scene):
    client.force_login(scene["users"]["head"])
    response = client.post(u("plan-transition", scene["draft"].pk), {"to": PlanStatus.REPORTED}, follow=True)
    assert "Không thể chuyển kế hoạch" in html_of(response)
    response = client.post(u("plan-transition", scene["draft"].pk), {"to": "xoa"}, follow=True)
    assert "Thao tác không hợp lệ" in html_of(response)
    assert PlanEvent.objects.filter(plan=scene["draft"]).count() == 1


# -- the report ----------------------------------------------------------------------------------------


def test_the_report_flow_from_approval_to_reported(client, scene, people):
    plan = scene["approved"]  # carried out in 2024, nine actions owned by the officer
    client.force_login(people["office"])
    html = html_of(client.get(u("plan-report", plan.pk)))
    assert "hoàn thành đúng hạn 0/9 biện pháp" in html.lower() and "Lưu đánh giá chung" in html
    progress = u("action-progress", plan.pk, first_action(plan).pk)
    assert f'action="{progress}"' in html and f'href="{progress}?next=' in html
    assert 'name="completed_on"' in html and 'name="result"' in html and 'enctype="multipart/form-data"' in html
    response = client.post(u("plan-report", plan.pk), {"summary": "Cơ bản hoàn thành", "revision": plan.revision})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.report_summary == "Cơ bản hoàn thành"
    stale = client.post(u("plan-report", plan.pk), {"summary": "Bản cũ", "revision": plan.revision - 1})
    assert stale.status_code == 400 and STALE in html_of(stale) and "Bản cũ" in html_of(stale)
    # The head may not send it while an action has no result.
    client.force_login(people["head"])
    response = client.post(u("plan-transition", plan.pk), {"to": PlanStatus.REPORTED}, follow=True)
    assert "Còn 9 biện pháp chưa ghi kết quả thực hiện" in html_of(response)
    assert response.redirect_chain[-1][0] == u("plan-report", plan.pk)
    # The report's form posts to the progress page, which comes back here.
    action = first_action(plan)
    client.force_login(people["office"])
    response = client.post(
        u("action-progress", plan.pk, action.pk),
        {"status": ActionStatus.DONE, "completed_on": "15/12/2024", "result": "Đã bổ sung", "text": "",
         "revision": action.revision, "next": u("plan-report", plan.pk)},
    )  # fmt: skip
    assert response.status_code == 302 and response["Location"] == u("plan-report", plan.pk)
    action.refresh_from_db()
    assert (action.status, action.completed_on, action.result) == (
        ActionStatus.DONE,
        dt.date(2024, 12, 15),
        "Đã bổ sung",
    )
    assert "Hoàn thành đúng hạn 1/9 biện pháp" in html_of(client.get(u("plan-report", plan.pk)))
    client.force_login(people["head"])
    for i, other in enumerate(Action.objects.filter(plan=plan).exclude(pk=action.pk), start=1):
        services.action_progress(
            action=other, status=ActionStatus.DONE, completed_on=dt.date(2024, 12, 20) if i % 3 else dt.date(2025, 2, 1),
            result="Đã thực hiện", base_revision=other.revision, actor=people["officer"], principal=principal_for(people["officer"]),
        )  # fmt: skip
    html = html_of(client.get(u("plan-report", plan.pk)))
    assert "Hoàn thành đúng hạn 7/9 biện pháp" in html and "77,78%" in html and "Trễ hạn" in html
    assert "Gửi báo cáo kết quả khắc phục" in html
    client.post(u("plan-transition", plan.pk), {"to": PlanStatus.REPORTED})
    plan.refresh_from_db()
    assert plan.status == PlanStatus.REPORTED and plan.reported_by == people["head"]
    # Sent: the report reads only; the head may reopen it.
    client.force_login(people["office"])
    html = html_of(client.get(u("plan-report", plan.pk)))
    assert "Lưu đánh giá chung" not in html and "Ghi kết quả, tiến độ" not in html and "Cơ bản hoàn thành" in html
    refused = client.post(u("plan-report", plan.pk), {"summary": "Sửa", "revision": plan.revision})
    assert refused.status_code == 400 and "Chỉ ghi báo cáo khi" in html_of(refused)
    client.force_login(people["head"])
    assert "Mở lại báo cáo để sửa" in html_of(client.get(u("plan-report", plan.pk)))


def test_an_official_records_progress_only_on_their_own_actions(client, scene, people):
    plan = scene["approved"]
    action = first_action(plan)
    Action.objects.filter(pk=action.pk).update(official=people["officer2"])
    client.force_login(people["officer"])
    html = html_of(client.get(u("plan-report", plan.pk)))
    assert html.count("Ghi kết quả, tiến độ") == 8
    assert f'action="{u("action-progress", plan.pk, action.pk)}"' not in html
    assert "Lưu đánh giá chung" not in html


def test_a_draft_plan_has_no_report_yet(client, scene):
    client.force_login(scene["users"]["office"])
    html = html_of(client.get(u("plan-report", scene["draft"].pk)))
    assert "Kế hoạch chưa được phê duyệt" in html and "Lưu đánh giá chung" not in html
