from __future__ import annotations

from django.apps import AppConfig


class ExternalConfig(AppConfig):
    name = "parindex.external"
    verbose_name = "Chỉ số bên ngoài (Chỉ số 766, khảo sát)"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from parindex.assessments import sources
        from parindex.external import feeding, surveys
        from parindex.external.services import on_migrated

        # The index and survey sources plug into the assessments' registry: assessments imports nothing of ours.
        sources.register(feeding.KIND, feeding.SOURCE)
        sources.register(surveys.KIND, surveys.SOURCE)
        # The shipped definitions (data/766.yaml) are loaded, or brought up to date, at every migrate.
        post_migrate.connect(on_migrated, sender=self, dispatch_uid="external.definitions.migrate")
