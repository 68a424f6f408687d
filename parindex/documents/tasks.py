"""The documents' background job: a .docx converted to PDF by LibreOffice (2–3 s a document),
in the worker instead of the request."""

from __future__ import annotations

from django_tasks import task

from parindex.core.jobs import retrying
from parindex.documents import services


@task()
def docx_pdf(rendition_id: int, attempt: int = 1) -> str:
    return retrying(docx_pdf, services.pdf_build, rendition_id, attempt=attempt)
