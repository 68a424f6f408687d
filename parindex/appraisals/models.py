"""Appraisal of submitted self-assessments, by field, with clarification rounds.

The province admin gives each appraiser fields (lĩnh vực) of a cycle, for every unit or for
chosen units (``AppraiserAssignment``). An appraiser records, per sub-criterion, the
appraised inputs with a comment (``ItemAppraisal`` round 1), scored by the same engine as
the self-assessment. Items may be flagged for clarification; the flagged items go out in
a ``ClarificationRequest`` with a deadline, the commune answers each ``ClarificationItem``
with an explanation and new evidence, and a second appraisal (round 2) closes it. Self,
first and final scores are therefore all kept per item.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class Sector(models.TextChoices):
    """The province office an appraiser comes from; each appraises the fields of its sector."""

    NOI_VU = "noi_vu", "Sở Nội vụ"
    TU_PHAP = "tu_phap", "Sở Tư pháp"
    VAN_PHONG = "van_phong", "Văn phòng UBND tỉnh"
    VAN_HOA = "van_hoa", "Sở Văn hóa, Thể thao và Du lịch"
    TAI_CHINH = "tai_chinh", "Sở Tài chính"
    KHCN = "khcn", "Sở Khoa học và Công nghệ"
    KHAC = "khac", "Cơ quan khác"


class AppraiserAssignment(models.Model):
    """``appraiser`` appraises ``criterion`` (usually a whole field) for ``unit``, or every unit when empty."""

    Sector = Sector

    cycle = models.ForeignKey("assessments.Cycle", on_delete=models.CASCADE, related_name="appraiser_assignments")
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="appraisal_assignments"
    )
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Để trống: mọi đơn vị của kỳ đánh giá.",
    )
    sector = models.CharField("cơ quan", max_length=16, choices=Sector.choices)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["cycle", "criterion__position", "appraiser"]
        verbose_name = "phân công thẩm định"
        verbose_name_plural = "phân công thẩm định"
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "appraiser", "criterion"],
                condition=Q(unit__isnull=True),
                name="appraiserassignment_unique_all_units",
            ),
            models.UniqueConstraint(
                fields=["cycle", "appraiser", "criterion", "unit"],
                condition=Q(unit__isnull=False),
                name="appraiserassignment_unique_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.appraiser} · {self.criterion_id} · {self.unit or 'mọi đơn vị'}"


class Round(models.IntegerChoices):
    FIRST = 1, "Thẩm định lần 1"
    SECOND = 2, "Thẩm định lần 2 (sau giải trình)"


class ItemAppraisal(models.Model):
    """The appraised inputs of one sub-criterion in one round, with the appraiser's comment.

    ``revision`` grows on every save and a save names the revision it started from, as
    for the commune's answers: two appraisers cannot silently overwrite each other.
    """

    Round = Round

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="appraisals")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField("lần thẩm định", choices=Round.choices)
    inputs = models.JSONField("số liệu thẩm định", default=dict, blank=True)
    comment = models.TextField("nhận xét", blank=True)
    needs_clarification = models.BooleanField("cần giải trình", default=False)
    revision = models.PositiveIntegerField("lần sửa", default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "criterion__position", "round"]
        verbose_name = "điểm thẩm định"
        verbose_name_plural = "điểm thẩm định"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion", "round"], name="itemappraisal_unique_round")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id} lần {self.round} r{self.revision}"


class ClarificationRequest(models.Model):
    """A request sent to a unit to explain the flagged items by ``deadline``."""

    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="clarification_requests"
    )
    number = models.PositiveSmallIntegerField("lần")
    message = models.TextField("nội dung yêu cầu", blank=True)
    deadline = models.DateField("hạn giải trình")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    sent_at = models.DateTimeField(auto_now_add=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assessment", "number"]
        verbose_name = "yêu cầu giải trình"
        verbose_name_plural = "yêu cầu giải trình"
        constraints = [
            models.UniqueConstraint(fields=["assessment", "number"], name="clarificationrequest_unique_number")
        ]

    def __str__(self) -> str:
        return f"Yêu cầu giải trình lần {self.number} · {self.assessment}"


class ClarificationItem(models.Model):
    """One item asked about: the appraiser's question and the commune's answer."""

    request = models.ForeignKey(ClarificationRequest, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    question = models.TextField("nội dung cần giải trình")
    answer = models.TextField("nội dung giải trình", blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=0)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "criterion__position"]
        verbose_name = "tiêu chí cần giải trình"
        verbose_name_plural = "tiêu chí cần giải trình"
        constraints = [
            models.UniqueConstraint(fields=["request", "criterion"], name="clarificationitem_unique_criterion")
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.criterion_id}"
