"""Vietnamese administrative units in both eras, and how the 2025 reform links them.

Until 30 June 2025 Vietnam had three levels (63 provinces, ~700 districts, ~10,000
communes, wards and townships). From 1 July 2025 the district level is abolished: 34
provinces and 3,321 communes, wards and special zones (đặc khu), most of them formed by
merging old communes. Both eras are kept side by side as ``AdministrativeUnit`` rows told
apart by ``era`` (a national code is unique only within its era: new units often reuse the
code of one of the old units they absorbed), and ``UnitSuccession`` links each old unit to
the new unit(s) it went into, so scores and rankings from before the reform can be compared
with those after it.

The rows are reference data loaded from the ``vietnam-provinces`` package
(``parindex load_units``); nothing edits them by hand.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

REFORM_DATE = dt.date(2025, 7, 1)


def fold_name(text: str) -> str:
    """``text`` lower-cased, without diacritics, đ as d and single-spaced: what search matches on.

    "Xã Triệu Trạch" → "xa trieu trach", so users may type names with or without accents.
    """
    text = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return " ".join(text.split())


class AdministrativeUnit(models.Model):
    """A province, district (before the reform only) or commune-level unit of one era.

    ``parent`` is the unit directly above (the district of an old commune, the province of a
    new one); ``province`` is the level-1 ancestor, stored so a province's units are one
    indexed filter away whatever the depth. Both are empty for provinces.
    """

    class Era(models.TextChoices):
        CURRENT = "current", "Từ 01/7/2025 (2 cấp)"
        PRE2025 = "pre2025", "Trước 01/7/2025 (3 cấp)"

    class Kind(models.TextChoices):
        TINH = "tinh", "Tỉnh"
        THANH_PHO_TW = "thanh_pho_tw", "Thành phố trực thuộc trung ương"
        HUYEN = "huyen", "Huyện"
        QUAN = "quan", "Quận"
        THI_XA = "thi_xa", "Thị xã"
        THANH_PHO = "thanh_pho", "Thành phố (cấp huyện)"
        XA = "xa", "Xã"
        PHUONG = "phuong", "Phường"
        THI_TRAN = "thi_tran", "Thị trấn"
        DAC_KHU = "dac_khu", "Đặc khu"

    class Level(models.IntegerChoices):
        PROVINCE = 1, "Cấp tỉnh"
        DISTRICT = 2, "Cấp huyện"
        COMMUNE = 3, "Cấp xã"

    era = models.CharField("giai đoạn", max_length=16, choices=Era.choices)
    code = models.CharField("mã", max_length=8, help_text="Mã đơn vị hành chính quốc gia, ví dụ 19639.")
    name = models.CharField("tên", max_length=200)
    search_name = models.CharField("tên không dấu", max_length=200, blank=True, editable=False)
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField("cấp", choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name="trực thuộc",
    )
    province = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="province_units",
        verbose_name="tỉnh/thành phố",
        # Indexed together with level below, which also serves lookups by province alone.
        db_index=False,
    )

    class Meta:
        ordering = ["era", "code"]
        verbose_name = "đơn vị hành chính"
        verbose_name_plural = "đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(fields=["era", "code"], name="administrativeunit_unique_era_code"),
            models.CheckConstraint(
                condition=Q(level=1, parent__isnull=True, province__isnull=True)
                | Q(level__gt=1, parent__isnull=False, province__isnull=False),
                name="administrativeunit_only_provinces_have_no_parent",
            ),
            models.CheckConstraint(
                condition=~Q(era="current", level=2), name="administrativeunit_no_district_since_2025"
            ),
        ]
        indexes = [
            models.Index(fields=["era", "level"], name="adminunit_era_level_idx"),
            models.Index(fields=["province", "level"], name="adminunit_province_level_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        self.search_name = fold_name(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "search_name"}
        super().save(*args, **kwargs)

    def clean(self) -> None:
        expected = KIND_LEVELS.get(self.kind)
        if expected is not None and self.level != expected:
            raise ValidationError({"level": f"{self.get_kind_display()} là đơn vị cấp {expected}."})

    @property
    def is_current(self) -> bool:
        return self.era == self.Era.CURRENT

    @property
    def is_province(self) -> bool:
        return self.level == self.Level.PROVINCE

    @property
    def is_commune_level(self) -> bool:
        """A commune, ward, township or special zone: the units a PAR Index is computed for."""
        return self.level == self.Level.COMMUNE

    @property
    def short_name(self) -> str:
        """The name without its kind: "Xã Triệu Trạch" → "Triệu Trạch", "Quận 1" → "Quận 1"."""
        prefix = KIND_PREFIXES.get(self.kind, "")
        rest = self.name[len(prefix) :].strip() if prefix and self.name.startswith(prefix) else ""
        # Numbered units ("Phường 14", "Quận 1") keep their kind: a bare number is no name.
        return rest if rest and not rest.isdigit() else self.name


KIND_LEVELS = {
    AdministrativeUnit.Kind.TINH: 1,
    AdministrativeUnit.Kind.THANH_PHO_TW: 1,
    AdministrativeUnit.Kind.HUYEN: 2,
    AdministrativeUnit.Kind.QUAN: 2,
    AdministrativeUnit.Kind.THI_XA: 2,
    AdministrativeUnit.Kind.THANH_PHO: 2,
    AdministrativeUnit.Kind.XA: 3,
    AdministrativeUnit.Kind.PHUONG: 3,
    AdministrativeUnit.Kind.THI_TRAN: 3,
    AdministrativeUnit.Kind.DAC_KHU: 3,
}

KIND_PREFIXES = {
    AdministrativeUnit.Kind.TINH: "Tỉnh",
    AdministrativeUnit.Kind.THANH_PHO_TW: "Thành phố",
    AdministrativeUnit.Kind.HUYEN: "Huyện",
    AdministrativeUnit.Kind.QUAN: "Quận",
    AdministrativeUnit.Kind.THI_XA: "Thị xã",
    AdministrativeUnit.Kind.THANH_PHO: "Thành phố",
    AdministrativeUnit.Kind.XA: "Xã",
    AdministrativeUnit.Kind.PHUONG: "Phường",
    AdministrativeUnit.Kind.THI_TRAN: "Thị trấn",
    AdministrativeUnit.Kind.DAC_KHU: "Đặc khu",
}


class UnitSuccession(models.Model):
    """An old (pre-2025) unit went, wholly or in part, into a current unit on ``effective_date``.

    Following a merged commune's history: a current commune's predecessors are the old
    communes linked to it (``unit.predecessor_links``); their results before the reform are
    the new commune's history. Going the other way, an old commune's results carry forward
    to its successor(s) (``unit.successor_links``). When an old commune was split
    (``is_partial``), each part went to a different new commune, so its history belongs to
    each of them only in part and must be shown as such, not summed or copied whole.
    Provinces are linked the same way (an old province to the new province its communes went
    into); districts were abolished and have no successor, except the island districts
    without communes that became special zones.
    """

    predecessor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="successor_links",
        verbose_name="đơn vị cũ",
    )
    successor = models.ForeignKey(
        AdministrativeUnit,
        on_delete=models.CASCADE,
        related_name="predecessor_links",
        verbose_name="đơn vị mới",
    )
    effective_date = models.DateField("ngày hiệu lực", default=REFORM_DATE)
    is_partial = models.BooleanField(
        "chỉ một phần",
        default=False,
        help_text="Đơn vị cũ bị chia: chỉ một phần diện tích, dân số được nhập vào đơn vị mới này.",
    )

    class Meta:
        ordering = ["successor", "predecessor"]
        verbose_name = "kế thừa đơn vị hành chính"
        verbose_name_plural = "kế thừa đơn vị hành chính"
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="unitsuccession_unique_pair"),
            models.CheckConstraint(condition=~Q(predecessor=F("successor")), name="unitsuccession_not_itself"),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"

    def clean(self) -> None:
        if self.predecessor_id and self.predecessor.era != AdministrativeUnit.Era.PRE2025:
            raise ValidationError({"predecessor": "Đơn vị cũ phải là đơn vị trước 01/7/2025."})
        if self.successor_id and self.successor.era != AdministrativeUnit.Era.CURRENT:
            raise ValidationError({"successor": "Đơn vị mới phải là đơn vị từ 01/7/2025."})
