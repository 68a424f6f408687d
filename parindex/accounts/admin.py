"""Accounts in the admin site, an operator's tool (superusers only, see core/admin.py).

Officials and their roles are managed in the app by their province (``/tai-khoan/nguoi-dung/``),
where every change is audited; here an operator can repair what the app cannot, and read the
account log."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from parindex.accounts.models import AccountEvent, RoleAssignment, User
from parindex.core.admin import ReadOnlyAdminMixin


class RoleAssignmentInline(admin.TabularInline):
    model = RoleAssignment
    extra = 1
    autocomplete_fields = ("unit",)
    fields = ("role", "unit", "include_descendants", "is_deputy")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "full_name", "unit", "position", "email", "is_active", "is_superuser")
    list_filter = ("is_active", "is_superuser", "must_change_password")
    search_fields = ("username", "full_name", "email")
    autocomplete_fields = ("unit",)
    fieldsets = (
        (None, {"fields": ("username", "password", "must_change_password")}),
        ("Thông tin cá nhân", {"fields": ("full_name", "position", "unit", "email", "phone")}),
        ("Quyền hệ thống (chỉ người vận hành)", {"fields": ("is_active", "is_staff", "is_superuser")}),
        ("Thời điểm", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "full_name", "unit", "password1", "password2")}),
    )
    inlines = [RoleAssignmentInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "unit", "include_descendants", "is_deputy")
    list_filter = ("role",)
    search_fields = ("user__username", "user__full_name", "unit__name", "unit__code")
    autocomplete_fields = ("user", "unit")


@admin.register(AccountEvent)
class AccountEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "action", "user", "actor", "province")
    list_filter = ("action",)
    search_fields = ("user__username", "actor__username")
    date_hierarchy = "at"
