from __future__ import annotations

from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    name = "parindex.dashboards"
    verbose_name = "Bảng điều khiển và phân tích"
