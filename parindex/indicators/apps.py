from __future__ import annotations

from django.apps import AppConfig


class IndicatorsConfig(AppConfig):
    name = "parindex.indicators"
    verbose_name = "Chỉ tiêu CCHC theo dõi trong năm"

    def ready(self) -> None:
        from parindex.assessments import sources
        from parindex.indicators import sources as indicators_sources

        # The assessments app imports none of the apps that feed it: each registers its source.
        sources.register(indicators_sources.KIND, indicators_sources.SOURCE)
        from django.db.models.signals import post_migrate

        from parindex.assessments.signals import projection_stale
        from parindex.indicators.projections import on_migrated, on_projection_stale

        projection_stale.connect(on_projection_stale, dispatch_uid="indicators.projections")
        # Assessments from before projections were stored (or loaded in bulk) get theirs at migrate.
        post_migrate.connect(on_migrated, sender=self, dispatch_uid="indicators.projections.migrate")
