"""Checking evidence uploads by their content, not their name.

A file is accepted only when its first bytes match a type it claims to be (PDF, Office
documents, images); its name is reduced to a safe display name and never used for storage.
"""

from __future__ import annotations

import hashlib
import io
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath
from typing import BinaryIO

from parindex.core.numbers import comma

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc / .xls

# suffix -> (MIME type, how to recognise the content)
TYPES: dict[str, tuple[str, str]] = {
    ".pdf": ("application/pdf", "pdf"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "ooxml:word/"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "ooxml:xl/"),
    ".pptx": ("application/vnd.openxmlformats-officedocument.presentationml.presentation", "ooxml:ppt/"),
    ".doc": ("application/msword", "ole"),
    ".xls": ("application/vnd.ms-excel", "ole"),
    ".odt": ("application/vnd.oasis.opendocument.text", "odf:application/vnd.oasis.opendocument.text"),
    ".ods": ("application/vnd.oasis.opendocument.spreadsheet", "odf:application/vnd.oasis.opendocument.spreadsheet"),
    ".jpg": ("image/jpeg", "jpeg"),
    ".jpeg": ("image/jpeg", "jpeg"),
    ".png": ("image/png", "png"),
}


class EvidenceRejected(ValueError):
    """An upload that must not be stored; the message is for the user (Vietnamese)."""


@dataclass(frozen=True)
class CheckedFile:
    display_name: str
    suffix: str
    content_type: str
    size: int
    sha256: str


def safe_display_name(name: str) -> str:
    """The last path component only, without control characters; for display, never for storage."""
    base = PureWindowsPath(PurePosixPath(name).name).name
    base = "".join(ch for ch in unicodedata.normalize("NFC", base) if unicodedata.category(ch)[0] != "C").strip()
    base = base.lstrip(".")
    if not base or base in {".", ".."}:
        raise EvidenceRejected("Tên tệp không hợp lệ.")
    return base[:200]


def _matches(kind: str, head: bytes, stream: BinaryIO) -> bool:
    if kind == "pdf":
        return head.startswith(b"%PDF-")
    if kind == "jpeg":
        return head.startswith(b"\xff\xd8\xff")
    if kind == "png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if kind == "ole":
        return head.startswith(OLE_MAGIC)
    if kind.startswith(("ooxml:", "odf:")):
        if not head.startswith(b"PK\x03\x04"):
            return False
        stream.seek(0)
        try:
            with zipfile.ZipFile(stream) as archive:
                names = archive.namelist()
                if kind.startswith("ooxml:"):
                    return "[Content_Types].xml" in names and any(n.startswith(kind[6:]) for n in names)
                if "mimetype" not in names or archive.getinfo("mimetype").file_size > 200:
                    return False  # an ODF mimetype is a few dozen bytes; never inflate a bomb
                return archive.read("mimetype").decode("ascii", "replace").strip() == kind[4:]
        except (zipfile.BadZipFile, OSError, KeyError, NotImplementedError, RuntimeError, EOFError, zlib.error):
            return False
    return False


def megabytes(size: int) -> str:
    """A size in MB the Vietnamese way: one decimal, a decimal comma, none when whole ("20", "20,5")."""
    text = f"{size / 1024 / 1024:.1f}" if size >= 1024 * 1024 else f"{size / 1024 / 1024:.3f}".rstrip("0")
    return text[:-2] if text.endswith(".0") else comma(text)


def check_upload(name: str, stream: BinaryIO, *, max_bytes: int) -> CheckedFile:
    """Validate an upload; raises EvidenceRejected with a Vietnamese reason."""
    display = safe_display_name(name)
    suffix = PurePosixPath(display).suffix.lower()
    if suffix not in TYPES:
        allowed = ", ".join(sorted({s.lstrip(".").upper() for s in TYPES}))
        raise EvidenceRejected(f"Loại tệp '{suffix or '(không có đuôi)'}' không được nhận. Chỉ nhận: {allowed}.")
    stream.seek(0, io.SEEK_END)
    size = stream.tell()
    if size == 0:
        raise EvidenceRejected("Tệp rỗng.")
    if size > max_bytes:
        raise EvidenceRejected(f"Tệp quá lớn ({megabytes(size)} MB); tối đa {megabytes(max_bytes)} MB.")
    stream.seek(0)
    head = stream.read(16)
    content_type, kind = TYPES[suffix]
    if not _matches(kind, head, stream):
        raise EvidenceRejected(
            f"Nội dung tệp '{display}' không phải là {suffix.lstrip('.').upper()} như tên tệp; tệp không được lưu."
        )
    stream.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: stream.read(1024 * 1024), b""):
        digest.update(chunk)
    stream.seek(0)
    return CheckedFile(display, suffix, content_type, size, digest.hexdigest())
