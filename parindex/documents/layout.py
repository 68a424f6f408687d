"""The Nghị định 30/2020/NĐ-CP layout, written into .docx templates with python-docx.

The official layout lives in the template files (``docx/<kind>.docx``), not in the code that
renders them: this module only *builds* the built-in templates (``parindex
documents_templates --write``), and a province may replace any of them with its own file.
What it writes, from Phụ lục I of the decree (``shared/reference/domain_research.md`` §6):

- A4 portrait, margins top/bottom 20 mm, left 30 mm, right 15 mm; Times New Roman 14 pt,
  justified body with a 1 cm first-line indent, 6 pt after each paragraph, single spacing;
- page numbers centred in the top margin from page 2 on (a different first page);
- the two-column header: issuing body (caps, bold, with a short line below; its parent body
  above it in regular caps when it has one) and the national motto (caps, bold, 13 pt; the
  motto line 14 pt bold with a line below), then "Số: …" and the italic place-and-date line;
- the title (type in bold caps, summary in bold with a short line below), or for a công văn
  the "V/v …" summary under the number and the "Kính gửi:" line;
- the signature block (TM./KT. lines in bold caps, the signer's name in bold) beside the
  "Nơi nhận:" list (bold italic 12 pt, items 11 pt).

Jinja tags are plain text in the template: ``{{ … }}`` for values, ``{%p … %}`` around
paragraphs, ``{%tr … %}`` around table rows (docxtpl's conventions).
"""

from __future__ import annotations

import datetime as dt

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from docx.text.paragraph import Paragraph

FONT = "Times New Roman"
BODY_PT = 14
PAGE = {"width": Mm(210), "height": Mm(297)}
MARGINS = {"top": Mm(20), "bottom": Mm(20), "left": Mm(30), "right": Mm(15)}
# Document properties of the built-in templates, fixed so that two builds compare equal.
FIXED_STAMP = dt.datetime(2026, 1, 1, 0, 0, 0)


def new_document() -> Document:
    doc = Document()
    _page_setup(doc.sections[0])
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    # East Asian and complex-script faces too, so Word never falls back to another font.
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    pf = normal.paragraph_format
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = 1.0
    pf.widow_control = True
    doc.core_properties.author = "parindex"
    doc.core_properties.language = "vi-VN"
    _page_numbers(doc.sections[0])
    return doc


LANGUAGE = "vi-VN"


def _lang(rpr) -> None:
    """``w:lang`` set to Vietnamese on a run's (or a style's) properties, in schema order."""
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        seq = rpr._tag_seq if hasattr(rpr, "_tag_seq") else ()
        later = seq[seq.index("w:lang") + 1 :] if "w:lang" in seq else ("w:eastAsianLayout", "w:specVanish", "w:oMath")
        rpr.insert_element_before(lang, *later)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)


def vietnamese(doc) -> None:
    """Every run, style and the document defaults in Vietnamese, so Word checks the spelling as Vietnamese.

    python-docx's default template says en-US everywhere; called once the template is built.
    """
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        for rpr in defaults.iter(qn("w:rPr")):
            _lang(rpr)
    for style in styles.iter(qn("w:style")):
        if style.get(qn("w:type")) in ("paragraph", "character", "table"):
            _lang(style.get_or_add_rPr())
    parts = [doc.element.body] + [
        rel.target_part.element
        for rel in doc.part.rels.values()
        if not rel.is_external and rel.reltype.endswith(("/header", "/footer"))
    ]
    for part in parts:
        for run in part.iter(qn("w:r")):
            _lang(run.get_or_add_rPr())
    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LANGUAGE)


def _page_setup(section, *, landscape: bool = False) -> None:
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = PAGE["height"], PAGE["width"]
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE["width"], PAGE["height"]
    section.top_margin = MARGINS["top"]
    section.bottom_margin = MARGINS["bottom"]
    section.left_margin = MARGINS["left"]
    section.right_margin = MARGINS["right"]
    section.header_distance = Mm(10)
    section.footer_distance = Mm(10)


def _page_numbers(section) -> None:
    """The page number centred in the top margin, not on the first page."""
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)


