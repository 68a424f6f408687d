from __future__ import annotations

from django.apps import AppConfig


class RemediationConfig(AppConfig):
    name = "parindex.remediation"
    verbose_name = "Khắc phục Chỉ số CCHC"

    def ready(self) -> None:
        from parindex.assessments import sources
        from parindex.remediation import sources as remediation_sources

        # The assessments app imports none of the apps that feed it: each registers its source.
        sources.register(remediation_sources.KIND, remediation_sources.SOURCE)
