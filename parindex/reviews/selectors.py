"""Reading review requests (access-checked: 404 for what one may not see)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from parindex.accounts.permissions import Principal
from parindex.appraisals.models import ItemAppraisal
from parindex.assessments.models import Answer
from parindex.assessments.permissions import VIEW_ROLES
from parindex.reviews import permissions
from parindex.reviews.models import ReviewItem, ReviewRequest
from parindex.reviews.workflow import APPRAISERS, OPEN


def requests_visible_to(principal: Principal) -> QuerySet[ReviewRequest]:
    """The requests of every unit the principal may see, newest first (not yet read)."""
    qs = ReviewRequest.objects.select_related("unit", "publication", "assessment__cycle")
    if principal.is_superuser:
        return qs
    direct, subtree = principal.unit_ids(VIEW_ROLES | APPRAISERS)
    return qs.filter(Q(unit_id__in=direct) | Q(unit__province_id__in=subtree))


def request_for(principal: Principal, pk: int) -> ReviewRequest:
    """One request with what its page needs (its items, events and their people: three queries),
    or 404."""
    request = (
        ReviewRequest.objects.select_related(
            "unit",
            "publication__approval__cycle",
            "result",
            "assessment__cycle__framework_version",
            "filed_by",
            "corrected_by",
        )  # fmt: skip
        .filter(pk=pk)
        .first()
    )
    if request is None or not permissions.can_view(principal, request.unit):
        raise Http404("Không tìm thấy đề nghị phúc tra")
    request.item_list = list(request.items.select_related("reviewed_by").order_by("position"))
    request.event_list = list(request.events.select_related("actor").order_by("at", "pk"))
    found = final_inputs(request.assessment_id, [i.criterion_id for i in request.item_list])
    for item in request.item_list:
        item.found_inputs = found.get(item.criterion_id, {})
    return request


def final_inputs(assessment_id: int, criterion_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The inputs the unit's result now stands on, by criterion id: the appraisers' last round,
    else the unit's own answer (two queries). What a phúc tra form starts from."""
    out = {
        criterion_id: inputs
        for criterion_id, inputs in Answer.objects.filter(
            assessment_id=assessment_id, criterion_id__in=criterion_ids
        ).values_list("criterion_id", "inputs")
    }
    for criterion_id, inputs in (
        ItemAppraisal.objects.filter(assessment_id=assessment_id, criterion_id__in=criterion_ids)
        .order_by("round")
        .values_list("criterion_id", "inputs")
    ):
        out[criterion_id] = inputs
    return out


def item_for(principal: Principal, pk: int, item_pk: int) -> ReviewItem:
    item = (
        ReviewItem.objects.select_related("request__unit", "request__assessment__cycle__framework_version")
        .filter(pk=item_pk, request_id=pk)
        .first()
    )
    if item is None or not permissions.can_view(principal, item.request.unit):
        raise Http404("Không tìm thấy tiêu chí đề nghị phúc tra")
    return item


def open_request_of(assessment_id: int) -> ReviewRequest | None:
    """The unit's request still being handled, if any (one query): a unit files one at a time."""
    return ReviewRequest.objects.filter(assessment_id=assessment_id, status__in=sorted(OPEN)).first()


def group_requests(publication: Any) -> list[ReviewRequest]:
    """Every request on the publications of this publication's group (one query)."""
    return list(
        ReviewRequest.objects.filter(publication__approval_id=publication.approval_id)
        .select_related("unit")
        .order_by("-filed_at", "-pk")
    )
