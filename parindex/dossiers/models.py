"""Late dossiers (hồ sơ giải quyết trễ hạn) and the apology letters sent for them.

When an administrative-procedure dossier is, or is going to be, resolved after the date
promised to the applicant, the agency must send a written apology stating the reason and a
new return date (Phiếu xin lỗi và hẹn lại ngày trả kết quả: Nghị định 61/2018/NĐ-CP Art. 19,
as amended by Nghị định 107/2021/NĐ-CP; Quyết định 1085/QĐ-TTg). The commune records each
late dossier in its register (``LateDossier``) with whether the letter was issued; the share
of late dossiers with a letter is sub-criterion 3.6 of the reference framework
(``assessments.sources``, kind ``dossiers``).

**The year of a late dossier is the year of its due date** (``due_on``, ngày hẹn trả): that
is the year it became late, whenever it was received or finally returned. A dossier received
in December 2025, due on 05/01/2026 and returned on 09/01/2026 counts for 2026. Likewise the
unit: a dossier due before 01/7/2025 belongs to the old (pre-2025) commune, one due from
01/7/2025 to the current one.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class LateDossier(models.Model):
    """One dossier of a commune resolved (or to be resolved) after its due date.

    ``resolved_on`` is empty while the dossier is still pending. With ``apology_issued`` the
    letter's number, date and the new return date it promised are all set, and without it all
    empty. ``revision`` grows on every change, so an edit states the revision it started from
    and never silently overwrites another.
    """

    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="late_dossiers", verbose_name="đơn vị"
    )
    code = models.CharField("mã hồ sơ", max_length=64, help_text="Mã hồ sơ trên Hệ thống thông tin giải quyết TTHC.")
    procedure = models.CharField("tên thủ tục hành chính", max_length=500)
    applicant = models.CharField("người, tổ chức nộp hồ sơ", max_length=300, blank=True)
    received_on = models.DateField("ngày tiếp nhận")
    due_on = models.DateField("ngày hẹn trả kết quả")
    resolved_on = models.DateField("ngày trả kết quả", null=True, blank=True, help_text="Để trống khi chưa trả.")
    delay_reason = models.TextField("lý do trễ hạn", max_length=2000)
    apology_issued = models.BooleanField("đã gửi thư xin lỗi", default=False)
    letter_number = models.CharField("số, ký hiệu thư xin lỗi", max_length=64, blank=True)
    letter_date = models.DateField("ngày thư xin lỗi", null=True, blank=True)
    new_due_on = models.DateField("ngày hẹn trả lại", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("cập nhật lúc", default=timezone.now)
    revision = models.PositiveIntegerField("lần sửa", default=1)

    class Meta:
        ordering = ["unit", "due_on", "code"]
        verbose_name = "hồ sơ trễ hạn"
        verbose_name_plural = "hồ sơ trễ hạn"
        constraints = [
            models.UniqueConstraint(fields=["unit", "code"], name="latedossier_unique_code"),
            models.CheckConstraint(condition=Q(due_on__gte=F("received_on")), name="latedossier_due_after_received"),
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gte=F("received_on")),
                name="latedossier_resolved_after_received",
            ),
            # Late: returned after the day promised (a dossier returned on time is not recorded here).
            models.CheckConstraint(
                condition=Q(resolved_on__isnull=True) | Q(resolved_on__gt=F("due_on")),
                name="latedossier_resolved_after_due",
            ),
            models.CheckConstraint(
                condition=Q(
                    apology_issued=True, letter_date__isnull=False, new_due_on__isnull=False, letter_number__gt=""
                )
                | Q(apology_issued=False, letter_date__isnull=True, new_due_on__isnull=True, letter_number=""),
                name="latedossier_letter_fields_with_letter",
            ),
            models.CheckConstraint(
                condition=Q(letter_date__isnull=True) | Q(letter_date__gte=F("received_on")),
                name="latedossier_letter_after_received",
            ),
            models.CheckConstraint(
                condition=Q(new_due_on__isnull=True)
                | (Q(new_due_on__gt=F("due_on")) & Q(new_due_on__gte=F("letter_date"))),
                name="latedossier_new_due_after_due_and_letter",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="latedossier_revision_positive"),
        ]
        indexes = [models.Index(fields=["unit", "due_on"], name="latedossier_unit_due_idx")]

    def __str__(self) -> str:
        return f"{self.code} · {self.procedure}"

    @property
    def year(self) -> int:
        """The year the dossier counts for: its due date's."""
        return self.due_on.year

    @property
    def pending(self) -> bool:
        return self.resolved_on is None
