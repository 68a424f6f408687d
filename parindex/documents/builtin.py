"""The built-in templates: one .docx per kind of document, written by ``parindex documents_templates --write``.

Each function lays out one document with ``layout`` and the Jinja names its context builder
(``context.py``) provides; ``docs/documents.md`` lists those names for a province writing its
own template. The files are shipped in ``parindex/documents/docx/`` and read at render time,
so editing one here means writing the files again (a test checks they are in step).
"""

from __future__ import annotations

import io
from pathlib import Path

from parindex.documents import layout as L

DOCX_DIR = Path(__file__).resolve().parent / "docx"


def _articles(doc) -> None:
    """``d.articles``: [{heading: "Điều 1.", text, lines: [...]}] — the heading bold, its clauses below."""
    L.tag(doc, "{%p for a in d.articles %}")
    p = L.para(doc, "", indent=True)
    p.add_run("{{ a.heading }}").bold = True
    p.add_run(" {{ a.text }}")
    L.tag(doc, "{%p for line in a.lines %}")
    L.para(doc, "{{ line }}", indent=True)
    L.tag(doc, "{%p endfor %}")
    L.tag(doc, "{%p endfor %}")


def _sections(doc, expression: str) -> None:
    """``expression``: [{title, lines, free: {lines, placeholder} | None}] — numbered headings, text, free text."""
    L.tag(doc, f"{{%p for s in {expression} %}}")
    L.para(doc, "{{ s.title }}", bold=True, indent=True, keep=True, before=6, align="left")
    L.body_lines(doc, "s.lines")
    L.tag(doc, "{%p if s.free %}")
    L.free_text(doc, "s.free")
    L.tag(doc, "{%p endif %}")
    L.tag(doc, "{%p endfor %}")


def _loop_rows(table, start: str, cells: list[str], end: str, *, size: float = 11, align=None) -> None:
    """A ``{%tr for … %}`` row, the repeated row, the ``{%tr endfor %}`` row."""
    L.grid_row(table, [start] + [""] * (len(cells) - 1), size=size)
    L.grid_row(table, cells, size=size, align=align)
    L.grid_row(table, [end] + [""] * (len(cells) - 1), size=size)


