"""The appraisal workbook: only the fields in the appraiser's scope, the engine's three scores
with the appraiser's comment, the same access as the appraisal page, a pinned query count."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals import services
from parindex.appraisals.models import Sector
from parindex.appraisals.tests.factories import appraiser
from parindex.assessments import services as assessment_services
from parindex.assessments.tests.factories import PDF, answers_bulk, open_cycle, user_with_role
from parindex.assessments.workflow import Status
from parindex.frameworks import selectors as framework_selectors
from parindex.frameworks import services as framework_services
from parindex.frameworks.models import Criterion

pytestmark = pytest.mark.django_db


def who(user):
    return principal_for(type(user).objects.get(pk=user.pk))


@pytest.fixture
def scene(province, commune, reference_spec, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    version = framework_services.framework_import(spec=reference_spec, publish=True).version
    cycle = open_cycle(province, version, commune)
    users = {
        "noivu": appraiser("noivu", province),
        "idle": appraiser("idle", province),
        "council": user_with_role("council", Role.COUNCIL_CHAIR, province, include_descendants=True),
        "admin": user_with_role("admin", Role.PROVINCE_ADMIN, province, include_descendants=True),
        "head": user_with_role("head", Role.COMMUNE_HEAD, commune),
        "office": user_with_role("office", Role.COMMUNE_OFFICE, commune),
    }
    a = cycle.assessments.get()
    criteria = {c.code: c for c in Criterion.objects.filter(version=version)}
    for title, code in (("Kế hoạch CCHC", "1.1.1"), ("Báo cáo kiểm soát TTHC", "5.1")):
        assessment_services.evidence_add(
            assessment=a, upload=io.BytesIO(PDF), filename=f"{code}.pdf", title=title, criteria=[criteria[code]],
            actor=users["office"],
        )  # fmt: skip
    answers_bulk(a)
    assessment_services.assessment_transition(
        assessment=a, to=Status.SUBMITTED, actor=users["head"], principal=who(users["head"])
    )
    admin = users["admin"]
    services.appraiser_assignments_set(
        cycle=cycle, appraiser=users["noivu"], criteria=[criteria[c] for c in ("I", "II", "III")],
        sector=Sector.NOI_VU, units=[commune], actor=admin, principal=who(admin),
    )  # fmt: skip
    a.refresh_from_db()
    return {"a": a, "users": users, "criteria": criteria}


def export(client, scene, user):
    client.force_login(scene["users"][user])
    return client.get(reverse("appraisals:workbook-export", args=[scene["a"].pk]))


def rows_of(ws):
    header = [c.value for c in ws[1]]
    return {r[0]: dict(zip(header, r, strict=False)) for r in ws.iter_rows(min_row=2, values_only=True)}


def test_an_appraiser_gets_only_the_sheets_of_their_fields(client, scene):
    response = export(client, scene, "noivu")
    assert response["Content-Disposition"] == 'attachment; filename="tham-dinh-chi-so-CCHC-2026-xa-nam-cua-viet.xlsx"'
    wb = openpyxl.load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Thông tin", "I", "II", "III", "Tài liệu kiểm chứng"]
    info = {row[2]: row[1] for row in wb["Thông tin"].iter_rows(min_row=2, values_only=True) if row[2]}
    assert info["scope"] == "Lĩnh vực I, II, III" and info["workbook"] == "tham-dinh"
    evidence = [row[0] for row in wb["Tài liệu kiểm chứng"].iter_rows(min_row=2, values_only=True)]
    assert evidence == ["Kế hoạch CCHC"]  # 5.1 is field V, not theirs


def test_the_council_gets_every_field_with_round_scores_and_comments(client, scene):
    council = scene["users"]["council"]
    services.appraisal_save(
        assessment=scene["a"], criterion=scene["criteria"]["1.1.3"], round=1, inputs={"value": "0.7"},
        comment="Báo cáo chỉ có 7/10 nhiệm vụ", base_revision=None, actor=council, principal=who(council),
    )  # fmt: skip
    wb = openpyxl.load_workbook(io.BytesIO(export(client, scene, "council").content))
    assert wb.sheetnames == ["Thông tin", "I", "II", "III", "IV", "V", "VI", "VII", "Tài liệu kiểm chứng"]
    rows = rows_of(wb["I"])
    item = rows["1.1.3"]
    assert (item["Điểm tự chấm"], item["Điểm thẩm định lần 1"], item["Điểm thẩm định cuối cùng"]) == (1.8, 1.4, 1.4)
    assert item["Điểm thẩm định lần 2 (sau giải trình)"] is None
    assert item["Nhận xét thẩm định"] == "Báo cáo chỉ có 7/10 nhiệm vụ"
    assert item["Số liệu tự đánh giá"] == "2 × 0,9 = 1,80"
    not_yet = rows["1.1.2"]  # not appraised: no round-1 score, the final one projected from the self score
    assert not_yet["Điểm thẩm định lần 1"] is None and not_yet["Điểm thẩm định cuối cùng"] == 1
    assert round(rows["I"]["Điểm tự chấm"] - rows["I"]["Điểm thẩm định cuối cùng"], 2) == 0.4
    assert len(list(wb["Tài liệu kiểm chứng"].iter_rows(min_row=2))) == 2


@pytest.mark.parametrize(("user", "status"), [("head", 404), ("idle", 404), ("admin", 404), ("noivu", 200)])
def test_the_export_has_the_access_of_the_appraisal_page(client, scene, user, status):
    assert export(client, scene, user).status_code == status


@pytest.mark.parametrize("appraised", [False, True])
def test_the_export_makes_a_fixed_number_of_queries(client, scene, django_assert_num_queries, appraised):
    council = scene["users"]["council"]
    if appraised:  # every item appraised: 53 round-1 rows
        services.appraisal_accept_self(assessment=scene["a"], actor=council, principal=who(council))
    framework_selectors._CACHE.clear()
    client.force_login(council)
    # session, user with their grants, assessment, criteria tree, answers, rounds, evidence, its criteria, its files
    with django_assert_num_queries(9):
        response = client.get(reverse("appraisals:workbook-export", args=[scene["a"].pk]))
    assert response.status_code == 200


def test_the_appraisal_page_links_the_workbook(client, scene):
    client.force_login(scene["users"]["noivu"])
    html = client.get(reverse("appraisals:appraisal-detail", args=[scene["a"].pk])).content.decode()
    assert reverse("appraisals:workbook-export", args=[scene["a"].pk]) in html
