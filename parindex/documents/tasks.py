"""The documents' background job: a .docx converted to PDF by LibreOffice (2–3 s a document),
in the worker instead of the request."""

from __future__ import annotations

from django_tasks import task

from parindex.core.jobs import describe, retrying
from parindex.documents import services


@task()
def docx_pdf(
    rendition_id: int, document_id: int | None = None, province_id: int | None = None, attempt: int = 1
) -> str:
    """``document_id``, ``province_id``: the document asked for, whose province's admins see a
    conversion that fails for good (the document's page says so too)."""
    return retrying(docx_pdf, _build, rendition_id, document_id=document_id, province_id=province_id, attempt=attempt)


def _build(rendition_id: int, document_id: int | None = None, province_id: int | None = None) -> str:
    return services.pdf_build(rendition_id)


describe(docx_pdf, "Chuyển văn bản sang PDF", "documents:issued-detail", "document_id")
