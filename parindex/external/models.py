"""External indices (the 766 service index ...) as versioned data, their results per unit and
period, and what happens to a result after it is imported: contests and adjustments.

An ``ExternalIndex`` has ``IndexVersion``s, each valid from a date, with ``IndexComponent``s
(the groups scored, each with its maximum). A unit's result for a period (a week, usually) is
an ``ExternalResult`` under the version in force on the period's first day, with one
``ExternalValue`` per component. Every value keeps where it came from: the ``ResultBatch`` of
the file it was imported from (source system, extraction date, who imported, sha256), or who
typed it. A commune may contest a value before the batch's contest date (``ValueContest``);
the province accepts it (the value is corrected, the imported one kept on the contest and in
``imported``) or rejects it. Technical-error adjustments ("−2 do lỗi hệ thống") are
``ResultAdjustment`` rows, apart from the performance values, and may be reversed.

``ExternalResult`` stores the performance score (the sum of its values), the sum of its active
adjustments and the total shown, all computed by ``scoring.aggregates`` in the services.
"""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.db.models import Q

POINTS = {"max_digits": 7, "decimal_places": 2}


class ExternalIndex(models.Model):
    """An index scored outside parindex, as issued by a decision (e.g. 766/QĐ-TTg)."""

    code = models.CharField("mã chỉ số", max_length=32, unique=True)
    name = models.CharField("tên chỉ số", max_length=300)
    issuer = models.CharField("cơ quan ban hành", max_length=200, blank=True)
    decision_number = models.CharField("số quyết định", max_length=64)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "chỉ số bên ngoài"
        verbose_name_plural = "chỉ số bên ngoài"

    def __str__(self) -> str:
        return f"Chỉ số {self.code}"


