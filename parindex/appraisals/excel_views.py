"""The appraisal of one unit as an Excel workbook, for the appraisers and the council.

Same access as the appraisal page (``views.get_appraisal_for``): an appraiser gets only the
fields in their scope (and the evidence of those items); the council chair gets every field.
The scores are the engine's three runs (``selectors.scores_from``); the workbook is built by
the pure ``assessments.excel`` module.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from parindex.appraisals.selectors import appraisal_rounds, scores_from
from parindex.appraisals.views import get_appraisal_for
from parindex.assessments import excel
from parindex.assessments.excel_views import answer_cells, evidence_lines, heading_for, xlsx_response
from parindex.assessments.selectors import assessment_answers, evidence_with_files
from parindex.core.filenames import download_name
from parindex.frameworks.selectors import framework_version_spec


@login_required
@require_GET
def workbook_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Self, round-1, round-2 and final scores with comments, per field in scope (fixed query count)."""
    assessment, _, scope = get_appraisal_for(request, pk)
    spec = framework_version_spec(assessment.cycle.framework_version)
    answers = assessment_answers(assessment)
    rounds = appraisal_rounds(assessment)
    evidence = evidence_with_files(assessment)
    scores = scores_from(spec, {code: a.inputs for code, a in answers.items()}, rounds)
    items = {}
    for code, item in rounds.items():
        latest = item.second or item.first
        items[code] = excel.AppraisedItem(
            first=item.first is not None, second=item.second is not None, comment=latest.comment if latest else ""
        )
    body = excel.appraisal_to_xlsx(
        heading=heading_for(assessment),
        self_result=scores.self,
        first_result=scores.first,
        final_result=scores.final,
        items=items,
        answers=answer_cells(answers),
        evidence=evidence_lines(evidence),
        leaves=None if scope.everything else [leaf.code for leaf in scope.leaves(spec, assessment.unit_id)],
    )
    return xlsx_response(
        body, download_name("tham-dinh-chi-so-CCHC", assessment.cycle.year, assessment.unit.name, suffix="xlsx")
    )
