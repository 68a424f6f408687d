"""Review requests on published results (đề nghị phúc tra) and their re-appraisal.

A request names items of one unit's published result, each with a reason and optionally an
evidence file (private: served only through an access-checked view, with its sha256, size and
type). The appraisers' phúc tra round is written on the items; once the council approves, the
changed items become the unit's final inputs, and the province's correcting decision (a new
publication superseding the old one) closes the request. Every change of state is an event row.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from parindex.reviews.workflow import OPEN, ItemOutcome, ReviewStatus


class ReviewPeriod(models.Model):
    """Until when the units of a publication may ask for a review (set by the Sở Nội vụ)."""

    publication = models.OneToOneField(
        "results.Publication", on_delete=models.CASCADE, related_name="review_period", verbose_name="bản công bố"
    )
    until = models.DateField("hạn đề nghị phúc tra")
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    set_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "thời hạn đề nghị phúc tra"
        verbose_name_plural = "thời hạn đề nghị phúc tra"

    def __str__(self) -> str:
        return f"{self.publication_id} đến {self.until:%d/%m/%Y}"


class ReviewRequest(models.Model):
    publication = models.ForeignKey("results.Publication", on_delete=models.PROTECT, related_name="review_requests")
    result = models.ForeignKey("results.PublishedResult", on_delete=models.PROTECT, related_name="review_requests")
    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.PROTECT, related_name="review_requests")
    unit = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="review_requests")
    status = models.CharField("trạng thái", max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.FILED)
    reason = models.TextField("nội dung đề nghị", blank=True)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    filed_at = models.DateTimeField("ngày gửi", auto_now_add=True)
    decision_note = models.TextField("ý kiến xử lý", blank=True, help_text="Lý do không chấp nhận hoặc trả lại")
    corrected_by = models.ForeignKey(
        "results.Publication", on_delete=models.PROTECT, null=True, blank=True, related_name="closed_reviews"
    )
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-filed_at", "-pk"]
        verbose_name = "đề nghị phúc tra"
        verbose_name_plural = "đề nghị phúc tra"
        constraints = [
            models.UniqueConstraint(
                fields=["assessment"], condition=Q(status__in=sorted(OPEN)), name="reviewrequest_one_open"
            )
        ]

    def __str__(self) -> str:
        return f"Phúc tra {self.unit_id} ({self.get_status_display()})"


def review_upload_to(instance: ReviewItem, filename: str) -> str:
    """reviews/<request>/<random><ext>: never the uploader's file name, never guessable."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"reviews/{instance.request_id}/{uuid.uuid4().hex}{suffix}"


class ReviewItem(models.Model):
    """One item named in a request: what was published, why the unit disagrees, and the phúc
    tra round's inputs, score and comment."""

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("mã tiêu chí", max_length=32)
    position = models.PositiveIntegerField(default=0)
    reason = models.TextField("lý do đề nghị")
    published_score = models.DecimalField("điểm đã công bố", max_digits=9, decimal_places=4, null=True, blank=True)
    applicable_max = models.DecimalField("điểm tối đa", max_digits=9, decimal_places=4)
    file = models.FileField(upload_to=review_upload_to, max_length=300, blank=True)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    content_type = models.CharField("loại tệp", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("dung lượng", null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    outcome = models.CharField("kết quả phúc tra", max_length=8, choices=ItemOutcome.choices, blank=True)
    inputs = models.JSONField("số liệu phúc tra", null=True, blank=True)
    score = models.DecimalField("điểm phúc tra", max_digits=9, decimal_places=4, null=True, blank=True)
    applicable = models.BooleanField(default=True)
    comment = models.TextField("nhận xét phúc tra", blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["request", "position"]
        verbose_name = "tiêu chí đề nghị phúc tra"
        verbose_name_plural = "tiêu chí đề nghị phúc tra"
        constraints = [models.UniqueConstraint(fields=["request", "criterion"], name="reviewitem_unique_criterion")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.code}"


class ReviewEvent(models.Model):
    """A change of a request's state: who, when, from what to what, and why."""

    request = models.ForeignKey(ReviewRequest, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=ReviewStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ReviewStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["request", "at", "pk"]
        verbose_name = "diễn biến phúc tra"
        verbose_name_plural = "diễn biến phúc tra"

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status} → {self.to_status}"
