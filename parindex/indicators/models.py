"""Indicators leaders follow during the year against targets, and their monthly figures.

An ``Indicator`` is a rate or a number the directives set targets for (dossiers resolved on
time ≥ 96 %, online dossiers ≥ 20 % ...), with a default target a province may override for a
year (``IndicatorTarget``). Each commune's figures are recorded per month
(``IndicatorValue``), typed in by the commune office or imported from the information
systems' exports through a reusable ``ImportMapping``; each import is an ``ImportBatch``.
How a figure is judged against its target is ``status.py``; checking figures is ``rows.py``.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from parindex.indicators import status
from parindex.indicators.status import NUMBER_DIGITS, NUMBER_PLACES, VALUE_DIGITS, VALUE_PLACES


class Kind(models.TextChoices):
    RATIO = status.RATIO, "Tỷ lệ (tử số / mẫu số)"
    COUNT = status.COUNT, "Số lượng"
    VALUE = status.VALUE, "Giá trị"


class Direction(models.TextChoices):
    AT_LEAST = status.AT_LEAST, "Đạt khi không thấp hơn chỉ tiêu"
    AT_MOST = status.AT_MOST, "Đạt khi không vượt quá chỉ tiêu"


class Period(models.TextChoices):
    MONTHLY = status.MONTHLY, "Hằng tháng"
    QUARTERLY = status.QUARTERLY, "Hằng quý"
    YEARLY = status.YEARLY, "Hằng năm"


def _target_field(verbose_name: str, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,
        max_digits=VALUE_DIGITS,
        decimal_places=VALUE_PLACES,
        help_text="Tỷ lệ ghi dạng phân số: 0,96 là 96%.",
        **kwargs,
    )


class Indicator(models.Model):
    """One indicator followed for every commune, with its default target.

    ``period`` is how often the figure is reported; figures are stored per month whatever the
    period (a quarter's under its last month, a year's under December).
    """

    Kind = Kind
    Direction = Direction
    Period = Period

    code = models.SlugField("mã chỉ số", max_length=64, unique=True)
    name = models.CharField("tên chỉ số", max_length=300)
    unit_label = models.CharField("đơn vị tính", max_length=32, help_text="Ví dụ: %, hồ sơ, sáng kiến.")
    kind = models.CharField("loại chỉ số", max_length=8, choices=Kind.choices, default=Kind.RATIO)
    numerator_label = models.CharField(
        "tử số", max_length=300, help_text="Ví dụ: Số hồ sơ giải quyết đúng hạn (với số lượng: nội dung được đếm)."
    )
    denominator_label = models.CharField(
        "mẫu số", max_length=300, blank=True, help_text="Chỉ với chỉ số tỷ lệ. Ví dụ: Tổng số hồ sơ đã giải quyết."
    )
    direction = models.CharField("chiều đánh giá", max_length=8, choices=Direction.choices, default=Direction.AT_LEAST)
    target = _target_field("chỉ tiêu mặc định")
    period = models.CharField("kỳ báo cáo", max_length=10, choices=Period.choices, default=Period.MONTHLY)
    source = models.CharField(
        "nguồn số liệu", max_length=300, blank=True, help_text="Ví dụ: Hệ thống thông tin giải quyết TTHC."
    )
    active = models.BooleanField("đang theo dõi", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "chỉ số theo dõi"
        verbose_name_plural = "chỉ số theo dõi"
        constraints = [
            models.CheckConstraint(condition=Q(target__gte=0), name="indicator_target_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind=Kind.RATIO) | Q(target__lte=1), name="indicator_ratio_target_is_a_fraction"
            ),
            models.CheckConstraint(
                condition=(Q(kind=Kind.RATIO) & ~Q(denominator_label=""))
                | (~Q(kind=Kind.RATIO) & Q(denominator_label="")),
                name="indicator_denominator_label_only_for_ratios",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_ratio(self) -> bool:
        return self.kind == Kind.RATIO


class IndicatorTarget(models.Model):
    """A province's own target for an indicator in one year, instead of the default."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="targets", verbose_name="chỉ số")
    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    year = models.PositiveSmallIntegerField("năm")
    target = _target_field("chỉ tiêu")

    class Meta:
        ordering = ["indicator", "province", "-year"]
        verbose_name = "chỉ tiêu của tỉnh"
        verbose_name_plural = "chỉ tiêu của tỉnh"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "province", "year"], name="indicatortarget_unique_year"),
            models.CheckConstraint(condition=Q(target__gte=0), name="indicatortarget_target_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.province_id} · {self.year}: {self.target}"


class Source(models.TextChoices):
    MANUAL = "manual", "Nhập tay"
    IMPORT = "import", "Nạp từ tệp"


class IndicatorValue(models.Model):
    """One commune's figure for an indicator in one month.

    ``value`` is computed on save from numerator and denominator (the ratio as a fraction,
    rounded half up to 8 decimals; the numerator itself for counts and values). A ratio whose
    denominator is 0 (nothing to count that month) has no value; a numerator above 0 over a
    denominator of 0 is refused before it is stored. ``revision`` grows on every change, so
    an entry states the revision it started from and never silently overwrites another.
    """

    Source = Source

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="values", verbose_name="chỉ số")
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="indicator_values", verbose_name="đơn vị"
    )
    year = models.PositiveSmallIntegerField("năm")
    month = models.PositiveSmallIntegerField("tháng")
    numerator = models.DecimalField("tử số", max_digits=NUMBER_DIGITS, decimal_places=NUMBER_PLACES)
    denominator = models.DecimalField(
        "mẫu số", max_digits=NUMBER_DIGITS, decimal_places=NUMBER_PLACES, null=True, blank=True
    )
    value = models.DecimalField("giá trị", max_digits=VALUE_DIGITS, decimal_places=VALUE_PLACES, null=True, blank=True)
    note = models.CharField("ghi chú", max_length=500, blank=True)
    source = models.CharField("nguồn", max_length=8, choices=Source.choices, default=Source.MANUAL)
    import_batch = models.ForeignKey(
        "ImportBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="values",
        verbose_name="lần nạp tệp",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entered_at = models.DateTimeField("cập nhật lúc", default=timezone.now)
    revision = models.PositiveIntegerField("lần sửa", default=1)

    class Meta:
        ordering = ["indicator", "unit", "year", "month"]
        verbose_name = "số liệu chỉ số"
        verbose_name_plural = "số liệu chỉ số"
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "year", "month"], name="indicatorvalue_unique_month"),
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="indicatorvalue_month_1_12"),
            models.CheckConstraint(condition=Q(numerator__gte=0), name="indicatorvalue_numerator_not_negative"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gte=0),
                name="indicatorvalue_denominator_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0) | Q(numerator=0),
                name="indicatorvalue_zero_denominator_zero_numerator",
            ),
            models.CheckConstraint(
                condition=Q(source=Source.MANUAL, import_batch__isnull=True)
                | Q(source=Source.IMPORT, import_batch__isnull=False),
                name="indicatorvalue_import_has_batch",
            ),
        ]
        indexes = [models.Index(fields=["unit", "year"], name="indicatorvalue_unit_year_idx")]

    def __str__(self) -> str:
        return f"{self.indicator_id} · {self.unit_id} · {self.month:02d}/{self.year}"


