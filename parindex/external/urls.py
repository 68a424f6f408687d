from __future__ import annotations

app_name = "external"
urlpatterns: list = []
