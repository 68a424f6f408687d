"""The self-assessment workbook: export layout, round trip, all-or-nothing import with every
problem listed (sheet, row, reason), stale rows, who may import what, and pinned query counts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.assessments import excel, services
from parindex.assessments.models import Answer, Assignment, AuditEntry
from parindex.assessments.selectors import assessment_score
from parindex.assessments.tests.factories import PDF, answer_everything, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.excel import framework_to_xlsx
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db

# Answers that exercise the cells beyond SAMPLE_INPUTS: a fraction, a non-applicable item,
# a ratio that is not a whole percent, a manual score, an explanation that looks like a formula.
SPECIAL = {
    "3.13.1": ({"numerator": "337", "denominator": "1000"}, "337/1000 hồ sơ"),
    "1.2": ({"applicable": False}, "Không phát sinh"),
    "1.1.3": ({"value": "0.337"}, "=5/10 nhiệm vụ\nxem báo cáo"),
    "2.4.4": ({"score": "1.8"}, "Chấm theo biên bản"),
    "1.6": ({"count": "1"}, "Một sáng kiến"),
}


@pytest.fixture
def scene(province, commune, other_commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = open_cycle(province, version, commune, other_commune)
    users = {
        "office": user_with_role("office", Role.COMMUNE_OFFICE, commune),
        "head": user_with_role("head", Role.COMMUNE_HEAD, commune),
        "officer": user_with_role("officer", Role.COMMUNE_OFFICER, commune),
        "viewer": user_with_role("viewer", Role.VIEWER, province, include_descendants=True),
        "council": user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "outsider": user_with_role("outsider", Role.COMMUNE_OFFICE, other_commune),
    }
    a = cycle.assessments.get(unit=commune)
    return {"version": version, "a": a, "b": cycle.assessments.get(unit=other_commune), "users": users}


def criterion(scene, code):
    return Criterion.objects.get(version=scene["version"], code=code)


def answer_all(scene):
    a, office = scene["a"], scene["users"]["office"]
    for code, (inputs, explanation) in SPECIAL.items():
        services.answer_save(
            assessment=a, criterion=criterion(scene, code), inputs=inputs, explanation=explanation,
            base_revision=None, actor=office,
        )  # fmt: skip
    answer_everything(a, office)


def add_evidence(scene, title="Kế hoạch CCHC", codes=("1.1.1",)):
    return services.evidence_add(
        assessment=scene["a"], upload=io.BytesIO(PDF), filename="kh.pdf", title=title, document_number="12/KH-UBND",
        criteria=[criterion(scene, c) for c in codes], actor=scene["users"]["office"],
    )  # fmt: skip


def export(client, assessment):
    response = client.get(reverse("assessments:workbook-export", args=[assessment.pk]))
    assert response.status_code == 200, response.status_code
    return response.content


def upload(client, assessment, data, name="tu-danh-gia.xlsx"):
    return client.post(
        reverse("assessments:workbook-import", args=[assessment.pk]), {"file": SimpleUploadedFile(name, data)}
    )


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def edit(data, changes):
    """Set cells by (sheet, code) -> {header title: value}; returns the new bytes and the rows edited."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    rows = {}
    for (sheet, code), cells in changes.items():
        ws = wb[sheet]
        header = {cell.value: cell.column for cell in ws[1]}
        row = next(r for r in range(2, ws.max_row + 1) if ws.cell(row=r, column=header["Mã"]).value == code)
        for title, value in cells.items():
            ws.cell(row=row, column=header[title]).value = value
        rows[code] = row
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), rows


def state(assessment):
    """Everything an import may change: the answers and the audit trail."""
    answers = sorted(Answer.objects.filter(assessment=assessment).values_list("criterion__code", "inputs", "revision"))
    return answers, AuditEntry.objects.filter(assessment=assessment).count()


