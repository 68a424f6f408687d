"""Admin building blocks shared by the apps."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm


class ReadOnlyAdminMixin:
    """For rows written only by services or loaders (events, reference data, validated trees):
    the admin shows them and never adds, edits or deletes them."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


class OperatorLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Trang quản trị hệ thống chỉ dành cho người vận hành; tên đăng nhập hoặc mật khẩu không đúng.",
    }

    def confirm_login_allowed(self, user: Any) -> None:
        if not (user.is_active and user.is_staff and user.is_superuser):
            raise forms.ValidationError(
                "Trang quản trị hệ thống chỉ dành cho người vận hành. Người dùng, vai trò và bộ chỉ số "
                "được quản lý ngay trong parindex (mục Người dùng, Bộ chỉ số).",
                code="invalid_login",
            )


class OperatorAdminSite(admin.AdminSite):
    """The admin site is an operator's tool: only active superusers (created from the command
    line with ``parindex createsuperuser``) enter it. Province admins and commune heads manage
    people and roles in the app (``/tai-khoan/nguoi-dung/``), within their own province."""

    site_header = "parindex – Quản trị hệ thống"
    site_title = "parindex"
    index_title = "Quản trị hệ thống (chỉ dành cho người vận hành)"
    login_form = OperatorLoginForm

    def has_permission(self, request: Any) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)
