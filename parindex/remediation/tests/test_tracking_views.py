"""Following plans through the year: who sees and does what on the action board, progress
notes with evidence (htmx and without), overdue flags crossing with the clock, the board's
filters and the points at stake in the open cycle. Progress before approval, overdue flags as the
clock passes and the province's overview: test_tracking_overview.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.inputs import clean_inputs, to_stored
from parindex.assessments.models import Answer
from parindex.assessments.tests.factories import PDF, answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks.models import Criterion
from parindex.frameworks.selectors import framework_version_spec
from parindex.frameworks.tests.factories import published_version
from parindex.remediation import services
from parindex.remediation.models import Action, ActionNote, Plan
from parindex.remediation.tests.factories import (
    SEED_001,
    approved_plan,
    bulk_actions,
    commune_people,
    drafted_plan,
    province_staff,
    published_assessment,
)
from parindex.remediation.workflow import ActionStatus
from parindex.units.tests.factories import dong_ha, nam_cua_viet, quang_tri
from tests.shared import FIXED_NOW, shared_fixtures

pytestmark = pytest.mark.django_db
HCM = ZoneInfo("Asia/Ho_Chi_Minh")
HTMX = {"HX-Request": "true"}
NOW = FIXED_NOW  # the suite's clock


def u(name, *args):
    return reverse(f"remediation:{name}", args=args)


def as_(user):
    return {"actor": user, "principal": principal_for(user)}


def _scene(reference_spec):
    """The commune's 2025 result and approved plan (the officer owns every action, due
    15/12/2026), one progress note with a PDF, the open 2026 self-assessment, and people of
    every kind."""
    version = published_version(reference_spec)
    province = quang_tri()
    commune, other_commune = nam_cua_viet(province), dong_ha(province)
    staff, people = province_staff(province), commune_people(commune)
    (published,) = published_assessment(version, province, [commune], staff, appraised=SEED_001, year=2025)
    plan = approved_plan(published, people, official=people["officer"], due=dt.date(2026, 12, 15))
    action = Action.objects.filter(plan=plan).order_by("item__position", "pk").first()
    note = services.action_progress(
        action=action, text="Đã ban hành kế hoạch", upload=io.BytesIO(PDF), filename="ke-hoach.pdf",
        base_revision=1, **as_(people["officer"]),
    )  # fmt: skip
    (open_assessment,) = open_cycle(province, version, commune, year=2026).assessments.all()
    answers_bulk(open_assessment)
    users = {
        **people,
        "outsider": commune_people(other_commune, prefix="b.")["head"],
        "chair": staff["chair"],
        "admin": staff["admin"],
        "viewer": user_with_role("xem", Role.VIEWER, province, include_descendants=True),
        "appraiser": user_with_role("thamdinh", Role.APPRAISER, province, include_descendants=True),
    }
    scene = {"plan": plan, "action": action, "note": note, "open": open_assessment, "users": users}
    return {
        "version": version, "province": province, "other_commune": other_commune, "staff": staff,
        "published": published, "scene": scene,
    }  # fmt: skip


# Built once for the module's tests, with the note's file (tests/shared.py); each test works on
# its own copy. The tests that arrange plans of their own are in test_tracking_overview.py.
globals().update(
    shared_fixtures(_scene, "scene", "version", "province", "other_commune", "staff", "published", media=True)
)


def call(client, scene, view, province):
    plan, action = scene["plan"], scene["action"]
    calls = {
        "board": lambda: client.get(u("action-board", plan.pk)),
        "progress": lambda: client.get(u("action-progress", plan.pk, action.pk)),
        "progress-save": lambda: client.post(
            u("action-progress", plan.pk, action.pk),
            {"text": "Đã họp triển khai", "status": ActionStatus.IN_PROGRESS, "revision": action.revision},
        ),
        "note-file": lambda: client.get(u("note-file", scene["note"].pk)),
        "province": lambda: client.get(u("province-overview", province.pk)),
        "at-stake": lambda: client.get(u("at-stake", scene["open"].pk)),
    }
    return calls[view]()


COMMUNE_SEES = {"head": 200, "office": 200, "officer": 200, "officer2": 200, "outsider": 404}
PROVINCE_SEES = {"chair": 200, "admin": 200, "viewer": 200, "appraiser": 404}
# view -> persona -> expected status (404: may not see; 403: may see but not do)
MATRIX = {
    "board": {**COMMUNE_SEES, **PROVINCE_SEES},
    "progress": {**COMMUNE_SEES, **PROVINCE_SEES},
    # The action is the officer's: another officer and the province may look, not record.
    "progress-save": {
        "head": 302, "office": 302, "officer": 302, "officer2": 403, "outsider": 404,
        "chair": 403, "admin": 403, "viewer": 403, "appraiser": 404,
    },
    "note-file": {**COMMUNE_SEES, **PROVINCE_SEES},
    # The province's overview is the results-board roles' only; commune people never see it.
    "province": {"head": 404, "office": 404, "officer": 404, "outsider": 404, **PROVINCE_SEES},
    "at-stake": {**COMMUNE_SEES, **PROVINCE_SEES},
}  # fmt: skip
CASES = [(view, persona, status) for view, row in MATRIX.items() for persona, status in row.items()]


@pytest.mark.parametrize(("view", "persona", "status"), CASES, ids=[f"{v}-{p}" for v, p, _ in CASES])
def test_access(client, scene, province, view, persona, status):
    client.force_login(scene["users"][persona])
    response = call(client, scene, view, province)
    assert response.status_code == status
    if view == "note-file" and status == 200:
        assert b"".join(response.streaming_content) == PDF


@pytest.mark.parametrize("view", list(MATRIX))
def test_anonymous_users_are_sent_to_login(client, scene, province, view):
    response = call(client, scene, view, province)
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]


def test_an_action_of_another_plan_is_not_found(client, version, province, other_commune, staff, scene):
    (theirs,) = published_assessment(version, province, [other_commune], staff, appraised=SEED_001, year=2024)
    their_plan = drafted_plan(theirs, scene["users"]["outsider"])
    their_action = Action.objects.filter(plan=their_plan).first()
    client.force_login(scene["users"]["office"])
    assert client.get(u("action-progress", scene["plan"].pk, their_action.pk)).status_code == 404
    assert client.get(u("action-progress", their_plan.pk, their_action.pk)).status_code == 404
    assert client.post(u("action-progress", scene["plan"].pk, their_action.pk), {"revision": 1}).status_code == 404
    assert client.get(u("action-board", 999999)).status_code == 404


# -- recording progress --------------------------------------------------------------------------


def _second_action(scene):
    return Action.objects.filter(plan=scene["plan"]).exclude(pk=scene["action"].pk).order_by("item__position").first()


def test_an_htmx_progress_note_with_a_pdf_returns_the_row_and_the_counters(client, scene):
    action = _second_action(scene)
    client.force_login(scene["users"]["officer"])
    response = client.post(
        u("action-progress", scene["plan"].pk, action.pk),
        {
            "text": "Đã tuyên truyền trên loa truyền thanh",
            "status": ActionStatus.IN_PROGRESS,
            "result": "",
            "revision": action.revision,
            "file": SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/pdf"),
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith(f'<tr id="bien-phap-{action.pk}"') and "Đã lưu tiến độ." in html
    assert 'id="tong-hop"' in html and 'hx-swap-oob="true"' in html
    note = ActionNote.objects.get(action=action)
    assert (note.from_status, note.to_status, note.on) == ("not_started", "in_progress", NOW.date())
    assert note.sha256 == hashlib.sha256(PDF).hexdigest() and note.size == len(PDF)
    assert note.content_type == "application/pdf" and note.original_name == "bien-ban.pdf"
    assert "bien-ban" not in note.file.name
    action.refresh_from_db()
    assert action.status == ActionStatus.IN_PROGRESS and action.revision == 2
    # The history panel links the file through the access-checked view, never the storage URL.
    panel = client.get(u("action-progress", scene["plan"].pk, action.pk), headers=HTMX).content.decode()
    assert u("note-file", note.pk) in panel and note.file.name not in panel and "/media/" not in panel
    served = client.get(u("note-file", note.pk))
    assert served["Content-Disposition"].startswith("inline") and "bien-ban.pdf" in served["Content-Disposition"]
    assert served["Cache-Control"] == "private, no-store" and served["X-Content-Type-Options"] == "nosniff"
    assert b"".join(served.streaming_content) == PDF


def test_a_fake_pdf_is_refused_and_nothing_typed_or_stored_is_lost(client, scene):
    action = _second_action(scene)
    client.force_login(scene["users"]["office"])
    response = client.post(
        u("action-progress", scene["plan"].pk, action.pk),
        {
            "text": "Biên bản kiểm tra",
            "status": ActionStatus.DONE,
            "completed_on": "18/11/2026",
            "result": "Đã hoàn thành kiểm tra",
            "revision": action.revision,
            "file": SimpleUploadedFile("bien-ban.pdf", b"not a pdf at all", content_type="application/pdf"),
        },
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'role="alert"' in html and "Chưa lưu được tiến độ" in html
    assert "PDF" in html and "chọn lại tệp" in html
    # What was typed is still in the form.
    assert ">Biên bản kiểm tra</textarea>" in html and ">Đã hoàn thành kiểm tra</textarea>" in html
    assert 'value="18/11/2026"' in html and f'value="{ActionStatus.DONE}" selected' in html
    assert not ActionNote.objects.filter(action=action).exists()
    action.refresh_from_db()
    assert (action.status, action.result, action.revision) == (ActionStatus.NOT_STARTED, "", 1)


def test_a_stale_revision_is_refused_without_htmx_and_the_typed_text_is_kept(client, scene):
    action = scene["action"]  # revision 2 since the scene's note
    client.force_login(scene["users"]["head"])
    response = client.post(
        u("action-progress", scene["plan"].pk, action.pk),
        {"text": "Ghi từ trang cũ", "status": ActionStatus.DONE, "revision": 1},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "vừa được người khác sửa" in html
    assert ">Ghi từ trang cũ</textarea>" in html and "Đã ban hành kế hoạch" in html  # the history is shown
    assert ActionNote.objects.filter(action=action).count() == 1
    action.refresh_from_db()
    assert action.status == ActionStatus.NOT_STARTED and action.revision == 2


def test_bad_input_gets_a_vietnamese_message(client, scene):
    action = _second_action(scene)
    client.force_login(scene["users"]["office"])
    url = u("action-progress", scene["plan"].pk, action.pk)
    html = client.post(url, {"status": "done", "completed_on": "31/02/2026", "revision": 1}, headers=HTMX)
    assert "Ngày không hợp lệ; nhập theo dạng dd/mm/yyyy" in html.content.decode()
    html = client.post(url, {"status": "in_progress", "revision": 1, "text": "x"}, headers=HTMX).content.decode()
    assert "Đã lưu tiến độ." in html
    html = client.post(url, {"status": "in_progress", "revision": 2}, headers=HTMX).content.decode()
    assert "Ghi nội dung tiến độ, đổi tình trạng hoặc đính kèm tài liệu." in html
    html = client.post(url, {"status": "done", "completed_on": "21/11/2026", "revision": 2}).content.decode()
    assert "Ngày hoàn thành không được sau hôm nay." in html
    assert ActionNote.objects.filter(action=action).count() == 1


def test_without_htmx_a_save_goes_back_to_a_safe_next_page_with_a_message(client, scene):
    plan, action = scene["plan"], _second_action(scene)
    client.force_login(scene["users"]["office"])
    url = u("action-progress", plan.pk, action.pk)
    report = u("plan-report", plan.pk)
    response = client.post(url, {"text": "Lần 1", "revision": 1, "next": report})
    assert response.status_code == 302 and response["Location"] == report
    response = client.post(
        url, {"text": "Lần 2", "revision": 2, "next": "https://evil.example/khac-phuc/"}, follow=True
    )
    assert response.redirect_chain == [(u("action-board", plan.pk), 302)]
    assert "Đã cập nhật tiến độ biện pháp" in response.content.decode()
    response = client.post(url, {"text": "Lần 3", "revision": 3, "next": "//evil.example/"})
    assert response["Location"] == u("action-board", plan.pk)
    assert ActionNote.objects.filter(action=action).count() == 3


def test_the_board_offers_the_form_only_on_rows_one_may_record(client, scene):
    plan = scene["plan"]
    other = _second_action(scene)
    Action.objects.filter(pk=other.pk).update(official=scene["users"]["officer2"])
    client.force_login(scene["users"]["officer2"])
    response = client.get(u("action-board", plan.pk))
    forms = response.content.decode().count('name="revision"')
    assert forms == 1 and [line.can_record for line in response.context["lines"]].count(True) == 1
    # The viewer sees every row, records nothing.
    client.force_login(scene["users"]["viewer"])
    response = client.get(u("action-board", plan.pk))
    assert len(response.context["lines"]) == 9 and 'name="revision"' not in response.content.decode()


# -- overdue and filters -------------------------------------------------------------------------


def _flagged(html):
    return html.count(' trk-overdue">')


def test_the_overdue_filter_and_the_others(client, scene):
    plan = scene["plan"]
    bulk_actions(plan, 30)  # due every week from 15/01; a third done, a third in progress
    client.force_login(scene["users"]["office"])
    response = client.get(u("action-board", plan.pk))
    completion = response.context["completion"]
    assert completion.total == 39 and completion.overdue > 0
    overdue = client.get(u("action-board", plan.pk), {"trang-thai": "overdue"})
    lines = overdue.context["lines"]
    assert len(lines) == completion.overdue and all(line.row.overdue for line in lines)
    assert _flagged(overdue.content.decode()) == len(lines)
    assert 'value="overdue" selected>Quá hạn' in overdue.content.decode()
    done = client.get(u("action-board", plan.pk), {"trang-thai": "done"}).context["lines"]
    assert len(done) == completion.done and all(line.action.status == "done" for line in done)
    officer = scene["users"]["officer"]
    mine = client.get(u("action-board", plan.pk), {"cong-chuc": officer.pk}).context["lines"]
    assert len(mine) == 9 and {line.action.official_id for line in mine} == {officer.pk}
    office = client.get(u("action-board", plan.pk), {"bo-phan": "Bộ phận một cửa"}).context["lines"]
    assert len(office) == 15
    # "Của tôi" for the officer: their own actions only.
    client.force_login(officer)
    response = client.get(u("action-board", plan.pk), {"cua-toi": "1"})
    assert len(response.context["lines"]) == 9 and "Tất cả biện pháp" in response.content.decode()
    assert "Của tôi" in client.get(u("action-board", plan.pk)).content.decode()
    # An unknown status shows everything.
    assert len(client.get(u("action-board", plan.pk), {"trang-thai": "xyz"}).context["lines"]) == 39


def test_the_board_links_to_the_plan_and_shows_deadlines_and_progress_dates(client, scene):
    client.force_login(scene["users"]["office"])
    html = client.get(u("action-board", scene["plan"].pk)).content.decode()
    assert u("plan-detail", scene["plan"].pk) in html
    assert "Hạn 15/12/2026" in html and "Hạn tới" not in html  # a dated deadline says it once
    assert "20/11/2026" in html  # the scene's note, the last progress date of the first action
    assert "Lịch sử tiến độ (1)" in html


def test_a_quarterly_action_without_a_note_for_the_last_quarter_is_flagged(client, scene):
    plan = scene["plan"]
    Plan.objects.filter(pk=plan.pk).update(approved_at=dt.datetime(2026, 3, 1, 8, 0, tzinfo=HCM))
    quarterly, yearly = Action.objects.filter(plan=plan).exclude(pk=scene["action"].pk).order_by("pk")[:2]
    Action.objects.filter(pk=quarterly.pk).update(deadline_kind="quarterly", due=None)
    Action.objects.filter(pk=yearly.pk).update(deadline_kind="year", due=None)
    client.force_login(scene["users"]["office"])
    response = client.get(u("action-board", plan.pk))
    html = response.content.decode()
    row = html[html.index(f'id="bien-phap-{quarterly.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Hàng quý, năm 2026" in row and "Hạn tới: 31/12/2026" in row
    assert "Chưa báo cáo tiến độ quý III/2026" in row and "trk-status-overdue" in row
    assert _flagged(html) == 1 and response.context["lines"][0].action.pk == quarterly.pk  # overdue first
    row = html[html.index(f'id="bien-phap-{yearly.pk}"') :]
    assert "Cả năm 2026" in row[: row.index("</tr>")] and "Hạn tới: 31/12/2026" in row[: row.index("</tr>")]


# -- points at stake -----------------------------------------------------------------------------


def _set_answer(assessment, code, inputs):
    spec = framework_version_spec(assessment.cycle.framework_version)
    Answer.objects.filter(assessment=assessment, criterion__code=code).update(
        inputs=to_stored(clean_inputs(spec.node(code), inputs))
    )


def test_points_at_stake_are_ordered_by_what_can_be_recovered_and_nothing_is_written(client, scene):
    assessment = scene["open"]
    _set_answer(assessment, "1.1.3", {"value": "0.25"})  # 1,50 of 2 recoverable
    client.force_login(scene["users"]["officer"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(u("at-stake", assessment.pk))
    assert response.status_code == 200
    assert not [q["sql"] for q in queries.captured_queries if q["sql"].split()[0] in {"INSERT", "UPDATE", "DELETE"}]
    rows = response.context["rows"]
    recoverable = [r.stake.recoverable for r in rows]
    assert recoverable == sorted(recoverable, reverse=True) and rows[0].stake.code == "1.1.3"
    first = rows[0]
    assert first.stake.recoverable == Decimal("1.50") and first.stake.lost_before == Decimal("0.40")
    current = response.context["current"]
    assert first.stake.percent_if_recovered == (current.total + Decimal("1.5")) * 100 / current.applicable_max
    # The plan carried out this year shows its action on the item.
    assert [line.action.pk for line in first.actions] == [scene["action"].pk]
    html = response.content.decode()
    assert html.index('id="tieu-chi-1.1.3"') < html.index(f'id="tieu-chi-{rows[1].stake.code}"')
    assert "Chưa thực hiện" in html and u("action-board", scene["plan"].pk) in html
    assert reverse("assessments:assessment-detail", args=[assessment.pk]) in html
    assert response.context["previous_year"] == 2025


def test_under_appraisal_points_at_stake_follow_the_appraisers_scores(client, scene):
    assessment = scene["open"]
    type(assessment).objects.filter(pk=assessment.pk).update(status=Status.APPRAISING)
    spec = framework_version_spec(assessment.cycle.framework_version)
    ItemAppraisal.objects.create(
        assessment=assessment, criterion=Criterion.objects.get(version=assessment.cycle.framework_version, code="3.12"),
        round=1, inputs=to_stored(clean_inputs(spec.node("3.12"), {"met": False})),
    )  # fmt: skip
    client.force_login(scene["users"]["head"])
    response = client.get(u("at-stake", assessment.pk))
    assert response.context["appraised"] and "Điểm thẩm định (tạm tính)" in response.content.decode()
    stake = next(r.stake for r in response.context["rows"] if r.stake.code == "3.12")
    assert stake.score == 0 and stake.lost_before == Decimal("1.00")


def test_a_published_assessment_points_to_its_lost_point_analysis(client, scene, published):
    client.force_login(scene["users"]["office"])
    response = client.get(u("at-stake", published.pk))
    assert response.status_code == 302 and response["Location"] == u("analysis", published.pk)


def test_the_plan_feeding_the_year_must_be_approved(client, scene):
    Plan.objects.filter(pk=scene["plan"].pk).update(status="draft")
    client.force_login(scene["users"]["office"])
    response = client.get(u("at-stake", scene["open"].pk))
    assert response.context["plan"] is None and all(not r.actions for r in response.context["rows"])
    assert "Chưa có kế hoạch khắc phục được phê duyệt thực hiện trong năm 2026" in response.content.decode()
