from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class CoreConfig(AppConfig):
    default = True
    name = "parindex.core"
    verbose_name = "Dùng chung"


class OperatorAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with parindex's operator-only site (core/admin.py)."""

    default = False
    default_site = "parindex.core.admin.OperatorAdminSite"
