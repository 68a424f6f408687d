"""The results' background jobs: a publication's files (CSV, JSON, XLSX, the Quyết định)."""

from __future__ import annotations

from django_tasks import task

from parindex.core.jobs import describe, retrying
from parindex.results import files


def _build(publication_id: int, correction: bool, province_id: int | None = None) -> list[str]:
    built = files.publication_files_build(publication=publication_id)
    if correction:
        files.files_of_correction_build(publication_id)
    return sorted(built)


@task()
def publication_files(
    publication_id: int, correction: bool = False, province_id: int | None = None, attempt: int = 1
) -> list[str]:
    """Build and store the files of a publication just published (or of a correction, and what
    the group's older publications say about it). Idempotent: a file already stored is kept.
    ``province_id``: whose admins see it if it fails for good."""
    return retrying(publication_files, _build, publication_id, correction, province_id=province_id, attempt=attempt)


describe(publication_files, "Tạo tệp kết quả công bố (CSV, JSON, Excel, Quyết định)", "results:publication-detail", "")