class IndexVersion(models.Model):
    """One structure of an index, in force from ``valid_from`` until the next version's date."""

    index = models.ForeignKey(ExternalIndex, on_delete=models.CASCADE, related_name="versions", verbose_name="chỉ số")
    number = models.PositiveSmallIntegerField("phiên bản")
    valid_from = models.DateField("áp dụng từ ngày")
    max_total = models.DecimalField("tổng điểm tối đa", **POINTS)
    description = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["index", "valid_from"]
        verbose_name = "phiên bản chỉ số bên ngoài"
        verbose_name_plural = "phiên bản chỉ số bên ngoài"
        constraints = [
            models.UniqueConstraint(fields=["index", "number"], name="indexversion_unique_number"),
            models.UniqueConstraint(fields=["index", "valid_from"], name="indexversion_unique_valid_from"),
            models.CheckConstraint(condition=Q(max_total__gt=0), name="indexversion_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.index_id} v{self.number}"


class IndexComponent(models.Model):
    """A group of an index version (công khai, minh bạch: 18 điểm)."""

    version = models.ForeignKey(
        IndexVersion, on_delete=models.CASCADE, related_name="components", verbose_name="phiên bản"
    )
    position = models.PositiveSmallIntegerField("thứ tự")
    code = models.CharField("mã nhóm", max_length=40)
    name = models.CharField("tên nhóm", max_length=200)
    max = models.DecimalField("điểm tối đa", **POINTS)
    formula = models.CharField("công thức", max_length=500, blank=True)
    ratios = models.JSONField("các tỷ lệ", default=list, blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = "nhóm chỉ số thành phần"
        verbose_name_plural = "nhóm chỉ số thành phần"
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indexcomponent_unique_code"),
            models.CheckConstraint(condition=Q(max__gt=0), name="indexcomponent_max_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.max})"


class ResultBatch(models.Model):
    """One file of results imported for a province: what it was and where it came from.

    Only successful imports are recorded (a file with any problem writes nothing). Until
    ``contest_until`` (included) the communes may contest the values it brought.
    """

    index = models.ForeignKey(ExternalIndex, on_delete=models.PROTECT, related_name="+", verbose_name="chỉ số")
    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    file_name = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64)
    source_system = models.CharField("hệ thống nguồn", max_length=200)
    extracted_on = models.DateField("ngày trích xuất")
    contest_until = models.DateField("hạn đề nghị xem xét", null=True, blank=True)
    rows_total = models.PositiveIntegerField("số dòng")
    values_written = models.PositiveIntegerField("số giá trị ghi mới hoặc thay đổi", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("nạp lúc", auto_now_add=True)
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lần nạp kết quả chỉ số"
        verbose_name_plural = "lần nạp kết quả chỉ số"

    def __str__(self) -> str:
        return self.file_name


class ExternalResult(models.Model):
    """A unit's result of an index for one period, scored under the version in force on ``period_start``.

    ``score`` is the performance (the sum of the values), ``adjustment`` the sum of the active
    adjustments, ``total`` what is shown and ranked (score + adjustment); kept by the services.
    """

    index = models.ForeignKey(ExternalIndex, on_delete=models.PROTECT, related_name="results", verbose_name="chỉ số")
    version = models.ForeignKey(IndexVersion, on_delete=models.PROTECT, related_name="results")
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="external_results", verbose_name="đơn vị"
    )
    period_start = models.DateField("từ ngày")
    period_end = models.DateField("đến ngày")
    score = models.DecimalField("điểm đánh giá", **POINTS)
    adjustment = models.DecimalField("điều chỉnh", default=0, **POINTS)
    total = models.DecimalField("tổng điểm", **POINTS)

    class Meta:
        ordering = ["index", "unit", "period_start"]
        verbose_name = "kết quả chỉ số bên ngoài"
        verbose_name_plural = "kết quả chỉ số bên ngoài"
        constraints = [
            models.UniqueConstraint(fields=["index", "unit", "period_start"], name="externalresult_unique_period"),
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="externalresult_period"),
        ]
        indexes = [models.Index(fields=["index", "period_start"], name="externalresult_period_idx")]

    def __str__(self) -> str:
        return f"{self.index_id} · {self.unit_id} · {self.period_start:%d/%m/%Y}"


class ValueSource(models.TextChoices):
    IMPORT = "import", "Nạp từ tệp"
    MANUAL = "manual", "Nhập tay"
    CONTEST = "contest", "Điều chỉnh sau đề nghị xem xét"


class ExternalValue(models.Model):
    """A component's points in a result, with its provenance.

    ``imported`` is the figure of the last file or entry; ``value`` the figure in force, which
    differs only after an accepted contest. Importing the same figure again changes nothing.
    """

    Source = ValueSource

    result = models.ForeignKey(ExternalResult, on_delete=models.CASCADE, related_name="values")
    component = models.ForeignKey(IndexComponent, on_delete=models.PROTECT, related_name="+", verbose_name="nhóm")
    value = models.DecimalField("điểm", **POINTS)
    imported = models.DecimalField("điểm theo nguồn", **POINTS)
    source = models.CharField("nguồn", max_length=8, choices=ValueSource.choices)
    batch = models.ForeignKey(ResultBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="values")
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("cập nhật lúc")
    revision = models.PositiveIntegerField("lần sửa", default=1)

    class Meta:
        ordering = ["result", "component__position"]
        verbose_name = "điểm nhóm chỉ số"
        verbose_name_plural = "điểm nhóm chỉ số"
        constraints = [
            models.UniqueConstraint(fields=["result", "component"], name="externalvalue_unique_component"),
            models.CheckConstraint(condition=Q(value__gte=0), name="externalvalue_not_negative"),
            models.CheckConstraint(
                condition=~Q(source=ValueSource.IMPORT) | Q(batch__isnull=False), name="externalvalue_import_has_batch"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.result} · {self.component_id}: {self.value}"


def contest_upload_to(instance: ValueContest, filename: str) -> str:
    """external/contests/<random><ext>: never the uploader's file name, never guessable."""
    suffix = PurePosixPath(filename).suffix.lower()[:10]
    return f"external/contests/{uuid.uuid4().hex}{suffix}"


class ValueContest(models.Model):
    """A commune asks the province to look again at one imported value (đề nghị xem xét lại)."""

    class State(models.TextChoices):
        OPEN = "open", "Chờ xem xét"
        ACCEPTED = "accepted", "Đã chấp nhận"
        REJECTED = "rejected", "Không chấp nhận"

    value = models.ForeignKey(ExternalValue, on_delete=models.CASCADE, related_name="contests")
    reason = models.TextField("lý do")
    proposed = models.DecimalField("điểm đề nghị", null=True, blank=True, **POINTS)
    evidence = models.CharField(
        "tài liệu kiểm chứng", max_length=500, blank=True, help_text="Số, ngày văn bản hoặc mã hồ sơ chứng minh."
    )
    # The file the commune attaches: private (served through an access-checked view), checked by
    # its content like evidence, with its sha256, size and type.
    file = models.FileField(upload_to=contest_upload_to, max_length=300, blank=True)
    original_name = models.CharField("tên tệp gốc", max_length=255, blank=True)
    content_type = models.CharField("loại tệp", max_length=100, blank=True)
    size = models.PositiveBigIntegerField("dung lượng", null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    state = models.CharField("trạng thái", max_length=8, choices=State.choices, default=State.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("gửi lúc", auto_now_add=True)
    old_value = models.DecimalField("điểm trước khi xử lý", **POINTS)
    new_value = models.DecimalField("điểm sau khi xử lý", null=True, blank=True, **POINTS)
    decision_reason = models.TextField("lý do xử lý", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField("xử lý lúc", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "đề nghị xem xét điểm"
        verbose_name_plural = "đề nghị xem xét điểm"
        constraints = [
            models.UniqueConstraint(
                fields=["value"], condition=Q(state="open"), name="valuecontest_one_open_per_value"
            ),
            models.CheckConstraint(
                condition=~Q(state="accepted") | Q(new_value__isnull=False), name="valuecontest_accepted_has_value"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.value} ({self.get_state_display()})"


class ResultAdjustment(models.Model):
    """Points added to or deducted from a result apart from its performance ("−2 do lỗi hệ thống").

    Reversed, it stays recorded (who, when, why) and no longer counts."""

    result = models.ForeignKey(ExternalResult, on_delete=models.CASCADE, related_name="adjustments")
    points = models.DecimalField("điểm điều chỉnh", **POINTS)
    reason = models.CharField("lý do", max_length=500)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("ghi lúc", auto_now_add=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reversed_at = models.DateTimeField("hủy lúc", null=True, blank=True)
    reversal_reason = models.CharField("lý do hủy", max_length=500, blank=True)

    class Meta:
        ordering = ["result", "created_at", "pk"]
        verbose_name = "điều chỉnh điểm do lỗi kỹ thuật"
        verbose_name_plural = "điều chỉnh điểm do lỗi kỹ thuật"
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="resultadjustment_not_zero")]

    def __str__(self) -> str:
        return f"{self.result}: {self.points}"

    @property
    def active(self) -> bool:
        return self.reversed_at is None


class IndexTarget(models.Model):
    """A province's target total for an index in a year (shown on the trend and the leaderboard)."""

    index = models.ForeignKey(ExternalIndex, on_delete=models.CASCADE, related_name="targets")
    province = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("năm")
    target = models.DecimalField("mục tiêu", **POINTS)

    class Meta:
        verbose_name = "mục tiêu chỉ số của tỉnh"
        verbose_name_plural = "mục tiêu chỉ số của tỉnh"
        constraints = [
            models.UniqueConstraint(fields=["index", "province", "year"], name="indextarget_unique_year"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indextarget_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.index_id} · {self.province_id} · {self.year}: {self.target}"


# -- survey results ------------------------------------------------------------------------------


class Survey(models.Model):
    """A satisfaction survey a province uses (SIPAS, or its own), with its settings.

    ``field_code`` names the framework's top-level field (lĩnh vực) the survey speaks to (the
    one about public service delivery, usually); a unit whose self-assessed score of that field
    stands more than ``threshold`` percentage points above its satisfaction rate is flagged
    (``scoring.aggregates.divergence``). A framework leaf reads the rate with
    ``source: survey:<code>``.
    """

    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    code = models.CharField("mã khảo sát", max_length=32)
    name = models.CharField("tên khảo sát", max_length=300)
    field_code = models.CharField(
        "mã lĩnh vực liên quan",
        max_length=32,
        blank=True,
        help_text="Lĩnh vực của bộ tiêu chí so với kết quả khảo sát.",
    )
    threshold = models.DecimalField("ngưỡng chênh lệch (điểm phần trăm)", max_digits=5, decimal_places=2, default=20)

    class Meta:
        ordering = ["province", "code"]
        verbose_name = "khảo sát sự hài lòng"
        verbose_name_plural = "khảo sát sự hài lòng"
        constraints = [
            models.UniqueConstraint(fields=["province", "code"], name="survey_unique_code"),
            models.CheckConstraint(condition=Q(threshold__gte=0, threshold__lte=100), name="survey_threshold_range"),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyBatch(models.Model):
    """One file of survey results imported: what it was, where it came from, who brought it.

    Only imports that changed something are recorded (a file with any problem writes nothing)."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="batches", verbose_name="khảo sát")
    file_name = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64)
    source = models.CharField("nguồn số liệu", max_length=200)
    rows_total = models.PositiveIntegerField("số dòng")
    values_written = models.PositiveIntegerField("số kết quả ghi mới hoặc thay đổi", default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("nạp lúc", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lần nạp kết quả khảo sát"
        verbose_name_plural = "lần nạp kết quả khảo sát"

    def __str__(self) -> str:
        return self.file_name


class SurveyResult(models.Model):
    """A unit's result of a survey for one year: the satisfaction rate (%) and the respondents,
    with the batch it was last imported from."""

    survey = models.ForeignKey(Survey, on_delete=models.PROTECT, related_name="results", verbose_name="khảo sát")
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="survey_results", verbose_name="đơn vị"
    )
    year = models.PositiveSmallIntegerField("năm")
    rate = models.DecimalField("tỷ lệ hài lòng (%)", max_digits=5, decimal_places=2)
    respondents = models.PositiveIntegerField("số người trả lời")
    batch = models.ForeignKey(SurveyBatch, on_delete=models.PROTECT, related_name="results")
    revision = models.PositiveIntegerField("lần sửa", default=1)
    updated_at = models.DateTimeField("cập nhật lúc")

    class Meta:
        ordering = ["survey", "year", "unit__code"]
        verbose_name = "kết quả khảo sát"
        verbose_name_plural = "kết quả khảo sát"
        constraints = [
            models.UniqueConstraint(fields=["survey", "unit", "year"], name="surveyresult_unique_year"),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="surveyresult_rate_range"),
            models.CheckConstraint(condition=Q(respondents__gt=0), name="surveyresult_respondents_positive"),
        ]
        indexes = [models.Index(fields=["unit", "year"], name="surveyresult_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.survey_id} · {self.unit_id} · {self.year}: {self.rate}%"
