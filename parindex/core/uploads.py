"""Opening an uploaded Excel workbook without trusting it. Pure Python (no Django).

An .xlsx file is a zip of XML parts. Before openpyxl parses anything, ``open_xlsx`` checks
the container itself, from the zip's central directory (nothing is decompressed but the first
bytes of each XML part):

- an old binary .xls, or an encrypted (password-protected) workbook, which are OLE files;
- something that is not a zip at all (a CSV or a text file named .xlsx), or a broken zip;
- a zip that is not a workbook (a .docx, a plain .zip), members that are encrypted or use a
  compression other than stored/deflate, too many members;
- a zip bomb: the uncompressed size each member declares (zipfile never inflates past it, and
  a stream that does is a CRC error) is capped per member and in total;
- a DTD or entity declaration in an XML part (no workbook has one; "billion laughs").

openpyxl then opens it, read-only by default (rows are streamed). Every refusal is an
``UploadRefused`` whose message is a Vietnamese reason starting in lower case without a
final stop, for the caller to put in its own sentence. XML that breaks later, while the rows
are read, surfaces from openpyxl as an ordinary exception: callers reading rows catch it
(``UNREADABLE`` is the message to use).
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from typing import Any

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls/.doc, and encrypted OOXML
ZIP_MAGIC = b"PK\x03\x04"
# An encrypted .xlsx is an OLE file holding these streams (names in UTF-16-LE).
_ENCRYPTED_STREAMS = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))

MAX_MEMBER_BYTES = 100 * 1024 * 1024  # one uncompressed part (a sheet's XML)
MAX_TOTAL_BYTES = 200 * 1024 * 1024  # all parts together, uncompressed
MAX_MEMBERS = 2000  # a workbook has a few dozen parts; two per sheet
_SNIFF_BYTES = 16 * 1024  # the start of each XML part searched for a DTD
_SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)

UNREADABLE = "tệp không phải bảng tính Excel (.xlsx) đọc được"
CORRUPT = "tệp bảng tính bị hỏng, không đọc được"


class UploadRefused(ValueError):
    """A file that must not be parsed; the message is the Vietnamese reason."""


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.0f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def check_xlsx(
    data: bytes, *, max_member_bytes: int = MAX_MEMBER_BYTES, max_total_bytes: int = MAX_TOTAL_BYTES
) -> None:
    """Raise UploadRefused unless ``data`` is a zip that can safely be handed to openpyxl."""
    data = bytes(data)
    if data[:8] == OLE_MAGIC:
        if any(name in data for name in _ENCRYPTED_STREAMS):
            raise UploadRefused(
                "bảng tính được đặt mật khẩu; hãy mở bằng Excel, gỡ mật khẩu (Tệp > Thông tin > Bảo vệ sổ làm việc) "
                "rồi lưu lại"
            )
        raise UploadRefused(
            "tệp là bảng tính Excel cũ (.xls); hãy mở bằng Excel và lưu lại dạng Excel Workbook (.xlsx)"
        )
    if data[:4] != ZIP_MAGIC:
        raise UploadRefused(f"{UNREADABLE}: nội dung tệp không phải dạng .xlsx (có thể chỉ bị đặt tên .xlsx)")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception:  # BadZipFile, a truncated or inconsistent directory ...
        raise UploadRefused(f"{UNREADABLE}: tệp nén .xlsx bị hỏng") from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise UploadRefused(f"{UNREADABLE}: tệp nén có quá {MAX_MEMBERS} thành phần")
        names = {info.filename for info in members}
        if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
            kind = " (đây là văn bản Word)" if any(name.startswith("word/") for name in names) else ""
            raise UploadRefused(f"{UNREADABLE}: tệp nén này không phải bảng tính Excel{kind}")
        total = 0
        for info in members:
            if info.flag_bits & 0x1:
                raise UploadRefused("bảng tính được đặt mật khẩu; hãy gỡ mật khẩu rồi lưu lại")
            if info.compress_type not in _SUPPORTED_COMPRESSION:
                raise UploadRefused(f"{UNREADABLE}: tệp nén dùng kiểu nén không được hỗ trợ")
            if info.file_size > max_member_bytes:
                raise UploadRefused(
                    f"bảng tính quá lớn khi giải nén: phần '{info.filename[:80]}' là {_mb(info.file_size)} "
                    f"(tối đa {_mb(max_member_bytes)})"
                )
            total += info.file_size
            if total > max_total_bytes:
                raise UploadRefused(f"bảng tính quá lớn khi giải nén (hơn {_mb(max_total_bytes)})")
        for info in members:
            if info.filename.endswith((".xml", ".rels")) and _declares_dtd(archive, info):
                raise UploadRefused(f"{UNREADABLE}: tệp chứa khai báo DTD hoặc thực thể XML (<!DOCTYPE, <!ENTITY)")


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    try:
        with archive.open(info) as part:
            head = part.read(_SNIFF_BYTES)
    except Exception:  # a CRC or inflate error (zlib.error), a damaged header ...
        raise UploadRefused(f"{UNREADABLE}: tệp nén .xlsx bị hỏng") from None
    return b"<!DOCTYPE" in head or b"<!ENTITY" in head


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>]")
_OVERLAP = 48  # bytes kept between chunks: a row tag cut in two is counted once


def rows_over(ws: Any, limit: int) -> bool:
    """Whether a read-only worksheet's XML holds more than ``limit`` row elements.

    A fast count over the decompressed part (no XML parsing: ~100 MB/s) that stops as soon as
    the limit is passed, so a cap on rows costs seconds, not the minutes openpyxl takes to
    build two million rows. Each element is one spreadsheet row (empty rows in between are not
    written), so more elements than ``limit`` means more rows; callers still count the rows
    they stream, which also covers the rows skipped between elements."""
    source = getattr(ws, "_get_source", None)  # openpyxl's read-only worksheet part
    if source is None:
        return False
    count = 0
    tail = b""
    with source() as part:
        while chunk := part.read(1 << 20):
            data = tail + chunk
            cut = max(len(data) - _OVERLAP, 0)
            count += sum(1 for match in _ROW_TAG.finditer(data, 0, len(data)) if match.start() < cut)
            if count > limit:
                return True
            tail = data[cut:]
    return count + len(_ROW_TAG.findall(tail)) > limit


def open_xlsx(
    data: bytes,
    *,
    read_only: bool = True,
    max_member_bytes: int = MAX_MEMBER_BYTES,
    max_total_bytes: int = MAX_TOTAL_BYTES,
) -> Any:
    """``check_xlsx``, then the openpyxl workbook (values, not formulas). Raises UploadRefused.

    In read-only mode the worksheets are parsed while their rows are iterated: the caller
    closes the workbook and treats an exception while reading rows as ``CORRUPT``.
    """
    from openpyxl import load_workbook

    check_xlsx(data, max_member_bytes=max_member_bytes, max_total_bytes=max_total_bytes)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. "Data Validation extension is not supported"
            return load_workbook(io.BytesIO(bytes(data)), read_only=read_only, data_only=True)
    except Exception:  # any failure to open means the same thing to the person uploading
        raise UploadRefused(UNREADABLE) from None
