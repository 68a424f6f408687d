"""Downloads: files built in memory (workbooks, Word documents, PDFs) and stored files
(evidence), each answered one way."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse, Http404, HttpResponse

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


# --- Stored files (evidence, progress notes) -----------------------------------------------

INLINE_TYPES = ("application/pdf", "image/jpeg", "image/png")
# What makes a browser (or a viewer that ignores the type) take a file for a web page.
_HTML_MARKERS = (b"<html", b"<script", b"<!doctype", b"<body", b"<iframe", b"<svg", b"<?xml")
MISSING = (
    "Tệp này không còn trong kho lưu trữ (có thể đã bị xóa hoặc chưa được chép sang máy chủ mới). "
    "Hãy báo quản trị hệ thống; các thông tin khác của hồ sơ vẫn được giữ nguyên."
)
# A PDF shown in the browser runs in a sandbox: no script, no form, no same-origin access.
PDF_POLICY = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; object-src 'self'"
IMAGE_POLICY = "sandbox; default-src 'none'; img-src 'self'"


def open_stored(field_file: Any) -> Any:
    """A stored file opened for reading, or a Vietnamese 404 when storage no longer has it."""
    try:
        return field_file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404(MISSING) from None


def _looks_like(content_type: str, head: bytes, tail: bytes) -> bool:
    """Whether the bytes are what the stored type says, and nothing a browser could take for HTML."""
    lowered = head.lower()
    if any(marker in lowered for marker in _HTML_MARKERS):
        return False
    if content_type == "application/pdf":
        return head.startswith(b"%PDF-") and b"%%EOF" in tail
    if content_type == "image/jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if content_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    return False


def stored_file_response(field_file: Any, *, filename: str, content_type: str) -> FileResponse:
    """A stored file, permission already checked by the caller, as a private download.

    Shown in the browser only when it is a PDF or an image *checked as such* (its first and last
    bytes, and no HTML in its first kilobyte); everything else is an attachment. Never cached,
    never sniffed, sandboxed by its own Content-Security-Policy. A file missing from storage is a
    Vietnamese 404, not a server error.
    """
    handle = open_stored(field_file)
    try:
        head = handle.read(1024)
        size = getattr(field_file, "size", None)
        if size and size > 2048:
            handle.seek(size - 1024)
            tail = handle.read(1024)
        else:
            handle.seek(0)
            tail = handle.read()
        handle.seek(0)
    except OSError:
        handle.close()
        raise Http404(MISSING) from None
    inline = content_type in INLINE_TYPES and _looks_like(content_type, head, tail)
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = PDF_POLICY if content_type == "application/pdf" else IMAGE_POLICY
    return response
