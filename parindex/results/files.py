"""The result files: built once, stored, served from storage.

A publication is downloaded as CSV, JSON, Excel and, for the province's staff, the Quyết định
phê duyệt và công bố (.docx, with its ranking annex) the documents app writes. Each is built
once, right after the publication commits (``publication_files_build``), and stored with its
content hash (``PublicationFile``); a download then reads the stored bytes instead of the rows.
A correction changes what the older publications of the group say about the one in force (the
JSON's ``is_current``/``current``, the workbook's notes), so theirs are rebuilt too; a rebuild
whose bytes hash the same keeps the stored file. A file missing (a publication from before the
files were stored, storage not copied to a new server) is built and stored when it is first
asked for.

The year's results of every province in force are one open-data CSV (``OpenDataFile``), built
when first asked for after the set of publications in force changed, and stored.

The bytes are exactly what the download views wrote before the files were stored (the CSV's
BOM and dot decimals, the JSON's indentation, the workbook's cells): only where they come from
changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.http import FileResponse
from django.utils import timezone

from parindex import scoring
from parindex.core.downloads import DOCX, XLSX
from parindex.core.filenames import download_name
from parindex.core.jobs import after_commit
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import excel, selectors
from parindex.results.models import FileKind, OpenDataFile, Publication, PublicationFile, PublishedResult

logger = logging.getLogger(__name__)

CONTENT_TYPES = {
    FileKind.CSV: "text/csv; charset=utf-8",
    FileKind.JSON: "application/json; charset=utf-8",
    FileKind.XLSX: XLSX,
    FileKind.DOCX: DOCX,
}
PUBLICATION_KINDS = (FileKind.CSV, FileKind.JSON, FileKind.XLSX, FileKind.DOCX)
# What a correction changes in the older publications' files: whether they are in force.
CORRECTION_KINDS = (FileKind.JSON, FileKind.XLSX)
DECISION_FILE = "QD-cong-bo-chi-so-CCHC"
RESULTS_FILE = "ket-qua-chi-so-CCHC"


# -- the rows as a reader needs them --------------------------------------------------------------


@dataclass
class ResultRow:
    """One frozen result, its decimals at the publication's places, with the words a reader needs."""

    result: PublishedResult
    total: Decimal
    self_total: Decimal
    applicable_max: Decimal
    percent: Decimal
    previous_percent: Decimal | None
    fields: list[tuple[Decimal | None, Decimal | None]]
    change: str
    compared_with: list[str]

    @property
    def change_class(self) -> str:
        delta = self.result.rank_change
        if delta is None:
            return "none"
        return "up" if delta > 0 else "down" if delta < 0 else "same"


def _fixed(value: Decimal | None, places: int) -> Decimal | None:
    """A stored decimal (four places in the database) at the places it was published with."""
    if value is None:
        return None
    return Decimal(value).quantize(Decimal(1).scaleb(-places))


def result_rows(publication: Publication, results: Iterable[PublishedResult]) -> list[ResultRow]:
    places = publication.places
    codes = [f["code"] for f in publication.fields]
    rows = []
    for r in results:
        pairs = []
        for code in codes:
            score, applicable_max = (r.scores.get(code) or [None, None])[:2]
            pairs.append(
                (
                    Decimal(score) if score is not None else None,
                    Decimal(applicable_max) if applicable_max is not None else None,
                )
            )
        rows.append(
            ResultRow(
                result=r,
                total=_fixed(r.total, places),
                self_total=_fixed(r.self_total, places),
                applicable_max=Decimal(r.applicable_max).normalize(),
                percent=_fixed(r.percent, places),
                previous_percent=_fixed(r.previous_percent, places),
                fields=pairs,
                change=scoring.describe_change(r.rank_change),
                compared_with=list(r.previous_sources) if list(r.previous_sources) != [r.unit_name] else [],
            )
        )
    return rows


def download_rows(publication: Publication) -> list[PublishedResult]:
    """The frozen rows in rank order with their units' national codes (one query)."""
    return list(
        PublishedResult.objects.filter(publication=publication).select_related("unit").order_by("rank", "unit_name")
    )


def machine(value: Decimal | None) -> str:
    """A decimal for machines: a dot, the published places, no grouping ("" when absent)."""
    return "" if value is None else scoring.decimals.fixed(value)


