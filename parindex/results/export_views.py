"""Excel downloads of results.

- A published ranking, public like its CSV and JSON downloads: the frozen rows and, by
  criterion, the frozen snapshots (three queries: the publication, its framework version,
  its rows).
- A cycle's cross-unit table, for whoever may open the cycle's board (404 otherwise, as the
  board): every assessment with its self and appraised scores, computed by the engine from
  the answers and appraisals read in two queries, whatever the number of units.

The workbooks are built in ``excel.py`` from plain data; these views only read and pass on.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from parindex.appraisals.selectors import final_scores_for
from parindex.assessments.models import Assessment
from parindex.core.downloads import XLSX, attachment
from parindex.core.filenames import download_name
from parindex.frameworks.models import FrameworkVersion
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import excel
from parindex.results.models import Publication
from parindex.results.views import (
    FINAL_STATES,
    UNDER_APPRAISAL,
    ResultRow,
    _cycle_for,
    _download_name,
    _download_rows,
    _publication_or_404,
    _result_rows,
)


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


def _publication_notes(publication: Publication) -> list[str]:
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


@require_GET
def publication_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as an Excel workbook: "Xếp hạng" and "Tổng hợp theo tiêu chí"."""
    publication = _publication_or_404(pk)
    cycle = publication.approval.cycle
    version = FrameworkVersion.objects.select_related("framework").get(pk=cycle.framework_version_id)
    spec = framework_version_spec(version)
    rows = _result_rows(publication, _download_rows(publication))
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
        notes=_publication_notes(publication),
    )
    return attachment(excel.ranking_to_xlsx(ranking), _download_name(publication, "xlsx"), XLSX)


@login_required
@require_GET
def cycle_xlsx(request: HttpRequest, cycle_pk: int) -> HttpResponse:
    """The cycle's cross-unit table (self and appraised scores) for the province's staff."""
    cycle, _principal = _cycle_for(request, cycle_pk)
    spec = framework_version_spec(cycle.framework_version)
    assessments = list(Assessment.objects.filter(cycle=cycle).select_related("unit").order_by("unit__name", "pk"))
    scores = final_scores_for(assessments, spec)
    units = []
    for a in assessments:
        s = scores[a.pk]
        appraised = a.status in FINAL_STATES or a.status in UNDER_APPRAISAL  # as the board shows it
        units.append(
            excel.AssessedUnit(
                code=a.unit.code,
                name=a.unit.name,
                status=a.get_status_display(),
                self_score=s.self,
                final_score=s.final if appraised else None,
                provisional=a.status in UNDER_APPRAISAL,
            )
        )
    table = excel.CycleTable(
        name=cycle.name,
        province=cycle.province.name,
        framework=cycle.framework_version.name,
        places=spec.rounding,
        nodes=spec.nodes,
        units=units,
        made_at=timezone.localtime(),
    )
    filename = download_name("tong-hop-diem-chi-so-CCHC", cycle.year, cycle.province.name, suffix="xlsx")
    return attachment(excel.cycle_to_xlsx(table), filename, XLSX)
