"""Pages of the indicators app: the open cycle's forecast with its what-if panel.

The forecast page is a GET: the what-if's figures travel in the query string (``tc-<code>``),
are scored and shown, and never touch the assessment. htmx re-renders the panel alone.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from parindex.assessments.inputs import describe_inputs
from parindex.assessments.views import get_assessment_for
from parindex.assessments.workflow import Status
from parindex.indicators import forecast as forecasting

FIELD_PREFIX = "tc-"
PANEL_TARGET = "what-if"


@login_required
@require_GET
def forecast(request: HttpRequest, pk: int) -> HttpResponse:
    """Dự báo điểm: the open cycle's projected score, percent, classification and rank, and
    what a changed figure would gain."""
    assessment, _principal = get_assessment_for(request, pk)
    if assessment.status == Status.PUBLISHED:
        messages.info(request, "Kết quả đã công bố: xem điểm bị mất và kế hoạch khắc phục của đơn vị.")
        return redirect("remediation:analysis", pk=assessment.pk)
    raw = {key[len(FIELD_PREFIX) :]: value for key, value in request.GET.items() if key.startswith(FIELD_PREFIX)}
    result = forecasting.forecast(assessment, raw)
    base, what_if = result.base.score, result.what_if.score if result.what_if else None
    rows = []
    for leaf in result.spec.leaves:
        key = forecasting.WHAT_IF_INPUT.get(leaf.rule.kind) if leaf.rule else None
        if key is None:
            continue
        now = base.node(leaf.code)
        typed = raw.get(leaf.code, "")
        rows.append(
            {
                "node": leaf,
                "key": key,
                "current": describe_inputs(result.base.inputs[leaf.code]) if leaf.code in result.base.inputs else "",
                "score": now.score if now.applicable else None,
                "typed": typed,
                "met": typed in ("1", "true", "on", "dat"),
                "changed": leaf.code in result.changes,
                "what_if": what_if.node(leaf.code).score
                if what_if is not None and leaf.code in result.changes
                else None,
                "indicator": result.from_indicators.get(leaf.code, ""),
            }
        )
    context = {
        "assessment": assessment,
        "result": result,
        "rows": rows,
        "prefix": FIELD_PREFIX,
    }
    template = "indicators/forecast.html"
    if request.htmx and request.htmx.target == PANEL_TARGET:
        template += "#what-if"
    return render(request, template, context)