def download_filename(publication: Publication, suffix: str, stem: str = RESULTS_FILE) -> str:
    """The download's name: "ket-qua-chi-so-CCHC-2025-tinh-quang-tri-khoi-xa-phuong.csv" (and
    "-dinh-chinh-1" for the first correction)."""
    approval = publication.approval
    correction = f"dinh-chinh-{publication.number - 1}" if publication.number > 1 else ""
    return download_name(stem, publication.year, approval.cycle.province.name, approval.name, correction, suffix=suffix)


# -- the files' bytes ---------------------------------------------------------------------------

CSV_HEAD = ["Thứ hạng", "Trên tổng số", "Mã đơn vị", "Tên đơn vị"]
CSV_TAIL = [
    "Tổng điểm",
    "Điểm tối đa áp dụng",
    "Chỉ số (%)",
    "Xếp loại",
    "Điểm tự đánh giá",
    "Chỉ số năm trước (%)",
    "Thứ hạng năm trước",
    "Trên tổng số năm trước",
    "Thay đổi thứ hạng (bậc, + tăng, - giảm)",
    "Thay đổi thứ hạng",
    "So sánh với đơn vị năm trước",
]


def _csv_tail(row: ResultRow) -> list[object]:
    r = row.result
    return [
        machine(row.total),
        scoring.decimals.plain(row.applicable_max),
        machine(row.percent),
        r.classification,
        machine(row.self_total),
        machine(row.previous_percent),
        "" if r.previous_rank is None else r.previous_rank,
        "" if r.previous_of is None else r.previous_of,
        "" if r.rank_change is None else r.rank_change,
        row.change,
        "; ".join(r.previous_sources),
    ]