def decision() -> L.Document:
    """Quyết định phê duyệt và công bố Chỉ số CCHC, with the ranking table as its annex."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "QUYẾT ĐỊNH")
    L.para(doc, "{{ d.authority }}", bold=True, align="center", after=12)
    L.body_lines(doc, "d.legal_basis", italic=True)
    L.para(doc, "QUYẾT ĐỊNH:", bold=True, align="center", before=6, after=12)
    _articles(doc)
    L.signature_block(doc)

    L.landscape_section(doc)
    L.annex_heading(doc, "Phụ lục", "{{ annex.caption }}")
    table = L.grid(doc, ["STT", "Tên đơn vị", "{%tc for f in annex.fields %}", "{{ f.label }}", "{%tc endfor %}",
                         "Tổng điểm", "Chỉ số (%)", "Xếp loại", "Thứ hạng", "Thay đổi thứ hạng"],
                   [13, 40, 1, 14, 1, 18, 18, 18, 18, 30], size=11)  # fmt: skip
    cells = [
        "{{ r.position }}",
        "{{ r.unit }}",
        "{%tc for s in r.fields %}",
        "{{ s }}",
        "{%tc endfor %}",
        "{{ r.total }}",
        "{{ r.percent }}",
        "{{ r.classification }}",
        "{{ r.rank }}",
        "{{ r.change }}",
    ]
    align = ["center", "left", "center", "center", "center", "center", "center", "center", "center", "left"]
    _loop_rows(table, "{%tr for r in annex.rows[:-1] %}", cells, "{%tr endfor %}", align=align)
    # The last row on its own, kept with the note below it, so the note never stands alone on a page.
    _loop_rows(table, "{%tr for r in annex.rows[-1:] %}", cells, "{%tr endfor %}", align=align)
    L.keep_with_next_row(table.rows[-2])  # fmt: skip
    L.para(doc, "{{ annex.note }}", italic=True, size=12, before=6)
    return doc


def _lost_table(doc, *, with_times: bool = True):
    """The lost-point table of seed 001: one heading row per field, one row per sub-criterion."""
    headers = ["Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Điểm thẩm định",
               "Nguyên nhân không đạt điểm tối đa", "Phân công nhiệm vụ thực hiện và biện pháp khắc phục{{ annex.measures_year }}",
               "Thời gian hoàn thành"]  # fmt: skip
    table = L.grid(doc, headers, [58, 17, 19, 55, 72, 38], size=11)
    L.grid_row(table, ["{%tr for g in annex.groups %}"] + [""] * 5, size=11)
    row = L.grid_row(table, ["{{ g.title }}"] + [""] * 5, size=11, bold=True)
    L.merge_row(row)
    L.keep_with_next_row(row)  # a field's heading row never ends a page
    L.grid_row(table, ["{%tr for it in g.entries %}"] + [""] * 5, size=11)
    row = L.grid_row(table, ["{{ it.title }}", "{{ it.max }}", "{{ it.score }}", "{{ it.cause }}", "", ""],
                     size=11, align=["left", "center", "center", "left", "left", "left"])  # fmt: skip
    L.cell_lines(row.cells[4], "it.measures", size=11)
    L.cell_lines(row.cells[5], "it.deadlines", size=11)
    L.grid_row(table, ["{%tr endfor %}"] + [""] * 5, size=11)
    L.grid_row(table, ["{%tr endfor %}"] + [""] * 5, size=11)
    total = L.grid_row(table, ["Tổng số điểm bị mất", "{{ annex.total_max }}", "{{ annex.total_score }}",
                               "{{ annex.total_lost_text }}", "", ""], size=11, bold=True,
                       align=["left", "center", "center", "left", "left", "left"])  # fmt: skip
    L.keep_with_next_row(total)  # with the closing line below it
    return table


def remediation_letter() -> L.Document:
    """Công văn khắc phục Chỉ số CCHC with its Phụ lục (seed 001)."""
    doc = L.new_document()
    L.header_block(doc, subject_under_number=True)
    L.addressee_block(doc)
    L.body_lines(doc, "d.paragraphs")
    L.free_text(doc, "d.request")
    L.body_lines(doc, "d.end")
    L.signature_block(doc)

    L.landscape_section(doc)
    L.annex_heading(doc, "Phụ lục", "{{ annex.caption }}")
    L.body_lines(doc, "annex.intro")
    L.para(doc, "1. Điểm số từng lĩnh vực đạt được", bold=True, indent=True, keep=True)
    L.body_lines(doc, "annex.field_lines")
    L.para(doc, "{{ annex.table_heading }}", bold=True, indent=True, keep=True)
    _lost_table(doc)
    L.tag(doc, "{%p for line in annex.end %}")
    L.para(doc, "{{ line }}", indent=True, before=6)
    L.tag(doc, "{%p endfor %}")
    return doc


def remediation_plan() -> L.Document:
    """Kế hoạch khắc phục (from the approved plan)."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "KẾ HOẠCH")
    L.body_lines(doc, "d.basis", italic=True)
    L.body_lines(doc, "d.intro")
    _sections(doc, "d.sections")
    L.para(doc, "{{ d.table_heading }}", bold=True, align="center", keep=True)
    # STT and a date ("09/07/2026", 11 pt) fit their columns on one line.
    table = L.grid(doc, ["STT", "Tiêu chí thành phần, điểm bị mất và nguyên nhân", "Biện pháp khắc phục",
                         "Bộ phận, người thực hiện", "Thời hạn"], [13, 49, 48, 30, 25], size=11)  # fmt: skip
    L.grid_row(table, ["{%tr for r in d.rows %}", "", "", "", ""], size=11)
    row = L.grid_row(table, ["{{ r.position }}", "", "{{ r.measure }}", "{{ r.owner }}", "{{ r.deadline }}"],
                     size=11, align=["center", "left", "left", "left", "center"])  # fmt: skip
    L.cell_lines(row.cells[1], "r.item_lines", size=11)
    L.grid_row(table, ["{%tr endfor %}", "", "", "", ""], size=11)
    L.grid_row(table, ["", "{{ d.total_text }}", "", "", ""], size=11, bold=True)
    _sections(doc, "d.closing")
    L.body_lines(doc, "d.end")
    L.signature_block(doc)
    return doc


