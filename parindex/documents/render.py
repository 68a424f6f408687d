"""Renderers: a template file and a context in, DOCX (docxtpl), PDF (LibreOffice, when installed) out.

Templates may come from a province admin, so they are rendered in Jinja's sandbox with caps on
cost (``sandbox.py``: no attribute access to internals, no calls to unsafe methods, no huge ranges
or strings) and XML autoescaping: a template that tries to reach Python objects is refused with
``TemplateRefused``, never executed. A province's template is moreover rendered in a child
process with time and memory limits (``bounded.py``). A file that is no sound .docx (not a zip,
encrypted, a zip bomb, XML with a DOCTYPE or entities, not UTF-8) is refused before docxtpl parses
it. Contexts are plain dicts of text (``context.py``). No Django here: the child imports this.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.exceptions import SecurityError
from lxml import etree

from parindex.documents.sandbox import TooCostly, environment

PDF_TIMEOUT_S = 120
DOCX_MAX_UNCOMPRESSED = 50 * 1024 * 1024
DOCX_MAX_MEMBERS = 1000
XML_PARTS = (".xml", ".rels", ".vml")
BOMS = (b"\xff\xfe", b"\xfe\xff")  # UTF-16, which python-docx would parse as XML too
XML_DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']""")
XML_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
BROKEN = "Tệp không phải văn bản Word (.docx) hoặc đã bị hỏng."


class TemplateRefused(ValueError):
    """The template cannot be used: not a Word file, broken Jinja, or code the sandbox forbids."""