def _csv_bytes(head: list[str], lines: Iterable[list[object]]) -> bytes:
    """UTF-8 with a BOM (Excel reads the diacritics), lines ending CRLF."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow(head)
    writer.writerows(lines)
    return out.getvalue().encode("utf-8")


def ranking_csv(publication: Publication, rows: list[ResultRow]) -> bytes:
    """The ranking as CSV: dot decimals at the published places."""
    fields = [f"{f['code']}. {f['name']} (tối đa {f['max']})" for f in publication.fields]
    return _csv_bytes(
        [*CSV_HEAD, *fields, *CSV_TAIL],
        (
            [
                row.result.rank,
                row.result.rank_of,
                row.result.unit.code,
                row.result.unit_name,
                *(machine(score) for score, _ in row.fields),
                *_csv_tail(row),
            ]
            for row in rows
        ),
    )


def ranking_json(publication: Publication, rows: list[ResultRow]) -> bytes:
    """The ranking as JSON (``parindex-results/1``); decimals are strings with a dot."""
    province = publication.approval.cycle.province
    codes = [f["code"] for f in publication.fields]
    supersedes = publication.supersedes
    document = {
        "format": "parindex-results/1",
        "year": publication.year,
        "province": {"code": province.code, "name": province.name},
        "group": publication.approval.name,
        "decision": {
            "number": publication.decision_number,
            "date": publication.decision_date.isoformat(),
            "issuer": publication.issuer,
        },
        "publication": {
            "id": publication.pk,
            "number": publication.number,
            "is_current": publication.is_current,
            "current": publication.current_pk,
            "reason": publication.reason,
            "supersedes": (
                {"id": supersedes.pk, "decision_number": supersedes.decision_number} if supersedes else None
            ),
        },
        "places": publication.places,
        "compared_with": publication.previous_label,
        "fields": [{"code": f["code"], "name": f["name"], "max": f["max"]} for f in publication.fields],
        "results": [
            {
                "rank": row.result.rank,
                "of": row.result.rank_of,
                "unit": {"code": row.result.unit.code, "name": row.result.unit_name},
                "total": machine(row.total),
                "applicable_max": scoring.decimals.plain(row.applicable_max),
                "percent": machine(row.percent),
                "classification": row.result.classification,
                "self_total": machine(row.self_total),
                "fields": {
                    code: {
                        "score": None if score is None else machine(score),
                        "applicable_max": None if maximum is None else scoring.decimals.plain(maximum),
                    }
                    for code, (score, maximum) in zip(codes, row.fields, strict=True)
                },
                "previous": (
                    None
                    if row.result.previous_rank is None
                    else {
                        "percent": machine(row.previous_percent),
                        "rank": row.result.previous_rank,
                        "of": row.result.previous_of,
                        "sources": list(row.result.previous_sources),
                    }
                ),
                "rank_change": row.result.rank_change,
                "rank_change_text": row.change,
            }
            for row in rows
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _ranked_unit(row: ResultRow) -> excel.RankedUnit:
    r = row.result
    return excel.RankedUnit(
        rank=r.rank,
        rank_of=r.rank_of,
        code=r.unit.code,
        name=r.unit_name,
        fields=[score for score, _ in row.fields],
        total=row.total,
        applicable_max=row.applicable_max,
        percent=row.percent,
        classification=r.classification,
        previous_percent=row.previous_percent,
        previous_rank=r.previous_rank,
        previous_of=r.previous_of,
        change=row.change,
        compared_with=row.compared_with,
        scores=r.scores,
    )


def publication_notes(publication: Publication) -> list[str]:
    notes = [f"So sánh thứ hạng với: {publication.previous_label or 'chưa có kết quả năm trước để so sánh'}"]
    supersedes = publication.supersedes
    if supersedes is not None:
        notes.append(
            f"Đính chính: {publication.reason} (thay thế Quyết định số {supersedes.decision_number} "
            f"ngày {supersedes.decision_date:%d/%m/%Y})"
        )
    if not publication.is_current:
        notice = "Bản công bố này đã được đính chính."
        if publication.current_decision:
            notice += f" Kết quả đang có hiệu lực theo Quyết định số {publication.current_decision}."
        notes.append(f"{notice} Bảng được giữ nguyên như ngày công bố.")
    return notes


def ranking_xlsx(publication: Publication, rows: list[ResultRow]) -> bytes:
    """The published ranking as an Excel workbook: "Xếp hạng" and "Tổng hợp theo tiêu chí"
    (one query: the framework version)."""
    cycle = publication.approval.cycle
    version = FrameworkVersion.objects.select_related("framework").get(pk=cycle.framework_version_id)
    spec = framework_version_spec(version)
    ranking = excel.Ranking(
        year=publication.year,
        group=publication.approval.name,
        province=cycle.province.name,
        decision_number=publication.decision_number,
        decision_date=publication.decision_date,
        issuer=publication.issuer,
        places=publication.places,
        fields=publication.fields,
        nodes=spec.nodes,
        units=[_ranked_unit(row) for row in rows],
        notes=publication_notes(publication),
        made_at=publication.published_at.astimezone(dt.UTC).replace(tzinfo=None),
    )
    return reproducible_zip(excel.ranking_to_xlsx(ranking), publication.published_at)


def decision_docx(publication: Publication) -> bytes:
    """The Quyết định phê duyệt và công bố with its ranking annex, as the documents app renders
    it from the publication (the province's own template when it has one), headed with the
    publication's decision: its number and date, the body's defaults otherwise (signer's name
    left for the office to type). Raises ValidationError when the template cannot be rendered."""
    import re

    from parindex.documents import defaults, services
    from parindex.documents import selectors as document_selectors
    from parindex.documents.models import Kind

    province = publication.approval.cycle.province
    source = document_selectors.Source(Kind.DECISION, province, province, publication=publication)
    heading = defaults.heading_of(defaults.heading_initial(source, Kind.DECISION))
    number = re.fullmatch(r"\s*0*(\d+)\s*/\s*(\S.*?)\s*", publication.decision_number)
    heading = replace(
        heading,
        number=int(number.group(1)) if number else None,
        symbol=number.group(2) if number else heading.symbol,
        date=publication.decision_date,
    )
    ctx = services.document_context(source, heading, {})
    data, template = services.template_bytes(province.pk, Kind.DECISION)
    return reproducible_zip(services.render_template(data, ctx, own=template is not None), publication.published_at)


def reproducible_zip(data: bytes, when: dt.datetime) -> bytes:
    """The same Office file (a zip) with every member dated ``when`` instead of the moment it was
    written: built again from the same rows, a file has the same bytes, so the same hash."""
    stamp = timezone.localtime(when).timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, source.read(info.filename))
    return out.getvalue()


def _build(publication: Publication, kind: str, rows: list[ResultRow] | None) -> bytes:
    if kind == FileKind.DOCX:
        return decision_docx(publication)
    assert rows is not None
    builder = {FileKind.CSV: ranking_csv, FileKind.JSON: ranking_json, FileKind.XLSX: ranking_xlsx}[kind]
    return builder(publication, rows)


# -- storing ------------------------------------------------------------------------------------


def _put(name: str, data: bytes) -> str:
    """Store ``data`` under ``name`` (a content-addressed name: kept when already there)."""
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def _discard(name: str) -> None:
    """Delete a replaced file from storage unless a row still points at it."""
    if PublicationFile.objects.filter(file=name).exists() or OpenDataFile.objects.filter(file=name).exists():
        return
    try:
        default_storage.delete(name)
    except OSError:
        logger.warning("could not delete replaced result file %s", name)


def _keep(row: Any, sha: str) -> bool:
    """Whether a stored row already holds these bytes (same hash, file still in storage)."""
    return row is not None and row.sha256 == sha and bool(row.file.name) and default_storage.exists(row.file.name)


def _stored_row(model: type, lookup: dict[str, Any], row: Any, name: str, data: bytes, **extra: Any) -> Any:
    """Point ``row`` (a new one when None) at ``data``, stored under ``name`` (content-addressed:
    it ends with the bytes' hash). A row made at the same moment by another request wins; the
    file it replaces is deleted once this commits."""
    sha = hashlib.sha256(data).hexdigest()
    if _keep(row, sha) and all(getattr(row, k) == v for k, v in extra.items()):
        return row
    stored = _put(name, data)
    old = row.file.name if row is not None else ""
    if row is None:
        row = model(**lookup)
    row.file.name = stored
    row.sha256 = sha
    row.size = len(data)
    for key, value in extra.items():
        setattr(row, key, value)
    try:
        with transaction.atomic():
            row.save()
    except IntegrityError:
        row = model.objects.get(**lookup)
    if old and old != row.file.name:
        transaction.on_commit(lambda: _discard(old), robust=True)
    return row


def publication_file(
    publication: Publication, kind: str, *, row: PublicationFile | None = None, rows: list[ResultRow] | None = None
) -> PublicationFile:
    """Build one file of ``publication`` (annotated as ``selectors.publication_with_current``)
    and store it, unless the stored one has the same bytes. Raises ValidationError when the
    Quyết định's template cannot be rendered."""
    if kind != FileKind.DOCX and rows is None:
        rows = result_rows(publication, download_rows(publication))
    data = _build(publication, kind, rows)
    sha = hashlib.sha256(data).hexdigest()
    name = f"ket-qua/{publication.year}/{publication.pk}/{sha}.{kind}"
    return _stored_row(PublicationFile, {"publication": publication, "kind": kind}, row, name, data)


def publication_files_build(
    *, publication: Publication | int, kinds: Iterable[str] = PUBLICATION_KINDS, rebuild: bool = False
) -> dict[str, PublicationFile]:
    """Build and store the files of a publication that are not stored yet (with ``rebuild``,
    every one of ``kinds`` again, storing only those whose bytes changed). Idempotent: run
    twice, the second run builds nothing (or, rebuilding, stores nothing new).

    A Quyết định whose template cannot be rendered is left out (logged): its download builds it
    when asked for and says why it cannot.
    """
    pk = publication.pk if isinstance(publication, Publication) else publication
    fresh = selectors.publication_with_current(pk)  # what is in force now, after a correction
    if fresh is None:
        return {}
    existing = {f.kind: f for f in PublicationFile.objects.filter(publication=fresh)}
    out = {}
    rows = None
    for kind in kinds:
        row = existing.get(kind)
        if row is not None and not rebuild:
            out[kind] = row
            continue
        if kind != FileKind.DOCX and rows is None:
            rows = result_rows(fresh, download_rows(fresh))
        try:
            out[kind] = publication_file(fresh, kind, row=row, rows=rows)
        except ValidationError as exc:
            logger.warning("publication %s: %s file not built: %s", pk, kind, "; ".join(exc.messages))
    return out


def files_after_publish(publication: Publication) -> None:
    """Once the publication commits, build its files in a background job (``tasks.py``); until
    the job has run, a download builds its file when asked for."""
    from parindex.results.tasks import publication_files

    after_commit(publication_files, publication.pk, province_id=_province_of(publication))


def files_after_correction(corrected: Publication) -> None:
    """Once the correction commits, build its files and rebuild what the group's older
    publications say about the one in force (a background job)."""
    from parindex.results.tasks import publication_files

    after_commit(publication_files, corrected.pk, correction=True, province_id=_province_of(corrected))


def _province_of(publication: Publication) -> int:
    """Whose admins see the job if it fails (the approval and cycle the service holds: no query)."""
    return publication.approval.cycle.province_id


def files_of_correction_build(corrected_id: int) -> None:
    """What the group's older publications say about the one in force, built again."""
    corrected = Publication.objects.filter(pk=corrected_id).only("pk", "approval_id").first()
    if corrected is None:
        return
    older = Publication.objects.filter(approval_id=corrected.approval_id).exclude(pk=corrected.pk)
    for pk in older.values_list("pk", flat=True):
        publication_files_build(publication=pk, kinds=CORRECTION_KINDS, rebuild=True)


def _open(name: str | None) -> Any:
    if not name:
        return None
    try:
        return default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        return None


def serve_publication_file(publication: Publication, kind: str, *, filename: str, inline: bool = False) -> FileResponse:
    """The stored file of ``publication`` (annotated with its ``stored_name``), built and stored
    first when it is not there. Raises ValidationError when it cannot be built (a Quyết định
    whose template is refused)."""
    handle = _open(getattr(publication, "stored_name", None))
    if handle is None:
        row = PublicationFile.objects.filter(publication=publication, kind=kind).first()
        row = publication_file(publication, kind, row=row)
        handle = default_storage.open(row.file.name, "rb")
    return FileResponse(handle, as_attachment=not inline, filename=filename, content_type=CONTENT_TYPES[kind])


# -- open data: every province's results of a year ------------------------------------------------

OPEN_DATA_HEAD = [
    "Năm",
    "Mã tỉnh",
    "Tỉnh, thành phố",
    "Nhóm xếp hạng",
    "Quyết định công bố",
    "Ngày quyết định",
    "Bộ chỉ số",
    *CSV_HEAD,
    *CSV_TAIL,
]


def open_data_key(year: int) -> tuple[list[int], str]:
    """The year's publications in force and the key of that set (one query)."""
    ids = sorted(Publication.objects.filter(year=year, is_current=True).values_list("pk", flat=True))
    return ids, hashlib.sha256(",".join(map(str, ids)).encode()).hexdigest()


def open_data_csv(year: int, ids: list[int]) -> bytes:
    """Every result of the year's publications in force, province by province (by code), group
    by group, in rank order; then one column per field code met in any of them (the fields'
    names are each province's, in its own CSV and JSON). Two queries."""
    publications = {
        p.pk: p
        for p in Publication.objects.filter(pk__in=ids).select_related(
            "approval__cycle__province", "approval__cycle__framework_version__framework"
        )
    }
    ordered = sorted(publications.values(), key=lambda p: (p.approval.cycle.province.code, p.approval.name, p.pk))
    codes: list[str] = []
    for p in ordered:
        codes += [f["code"] for f in p.fields if f["code"] not in codes]
    results: dict[int, list[PublishedResult]] = {pk: [] for pk in publications}
    for r in (
        PublishedResult.objects.filter(publication_id__in=ids)
        .select_related("unit")
        .order_by("publication_id", "rank", "unit_name")
    ):
        results[r.publication_id].append(r)
    lines = []
    for p in ordered:
        province = p.approval.cycle.province
        own = [f["code"] for f in p.fields]
        for row in result_rows(p, results[p.pk]):
            fields = dict(zip(own, (machine(score) for score, _ in row.fields), strict=True))
            lines.append(
                [
                    p.year,
                    province.code,
                    province.name,
                    p.approval.name,
                    p.decision_number,
                    p.decision_date.isoformat(),
                    p.approval.cycle.framework_version.framework.code,
                    row.result.rank,
                    row.result.rank_of,
                    row.result.unit.code,
                    row.result.unit_name,
                    *_csv_tail(row),
                    *(fields.get(code, "") for code in codes),
                ]
            )
    return _csv_bytes([*OPEN_DATA_HEAD, *(f"Lĩnh vực {code}" for code in codes)], lines)


def open_data_file(year: int) -> OpenDataFile | None:
    """The year's open-data CSV, stored; built again only when the publications in force
    changed since (two queries when stored; None when nothing of the year is published)."""
    ids, key = open_data_key(year)
    if not ids:
        return None
    row = OpenDataFile.objects.filter(year=year, kind=FileKind.CSV).first()
    if row is not None and row.publications_key == key and default_storage.exists(row.file.name):
        return row
    data = open_data_csv(year, ids)
    sha = hashlib.sha256(data).hexdigest()
    return _stored_row(
        OpenDataFile,
        {"year": year, "kind": FileKind.CSV},
        row,
        f"ket-qua/mo/{year}/{sha}.csv",
        data,
        publications_key=key,
    )


def open_data_filename(year: int) -> str:
    return download_name(RESULTS_FILE, year, "ca-nuoc", suffix="csv")