class TestExport:
    def test_the_workbook_has_info_one_sheet_per_field_and_evidence(self, client, scene):
        answer_all(scene)
        add_evidence(scene)
        client.force_login(scene["users"]["viewer"])
        response = client.get(reverse("assessments:workbook-export", args=[scene["a"].pk]))
        assert (
            response["Content-Disposition"]
            == 'attachment; filename="tu-danh-gia-chi-so-CCHC-2026-xa-nam-cua-viet.xlsx"'
        )
        wb = openpyxl.load_workbook(io.BytesIO(response.content))
        assert wb.sheetnames == ["Thông tin", "I", "II", "III", "IV", "V", "VI", "VII", "Tài liệu kiểm chứng"]
        info = {row[2]: row[1] for row in wb["Thông tin"].iter_rows(min_row=2, values_only=True) if row[2]}
        result = assessment_score(scene["a"])
        assert info["unit"] == "Xã Nam Cửa Việt" and info["year"] == 2026 and info["framework"] == "QT-XA-2023"
        assert info["status"] == "Đang tự đánh giá" and info["framework_name"]
        assert info["percent"] == f"{result.percent}".replace(".", ",") + "%"
        assert info["exported_at"] == "20/11/2026 09:00"  # the fixed clock, Vietnam time
        assert info["assessment"] == scene["a"].pk and info["workbook"] == excel.SELF_KIND

        ws = wb["I"]
        header = [c.value for c in ws[1]]
        assert header[:4] == ["Mã", "Tiêu chí", "Điểm tối đa", "Cách chấm"] and header[-1] == "Lần sửa"
        assert ws.freeze_panes == "C2" and ws.column_dimensions["O"].hidden
        rows = {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}
        assert ws.cell(row=2, column=1).font.b  # the field itself, bold
        assert rows["1.1.3"]["Tỷ lệ (%)"] == 33.7 and rows["1.1.3"]["Điểm tự chấm"] == 0.67
        assert rows["1.1.3"]["Giải thích"] == "=5/10 nhiệm vụ\nxem báo cáo"  # text, not a formula
        assert rows["1.2"]["Áp dụng (Có/Không)"] == "Không" and rows["1.2"]["Điểm tự chấm"] == "KAD"
        assert rows["1.1.2"]["Đạt (Có/Không)"] == "Có" and rows["1.1.2"]["Cách chấm"] == "Đạt / không đạt"
        assert rows["I"]["Điểm tự chấm"] == float(result.node("I").score)
        assert rows["1.1.3"]["Lần sửa"] == 1
        fraction = {r[0]: r for r in wb["III"].iter_rows(min_row=2, values_only=True)}["3.13.1"]
        assert fraction[7:9] == (337, 1000) and fraction[6] is None
        assert any('"Có,Không"' in dv.formula1 for dv in ws.data_validations.dataValidation)

        evidence = list(wb["Tài liệu kiểm chứng"].iter_rows(min_row=2, values_only=True))
        assert len(evidence) == 1
        title, number, _date, _issuer, codes, file_name, revision, sha256, size = evidence[0]
        assert (title, number, codes, file_name, revision, size) == (
            "Kế hoạch CCHC",
            "12/KH-UBND",
            "1.1.1",
            "kh.pdf",
            1,
            len(PDF),
        )
        assert len(sha256) == 64

    def test_an_outsider_gets_404_and_anyone_who_sees_the_file_may_download_it(self, client, scene):
        for name, status in (("outsider", 404), ("viewer", 200), ("council", 200), ("officer", 200)):
            client.force_login(scene["users"][name])
            assert client.get(reverse("assessments:workbook-export", args=[scene["a"].pk])).status_code == status

    @pytest.mark.parametrize("many", [False, True])
    def test_the_export_makes_a_fixed_number_of_queries(self, client, scene, django_assert_num_queries, many):
        office = scene["users"]["office"]
        if many:
            answer_all(scene)
            for i in range(4):
                add_evidence(scene, title=f"TL {i}", codes=("1.1.1", "2.1", "5.1"))
        else:
            for code in ("1.1.1", "1.1.2", "1.1.3", "1.2", "2.1"):
                c = criterion(scene, code)
                services.answer_save(
                    assessment=scene["a"], criterion=c, inputs={"applicable": False}, base_revision=None, actor=office
                )
            add_evidence(scene)
        client.force_login(office)
        framework_selectors._CACHE.clear()
        # session, user with their grants, assessment, criteria tree, answers, evidence, its criteria, its files
        with django_assert_num_queries(8):
            export(client, scene["a"])


