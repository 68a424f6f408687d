"""Users, and roles scoped to administrative units.

A user's rights come from ``RoleAssignment`` rows: a role (commune officer, appraiser ...)
held at a unit (a commune, or a province for the province's staff). Province-level roles
cover the province's communes through ``include_descendants``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A person using parindex: a commune official, an appraiser, a province admin ..."""

    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    position = models.CharField(
        "chức vụ", max_length=150, blank=True, help_text="Ví dụ: Công chức Văn phòng - Thống kê"
    )
    phone = models.CharField("số điện thoại", max_length=20, blank=True)

    class Meta:
        verbose_name = "người dùng"
        verbose_name_plural = "người dùng"

    def __str__(self) -> str:
        return self.full_name or self.get_full_name() or self.username

    @property
    def display_name(self) -> str:
        return str(self)


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", "Công chức xã"
    COMMUNE_OFFICE = "commune_office", "Văn phòng - Thống kê (đầu mối CCHC)"
    COMMUNE_HEAD = "commune_head", "Chủ tịch / Phó Chủ tịch UBND xã"
    APPRAISER = "appraiser", "Thành viên tổ thẩm định"
    COUNCIL_CHAIR = "council_chair", "Chủ tịch Hội đồng thẩm định"
    PROVINCE_ADMIN = "province_admin", "Quản trị Sở Nội vụ"
    VIEWER = "viewer", "Người xem"


COMMUNE_ROLES = frozenset({Role.COMMUNE_OFFICER, Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD})
PROVINCE_ROLES = frozenset({Role.APPRAISER, Role.COUNCIL_CHAIR, Role.PROVINCE_ADMIN})


class RoleAssignment(models.Model):
    """``user`` holds ``role`` at ``unit`` (and, with include_descendants, at the units below it)."""

    Role = Role

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "units.AdministrativeUnit", on_delete=models.PROTECT, related_name="role_assignments", verbose_name="đơn vị"
    )
    include_descendants = models.BooleanField(
        "bao gồm đơn vị trực thuộc", default=False, help_text="Vai trò cấp tỉnh áp dụng cho mọi xã, phường của tỉnh."
    )
    is_deputy = models.BooleanField(
        "cấp phó (ký thay)", default=False, help_text="Phó Chủ tịch ký thay: khối chữ ký ghi 'KT. CHỦ TỊCH'."
    )
    created_at = models.DateTimeField("tạo lúc", auto_now_add=True)

    class Meta:
        ordering = ["user", "role"]
        verbose_name = "phân quyền"
        verbose_name_plural = "phân quyền"
        constraints = [models.UniqueConstraint(fields=["user", "role", "unit"], name="roleassignment_unique")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} · {self.unit}"
