"""File downloads built in memory (workbooks, Word documents, PDFs): one way to answer them."""

from __future__ import annotations

from django.http import HttpResponse

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def attachment(body: bytes, filename: str, content_type: str, *, private: bool = False) -> HttpResponse:
    """``body`` as a download named ``filename``; ``private`` keeps it out of shared caches."""
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
