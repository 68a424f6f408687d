"""The app's URLs plus /bench/bare-save/: the floor an answer save could reach (bench only).

``bare_save`` does what the htmx save must do at the database level and nothing else: the
signed-in user (session and user rows, as every page), then in one transaction the answer
row written with the revision check (an INSERT for a first answer, else an UPDATE ... WHERE
revision = base) and one AuditEntry row; the answer is the new revision as plain text, 409
on a conflict. It goes through the same middleware (sessions, CSRF, auth ...) and the same
gunicorn workers as the app, so app ÷ bare is the cost of everything the real view adds:
permission checks, the rule's validation, the old value for the audit, the row's HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_POST

from parindex.assessments.models import Answer, AuditAction, AuditEntry
from parindex.urls import urlpatterns as app_urlpatterns

INPUT_KEYS = ("value_percent", "numerator", "denominator", "met", "count", "days_late", "score")


def stored_inputs(form: Mapping[str, str]) -> dict[str, Any]:
    """The form's inputs as Answer.inputs stores them (a ratio as a fraction, yes/no as a
    boolean, counts as integers), converted without any check: the floor, not the app."""
    stored: dict[str, Any] = {}
    for key in INPUT_KEYS:
        value = form.get(key)
        if not value:
            continue
        if key == "value_percent":
            stored["value"] = str(Decimal(value) / 100)
        elif key == "met":
            stored["met"] = value == "true"
        elif key in ("count", "days_late"):
            stored[key] = int(value)
        else:
            stored[key] = value
    return stored


@login_required
@require_POST
def bare_save(request: HttpRequest, pk: int, criterion_pk: int) -> HttpResponse:
    base = request.POST.get("revision") or None
    inputs = stored_inputs(request.POST)
    explanation = request.POST.get("explanation", "").strip()
    actor = request.user.pk
    with transaction.atomic():
        if base is None:
            try:
                with transaction.atomic():
                    Answer.objects.create(
                        assessment_id=pk, criterion_id=criterion_pk, inputs=inputs, explanation=explanation,
                        updated_by_id=actor,
                    )  # fmt: skip
            except IntegrityError:
                return HttpResponse("conflict", status=409, content_type="text/plain")
            revision = 1
        else:
            revision = int(base) + 1
            updated = Answer.objects.filter(assessment_id=pk, criterion_id=criterion_pk, revision=int(base)).update(
                inputs=inputs, explanation=explanation, revision=F("revision") + 1, updated_by_id=actor,
                updated_at=timezone.now(),
            )  # fmt: skip
            if not updated:
                return HttpResponse("conflict", status=409, content_type="text/plain")
        AuditEntry.objects.create(
            assessment_id=pk, criterion_id=criterion_pk, action=AuditAction.ANSWER, actor_id=actor,
            new={"inputs": inputs, "explanation": explanation},
        )  # fmt: skip
    return HttpResponse(str(revision), content_type="text/plain")


urlpatterns = [
    path("bench/bare-save/<int:pk>/<int:criterion_pk>/", bare_save, name="bench-bare-save"),
    *app_urlpatterns,
]
