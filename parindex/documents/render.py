"""Renderers: a template file and a context in, DOCX (docxtpl), PDF (LibreOffice, when installed) out.

Templates may come from a province admin, so they are rendered in Jinja's
``SandboxedEnvironment`` (no attribute access to internals, no calls to unsafe methods) with
XML autoescaping: a template that tries to reach Python objects is refused with
``TemplateRefused``, never executed. Contexts are plain dicts of text (``context.py``).
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import TemplateError, Undefined
from jinja2.exceptions import SecurityError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment
from jinja2.utils import missing

PDF_TIMEOUT_S = 120


class TemplateRefused(ValueError):
    """The template cannot be used: not a Word file, broken Jinja, or code the sandbox forbids."""


class _Empty(Undefined):
    """An unknown name renders as nothing (a province template may omit or misspell one).

    The sandbox answers an unsafe attribute (``__globals__``, ``__class__`` …) with an
    undefined value that fails only when printed; here it fails at once, whatever the
    template does with it next, so such a template is always refused.
    """

    def __init__(self, hint: str | None = None, obj: Any = missing, name: str | None = None, exc: Any = None) -> None:
        if exc is SecurityError:
            raise SecurityError(hint or "unsafe access")
        super().__init__(hint, obj, name, exc or UndefinedError)

    def __str__(self) -> str:
        return ""


def environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=_Empty)


def check_docx(data: bytes) -> None:
    """A .docx is a zip with ``word/document.xml``; anything else is refused before docxtpl sees it."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            if "word/document.xml" not in zf.namelist():
                raise TemplateRefused("Tệp không phải văn bản Word (.docx).")
    except zipfile.BadZipFile:
        raise TemplateRefused("Tệp không phải văn bản Word (.docx) hoặc đã bị hỏng.") from None


def render_docx(template: bytes, context: dict[str, Any]) -> bytes:
    """Render ``template`` (.docx bytes) with ``context``; raises TemplateRefused."""
    check_docx(template)
    doc = DocxTemplate(io.BytesIO(template))
    try:
        doc.render(context, jinja_env=environment(), autoescape=True)
    except SecurityError as exc:
        raise TemplateRefused(f"Mẫu văn bản có mã lệnh không được phép, đã bị từ chối ({exc}).") from None
    except TemplateError as exc:
        raise TemplateRefused(f"Mẫu văn bản có lỗi cú pháp Jinja: {exc}.") from None
    except (TypeError, ValueError, KeyError, AttributeError, IndexError) as exc:
        # A template looping over a text or indexing what is not a list: its fault, not the data's.
        raise TemplateRefused(f"Mẫu văn bản không dùng được với dữ liệu này: {exc}.") from None
    _grid_from_cells(doc.docx)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


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


def soffice() -> str | None:
    """The LibreOffice binary, when installed (PDF output is optional)."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(data: bytes) -> bytes:
    """Convert with LibreOffice headless, in a private profile so conversions never share a lock.

    Raises RuntimeError with a Vietnamese message when LibreOffice is missing or fails.
    """
    binary = soffice()
    if binary is None:
        raise RuntimeError("Máy chủ chưa cài LibreOffice nên chưa xuất được PDF; hãy tải bản Word.")
    with tempfile.TemporaryDirectory(prefix="parindex-pdf-") as tmp:
        source = Path(tmp) / "document.docx"
        source.write_bytes(data)
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
            str(source),
        ]
        try:
            subprocess.run(
                command,
                check=True,
                capture_output=True,
                timeout=PDF_TIMEOUT_S,
                env={**os.environ, "HOME": tmp},
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            raise RuntimeError(f"LibreOffice không chuyển được sang PDF ({type(exc).__name__}).") from None
        target = Path(tmp) / "document.pdf"
        if not target.exists():
            raise RuntimeError("LibreOffice không tạo ra tệp PDF.")
        return target.read_bytes()
