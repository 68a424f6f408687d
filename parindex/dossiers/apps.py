from __future__ import annotations

from django.apps import AppConfig


class DossiersConfig(AppConfig):
    name = "parindex.dossiers"
    verbose_name = "Hồ sơ trễ hạn và thư xin lỗi"

    def ready(self) -> None:
        from parindex.assessments import sources
        from parindex.dossiers import sources as dossiers_sources

        # The assessments app imports none of the apps that feed it: each registers its source.
        sources.register(dossiers_sources.KIND, dossiers_sources.SOURCE)
