"""Assessment cycles and each unit's self-assessment.

A ``Cycle`` is a province's assessment of a year against one framework version; opening it
creates one ``Assessment`` per unit in scope. Officials enter ``Answer`` inputs per
sub-criterion (scored by the engine, never typed as a bare score where a rule exists),
attach ``Evidence`` (documents with number, date and issuer, stored as file revisions) and
the head submits. Every change of state is an ``AssessmentEvent``.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

from parindex.assessments.workflow import Status


class Cycle(models.Model):
    """A province's assessment of one year against one framework version."""

    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="cycles", verbose_name="tỉnh"
    )
    year = models.PositiveSmallIntegerField("năm đánh giá")
    framework_version = models.ForeignKey(
        "frameworks.FrameworkVersion", on_delete=models.PROTECT, related_name="cycles", verbose_name="bộ chỉ số"
    )
    name = models.CharField("tên kỳ đánh giá", max_length=200)
    self_assessment_due = models.DateField("hạn tự đánh giá")
    appraisal_due = models.DateField("hạn thẩm định")
    clarification_due = models.DateField("hạn giải trình")
    publication_due = models.DateField("hạn công bố")
    opened_at = models.DateTimeField("mở lúc", auto_now_add=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-year", "province__name"]
        verbose_name = "kỳ đánh giá"
        verbose_name_plural = "kỳ đánh giá"
        constraints = [
            models.UniqueConstraint(fields=["province", "year", "framework_version"], name="cycle_unique_year"),
            models.CheckConstraint(
                condition=Q(self_assessment_due__lte=models.F("appraisal_due"))
                & Q(appraisal_due__lte=models.F("clarification_due"))
                & Q(clarification_due__lte=models.F("publication_due")),
                name="cycle_deadlines_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """One unit's assessment in a cycle: its answers, evidence and state."""

    Status = Status

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="assessments", verbose_name="kỳ đánh giá")
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="assessments", verbose_name="đơn vị"
    )
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField("gửi lúc", null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The forecast's projection, kept current in the transaction of every change to what it
    # stands on (``indicators.projections``): the engine's score of the answers, overlaid by the
    # appraisal so far and, while self-assessing, by the figures tracked all year. Lists, boards
    # and the forecast's ranks read it with SQL instead of scoring every unit per request.
    projected_total = models.DecimalField("điểm dự kiến", max_digits=9, decimal_places=4, null=True, blank=True)
    projected_max = models.DecimalField(
        "điểm tối đa áp dụng (dự kiến)", max_digits=9, decimal_places=4, null=True, blank=True
    )
    projected_percent = models.DecimalField("chỉ số dự kiến (%)", max_digits=9, decimal_places=4, null=True, blank=True)
    projected_class = models.CharField("xếp loại dự kiến", max_length=64, blank=True)
    projected_missing = models.PositiveIntegerField("tiêu chí chưa có số liệu (dự kiến)", null=True, blank=True)
    projected_at = models.DateTimeField("tính lúc", null=True, blank=True)
    # A draft's inputs taken from the figures tracked all year (leaf code -> stored inputs), as
    # the last full computation found them: an answer saved to a draft is then projected from
    # its answers and these, without reading the indicators and the register again. None when
    # not computed yet or not a draft.
    projected_tracked = models.JSONField("số liệu theo dõi dùng cho dự kiến", null=True, blank=True, default=None)

    class Meta:
        ordering = ["cycle", "unit__name"]
        verbose_name = "hồ sơ đánh giá"
        verbose_name_plural = "hồ sơ đánh giá"
        constraints = [models.UniqueConstraint(fields=["cycle", "unit"], name="assessment_unique_unit")]

    def __str__(self) -> str:
        return f"{self.unit} · {self.cycle.year}"


class Assignment(models.Model):
    """The commune office gives an official a criterion: a whole field or single sub-criteria.

    A leaf belongs to the official assigned to it or to its nearest assigned ancestor.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="assignments")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    official = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    assigned_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "phân công"
        verbose_name_plural = "phân công"
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="assignment_unique_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion_id} → {self.official}"


class Answer(models.Model):
    """The self-assessment inputs of one sub-criterion (the rule's response keys).

    ``revision`` grows on every save; a save states the revision it started from, so two
    officials editing the same item cannot silently overwrite each other.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("frameworks.Criterion", on_delete=models.PROTECT, related_name="+")
    inputs = models.JSONField("số liệu", default=dict, blank=True)
    explanation = models.TextField("giải thích cách tính điểm", blank=True)
    revision = models.PositiveIntegerField("lần sửa", default=1)
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "số liệu tự đánh giá"
        verbose_name_plural = "số liệu tự đánh giá"
        constraints = [models.UniqueConstraint(fields=["assessment", "criterion"], name="answer_unique_criterion")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id} r{self.revision}"


def evidence_upload_to(instance: EvidenceFile, filename: str) -> str:
    """evidence/<cycle>/<unit>/<random><ext>: never the uploader's file name, never guessable."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    evidence = instance.evidence
    return f"evidence/{evidence.assessment.cycle_id}/{evidence.assessment.unit_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A document proving a score (tài liệu kiểm chứng); it may serve several sub-criteria."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="evidence")
    title = models.CharField("tên tài liệu", max_length=300)
    document_number = models.CharField("số, ký hiệu", max_length=64, blank=True)
    document_date = models.DateField("ngày ban hành", null=True, blank=True)
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    summary = models.TextField("trích yếu", blank=True)
    criteria = models.ManyToManyField("frameworks.Criterion", related_name="+", verbose_name="dùng cho tiêu chí")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "document_date", "pk"]
        verbose_name = "tài liệu kiểm chứng"
        verbose_name_plural = "tài liệu kiểm chứng"

    def __str__(self) -> str:
        return f"{self.document_number} {self.title}".strip()


class EvidenceFile(models.Model):
    """One stored revision of an evidence document's file; revisions are never overwritten."""

    evidence = models.ForeignKey(Evidence, on_delete=models.CASCADE, related_name="files")
    revision = models.PositiveIntegerField("phiên bản")
    file = models.FileField(upload_to=evidence_upload_to, max_length=300)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("loại tệp", max_length=100)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["evidence", "-revision"]
        verbose_name = "tệp tài liệu"
        verbose_name_plural = "tệp tài liệu"
        constraints = [models.UniqueConstraint(fields=["evidence", "revision"], name="evidencefile_unique_revision")]

    def __str__(self) -> str:
        return f"{self.original_name} (phiên bản {self.revision})"


class AssessmentEvent(models.Model):
    """An immutable record of an assessment changing state: who, when, from, to."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=Status.choices)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    note = models.CharField("ghi chú", max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.from_status} → {self.to_status}"


class Stage(models.TextChoices):
    """The deadlines a unit can be granted more time for."""

    SELF_ASSESSMENT = "self_assessment", "Tự đánh giá"
    CLARIFICATION = "clarification", "Giải trình"


class DeadlineExtension(models.Model):
    """The province gives a unit more time for a stage; the latest grant counts, all are kept."""

    Stage = Stage

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="extensions")
    stage = models.CharField("giai đoạn", max_length=20, choices=Stage.choices)
    until = models.DateField("gia hạn đến hết ngày")
    reason = models.CharField("lý do", max_length=500)
    granted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["assessment", "stage", "-granted_at", "-pk"]
        verbose_name = "gia hạn"
        verbose_name_plural = "gia hạn"

    def __str__(self) -> str:
        return f"{self.assessment} · {self.get_stage_display()} → {self.until:%d/%m/%Y}"


class AuditAction(models.TextChoices):
    ANSWER = "answer", "Số liệu tự đánh giá"
    EVIDENCE = "evidence", "Tài liệu kiểm chứng"
    EVIDENCE_FILE = "evidence_file", "Tệp tài liệu (phiên bản mới)"
    APPRAISAL = "appraisal", "Điểm thẩm định lần 1"
    REAPPRAISAL = "reappraisal", "Điểm thẩm định lần 2 (sau giải trình)"
    CORRECTION = "correction", "Đính chính sau công bố"
    REVIEW = "review", "Phúc tra sau công bố"
    CLARIFICATION_REQUEST = "clarification_request", "Yêu cầu giải trình"
    CLARIFICATION_ANSWER = "clarification_answer", "Nội dung giải trình"
    EXTENSION = "extension", "Gia hạn"
    ASSIGNMENT = "assignment", "Phân công"


class AuditEntry(models.Model):
    """One recorded change: who changed what, when, from which value to which.

    Written by the services in the same transaction as the change itself; never edited.
    ``criterion`` is set for changes to one item, so each item shows its own history.
    """

    Action = AuditAction

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="audit")
    criterion = models.ForeignKey(
        "frameworks.Criterion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    action = models.CharField("thay đổi", max_length=32, choices=AuditAction.choices)
    old = models.JSONField("giá trị cũ", null=True, blank=True)
    new = models.JSONField("giá trị mới", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "nhật ký thay đổi"
        verbose_name_plural = "nhật ký thay đổi"
        indexes = [models.Index(fields=["assessment", "criterion"], name="audit_item_idx")]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.criterion_id} {self.action} {self.at:%d/%m/%Y %H:%M}"
