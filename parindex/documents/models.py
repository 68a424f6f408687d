"""Official documents: the register of documents issued for signing, and provinces' own templates.

An ``IssuedDocument`` is one document parindex wrote for a body to sign (a commune's công
văn, kế hoạch, thông báo, báo cáo; the province's quyết định): its number and date as
entered, what it was drawn from, and the exact .docx produced (with its sha256), so the
register shows what was issued and a second document never takes the same number.

A ``DocumentTemplate`` is a province's own .docx for one kind of document, used instead of
the built-in one for every unit of the province while it is active.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Kind(models.TextChoices):
    DECISION = "decision", "Quyết định phê duyệt và công bố Chỉ số CCHC"
    REMEDIATION_LETTER = "remediation_letter", "Công văn khắc phục Chỉ số CCHC (kèm Phụ lục)"
    REMEDIATION_PLAN = "remediation_plan", "Kế hoạch khắc phục Chỉ số CCHC"
    CONCLUSION_NOTICE = "conclusion_notice", "Thông báo kết luận của Chủ tịch UBND"
    CCHC_REPORT = "cchc_report", "Báo cáo kết quả công tác CCHC (6 tháng / năm)"
    REMEDIATION_REPORT = "remediation_report", "Báo cáo kết quả khắc phục Chỉ số CCHC"
    DIRECTIVE = "directive", "Chỉ thị về nhiệm vụ, chỉ tiêu cải cách hành chính năm"
    BROADCAST = "broadcast", "Bài tuyên truyền về cải cách hành chính"


def template_upload_to(instance: DocumentTemplate, filename: str) -> str:
    return f"document_templates/{instance.province_id}/{instance.kind}-{uuid.uuid4().hex}.docx"


def issued_upload_to(instance: IssuedDocument, filename: str) -> str:
    return f"documents/{instance.unit_id}/{instance.year}/{uuid.uuid4().hex}.docx"


class DocumentTemplate(models.Model):
    """A province's own Word template for one kind of document (one active per province and kind)."""

    Kind = Kind

    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="document_templates", verbose_name="tỉnh"
    )
    kind = models.CharField("loại văn bản", max_length=32, choices=Kind.choices)
    file = models.FileField(upload_to=template_upload_to, max_length=300)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    is_active = models.BooleanField("đang dùng", default=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["province", "kind", "-uploaded_at", "-pk"]
        verbose_name = "mẫu văn bản của tỉnh"
        verbose_name_plural = "mẫu văn bản của tỉnh"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "kind"], condition=Q(is_active=True), name="documenttemplate_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.original_name}"


class IssuedDocument(models.Model):
    """One document produced for signing, as entered and as rendered, in its body's register."""

    Kind = Kind

    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="issued_documents", verbose_name="cơ quan"
    )
    kind = models.CharField("loại văn bản", max_length=32, choices=Kind.choices)
    year = models.PositiveSmallIntegerField("năm")
    number = models.PositiveIntegerField("số", null=True, blank=True)
    symbol = models.CharField("ký hiệu", max_length=40)
    issued_on = models.DateField("ngày ban hành")
    subject = models.CharField("trích yếu", max_length=500)
    signer_name = models.CharField("người ký", max_length=150)
    heading = models.JSONField("thông tin văn bản", default=dict, help_text="Everything entered before rendering.")
    extra = models.JSONField("nội dung bổ sung", default=dict, blank=True)
    assessment = models.ForeignKey(
        "assessments.Assessment", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan = models.ForeignKey("remediation.Plan", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    publication = models.ForeignKey(
        "results.Publication", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    template = models.ForeignKey(
        DocumentTemplate, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="mẫu"
    )
    file = models.FileField(upload_to=issued_upload_to, max_length=300)
    size = models.PositiveBigIntegerField("dung lượng")
    sha256 = models.CharField(max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["unit", "-issued_on", "-pk"]
        verbose_name = "văn bản đã tạo"
        verbose_name_plural = "văn bản đã tạo"
        constraints = [
            # Nghị định 30/2020, Điều 15: a number is used once per body, year and symbol.
            models.UniqueConstraint(
                fields=["unit", "year", "symbol", "number"],
                condition=Q(number__isnull=False),
                name="issueddocument_unique_number",
            )
        ]
        indexes = [models.Index(fields=["unit", "kind"], name="issueddoc_unit_kind_idx")]

    def __str__(self) -> str:
        if not self.symbol:  # a text not numbered (a Bài tuyên truyền)
            return self.subject
        number = f"{self.number:02d}" if self.number is not None else "…"
        return f"{number}/{self.symbol} · {self.subject}"


class RegisterNumber(models.Model):
    """The next number of one symbol in a body's register (sổ đăng ký văn bản đi) for one year, as
    the văn thư keeps it: documents numbered outside parindex (by hand or by the document-management
    system) move it on, so the number a form proposes is the body's, not parindex's own count."""

    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.CASCADE, related_name="register_numbers", verbose_name="cơ quan"
    )
    year = models.PositiveSmallIntegerField("năm")
    symbol = models.CharField("ký hiệu", max_length=40)
    next_number = models.PositiveIntegerField("số tiếp theo")
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "số tiếp theo của sổ văn bản"
        verbose_name_plural = "số tiếp theo của sổ văn bản"
        constraints = [
            models.UniqueConstraint(fields=["unit", "year", "symbol"], name="registernumber_one_per_symbol"),
            models.CheckConstraint(condition=Q(next_number__gte=1), name="registernumber_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id} · {self.year} · {self.symbol}: {self.next_number}"


def pdf_upload_to(instance: PdfRendition, filename: str) -> str:
    return f"documents/pdf/{instance.docx_sha256}.pdf"


class PdfRendition(models.Model):
    """The PDF of a .docx, made by LibreOffice in a background job (``tasks.docx_pdf``) and kept:
    keyed by the .docx's sha256, so a document converted once (or another with the same bytes)
    is never converted again. ``source`` is a stored .docx with those bytes."""

    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ tạo"
        RUNNING = "running", "Đang tạo"
        DONE = "done", "Đã tạo"
        FAILED = "failed", "Không tạo được"

    docx_sha256 = models.CharField(max_length=64, unique=True)
    source = models.CharField("tệp Word", max_length=300)
    state = models.CharField("trạng thái", max_length=16, choices=State.choices, default=State.QUEUED)
    file = models.FileField(upload_to=pdf_upload_to, max_length=300, blank=True)
    error = models.CharField("lỗi", max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField("số lần thử", default=0)
    requested_at = models.DateTimeField("yêu cầu lúc", auto_now_add=True)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "bản PDF"
        verbose_name_plural = "bản PDF"

    def __str__(self) -> str:
        return f"PDF {self.docx_sha256[:12]} ({self.get_state_display()})"