def conclusion_notice() -> L.Document:
    """Thông báo kết luận của Chủ tịch UBND xã (seed 000)."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "THÔNG BÁO")
    L.body_lines(doc, "d.opening")
    _sections(doc, "d.sections")
    L.body_lines(doc, "d.closing")
    L.signature_block(doc)
    return doc


def cchc_report() -> L.Document:
    """Báo cáo kết quả công tác CCHC 6 tháng / năm (seed 004), free-text sections marked."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "BÁO CÁO")
    L.addressee_block(doc)
    L.body_lines(doc, "d.opening")
    _sections(doc, "d.sections")
    L.para(doc, "{{ d.scores_heading }}", bold=True, indent=True, keep=True)
    table = L.grid(doc, ["Lĩnh vực", "Điểm tối đa", "Điểm tự đánh giá", "Điểm bị mất"], [95, 23, 27, 20], size=12)
    _loop_rows(table, "{%tr for f in d.fields %}", ["{{ f.title }}", "{{ f.max }}", "{{ f.score }}", "{{ f.lost }}"],
               "{%tr endfor %}", size=12, align=["left", "center", "center", "center"])  # fmt: skip
    L.grid_row(table, ["Tổng cộng", "{{ d.total_max }}", "{{ d.total }}", "{{ d.total_lost }}"], size=12, bold=True,
               align=["left", "center", "center", "center"])  # fmt: skip
    L.para(doc, "{{ d.indicators_heading }}", bold=True, indent=True, before=6, keep=True)
    table = L.grid(doc, ["Chỉ số theo dõi", "Chỉ tiêu", "Kết quả", "Đánh giá"], [80, 25, 35, 25], size=12)
    _loop_rows(table, "{%tr for i in d.indicators %}", ["{{ i.name }}", "{{ i.target }}", "{{ i.result }}",
               "{{ i.status }}"], "{%tr endfor %}", size=12, align=["left", "center", "center", "center"])  # fmt: skip
    L.body_lines(doc, "d.indicator_notes")
    _sections(doc, "d.closing")
    L.body_lines(doc, "d.end")
    L.signature_block(doc)
    return doc


def remediation_report() -> L.Document:
    """Báo cáo kết quả khắc phục: each measure's result against the plan."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "BÁO CÁO")
    L.addressee_block(doc)
    L.body_lines(doc, "d.opening")
    L.para(doc, "{{ d.table_heading }}", bold=True, indent=True, keep=True)
    table = L.grid(doc, ["STT", "Tiêu chí thành phần", "Biện pháp khắc phục", "Người thực hiện, thời hạn",
                         "Kết quả thực hiện", "Tình trạng"], [13, 29, 38, 30, 37, 18], size=11)  # fmt: skip
    L.grid_row(table, ["{%tr for r in d.rows %}"] + [""] * 5, size=11)
    L.grid_row(table, ["{{ r.position }}", "{{ r.item }}", "{{ r.measure }}", "{{ r.owner }}", "{{ r.result }}",
                       "{{ r.status }}"], size=11, align=["center", "left", "left", "left", "left", "center"])  # fmt: skip
    L.grid_row(table, ["{%tr endfor %}"] + [""] * 5, size=11)
    _sections(doc, "d.sections")
    L.body_lines(doc, "d.end")
    L.signature_block(doc)
    return doc


def directive() -> L.Document:
    """Chỉ thị của Chủ tịch UBND xã về nhiệm vụ, chỉ tiêu CCHC năm (seed 002)."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "CHỈ THỊ")
    L.body_lines(doc, "d.opening")
    _sections(doc, "d.sections")
    L.body_lines(doc, "d.end")
    L.signature_block(doc)
    return doc


def broadcast() -> L.Document:
    """Bài tuyên truyền về CCHC, read on the commune's loudspeakers once the chairman approves it (seed 003)."""
    doc = L.new_document()
    L.header_block(doc)
    L.title_block(doc, "BÀI TUYÊN TRUYỀN")
    L.body_lines(doc, "d.lines")
    L.signature_block(doc)
    L.para(doc, "{{ d.note }}", italic=True, size=12, before=6)
    return doc


BUILDERS = {
    "decision": decision,
    "remediation_letter": remediation_letter,
    "remediation_plan": remediation_plan,
    "conclusion_notice": conclusion_notice,
    "cchc_report": cchc_report,
    "remediation_report": remediation_report,
    "directive": directive,
    "broadcast": broadcast,
}


def template_bytes(kind: str) -> bytes:
    """A freshly built template (what ``--write`` stores), with fixed document dates so builds compare."""
    doc = BUILDERS[kind]()
    L.vietnamese(doc)
    stamp = L.FIXED_STAMP
    doc.core_properties.created = stamp
    doc.core_properties.modified = stamp
    doc.core_properties.last_printed = stamp
    doc.core_properties.revision = 1
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def builtin_path(kind: str) -> Path:
    return DOCX_DIR / f"{kind}.docx"


def same_template(a: bytes, b: bytes) -> bool:
    """Two template files say the same: equal parts, whatever the zip's own time stamps."""
    import zipfile

    with zipfile.ZipFile(io.BytesIO(a)) as za, zipfile.ZipFile(io.BytesIO(b)) as zb:
        names = sorted(za.namelist())
        return names == sorted(zb.namelist()) and all(za.read(n) == zb.read(n) for n in names)
