"""Result files built once and stored: at publication (after the commit), again on a correction
where their bytes change, served from storage without being built again, built when missing;
the all-provinces open-data CSV; and the bulk publication writing what the services always
wrote (the engine's self and final scores of every node)."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from parindex import scoring
from parindex.accounts.models import Role
from parindex.accounts.selectors import principal_for
from parindex.appraisals.models import ItemAppraisal
from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.tests.factories import user_with_role
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import files, services
from parindex.results.models import OpenDataFile, PublicationFile, PublishedResult, PublishedScore
from parindex.results.tests.factories import bulk_cycle, bulk_units
from parindex.results.tests.test_excel import CYCLE_ACCESS
from parindex.units.models import AdministrativeUnit

pytestmark = pytest.mark.django_db

KINDS = {"csv", "json", "xlsx", "docx"}


def approve_and_publish(province, version, staff, units, *, number="165/QĐ-UBND", group="Khối xã, phường", cycle=None):
    cycle = cycle or bulk_cycle(province, version, units)
    chair, admin = staff["chair"], staff["admin"]
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__name"))
    approval = services.approval_create(
        cycle=cycle, assessments=assessments, name=group, actor=chair, principal=principal_for(chair)
    )
    return services.publication_publish(
        approval=approval, decision_number=number, decision_date=dt.date(2027, 2, 20),
        issuer=f"UBND {province.name}", actor=admin, principal=principal_for(admin),
    )  # fmt: skip


def correct(publication, staff, number="171/QĐ-UBND"):
    admin = staff["admin"]
    return services.publication_correct(
        publication=publication, reason="Đính chính điểm tiêu chí 1.1.3", decision_number=number,
        decision_date=dt.date(2027, 3, 1), actor=admin, principal=principal_for(admin),
    )  # fmt: skip


def stored_bytes(row) -> bytes:
    with default_storage.open(row.file.name, "rb") as fh:
        return fh.read()


def stored(publication) -> dict[str, PublicationFile]:
    return {f.kind: f for f in PublicationFile.objects.filter(publication=publication)}


@pytest.fixture
def published(province, version, staff, django_capture_on_commit_callbacks):
    """Three communes published through the services, the files built once the publication commits."""
    with django_capture_on_commit_callbacks(execute=True):
        return approve_and_publish(province, version, staff, bulk_units(province, 3))


def never_built(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("a stored file was built again")

    monkeypatch.setattr(files, "_build", refuse)


# -- built once, at publication ------------------------------------------------------------------


def test_publishing_builds_every_file_once_the_publication_commits(province, version, staff):
    approve_and_publish(province, version, staff, bulk_units(province, 3))
    # Nothing before the commit (the test's transaction never commits): a rolled back
    # publication leaves no file behind.
    assert not PublicationFile.objects.exists()


def test_the_stored_files_are_named_and_checked_by_their_content_hash(published):
    rows = stored(published)
    assert set(rows) == KINDS
    for kind, row in rows.items():
        data = stored_bytes(row)
        assert row.sha256 == hashlib.sha256(data).hexdigest() and row.size == len(data)
        assert row.file.name == f"ket-qua/2026/{published.pk}/{row.sha256}.{kind}"
    assert stored_bytes(rows["csv"]).startswith(b"\xef\xbb\xbf")
    assert json.loads(stored_bytes(rows["json"]))["publication"]["id"] == published.pk


def test_the_stored_bytes_are_what_the_download_always_gave(published):
    """Built from the rows now, the same bytes as stored at publication (the formats are fixed)."""
    fresh = files.selectors.publication_with_current(published.pk)
    rows = files.result_rows(fresh, files.download_rows(fresh))
    built = {
        "csv": files.ranking_csv(fresh, rows),
        "json": files.ranking_json(fresh, rows),
    }
    for kind, data in built.items():
        assert stored(published)[kind].sha256 == hashlib.sha256(data).hexdigest()


def test_building_again_builds_nothing(published, monkeypatch):
    before = {k: (r.pk, r.sha256, r.file.name) for k, r in stored(published).items()}
    never_built(monkeypatch)
    again = files.publication_files_build(publication=published)
    assert {k: (r.pk, r.sha256, r.file.name) for k, r in again.items()} == before


def test_rebuilding_unchanged_bytes_keeps_the_stored_files(published):
    before = {k: (r.sha256, r.file.name, r.built_at) for k, r in stored(published).items()}
    files.publication_files_build(publication=published, rebuild=True)  # the same rows: the same bytes
    after = {k: (r.sha256, r.file.name, r.built_at) for k, r in stored(published).items()}
    assert after == before


@pytest.mark.parametrize(
    ("name", "kind", "content_type", "disposition"),
    [
        ("publication-csv", "csv", "text/csv; charset=utf-8", "attachment"),
        ("publication-json", "json", "application/json; charset=utf-8", "inline"),
        ("publication-xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "attachment"),
    ],
)
def test_a_download_serves_the_stored_file_without_building_it(
    client, published, monkeypatch, django_assert_num_queries, name, kind, content_type, disposition
):
    never_built(monkeypatch)
    with django_assert_num_queries(1):  # the publication with its stored file's name
        response = client.get(reverse(f"results:{name}", args=[published.pk]))
        body = response.getvalue()
    assert response.status_code == 200 and response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'{disposition}; filename="ket-qua-chi-so-CCHC-2026-tinh-quang-tri-khoi-xa-phuong.{kind}"'
    )
    assert body == stored_bytes(stored(published)[kind])
    assert hashlib.sha256(body).hexdigest() == stored(published)[kind].sha256
    assert int(response["Content-Length"]) == len(body)


def test_a_file_missing_from_storage_is_built_again_and_stored(client, published):
    row = stored(published)["csv"]
    data = stored_bytes(row)
    default_storage.delete(row.file.name)
    response = client.get(reverse("results:publication-csv", args=[published.pk]))
    assert response.getvalue() == data
    assert default_storage.exists(row.file.name) and stored(published)["csv"].sha256 == row.sha256


def test_a_publication_without_files_gets_them_on_its_first_download(client, province, version, staff):
    publication = approve_and_publish(province, version, staff, bulk_units(province, 3))  # never committed
    assert not PublicationFile.objects.exists()
    body = client.get(reverse("results:publication-xlsx", args=[publication.pk])).getvalue()
    row = PublicationFile.objects.get(publication=publication)
    assert row.kind == "xlsx" and row.sha256 == hashlib.sha256(body).hexdigest()
    assert load_workbook(io.BytesIO(body)).sheetnames == ["Xếp hạng", "Tổng hợp theo tiêu chí"]


# -- a correction --------------------------------------------------------------------------------


def test_a_correction_stores_its_own_files_and_rebuilds_what_the_old_ones_say(
    published, staff, django_capture_on_commit_callbacks
):
    old_files = {k: (r.sha256, r.file.name) for k, r in stored(published).items()}
    # The appraisers' figure of one item changes before the correction: the scores differ.
    first = PublishedResult.objects.filter(publication=published).order_by("rank").first()
    ItemAppraisal.objects.filter(assessment_id=first.assessment_id, criterion__code="1.1.3").update(
        inputs={"value": "0.1"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        corrected = correct(published, staff)
    new_files = stored(corrected)
    assert set(new_files) == KINDS
    for kind in KINDS:
        assert new_files[kind].sha256 != old_files[kind][0], kind  # new decision, new scores: new bytes
        assert new_files[kind].sha256 == hashlib.sha256(stored_bytes(new_files[kind])).hexdigest()
    assert json.loads(stored_bytes(new_files["json"]))["publication"]["supersedes"]["id"] == published.pk

    # The old publication now says it was corrected, and by which decision.
    old_now = stored(published)
    assert (old_now["csv"].sha256, old_now["csv"].file.name) == old_files["csv"]  # its rows did not change
    assert (old_now["docx"].sha256, old_now["docx"].file.name) == old_files["docx"]
    document = json.loads(stored_bytes(old_now["json"]))
    assert document["publication"]["is_current"] is False and document["publication"]["current"] == corrected.pk
    assert old_now["json"].sha256 != old_files["json"][0]
    notes = [c.value for c in load_workbook(io.BytesIO(stored_bytes(old_now["xlsx"])))["Xếp hạng"]["A"][:5]]
    assert any("Kết quả đang có hiệu lực theo Quyết định số 171/QĐ-UBND" in (n or "") for n in notes)
    # The replaced files are gone from storage; the kept ones are still there.
    assert not default_storage.exists(old_files["json"][1]) and not default_storage.exists(old_files["xlsx"][1])
    assert default_storage.exists(old_files["csv"][1])


def test_a_second_correction_points_every_older_file_at_the_one_in_force(
    published, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        second = correct(published, staff)
    with django_capture_on_commit_callbacks(execute=True):
        third = correct(second, staff, number="180/QĐ-UBND")
    for older in (published, second):
        document = json.loads(stored_bytes(stored(older)["json"]))
        assert document["publication"]["current"] == third.pk


# -- the Quyết định (.docx) -------------------------------------------------------------------------

DOCX_ACCESS = CYCLE_ACCESS  # the Quyết định is for those who see the board, as the cycle workbook


@pytest.mark.parametrize("persona", list(DOCX_ACCESS))
def test_the_decision_is_for_those_who_see_the_board(client, published, province, commune, persona):
    role, at, expected = DOCX_ACCESS[persona]
    elsewhere = AdministrativeUnit.objects.create(
        era="current", code="46", name="Thành phố Huế", kind="thanh_pho_tw", level=1
    )
    unit = {"commune": commune, "province": province, "other_province": elsewhere}[at]
    client.force_login(user_with_role(f"x-{persona}", role, unit, include_descendants=at != "commune"))
    assert client.get(reverse("results:publication-docx", args=[published.pk])).status_code == expected


def test_the_decision_needs_a_login(client, published):
    response = client.get(reverse("results:publication-docx", args=[published.pk]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_decision_is_the_documents_apps_with_the_publications_number_and_annex(
    client, published, staff, monkeypatch
):
    never_built(monkeypatch)
    client.force_login(staff["admin"])
    response = client.get(reverse("results:publication-docx", args=[published.pk]))
    assert response["Content-Disposition"] == (
        'attachment; filename="QD-cong-bo-chi-so-CCHC-2026-tinh-quang-tri-khoi-xa-phuong.docx"'
    )
    document = Document(io.BytesIO(response.getvalue()))
    cells = {c.text for t in document.tables for row in t.rows for c in row.cells}
    text = "\n".join([*(p.text for p in document.paragraphs), *cells])
    assert "Số: 165/QĐ-UBND" in text and "ngày 20 tháng 02 năm 2027" in text
    assert "Phê duyệt và công bố Chỉ số cải cách hành chính năm 2026 của 3 đơn vị" in text
    names = set(PublishedResult.objects.filter(publication=published).values_list("unit_name", flat=True))
    assert names <= cells and "1/3" in cells


def test_a_decision_that_cannot_be_rendered_leaves_the_other_files_and_says_why(
    client, province, version, staff, monkeypatch, django_capture_on_commit_callbacks
):
    def refused(publication):
        raise ValidationError("Mẫu văn bản của tỉnh bị lỗi.")

    monkeypatch.setattr(files, "decision_docx", refused)
    with django_capture_on_commit_callbacks(execute=True):
        publication = approve_and_publish(province, version, staff, bulk_units(province, 3))
    assert set(stored(publication)) == {"csv", "json", "xlsx"}
    client.force_login(staff["admin"])
    response = client.get(reverse("results:publication-docx", args=[publication.pk]))
    board = reverse("results:cycle-board", args=[publication.approval.cycle_id])
    assert response.status_code == 302 and response["Location"] == f"{board}#nhom-{publication.approval_id}"
    assert "Mẫu văn bản của tỉnh bị lỗi." in client.get(response["Location"]).content.decode()


def test_the_board_links_the_stored_decision(client, published, staff):
    client.force_login(staff["chair"])
    html = client.get(reverse("results:cycle-board", args=[published.approval.cycle_id])).content.decode()
    assert f'href="{reverse("results:publication-docx", args=[published.pk])}" download>Tải Quyết định (Word)<' in html


# -- open data -----------------------------------------------------------------------------------


@pytest.fixture
def two_provinces(province, version, staff, django_capture_on_commit_callbacks):
    """Quảng Trị (three communes) and Huế (two) published for 2026; Huế's corrected once."""
    hue = AdministrativeUnit.objects.create(
        era="current", code="46", name="Thành phố Huế", kind="thanh_pho_tw", level=1
    )
    hue_staff = {
        "chair": user_with_role("hoidong.hue", Role.COUNCIL_CHAIR, hue, include_descendants=True),
        "admin": user_with_role("sonoivu.hue", Role.PROVINCE_ADMIN, hue, include_descendants=True),
    }
    with django_capture_on_commit_callbacks(execute=True):
        qt = approve_and_publish(province, version, staff, bulk_units(province, 3))
        hue_units = bulk_units(hue, 2, first=100)
        hue_old = approve_and_publish(hue, version, hue_staff, hue_units, number="12/QĐ-UBND", group="Khối phường")
    return {"qt": qt, "hue_old": hue_old, "hue_staff": hue_staff}