def check_docx(data: bytes) -> None:
    """A .docx is a plain zip with ``word/document.xml`` whose XML parts are UTF-8 without a DTD.

    Checked before docxtpl (lxml) sees the file: the zip's declared sizes (a zip bomb inflates a
    few kB into gigabytes), encryption, and each XML part, whatever its name (a DOCTYPE declares
    the entities of a "billion laughs" or an external file; Word never writes one).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            members = zf.infolist()
            if "word/document.xml" not in {m.filename for m in members}:
                raise TemplateRefused("Tệp không phải văn bản Word (.docx).")
            if any(m.flag_bits & 0x1 for m in members):
                raise TemplateRefused("Tệp Word có đặt mật khẩu (mã hoá): hãy lưu lại không đặt mật khẩu rồi tải lên.")
            if len(members) > DOCX_MAX_MEMBERS or sum(m.file_size for m in members) > DOCX_MAX_UNCOMPRESSED:
                raise TemplateRefused("Tệp Word khi giải nén quá lớn (quá 50 MB) nên đã bị từ chối.")
            for member in members:
                with zf.open(member) as fh:  # inflates in small steps up to the declared size, then checks the CRC
                    part = fh.read(member.file_size + 1)
                if member.filename.lower().endswith(XML_PARTS) or _looks_like_xml(part):
                    _check_xml(member.filename, part)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError, ValueError) as exc:
        if isinstance(exc, TemplateRefused):
            raise
        raise TemplateRefused(BROKEN) from None


def _looks_like_xml(part: bytes) -> bool:
    return part.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" or part[:2] in BOMS


def _check_xml(name: str, data: bytes) -> None:
    declared = XML_DECLARED_ENCODING.match(data)
    if declared and declared.group(1).lower().replace(b"-", b"") != b"utf8":
        raise TemplateRefused(f"Phần {name} của tệp Word không mã hoá UTF-8: hãy mở và lưu lại bằng Word.")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateRefused(f"Phần {name} của tệp Word không phải văn bản UTF-8 hợp lệ: tệp đã bị hỏng.") from None
    if b"\x00" in data or XML_DTD.search(data):
        raise TemplateRefused(
            f"Phần {name} của tệp Word có khai báo DOCTYPE/ENTITY (Word không bao giờ tạo): tệp bị từ chối."
        )


def render_docx(template: bytes, context: dict[str, Any]) -> bytes:
    """Render ``template`` (.docx bytes) with ``context``; raises TemplateRefused.

    A province's template goes through ``bounded.render_bounded``, which runs this in a child.
    """
    check_docx(template)
    doc = DocxTemplate(io.BytesIO(template))
    try:
        doc.init_docx()
    except (MemoryError, RecursionError):
        raise
    except Exception:  # python-docx answers a broken package with many kinds of error
        raise TemplateRefused(BROKEN) from None
    try:
        doc.render(context, jinja_env=environment(), autoescape=True)
    except TooCostly as exc:
        raise TemplateRefused(str(exc)) from None
    except SecurityError as exc:
        raise TemplateRefused(f"Mẫu văn bản có mã lệnh không được phép, đã bị từ chối ({exc}).") from None
    except TemplateError as exc:
        raise TemplateRefused(f"Mẫu văn bản có lỗi cú pháp Jinja: {exc}.") from None
    except RecursionError:
        raise TemplateRefused("Mẫu văn bản gọi macro hoặc vòng lặp lồng nhau quá sâu nên đã bị từ chối.") from None
    except etree.LxmlError as exc:
        _memory(exc)
        raise TemplateRefused("Mẫu văn bản tạo ra nội dung Word không hợp lệ (XML hỏng).") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError, ArithmeticError) as exc:
        # A template looping over a text or indexing what is not a list: its fault, not the data's.
        raise TemplateRefused(f"Mẫu văn bản không dùng được với dữ liệu này: {exc}.") from None
    try:
        _grid_from_cells(doc.docx)
        _keep_with_signature(doc.docx)
        out = io.BytesIO()
        doc.save(out)
    except etree.LxmlError as exc:
        _memory(exc)
        raise TemplateRefused("Không ghi được văn bản Word từ mẫu này (XML hỏng).") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        raise TemplateRefused(f"Không ghi được văn bản Word từ mẫu này ({type(exc).__name__}).") from None
    return out.getvalue()


def _memory(exc: Exception) -> None:
    """lxml reports a failed allocation as a parse or serialisation error."""
    if "memory" in str(exc).lower():
        raise MemoryError(str(exc)) from exc


def _grid_from_cells(document: Any) -> None:
    """Set each table's grid to its first row's cell widths.

    Column loops (``{%tc for %}``) leave the grid with the template's columns, tag cells
    included; Word reads the cells' own widths, LibreOffice the grid, so make them agree.
    """
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for table in document.tables:
        tbl = table._tbl
        grid = tbl.tblGrid.gridCol_lst
        first = tbl.tr_lst[0] if tbl.tr_lst else None
        if first is None:
            continue
        widths = []
        for tc in first.tc_lst:
            tc_w = tc.tcPr.find(f"{w}tcW") if tc.tcPr is not None else None
            span = tc.tcPr.find(f"{w}gridSpan") if tc.tcPr is not None else None
            if tc_w is None or span is not None or tc_w.get(f"{w}type") != "dxa":
                widths = []
                break
            widths.append(int(tc_w.get(f"{w}w")))
        if widths and len(widths) == len(grid):
            for col, width in zip(grid, widths, strict=True):
                col.set(f"{w}w", str(width))


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A paragraph of fewer characters is taken for one line of 14 pt text (165 mm holds about 80).
ONE_LINE = 80


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t"))


def _keep_next(p: Any) -> None:
    ppr = p.find(f"{W}pPr")
    if ppr is None:
        ppr = etree.Element(f"{W}pPr")
        p.insert(0, ppr)
    if ppr.find(f"{W}keepNext") is None:
        keep = etree.Element(f"{W}keepNext")
        # Schema order: pStyle, keepNext, … — after the style when there is one.
        style = ppr.find(f"{W}pStyle")
        if style is not None:
            style.addnext(keep)
        else:
            ppr.insert(0, keep)


def _keep_with_signature(document: Any) -> None:
    """The body's last lines kept on the signature's page (Nghị định 30: a signature never stands alone).

    The signature is the table whose first cell starts with "Nơi nhận" (in any template, a
    province's too); its rows never split (the built-in templates say so), and the last
    paragraph before it, with the one before that when it is a single line, is kept with it,
    so at least two lines of the text go over with the signature (widow control does the rest).
    """
    body = document.element.body
    for tbl in body.iterchildren(f"{W}tbl"):
        first = next(tbl.iter(f"{W}tc"), None)
        if first is None or not _text(first).strip().startswith("Nơi nhận"):
            continue
        kept = 0
        sibling = tbl.getprevious()
        while sibling is not None and sibling.tag == f"{W}p":
            text = _text(sibling).strip()
            _keep_next(sibling)  # an empty paragraph between them too, or it would part them
            if text:
                kept += 1 if len(text) < ONE_LINE else 2
                if kept >= 2:
                    break
            sibling = sibling.getprevious()


def soffice() -> str | None:
    """The LibreOffice binary, when installed (PDF output is optional)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes) -> bytes:
    """Convert with LibreOffice headless, in a private profile so conversions never share a lock.

    Raises RuntimeError with a Vietnamese message when LibreOffice is missing or fails.
    """
    return docx_to_pdfs([data])[0]


def docx_to_pdfs(documents: list[bytes], *, timeout_s: int = PDF_TIMEOUT_S) -> list[bytes]:
    """Several .docx converted by one LibreOffice start (tests and screenshots: a start costs seconds)."""
    binary = soffice()
    if binary is None:
        raise RuntimeError("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word.")
    with tempfile.TemporaryDirectory(prefix="parindex-pdf-") as tmp:
        sources = []
        for i, data in enumerate(documents):
            source = Path(tmp) / f"document-{i}.docx"
            source.write_bytes(data)
            sources.append(source)
        profile = Path(tmp) / "profile"
        command = [
            binary,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            *map(str, sources),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=timeout_s * len(documents),
                env={**os.environ, "HOME": tmp},
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"LibreOffice không chuyển được sang PDF ({type(exc).__name__}).") from None
        out = []
        for source in sources:
            target = source.with_suffix(".pdf")
            if not target.exists():
                raise RuntimeError("LibreOffice không tạo ra tệp PDF.")
            out.append(target.read_bytes())
        return out
