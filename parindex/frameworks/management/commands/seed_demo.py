"""``parindex seed_demo``: idempotent demo data for ``make run``.

Loads and publishes the built-in reference framework and makes one province-admin login
(printed). Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.management.base import BaseCommand, CommandError

from parindex.frameworks import services
from parindex.frameworks.files import REFERENCE_FRAMEWORK, load_framework_path

DEMO_PASSWORD = "parindex-demo-2026"  # printed demo login; seed_demo refuses to run unless DEBUG


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: bộ chỉ số tham chiếu và tài khoản quản trị Sở Nội vụ."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo tạo tài khoản với mật khẩu công khai; chỉ chạy khi DEBUG=true.")
        result = services.framework_import(
            spec=load_framework_path(REFERENCE_FRAMEWORK), publish=True, source_name=REFERENCE_FRAMEWORK.name
        )
        self.stdout.write(result.message)
        user, created = get_user_model().objects.get_or_create(
            username="sonoivu", defaults={"first_name": "Quản trị", "last_name": "Sở Nội vụ", "is_staff": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.user_permissions.add(*Permission.objects.filter(content_type__app_label="frameworks"))
        self.stdout.write(f"Tài khoản quản trị Sở Nội vụ: sonoivu / {DEMO_PASSWORD}")