def para(
    container,
    text: str = "",
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    align: str = "justify",
    indent: bool = False,
    after: float | None = None,
    before: float | None = None,
    underline: bool = False,
    caps: bool = False,
    keep: bool = False,
):
    """One paragraph with one run (``container``: the document, a cell or a header); ``keep``: kept
    on the page of the paragraph (or table) that follows it, as a heading is."""
    p = container.add_paragraph()
    p.alignment = {
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    pf = p.paragraph_format
    if indent:
        pf.first_line_indent = Cm(1)
    if after is not None:
        pf.space_after = Pt(after)
    if before is not None:
        pf.space_before = Pt(before)
    if keep:
        pf.keep_with_next = True
    if text:
        run = p.add_run(text)
        run.bold = bold
        run.italic = italic
        run.underline = underline
        if caps:
            run.font.all_caps = True
        if size is not None:
            run.font.size = Pt(size)
    return p


def tag(container, text: str):
    """A paragraph holding only a docxtpl paragraph tag (``{%p for … %}``), removed on render."""
    return para(container, text, align="left", after=0)


def short_line(p, *, width_mm: float, column_mm: float):
    """A line about ``width_mm`` wide under paragraph ``p``, centred in a column ``column_mm`` wide.

    Drawn as the bottom border of an empty 2 pt paragraph of its own, indented on both sides,
    so the text above keeps its full width.
    """
    new = OxmlElement("w:p")
    p._p.addnext(new)
    rule = Paragraph(new, p._parent)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "6"), ("space", "1"), ("color", "000000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    # The border first: python-docx then inserts spacing and indents after it, in schema order.
    rule._p.get_or_add_pPr().append(borders)
    side = Mm(max((column_mm - width_mm) / 2, 0))
    pf = rule.paragraph_format
    pf.left_indent = side
    pf.right_indent = side
    pf.space_before = Pt(0)
    # The space that followed the text now follows the line.
    pf.space_after = p.paragraph_format.space_after if p.paragraph_format.space_after is not None else Pt(0)
    p.paragraph_format.space_after = Pt(0)
    pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    pf.line_spacing = Pt(2)
    return rule


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    # Schema order: tblBorders comes before shd, tblLayout, tblCellMar and tblLook.
    later = [tbl_pr.find(qn(f"w:{name}")) for name in ("shd", "tblLayout", "tblCellMar", "tblLook")]
    later = [el for el in later if el is not None]
    if later:
        later[0].addprevious(borders)
    else:
        tbl_pr.append(borders)


def _widths(table, widths) -> None:
    """Fixed column widths, in the grid too (LibreOffice lays tables out from the grid)."""
    table.autofit = False
    for col, width in zip(table._tbl.tblGrid.gridCol_lst, widths, strict=True):
        col.w = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _first(cell):
    """The cell's first (empty) paragraph, used instead of adding a blank one."""
    p = cell.paragraphs[0]
    p.paragraph_format.space_after = Pt(0)
    return p


def _fill(p, text: str, *, bold: bool = False, italic: bool = False, size: float | None = None) -> None:
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    run.italic = italic
    if size is not None:
        run.font.size = Pt(size)


def header_block(doc, *, subject_under_number: bool = False) -> None:
    """The two-column header: body and number on the left, motto and date line on the right.

    Context: ``h.parent_body`` (may be empty), ``h.body``, ``h.number_text``, ``h.date_line``
    and, for a công văn, ``h.subject_lines`` (the "V/v …" summary under the number).
    """
    left_mm, right_mm = 62, 103
    table = doc.add_table(rows=2, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _no_borders(table)
    _widths(table, [Mm(left_mm), Mm(right_mm)])
    body, motto = table.rows[0].cells
    p = _first(body)
    _fill(p, "{%p if h.parent_body %}", size=12)
    for text, bold in (("{{ h.parent_body }}", False),):
        q = body.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _fill(q, text, bold=bold, size=13)
    q = body.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "{%p endif %}", size=12)
    q = body.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "{{ h.body_line1 }}", bold=True, size=13)
    q = body.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "{{ h.body_line2 }}", bold=True, size=13)
    short_line(q, width_mm=22, column_mm=left_mm)

    p = _first(motto)
    _fill(p, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=13)
    q = motto.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "Độc lập - Tự do - Hạnh phúc", bold=True, size=14)
    short_line(q, width_mm=62, column_mm=right_mm)

    number, date = table.rows[1].cells
    p = _first(number)
    p.paragraph_format.space_before = Pt(6)
    _fill(p, "{{ h.number_text }}", size=13)
    if subject_under_number:
        # Phụ lục I: the "V/v" summary 6 pt under the number.
        p.paragraph_format.space_after = Pt(6)
        q = number.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _fill(q, "{%p for line in h.subject_lines %}", size=12)
        q = number.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _fill(q, "{{ line }}", size=12)
        q = number.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        _fill(q, "{%p endfor %}", size=12)
    p = _first(date)
    p.paragraph_format.space_before = Pt(6)
    _fill(p, "{{ h.date_line }}", italic=True, size=14)


