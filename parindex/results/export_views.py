"""Excel downloads of results.

- A published ranking, public like its CSV and JSON downloads: the frozen rows and, by
  criterion, the frozen snapshots, built once when the result is published (``files.py``)
  and served from storage (one query: the publication with its stored file).
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
from parindex.assessments.workflow import APPRAISAL_FINAL, APPRAISAL_PROVISIONAL
from parindex.core.downloads import XLSX, attachment
from parindex.core.filenames import download_name
from parindex.frameworks.selectors import framework_version_spec
from parindex.results import excel, files
from parindex.results.models import FileKind
from parindex.results.views import _cycle_for, _publication_or_404


@require_GET
def publication_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    """The published ranking as an Excel workbook ("Xếp hạng" and "Tổng hợp theo tiêu chí"),
    built once at publication and served from storage (one query)."""
    publication = _publication_or_404(pk, stored=FileKind.XLSX)
    return files.serve_publication_file(
        publication, FileKind.XLSX, filename=files.download_filename(publication, "xlsx")
    )


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
        appraised = a.status in APPRAISAL_FINAL or a.status in APPRAISAL_PROVISIONAL  # as the board shows it
        units.append(
            excel.AssessedUnit(
                code=a.unit.code,
                name=a.unit.name,
                status=a.get_status_display(),
                self_score=s.self,
                final_score=s.final if appraised else None,
                provisional=a.status in APPRAISAL_PROVISIONAL,
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
