"""Criteria sets (bộ chỉ số) stored as versioned trees.

A ``Framework`` is identified by the code in its file (e.g. ``QT-XA-2023``); each
``FrameworkVersion`` is one revision of it, stored as an adjacency list of ``Criterion``
rows loaded whole in one query. A published version is frozen: any change arrives as a new
draft version, so results computed against a version stay reproducible.

A framework belongs to the province that issued it (``owner``): only that province's admins
import new versions of it, publish or retire them, and see its drafts. A framework without an
owner is national: every province may use its published versions, read-only, and only
operators (superusers, the command line) manage it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from parindex.frameworks.workflow import Status
from parindex.scoring.rules import RULE_KINDS

RULE_KIND_CHOICES = [(name, kind.label) for name, kind in RULE_KINDS.items()]


class Framework(models.Model):
    """A criteria set as issued by a decision, across its revisions, owned by a province or national."""

    code = models.CharField("mã", max_length=64, unique=True)
    name = models.CharField("tên", max_length=300)
    owner = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="frameworks",
        verbose_name="tỉnh sở hữu",
        help_text="Để trống: bộ chỉ số dùng chung toàn quốc (chỉ quản trị hệ thống được nạp, ban hành).",
        limit_choices_to={"era": "current", "level": 1},
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "bộ chỉ số"
        verbose_name_plural = "bộ chỉ số"

    def __str__(self) -> str:
        return self.code


class FrameworkVersion(models.Model):
    """One revision of a framework: its metadata and (through Criterion) its tree."""

    Status = Status

    framework = models.ForeignKey(
        Framework, on_delete=models.PROTECT, related_name="versions", verbose_name="bộ chỉ số"
    )
    number = models.PositiveIntegerField("phiên bản")
    status = models.CharField("trạng thái", max_length=16, choices=Status.choices, default=Status.DRAFT)
    name = models.CharField("tên", max_length=300)
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    description = models.TextField("mô tả", blank=True)
    decision_number = models.CharField("số quyết định", max_length=64, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    applies_to = models.JSONField("áp dụng cho", default=list, blank=True)
    period_from = models.PositiveSmallIntegerField("từ năm", null=True, blank=True)
    period_to = models.PositiveSmallIntegerField("đến năm", null=True, blank=True)
    # "Kéo dài thời gian áp dụng đến năm … theo Quyết định số … ngày …": when a province has not
    # issued a new criteria set yet, its People's Committee keeps the current one for longer.
    # Not part of the content (nor of its hash, nor of the exported file): a separate decision.
    extended_to = models.PositiveSmallIntegerField("kéo dài áp dụng đến năm", null=True, blank=True)
    extension_decision_number = models.CharField("số quyết định kéo dài", max_length=64, blank=True)
    extension_decision_date = models.DateField("ngày quyết định kéo dài", null=True, blank=True)
    max_total = models.DecimalField("tổng điểm tối đa", max_digits=12, decimal_places=6)
    rounding = models.PositiveSmallIntegerField("số chữ số thập phân", default=2)
    classification = models.JSONField("xếp loại", default=list, blank=True)
    extra = models.JSONField("trường bổ sung", default=dict, blank=True)
    content_sha256 = models.CharField("mã băm nội dung", max_length=64)
    source_name = models.CharField("tệp nguồn", max_length=255, blank=True)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người tạo",
    )
    published_at = models.DateTimeField("ban hành lúc", null=True, blank=True)

    class Meta:
        ordering = ["framework__code", "-number"]
        verbose_name = "phiên bản bộ chỉ số"
        verbose_name_plural = "phiên bản bộ chỉ số"
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"], name="frameworkversion_unique_number"),
            models.CheckConstraint(condition=Q(max_total__gte=0), name="frameworkversion_max_total_gte_0"),
            # An extension carries on from the end of the decision's period, by a decision.
            models.CheckConstraint(
                condition=Q(extended_to__isnull=True)
                | (Q(period_to__isnull=False, extended_to__gt=F("period_to")) & ~Q(extension_decision_number="")),
                name="frameworkversion_extension_after_period",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.framework.code} v{self.number}"

    @property
    def applies_until(self) -> int | None:
        """The last year the version applies to: its period's end or, when extended, the
        extension's; None when the period has no end (open-ended)."""
        if self.period_to is None:
            return None
        return max(self.period_to, self.extended_to or self.period_to)

    def applies_in(self, year: int) -> bool:
        """May a cycle of ``year`` use this version? A missing end of the period does not limit."""
        until = self.applies_until
        return (self.period_from is None or year >= self.period_from) and (until is None or year <= until)

    @property
    def period_label(self) -> str:
        """The decision's period in words: "2023–2025", "từ năm 2023", "đến năm 2025" ("" when none)."""
        return _years_label(self.period_from, self.period_to)

    @property
    def applies_label(self) -> str:
        """The years it applies to, extension included, in the same words as ``period_label``."""
        return _years_label(self.period_from, self.applies_until)


def _years_label(start: int | None, end: int | None) -> str:
    if start is not None and end is not None:
        return f"{start}–{end}"
    if start is not None:
        return f"từ năm {start}"
    return f"đến năm {end}" if end is not None else ""


class Criterion(models.Model):
    """One node of a version's tree: a field, criterion or sub-criterion.

    Leaves carry a rule (kind + params, decimals kept as strings in JSON); parents carry
    none and their maximum is the sum of their children's.
    """

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="criteria")
    parent = models.ForeignKey("self", on_delete=models.CASCADE, null=True, blank=True, related_name="children")
    code = models.CharField("mã", max_length=32)
    name = models.TextField("tên")
    position = models.PositiveIntegerField("thứ tự")
    depth = models.PositiveSmallIntegerField("cấp")
    max_points = models.DecimalField("điểm tối đa", max_digits=12, decimal_places=6)
    rule_kind = models.CharField("cách chấm", max_length=16, choices=RULE_KIND_CHOICES, blank=True)
    rule_params = models.JSONField("tham số", default=dict, blank=True)
    evidence = models.TextField("tài liệu kiểm chứng", blank=True)
    guidance = models.TextField("hướng dẫn", blank=True)
    responsible = models.CharField("phụ trách", max_length=64, blank=True)
    extra = models.JSONField("trường bổ sung", default=dict, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "tiêu chí"
        verbose_name_plural = "tiêu chí"
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="criterion_unique_code"),
            models.UniqueConstraint(fields=["version", "position"], name="criterion_unique_position"),
            models.CheckConstraint(condition=Q(max_points__gte=0), name="criterion_max_points_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FrameworkVersionEvent(models.Model):
    """An immutable record of a version changing state, or of its content being replaced."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField("ghi chú", max_length=500, blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "sự kiện phiên bản"
        verbose_name_plural = "sự kiện phiên bản"

    def __str__(self) -> str:
        return f"{self.version}: {self.from_status or '∅'} → {self.to_status}"