def open_data(client, year=2026):
    response = client.get(reverse("results:open-data-csv", args=[year]))
    assert response.status_code == 200
    body = response.getvalue()
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return response, body, header, [dict(zip(header, row, strict=True)) for row in rows]


def test_the_open_data_file_has_every_provinces_results_in_force(
    client, two_provinces, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        hue_new = correct(two_provinces["hue_old"], two_provinces["hue_staff"], number="15/QĐ-UBND")
    response, body, header, rows = open_data(client)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="ket-qua-chi-so-CCHC-2026-ca-nuoc.csv"'
    assert body.startswith(b"\xef\xbb\xbf")
    assert header[:11] == [
        "Năm", "Mã tỉnh", "Tỉnh, thành phố", "Nhóm xếp hạng", "Quyết định công bố", "Ngày quyết định",
        "Bộ chỉ số", "Thứ hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị",
    ]  # fmt: skip
    assert header[-7:] == [f"Lĩnh vực {code}" for code in ("I", "II", "III", "IV", "V", "VI", "VII")]
    # Province by province (by code), each in rank order; Huế's corrected results only.
    assert [(r["Mã tỉnh"], r["Quyết định công bố"]) for r in rows] == [("44", "165/QĐ-UBND")] * 3 + [
        ("46", "15/QĐ-UBND")
    ] * 2
    expected = list(
        PublishedResult.objects.filter(publication__in=[two_provinces["qt"], hue_new])
        .order_by("publication__approval__cycle__province__code", "rank", "unit_name")
        .values_list("unit__code", "rank", "percent")
    )
    assert [(r["Mã đơn vị"], int(r["Thứ hạng"]), Decimal(r["Chỉ số (%)"])) for r in rows] == [
        (code, rank, percent) for code, rank, percent in expected
    ]
    first = PublishedResult.objects.get(publication=two_provinces["qt"], unit__code=rows[0]["Mã đơn vị"])
    assert rows[0]["Lĩnh vực I"] == first.scores["I"][0] and rows[0]["Ngày quyết định"] == "2027-02-20"
    assert rows[0]["Bộ chỉ số"] == "QT-XA-2023"


def test_the_open_data_file_is_built_once_per_set_of_publications_in_force(
    client, two_provinces, monkeypatch, django_capture_on_commit_callbacks
):
    _, before, _, rows = open_data(client)
    assert {r["Quyết định công bố"] for r in rows} == {"165/QĐ-UBND", "12/QĐ-UBND"}
    row = OpenDataFile.objects.get(year=2026)
    assert row.sha256 == hashlib.sha256(before).hexdigest() and row.size == len(before)
    real = files.open_data_csv

    def refuse(*args, **kwargs):
        raise AssertionError("built again")

    monkeypatch.setattr(files, "open_data_csv", refuse)
    assert open_data(client)[1] == before  # stored: not built again
    with django_capture_on_commit_callbacks(execute=True):
        correct(two_provinces["hue_old"], two_provinces["hue_staff"], number="15/QĐ-UBND")
    monkeypatch.setattr(files, "open_data_csv", real)
    with django_capture_on_commit_callbacks(execute=True):  # the stale file is deleted once the new one commits
        _, after, _, rows = open_data(client)
    assert {r["Quyết định công bố"] for r in rows} == {"165/QĐ-UBND", "15/QĐ-UBND"}
    new_row = OpenDataFile.objects.get(year=2026)
    assert new_row.publications_key != row.publications_key and new_row.sha256 == hashlib.sha256(after).hexdigest()
    assert not default_storage.exists(row.file.name)  # the stale file is removed


def test_a_year_without_publications_has_no_open_data(client, two_provinces):
    assert client.get(reverse("results:open-data-csv", args=[2019])).status_code == 404


def test_the_public_list_links_the_open_data_of_each_year(client, two_provinces):
    html = client.get(reverse("results:publication-list")).content.decode()
    assert f'href="{reverse("results:open-data-csv", args=[2026])}" download>Năm 2026: tải CSV' in html


# -- the bulk publication writes what the services always wrote ------------------------------------


def test_the_bulk_publication_freezes_the_engines_scores_of_every_node(province, version, staff):
    """Against the appraisals app's own reading (``final_scores_for``): a round-2 re-appraisal
    over round 1, an item not applicable, a missing answer, a round 2 left empty (the item
    unanswered again), an item appraised that the commune did not answer."""
    units = bulk_units(province, 4)
    cycle = bulk_cycle(province, version, units)
    a = {x.unit_id: x for x in Assessment.objects.filter(cycle=cycle).select_related("unit")}
    second = a[units[0].pk]
    row = ItemAppraisal.objects.get(assessment=second, criterion__code="1.1.3")
    ItemAppraisal.objects.create(assessment=second, criterion=row.criterion, round=2, inputs={"value": "0.25"})
    Answer.objects.filter(assessment=a[units[1].pk], criterion__code="2.1").update(inputs={"applicable": False})
    ItemAppraisal.objects.filter(assessment=a[units[1].pk], criterion__code="2.1").update(inputs={"applicable": False})
    Answer.objects.filter(assessment=a[units[2].pk], criterion__code="1.6").delete()
    ItemAppraisal.objects.filter(assessment=a[units[2].pk], criterion__code="1.6").delete()
    last = a[units[3].pk]
    row = ItemAppraisal.objects.get(assessment=last, criterion__code="1.1.3")
    ItemAppraisal.objects.create(assessment=last, criterion=row.criterion, round=2, inputs={})
    Answer.objects.filter(assessment=last, criterion__code="1.6").delete()
    spec = framework_version_spec(version)
    expected = final_scores_for(list(a.values()), spec)
    publication = approve_and_publish(province, version, staff, units, cycle=cycle)

    results = {r.assessment_id: r for r in PublishedResult.objects.filter(publication=publication)}
    assert len(results) == 4
    nodes = {}
    for s in PublishedScore.objects.filter(publication=publication).order_by("result_id", "position"):
        nodes.setdefault(s.result_id, []).append(s)
    for assessment_id, scores in expected.items():
        result = results[assessment_id]
        final, own = scores.final, scores.self
        assert (result.total, result.self_total, result.applicable_max) == (
            final.total,
            own.total,
            final.applicable_max,
        )
        assert (result.percent, result.classification) == (final.percent, final.classification)
        assert result.scores == {
            ns.code: [
                scoring.decimals.fixed(ns.score) if ns.applicable else None,
                scoring.decimals.plain(ns.applicable_max),
            ]
            for ns in final.nodes()
        }
        written = [
            (s.code, s.position, s.depth, s.is_leaf, s.score, s.self_score, s.applicable_max, s.lost, s.unit_id)
            for s in nodes[result.pk]
        ]
        assert written == [
            (
                ns.code, position, ns.node.depth, ns.node.is_leaf, ns.score if ns.applicable else None,
                mine.score if mine.applicable else None, ns.applicable_max,
                ns.lost if ns.applicable else Decimal(0), result.unit_id,
            )
            for position, (ns, mine) in enumerate(zip(final.nodes(), own.nodes(), strict=True))
        ]  # fmt: skip
    assert results[second.pk].scores["1.1.3"][0] == "0.50"  # round 2 (0.25 of 2 points) over round 1
    assert results[a[units[1].pk].pk].scores["2.1"] == [None, "0"]
    assert [s.score for s in nodes[results[a[units[2].pk].pk].pk] if s.code == "1.6"] == [Decimal(0)]
    assert results[last.pk].scores["1.1.3"][0] == "0.00"  # round 2 empty: unanswered again
    # 1.6 unanswered by the commune but appraised: the final score has it, the self-assessment not.
    assert expected[last.pk].self.node("1.6").score == 0
    assert expected[last.pk].final.node("1.6").score > 0
    assert results[last.pk].scores["1.6"][0] == scoring.decimals.fixed(expected[last.pk].final.node("1.6").score)