# The line under the trích yếu: from 1/3 to 1/2 of the text's width (Phụ lục I), here 0.4.
SUBJECT_LINE_MM = 66
TEXT_MM = 165


def title_block(doc, type_title: str) -> None:
    """The document type in bold caps and its summary (``h.subject``) in bold, a short line below."""
    para(doc, type_title, bold=True, align="center", before=12, after=0, keep=True)
    p = para(doc, "{{ h.subject }}", bold=True, align="center", after=12, keep=True)
    short_line(p, width_mm=SUBJECT_LINE_MM, column_mm=TEXT_MM)


# Several addressees: "Kính gửi:" from ADDRESS_AT, each "- …;" aligned after its colon.
ADDRESS_AT_MM = 25
ADDRESS_TEXT_MM = 50


def addressee_block(doc) -> None:
    """ "Kính gửi:" centred with one addressee; with several, one per line ("- …;", the last "- …."),
    all starting where the text after "Kính gửi:" starts (``h.addressee_lines``)."""
    tag(doc, "{%p if h.addressees|length == 1 %}")
    para(doc, "Kính gửi: {{ h.addressees[0] }}", align="center", before=12, after=12)
    tag(doc, "{%p elif h.addressees %}")
    first = para(doc, "Kính gửi:\t{{ h.addressee_lines[0] }}", align="left", before=12, after=0)
    pf = first.paragraph_format
    pf.left_indent = Mm(ADDRESS_TEXT_MM)
    pf.first_line_indent = -Mm(ADDRESS_TEXT_MM - ADDRESS_AT_MM)
    pf.tab_stops.add_tab_stop(Mm(ADDRESS_TEXT_MM))
    tag(doc, "{%p for a in h.addressee_lines[1:] %}")
    line = para(doc, "{{ a }}", align="left", after=0)
    line.paragraph_format.left_indent = Mm(ADDRESS_TEXT_MM)
    tag(doc, "{%p endfor %}")
    para(doc, "", after=6)
    tag(doc, "{%p endif %}")


def body_lines(doc, expression: str, *, italic: bool = False, indent: bool = True) -> None:
    """One justified paragraph per item of ``expression`` (a list of strings in the context)."""
    tag(doc, f"{{%p for line in {expression} %}}")
    para(doc, "{{ line }}", italic=italic, indent=indent)
    tag(doc, "{%p endfor %}")


def free_text(doc, expression: str) -> None:
    """A section the unit writes itself: its text when given, else the marked placeholder.

    ``expression`` names a ``{"lines": [...], "placeholder": "..."}`` entry in the context.
    The placeholder is bold italic and highlighted so nobody signs it by mistake.
    """
    tag(doc, f"{{%p if {expression}.lines %}}")
    body_lines(doc, f"{expression}.lines")
    tag(doc, "{%p else %}")
    p = para(doc, f"{{{{ {expression}.placeholder }}}}", bold=True, italic=True, indent=True)
    p.runs[0].font.highlight_color = 7  # WD_COLOR_INDEX.YELLOW
    tag(doc, "{%p endif %}")


def _cell_top(cell, points: float) -> None:
    """A cell's top margin: the space above its first line whichever paragraph comes first once rendered."""
    tc_pr = cell._tc.get_or_add_tcPr()
    margins = OxmlElement("w:tcMar")
    top = OxmlElement("w:top")
    top.set(qn("w:w"), str(int(points * 20)))
    top.set(qn("w:type"), "dxa")
    margins.append(top)
    # Schema order: tcMar after tcW, gridSpan, vMerge, tcBorders, shd, noWrap; before textDirection, vAlign.
    later = [tc_pr.find(qn(f"w:{name}")) for name in ("textDirection", "tcFitText", "vAlign", "hideMark")]
    later = [el for el in later if el is not None]
    if later:
        later[0].addprevious(margins)
    else:
        tc_pr.append(margins)


def keep_row(row) -> None:
    """A table row that never splits across two pages."""
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    tr_pr.insert(0, cant)


def keep_with_next_row(row) -> None:
    """A row kept on the page of the row below it (Word: every paragraph of the row "keep with next")."""
    for cell in row.cells:
        for p in cell.paragraphs:
            p.paragraph_format.keep_with_next = True


