"""Remediation plans (kế hoạch khắc phục) drawn from published lost points, followed through the year.

A ``Plan`` belongs to one unit's published assessment of year Y and is carried out in year
Y + 1 (``year``). It has one ``PlanItem`` per sub-criterion that lost points, frozen from the
published snapshot (maximum, appraised score, points lost), with its cause; each item has
one or more ``Action`` rows (measure, responsible office or official, deadline, expected
points recovered, status). Progress is recorded as ``ActionNote`` rows, with an optional
evidence file. Every change of the plan's state is a ``PlanEvent``.

At the end of the year the commune reports each action's result and sends the report; the
share of actions done on time is the input of the next cycle's remediation sub-criterion
(1.5.3 in the reference framework, marked ``source: remediation``).
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from parindex.remediation.workflow import ActionStatus, DeadlineKind, PlanStatus


class Plan(models.Model):
    """One unit's remediation plan for the lost points of a published assessment."""

    Status = PlanStatus

    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.PROTECT, related_name="remediation_plan", verbose_name="hồ sơ"
    )
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="remediation_plans", verbose_name="đơn vị"
    )
    result = models.ForeignKey(
        "results.PublishedResult",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="kết quả công bố",
        help_text="The published row the lines were drawn from.",
    )
    assessed_year = models.PositiveSmallIntegerField("năm đánh giá")
    year = models.PositiveSmallIntegerField("năm thực hiện")
    status = models.CharField("trạng thái", max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    title = models.CharField("tên kế hoạch", max_length=300)
    document_number = models.CharField("số, ký hiệu", max_length=64, blank=True)
    total_lost = models.DecimalField("tổng điểm bị mất", max_digits=9, decimal_places=4)
    report_summary = models.TextField("đánh giá chung kết quả khắc phục", blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField("phê duyệt lúc", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField("báo cáo lúc", null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "unit__name"]
        verbose_name = "kế hoạch khắc phục"
        verbose_name_plural = "kế hoạch khắc phục"
        indexes = [models.Index(fields=["unit", "year"], name="plan_unit_year_idx")]

    def __str__(self) -> str:
        return self.title


class PlanEvent(models.Model):
    """An immutable record of a plan changing state: who, when, from, to."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=PlanStatus.choices)
    to_status = models.CharField(max_length=16, choices=PlanStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "sự kiện kế hoạch"
        verbose_name_plural = "sự kiện kế hoạch"

    def __str__(self) -> str:
        return f"{self.plan_id}: {self.from_status} → {self.to_status}"


class PlanItem(models.Model):
    """A sub-criterion that lost points, as published, with the commune's analysis of the cause."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    code = models.CharField("mã", max_length=32)
    name = models.TextField("tiêu chí")
    field_code = models.CharField("mã lĩnh vực", max_length=32)
    field_name = models.TextField("lĩnh vực")
    position = models.PositiveIntegerField("thứ tự")
    max_points = models.DecimalField("điểm tối đa", max_digits=9, decimal_places=4)
    score = models.DecimalField("điểm thẩm định", max_digits=9, decimal_places=4)
    lost = models.DecimalField("điểm bị mất", max_digits=9, decimal_places=4)
    cause = models.TextField("nguyên nhân không đạt điểm tối đa", blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=1)

    class Meta:
        ordering = ["plan", "position"]
        verbose_name = "nội dung khắc phục"
        verbose_name_plural = "nội dung khắc phục"
        constraints = [
            models.UniqueConstraint(fields=["plan", "criterion"], name="planitem_unique_criterion"),
            models.CheckConstraint(condition=Q(lost__gt=0), name="planitem_lost_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: −{self.lost}"


class Action(models.Model):
    """A measure for one lost item: who carries it out, by when, and how far it has got."""

    Status = ActionStatus
    DeadlineKind = DeadlineKind

    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="actions")
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")  # = item.plan, for boards
    position = models.PositiveIntegerField("thứ tự", default=0)
    description = models.TextField("biện pháp khắc phục")
    office = models.CharField(
        "bộ phận thực hiện", max_length=200, blank=True, help_text="Ví dụ: Văn phòng - Thống kê, Bộ phận một cửa"
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remediation_actions",
        verbose_name="công chức phụ trách",
    )
    deadline_kind = models.CharField("thời hạn", max_length=16, choices=DeadlineKind.choices, default=DeadlineKind.DATE)
    due = models.DateField("hạn hoàn thành", null=True, blank=True)
    expected_points = models.DecimalField("điểm dự kiến khắc phục", max_digits=9, decimal_places=4, default=0)
    status = models.CharField(
        "tình trạng", max_length=16, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    result = models.TextField("kết quả thực hiện", blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=1)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["plan", "item__position", "position", "pk"]
        verbose_name = "biện pháp khắc phục"
        verbose_name_plural = "biện pháp khắc phục"
        constraints = [
            models.CheckConstraint(
                condition=~Q(deadline_kind=DeadlineKind.DATE) | Q(due__isnull=False), name="action_date_has_due"
            ),
            models.CheckConstraint(condition=Q(expected_points__gte=0), name="action_expected_points_gte_0"),
            models.CheckConstraint(
                condition=~Q(status=ActionStatus.DONE) | Q(completed_on__isnull=False), name="action_done_has_date"
            ),
        ]
        indexes = [models.Index(fields=["plan", "status"], name="action_plan_status_idx")]

    def __str__(self) -> str:
        return self.description[:80]


def note_upload_to(instance: ActionNote, filename: str) -> str:
    """remediation/<plan>/<random><ext>: never the uploader's file name, never guessable."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"remediation/{instance.action.plan_id}/{uuid.uuid4().hex}{suffix}"


class ActionNote(models.Model):
    """A progress note on an action, with the status it moved to and an optional evidence file.

    Never edited: the notes are the action's history. The file is served only through an
    access-checked view, and carries its sha256, size and type.
    """

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField("nội dung tiến độ", blank=True)
    from_status = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=ActionStatus.choices, blank=True)
    file = models.FileField(upload_to=note_upload_to, max_length=300, blank=True)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    content_type = models.CharField("loại tệp", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("dung lượng", null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    on = models.DateField("ngày")
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering = ["action", "at", "pk"]
        verbose_name = "tiến độ thực hiện"
        verbose_name_plural = "tiến độ thực hiện"

    def __str__(self) -> str:
        return f"{self.action_id} {self.on:%d/%m/%Y}"
