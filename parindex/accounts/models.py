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
    unit = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name="đơn vị công tác",
        help_text="Tỉnh (Sở, ban, ngành) hoặc xã, phường nơi người dùng làm việc; quyết định ai quản lý tài khoản.",
    )
    must_change_password = models.BooleanField(
        "phải đổi mật khẩu",
        default=False,
        help_text="Mật khẩu tạm thời do quản trị cấp: người dùng phải đặt mật khẩu mới khi đăng nhập.",
    )

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


class AccountEvent(models.Model):
    """An immutable record of one change to a person's account or roles: who, when, old → new.

    ``province`` is the province whose administrators may read the record (the person's own
    province at the time of the change), so a province's log is one indexed filter away.
    """

    class Action(models.TextChoices):
        CREATED = "created", "Tạo tài khoản"
        UPDATED = "updated", "Sửa thông tin"
        PASSWORD_RESET = "password_reset", "Cấp mật khẩu tạm thời"
        DEACTIVATED = "deactivated", "Khóa tài khoản"
        REACTIVATED = "reactivated", "Mở lại tài khoản"
        ROLE_GRANTED = "role_granted", "Giao vai trò"
        ROLE_REVOKED = "role_revoked", "Thu hồi vai trò"
        UNLOCKED = "unlocked", "Gỡ tạm khóa đăng nhập"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_events", verbose_name="người dùng"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="người thực hiện",
    )
    province = models.ForeignKey(
        "units.AdministrativeUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="tỉnh",
    )
    action = models.CharField("thao tác", max_length=32, choices=Action.choices)
    old = models.JSONField("trước", default=dict, blank=True)
    new = models.JSONField("sau", default=dict, blank=True)
    at = models.DateTimeField("lúc", auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = "nhật ký tài khoản"
        verbose_name_plural = "nhật ký tài khoản"
        indexes = [
            models.Index(fields=["user", "-at"], name="accountevent_user_at"),
            models.Index(fields=["province", "-at"], name="accountevent_province_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}: {self.user}"

    LABELS = {
        "username": "Tên đăng nhập",
        "full_name": "Họ và tên",
        "position": "Chức vụ",
        "email": "Thư điện tử",
        "phone": "Số điện thoại",
        "unit": "Đơn vị công tác",
        "is_active": "Được đăng nhập",
        "must_change_password": "Phải đổi mật khẩu",
        "attempts_removed": "Lần sai được xóa",
    }

    def changes(self) -> list[tuple[str, str, str]]:
        """(what, before, after) lines for the history, in Vietnamese."""
        if self.action in (self.Action.ROLE_GRANTED, self.Action.ROLE_REVOKED):
            grant = self.new or self.old
            text = f"{grant.get('role_label', '')} tại {grant.get('unit', '')}"
            if grant.get("is_deputy"):
                text += " (ký thay)"
            return [("Vai trò", "" if self.new else text, text if self.new else "")]
        keys = [k for k in self.LABELS if k in self.old or k in self.new]
        return [(self.LABELS[k], _shown(self.old.get(k, "")), _shown(self.new.get(k, ""))) for k in keys]


def _shown(value: object) -> str:
    if value is True:
        return "có"
    if value is False:
        return "không"
    return str(value)