class ImportMapping(models.Model):
    """Which columns of an exported file hold what, set once and reused for every import.

    ``columns`` is ``rows.Columns`` as JSON: the header titles of the unit code, the year and
    month (or one date column), the numerator and the denominator; ``header_row`` is the row
    holding those titles (exports often start with a few title lines).
    """

    name = models.CharField("tên cách đọc tệp", max_length=200)
    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="import_mappings", verbose_name="chỉ số"
    )
    columns = models.JSONField("các cột", default=dict)
    header_row = models.PositiveSmallIntegerField("dòng tiêu đề", default=1)
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["province", "indicator", "name"]
        verbose_name = "cách đọc tệp số liệu"
        verbose_name_plural = "cách đọc tệp số liệu"
        constraints = [
            models.UniqueConstraint(fields=["province", "indicator", "name"], name="importmapping_unique_name"),
            models.CheckConstraint(condition=Q(header_row__gte=1), name="importmapping_header_row_positive"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(models.Model):
    """One file imported for an indicator: what it was (name, sha256), how it was read, what it did.

    Only successful imports are recorded: an import with any problem writes nothing at all.
    ``rows_written`` counts the figures created or changed; rows equal to what was stored
    are left alone, so importing the same file twice writes nothing the second time.
    """

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name="chỉ số")
    province = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+", verbose_name="tỉnh"
    )
    mapping = models.ForeignKey(
        ImportMapping,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="batches",
        verbose_name="cách đọc tệp",
    )
    columns = models.JSONField("các cột đã đọc", default=dict, help_text="Cách đọc tệp lúc nạp (có thể đã sửa sau).")
    header_row = models.PositiveSmallIntegerField("dòng tiêu đề", default=1)
    file_name = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64)
    rows_total = models.PositiveIntegerField("số dòng số liệu")
    rows_written = models.PositiveIntegerField("số dòng ghi mới hoặc thay đổi")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField("nạp lúc", default=timezone.now)
    duration_ms = models.PositiveIntegerField("thời gian (ms)", default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "lần nạp tệp số liệu"
        verbose_name_plural = "lần nạp tệp số liệu"
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_written__lte=models.F("rows_total")), name="importbatch_written_le_total"
            )
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d/%m/%Y %H:%M})"


def import_file_upload_to(instance: ImportJob, filename: str) -> str:
    return f"imports/{instance.province_id}/{uuid.uuid4().hex}.bin"


class ImportJob(models.Model):
    """A large file imported by the job worker (``import_jobs.py``), its progress shown on its page:
    queued, reading and checking every row, writing, then done (with its ImportBatch) or refused
    (with every problem, nothing written) or failed."""

    class State(models.TextChoices):
        QUEUED = "queued", "Đang chờ"
        CHECKING = "checking", "Đang đọc và kiểm tra từng dòng"
        WRITING = "writing", "Đang ghi số liệu"
        DONE = "done", "Đã nạp"
        REFUSED = "refused", "Chưa nạp: tệp có lỗi"
        FAILED = "failed", "Không chạy được"

    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+", verbose_name="chỉ số")
    province = models.ForeignKey("units.AdministrativeUnit", on_delete=models.PROTECT, related_name="+")
    mapping = models.ForeignKey(ImportMapping, on_delete=models.SET_NULL, null=True, related_name="+")
    file = models.FileField(upload_to=import_file_upload_to, max_length=300)
    file_name = models.CharField("tên tệp", max_length=255)
    size = models.PositiveBigIntegerField("dung lượng")
    state = models.CharField("trạng thái", max_length=16, choices=State.choices, default=State.QUEUED)
    rows_total = models.PositiveIntegerField("số dòng số liệu", null=True, blank=True)
    summary = models.CharField("kết quả", max_length=500, blank=True)
    problems = models.JSONField("lỗi", default=list, blank=True)
    batch = models.ForeignKey(ImportBatch, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField("gửi lúc", default=timezone.now)
    finished_at = models.DateTimeField("xong lúc", null=True, blank=True)

    class Meta:
        verbose_name = "lượt nạp tệp chạy nền"
        verbose_name_plural = "lượt nạp tệp chạy nền"

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.CHECKING, self.State.WRITING)
