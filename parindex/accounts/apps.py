from __future__ import annotations

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parindex.accounts"
    verbose_name = "Tài khoản và vai trò"