class TestImport:
    def test_the_unchanged_workbook_round_trips_to_the_same_scores_and_writes_nothing(self, client, scene):
        answer_all(scene)
        add_evidence(scene)
        client.force_login(scene["users"]["office"])
        before, scores = state(scene["a"]), assessment_score(scene["a"]).to_dict()
        response = upload(client, scene["a"], export(client, scene["a"]))
        assert response.status_code == 302
        assert flashed(response) == ["Bảng tính tu-danh-gia.xlsx không có thay đổi nào so với số liệu hiện tại."]
        assert state(scene["a"]) == before
        assert assessment_score(scene["a"]).to_dict() == scores  # the total and every node
        # The service itself counts every leaf as unchanged.
        result = services.answers_import(
            assessment=scene["a"], data=export(client, scene["a"]), actor=scene["users"]["office"],
            principal=principal_for(scene["users"]["office"]),
        )  # fmt: skip
        assert result.ok and result.changed == [] and result.unchanged == 53

    def test_three_bad_rows_are_all_listed_and_nothing_is_saved(self, client, scene):
        answer_all(scene)
        client.force_login(scene["users"]["office"])
        data, rows = edit(
            export(client, scene["a"]),
            {
                ("I", "1.6"): {"Số lượng": -1},  # a negative count
                ("I", "1.1.3"): {"Tỷ lệ (%)": 50},  # a valid change, which must not be saved either
                ("II", "2.4.4"): {"Điểm": 5},  # a manual score above the maximum (2)
                ("III", "3.13.1"): {"Tử số": "nhiều"},  # text in a number cell
            },
        )
        before = state(scene["a"])
        response = upload(client, scene["a"], data)
        assert response.status_code == 400
        problems = [(p.sheet, p.row, p.code) for p in response.context["result"].problems]
        assert problems == [
            ("I", rows["1.6"], "1.6"),
            ("II", rows["2.4.4"], "2.4.4"),
            ("III", rows["3.13.1"], "3.13.1"),
        ]
        reasons = [p.reason for p in response.context["result"].problems]
        assert "không được âm" in reasons[0]
        assert "lớn hơn điểm tối đa 2" in reasons[1]
        assert reasons[2] == "Tử số: 'nhiều' không phải là số"
        html = response.content.decode()
        assert "chưa có số liệu nào được lưu" in html and all(r in html for r in ("không được âm", "nhiều"))
        assert state(scene["a"]) == before
        assert Answer.objects.get(assessment=scene["a"], criterion__code="1.1.3").inputs == {"value": "0.337"}

    def test_a_valid_workbook_changes_exactly_the_edited_answers_with_their_audit(self, client, scene):
        answer_all(scene)
        office = scene["users"]["office"]
        client.force_login(office)
        data, _ = edit(
            export(client, scene["a"]),
            {
                ("I", "1.1.3"): {"Tỷ lệ (%)": 50},
                ("I", "1.1.2"): {"Giải thích": "Có quyết định 15/QĐ-UBND"},
                ("II", "2.4.4"): {"Điểm": "1,5"},  # typed as text with a decimal comma
                ("V", "5.1"): {"Đạt (Có/Không)": "Không"},
                ("III", "3.13.1"): {"Tử số": 400},
            },
        )
        data = reverse_columns(data, "II")  # a user moving columns is fine
        before_answers, before_audit = state(scene["a"])
        response = upload(client, scene["a"], data)
        assert response.status_code == 302
        assert flashed(response)[0].startswith("Đã nhập bảng tính tu-danh-gia.xlsx: cập nhật 5 tiêu chí")
        after_answers, after_audit = state(scene["a"])
        changed = {
            code: (inputs, revision)
            for (code, inputs, revision), old in zip(after_answers, before_answers, strict=True)
            if (inputs, revision) != old[1:]
        }
        assert changed == {
            "1.1.2": ({"met": True}, 2),
            "1.1.3": ({"value": "0.5"}, 2),
            "2.4.4": ({"score": "1.5"}, 2),
            "3.13.1": ({"numerator": "400", "denominator": "1000"}, 2),
            "5.1": ({"met": False}, 2),
        }
        entries = AuditEntry.objects.filter(assessment=scene["a"]).order_by("pk")[before_audit:]
        assert after_audit == before_audit + 5
        assert {e.criterion.code for e in entries} == set(changed) and all(e.actor == office for e in entries)
        entry = next(e for e in entries if e.criterion.code == "1.1.3")
        assert entry.old["inputs"] == {"value": "0.337"} and entry.new["inputs"] == {"value": "0.5"}
        assert (
            Answer.objects.get(assessment=scene["a"], criterion__code="1.1.2").explanation == "Có quyết định 15/QĐ-UBND"
        )

    def test_a_row_saved_by_someone_after_the_download_is_refused(self, client, scene):
        answer_all(scene)
        office = scene["users"]["office"]
        client.force_login(office)
        data, rows = edit(export(client, scene["a"]), {("I", "1.1.2"): {"Đạt (Có/Không)": "Không"}})
        services.answer_save(  # the head saves 1.1.3 after the workbook was downloaded
            assessment=scene["a"], criterion=criterion(scene, "1.1.3"), inputs={"value": "0.9"}, base_revision=1,
            actor=scene["users"]["head"],
        )  # fmt: skip
        before = state(scene["a"])
        response = upload(client, scene["a"], data)
        assert response.status_code == 400
        [problem] = response.context["result"].problems
        assert (problem.sheet, problem.code) == ("I", "1.1.3")
        assert problem.reason.startswith("đã có người sửa sau khi tải tệp (lần sửa trong tệp: 1, hiện tại: 2)")
        assert state(scene["a"]) == before  # 1.1.2 is not saved either

    def test_an_officer_gets_a_row_error_for_an_item_not_assigned_to_them(self, client, scene):
        answer_all(scene)
        officer = scene["users"]["officer"]
        Assignment.objects.create(assessment=scene["a"], criterion=criterion(scene, "II"), official=officer)
        client.force_login(officer)
        data, rows = edit(export(client, scene["a"]), {("I", "1.1.3"): {"Tỷ lệ (%)": 70}, ("II", "2.4.4"): {"Điểm": 1}})
        before = state(scene["a"])
        response = upload(client, scene["a"], data)
        assert response.status_code == 400
        assert [(p.sheet, p.row, p.code, p.reason) for p in response.context["result"].problems] == [
            ("I", rows["1.1.3"], "1.1.3", "bạn không được giao tiêu chí này nên không sửa được")
        ]
        assert state(scene["a"]) == before
        # Only their own item: saved.
        data, _ = edit(export(client, scene["a"]), {("II", "2.4.4"): {"Điểm": 1}})
        assert upload(client, scene["a"], data).status_code == 302
        assert Answer.objects.get(assessment=scene["a"], criterion__code="2.4.4").inputs == {"score": "1"}

    def test_unknown_codes_parent_rows_and_cells_of_another_rule_are_row_problems(self, client, scene, reference_spec):
        answer_all(scene)
        client.force_login(scene["users"]["office"])
        data, rows = edit(
            export(client, scene["a"]),
            {("I", "1.1"): {"Tỷ lệ (%)": 80}, ("I", "1.4"): {"Số lượng": 2}, ("II", "2.1"): {"Mã": "9.9"}},
        )
        book = excel.answers_from_xlsx(data, reference_spec)
        assert [(p.sheet, p.row, p.code) for p in book.problems] == [
            ("I", rows["1.1"], "1.1"), ("I", rows["1.4"], "1.4"), ("II", rows["2.1"], "9.9"),
        ]  # fmt: skip
        assert "chỉ nhập số liệu ở dòng tiêu chí thành phần" in book.problems[0].reason
        assert "'Số lượng' không dùng cho cách chấm 'Đạt / không đạt'" in book.problems[1].reason
        assert "không có tiêu chí mã '9.9'" in book.problems[2].reason

    def test_outsiders_get_404_viewers_403_and_get_is_405(self, client, scene):
        client.force_login(scene["users"]["outsider"])
        assert upload(client, scene["a"], b"x").status_code == 404
        client.force_login(scene["users"]["viewer"])
        assert upload(client, scene["a"], b"x").status_code == 403
        client.force_login(scene["users"]["office"])
        assert client.get(reverse("assessments:workbook-import", args=[scene["a"].pk])).status_code == 405

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (b"PK\x03\x04 not really a zip", "Tệp không phải bảng tính Excel (.xlsx) đọc được: tệp nén .xlsx bị hỏng."),
            (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "bảng tính Excel cũ (.xls)"),
            ("framework", "Tệp không đúng mẫu bảng tính tự đánh giá"),
        ],
    )
    def test_a_corrupt_or_foreign_file_says_so_and_saves_nothing(self, client, scene, reference_spec, data, message):
        answer_all(scene)
        client.force_login(scene["users"]["office"])
        if data == "framework":
            data = framework_to_xlsx(reference_spec)
        before = state(scene["a"])
        response = upload(client, scene["a"], data)
        assert response.status_code == 302
        [text] = flashed(response)
        assert text.startswith("Không nhập được tệp tu-danh-gia.xlsx: ") and message in text
        assert state(scene["a"]) == before

    def test_another_assessments_workbook_or_a_submitted_assessment_is_refused(self, client, scene):
        answer_all(scene)
        client.force_login(scene["users"]["outsider"])
        theirs = export(client, scene["b"])
        client.force_login(scene["users"]["office"])
        [text] = flashed(upload(client, scene["a"], theirs))
        assert "bảng tính của một hồ sơ khác" in text
        ours = export(client, scene["a"])
        head = scene["users"]["head"]
        services.assessment_transition(
            assessment=scene["a"], to=Status.SUBMITTED, actor=head, principal=principal_for(head)
        )
        before = state(scene["a"])
        text = flashed(upload(client, scene["a"], edit(ours, {("I", "1.1.3"): {"Tỷ lệ (%)": 10}})[0]))[-1]
        assert "Hồ sơ đã gửi thẩm định nên chỉ xem, không sửa được." in text
        assert state(scene["a"]) == before

    def test_a_file_over_the_size_limit_is_refused(self, client, scene, monkeypatch):
        monkeypatch.setattr(services, "IMPORT_MAX_BYTES", 100)
        client.force_login(scene["users"]["office"])
        [text] = flashed(upload(client, scene["a"], b"x" * 101))
        assert text.startswith("Tệp quá lớn")

    def test_the_page_offers_the_download_and_the_import_form(self, client, scene):
        client.force_login(scene["users"]["office"])
        html = client.get(reverse("assessments:assessment-detail", args=[scene["a"].pk])).content.decode()
        assert reverse("assessments:workbook-export", args=[scene["a"].pk]) in html
        assert reverse("assessments:workbook-import", args=[scene["a"].pk]) in html
        client.force_login(scene["users"]["viewer"])
        html = client.get(reverse("assessments:assessment-detail", args=[scene["a"].pk])).content.decode()
        assert "Tải bảng tính tự đánh giá" in html and "Nhập bảng tính" not in html


def reverse_columns(data, sheet):
    """The sheet with its columns in reverse order, as a user dragging columns around might leave it."""
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb[sheet]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    width = max(len(r) for r in rows)
    for r, values in enumerate(rows, start=1):
        values += [None] * (width - len(values))
        for c, value in enumerate(reversed(values), start=1):
            cell = ws.cell(row=r, column=c)
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def test_sheet_names_are_the_field_codes_made_safe_for_excel():
    from decimal import Decimal

    from parindex import scoring

    nodes = (
        scoring.Node("A/B:C*?[x]\\" + "9" * 40, "Lĩnh vực dài", Decimal(1)),
        scoring.Node("thông tin", "Trùng tên trang thông tin", Decimal(1)),
        scoring.Node("1", "Một", Decimal(1)),
    )
    titles = excel.field_sheet_titles(scoring.Framework("X", "X", Decimal(3), nodes))
    assert titles[nodes[0].code] == ("A-B-C---x--" + "9" * 40)[:31]
    assert titles["thông tin"] == "thông tin 2" and titles["1"] == "1"
    assert all(len(t) <= 31 and not set(t) & set("[]:*?/\\") for t in titles.values())