def signature_block(doc, *, recipients: bool = True) -> None:
    """Nơi nhận on the left, the signature on the right (``h.recipients``, ``h.signer_lines``, ``h.signer_name``).

    One row that never splits, so the block stays on one page (``render`` keeps the body's last
    lines with it). The space above is the cells' top margin, not the first paragraph's: a
    template loop line is removed on rendering, so "Nơi nhận:" and the first signer line start
    level, as in the decree.
    """
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(85), Mm(80)])
    keep_row(table.rows[0])
    left, right = table.rows[0].cells
    _cell_top(left, 6)
    _cell_top(right, 6)
    p = _first(left)
    if not recipients:
        _signature_right(right)
        return
    run = p.add_run("Nơi nhận:")
    run.bold = True
    run.italic = True
    run.font.size = Pt(12)
    for text in ("{%p for r in h.recipients %}", "{{ r }}", "{%p endfor %}"):
        q = left.add_paragraph()
        q.paragraph_format.space_after = Pt(0)
        q.add_run(text).font.size = Pt(11)
    _signature_right(right)


def _signature_right(right) -> None:
    p = _first(right)
    _fill(p, "{%p for line in h.signer_lines %}", size=13)
    q = right.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "{{ line }}", bold=True, size=14)
    q = right.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    _fill(q, "{%p endfor %}", size=13)
    for _ in range(3):
        right.add_paragraph().paragraph_format.space_after = Pt(12)
    q = right.add_paragraph()
    _fill(q, "{{ h.signer_name }}", bold=True, size=14)


def landscape_section(doc):
    """A new page in landscape for a wide annex table; page numbers continue."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    _page_setup(section, landscape=True)
    # A Phụ lục is numbered on its own (Phụ lục I of the decree): from 1, shown from its page 2.
    section.different_first_page_header_footer = True
    numbering = OxmlElement("w:pgNumType")
    numbering.set(qn("w:start"), "1")
    sect_pr = section._sectPr
    later = [sect_pr.find(qn(f"w:{name}")) for name in ("cols", "formProt", "vAlign", "noEndnote", "titlePg")]
    later = [el for el in later if el is not None]
    if later:
        later[0].addprevious(numbering)
    else:
        sect_pr.append(numbering)
    return section


ANNEX_TEXT_MM = 297 - 30 - 15
ANNEX_LINE_MM = 70


def annex_heading(doc, title: str, caption: str) -> None:
    """ "Phụ lục" (lower case, upright, bold: Phụ lục I of the decree), its title in bold caps and the
    italic "(Kèm theo … ngày … tháng … năm … của …)" line with a short line under it."""
    para(doc, title, bold=True, align="center", after=0, keep=True)
    para(doc, "{{ annex.title }}", bold=True, align="center", after=0, keep=True)
    p = para(doc, caption, italic=True, align="center", after=12, keep=True)
    short_line(p, width_mm=ANNEX_LINE_MM, column_mm=ANNEX_TEXT_MM)


def grid(doc, headers: list[str], widths_mm: list[float], *, size: float = 12):
    """A bordered table with a bold header row (repeated on each page); rows are added by the caller."""
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _widths(table, [Mm(w) for w in widths_mm])
    header = table.rows[0]
    keep_row(header)
    tr_pr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    tr_pr.append(repeat)
    for cell, text in zip(header.cells, headers, strict=True):
        p = _first(cell)
        _fill(p, text, bold=True, size=size)
    return table


def grid_row(table, texts: list[str], *, size: float = 12, bold: bool = False, align: list[str] | None = None):
    """A row of template text, one paragraph per cell; it never splits across pages."""
    row = table.add_row()
    keep_row(row)
    for i, (cell, text) in enumerate(zip(row.cells, texts, strict=True)):
        p = _first(cell)
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
        }[(align or ["left"] * len(texts))[i]]
        run = p.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
    return row


def cell_lines(cell, expression: str, *, size: float = 12) -> None:
    """A cell holding one paragraph per item of ``expression`` (several measures, several deadlines)."""
    p = _first(cell)
    p.add_run(f"{{%p for line in {expression} %}}").font.size = Pt(size)
    q = cell.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    q.add_run("{{ line }}").font.size = Pt(size)
    q = cell.add_paragraph()
    q.paragraph_format.space_after = Pt(0)
    q.add_run("{%p endfor %}").font.size = Pt(size)


def merge_row(row) -> None:
    """Merge a row's cells into one (a field's heading row in a lost-point table)."""
    first, last = row.cells[0], row.cells[-1]
    merged = first.merge(last)
    # merge() keeps each cell's paragraphs: keep only the first.
    for extra in merged.paragraphs[1:]:
        extra._p.getparent().remove(extra._p)
