"""Every built-in template rendered from sample facts, reopened with python-docx: the decree's
layout (page, margins, font, header, number, date line, signature) and the key cells and totals."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.management import call_command
from docx.shared import Pt

from parindex.documents import builtin, render, samples
from parindex.documents.tests.reading import all_text, header_cells, open_docx, paragraphs, table_rows

KINDS = list(builtin.BUILDERS)


def mm(*lengths) -> tuple[float, ...]:
    return tuple(round(length.mm, 1) for length in lengths)


def rendered(kind: str, **heading):
    ctx = samples.sample_context(kind)
    if heading:
        from parindex.documents import context

        ctx = getattr(context, kind)(samples.heading(samples.SYMBOLS[kind], **heading), **samples.sample_facts(kind))
    return open_docx(render.render_docx(builtin.builtin_path(kind).read_bytes(), ctx))


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_has_the_decree_page_and_font(kind):
    doc = rendered(kind)
    first = doc.sections[0]
    # Word stores twentieths of a point: compare in millimetres to 0.1 mm.
    assert mm(first.page_width, first.page_height) == (210, 297)  # A4 portrait
    assert mm(first.top_margin, first.bottom_margin, first.left_margin, first.right_margin) == (20, 20, 30, 15)
    normal = doc.styles["Normal"]
    assert normal.font.name == "Times New Roman" and normal.font.size == Pt(14)
    fonts = normal.element.rPr.rFonts
    assert {fonts.get(f"{{{fonts.nsmap['w']}}}{a}") for a in ("ascii", "hAnsi", "eastAsia", "cs")} == {
        "Times New Roman"
    }
    # Page numbers in the header, not on the first page.
    assert first.different_first_page_header_footer
    assert "PAGE" in first.header._element.xml
    for section in doc.sections[1:]:
        # An annex in landscape keeps the margins, turned.
        assert mm(section.page_width, section.page_height) == (297, 210)
        assert mm(section.left_margin, section.right_margin) == (30, 15)


@pytest.mark.parametrize("kind", KINDS)
def test_every_document_has_the_two_column_header_number_and_date_line(kind):
    doc = rendered(kind)
    (body, motto), (number, date) = header_cells(doc)
    assert body == "ỦY BAN NHÂN DÂN\nXÃ TRIỆU TRẠCH"
    assert motto == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    # A Bài tuyên truyền is approved for broadcasting, not numbered (seed 003).
    assert number == "" if kind == "broadcast" else number.splitlines()[0] == f"Số: 10/{samples.SYMBOLS[kind]}"
    assert date == "Triệu Trạch, ngày 15 tháng 02 năm 2023"
    # The date line is italic; the body and the motto are bold.
    cell = doc.tables[0].rows[1].cells[1]
    assert all(r.italic for r in cell.paragraphs[0].runs)
    assert all(r.bold for p in doc.tables[0].rows[0].cells[0].paragraphs for r in p.runs if r.text.strip())
    # The signature block: TM. and the title in bold caps, the name, and Nơi nhận ending with "Lưu".
    signature = table_rows(doc.tables[-1] if kind in ("conclusion_notice",) else _signature_table(doc))
    left, right = signature[0]
    assert right.split("\n")[0:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    assert right.strip().endswith("Lê Văn Mẫn")
    assert left.splitlines()[0] == "Nơi nhận:"
    assert left.splitlines()[-1] == "- Lưu: VT."


def _signature_table(doc):
    return next(t for t in doc.tables if t.rows and "Nơi nhận:" in t.rows[0].cells[0].text)


def test_numbers_below_ten_dates_and_deputies_follow_the_decree():
    import datetime as dt

    doc = rendered("conclusion_notice", number=3, date=dt.date(2027, 3, 5), deputy=True)
    (_, _), (number, date) = header_cells(doc)
    assert number == "Số: 03/TB-UBND"
    assert date == "Triệu Trạch, ngày 05 tháng 3 năm 2027"  # a 0 on days below 10 and months 1-2 only
    right = table_rows(_signature_table(doc))[0][1]
    assert right.split("\n")[:3] == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH"]
    unnumbered = rendered("remediation_plan", number=None)
    assert header_cells(unnumbered)[1][0].startswith("Số:      /KH-UBND")


def test_the_decision_and_its_ranking_annex():
    doc = rendered("decision")
    text = paragraphs(doc)
    assert "QUYẾT ĐỊNH" in text and "QUYẾT ĐỊNH:" in text
    assert any(t.startswith("Căn cứ Quyết định số 1325/QĐ-UBND ngày 23/06/2023 của UBND tỉnh Quảng Trị") for t in text)
    assert any(t.startswith("Điều 1. Phê duyệt và công bố Chỉ số cải cách hành chính năm 2022") for t in text)
    assert "Phụ lục" in text and "PHỤ LỤC" not in text  # the decree writes "Phụ lục"
    assert "(Kèm theo Quyết định số 10/QĐ-UBND ngày 15 tháng 02 năm 2023 của UBND xã Triệu Trạch)" in text
    annex = table_rows(doc.tables[-1])
    assert annex[0] == ["STT", "Tên đơn vị", "I (21)", "II (12)", "III (25)", "IV (7)", "V (12)", "VI (10)",
                        "VII (13)", "Tổng điểm", "Chỉ số (%)", "Xếp loại", "Thứ hạng", "Thay đổi thứ hạng"]  # fmt: skip
    assert annex[1] == ["1", "Xã Triệu Trạch", "17,10", "11,80", "20,84", "7,00", "12,00", "10,00", "12,00",
                        "92,59", "92,59", "Tốt", "1/18", "tăng 10 bậc"]  # fmt: skip
    # The grid matches the columns after the column loop (LibreOffice lays tables out from it).
    assert len(doc.tables[-1]._tbl.tblGrid.gridCol_lst) == 14


def test_the_remediation_letter_and_its_annex_follow_seed_001():
    doc = rendered("remediation_letter")
    (_, _), (number, _) = header_cells(doc)
    assert number == "Số: 10/UBND\nV/v khắc phục Chỉ số cải cách hành chính năm 2022"
    text = paragraphs(doc)
    assert "Kính gửi: Các cán bộ, công chức xã" in text
    assert any(
        "đạt 92,59/100 điểm (92,59%), xếp loại Tốt, xếp thứ 1/18 khối xã, thị trấn, tăng 10 bậc" in t for t in text
    )
    # Scores as the seed writes them: "17,1/21", "7/7" (not "7,00/7").
    assert "- Lĩnh vực I. Công tác chỉ đạo, điều hành CCHC: đạt 17,1/21 điểm;" in text
    assert "- Lĩnh vực IV. Cải cách tổ chức bộ máy: đạt 7/7 điểm;" in text
    rows = table_rows(doc.tables[-1])
    assert rows[0][:3] == ["Lĩnh vực/Tiêu chí/Tiêu chí thành phần", "Điểm tối đa", "Điểm thẩm định"]
    assert rows[1] == ["I. Công tác chỉ đạo, điều hành CCHC"]  # a field's heading row spans the table
    assert rows[2][:4] == [
        "1.1.3. Mức độ thực hiện kế hoạch CCHC",
        "2",
        "1,60",
        "Hoàn thành 80% nhiệm vụ CCHC theo kế hoạch",
    ]
    assert rows[2][4] == "- Theo dõi, đôn đốc thực hiện kế hoạch CCHC (Văn phòng - Thống kê (Nguyễn Văn A))"
    assert rows[2][5] == "- Cả năm"
    assert rows[-1][:4] == ["Tổng số điểm bị mất", "5", "2,60", "2,40 điểm bị mất ở 3 tiêu chí thành phần"]
    # The free-text request is marked for the unit to write, highlighted.
    marked = [p for p in doc.paragraphs if p.text.startswith("[Phần do đơn vị tự viết")]
    assert marked and marked[0].runs[0].font.highlight_color is not None


def test_the_plan_notice_and_reports_carry_their_figures():
    plan = all_text(rendered("remediation_plan"))
    assert "KẾ HOẠCH" in plan and "I. MỤC ĐÍCH, YÊU CẦU" in plan and "III. TỔ CHỨC THỰC HIỆN" in plan
    assert "1\t1.1.3. Mức độ thực hiện kế hoạch CCHC\nĐiểm tối đa 2, đạt 1,60, bị mất 0,40." in plan
    assert "Tổng số điểm bị mất: 2,40" in plan
    notice = all_text(rendered("conclusion_notice"))
    assert "THÔNG BÁO" in notice and "Ngày 15/03/2023, UBND xã họp" in notice
    assert "3.1. Giao Văn phòng - Thống kê chủ trì khắc phục tiêu chí 1.1.3 theo Kế hoạch số 45/KH-UBND" in notice
    assert "3.2. Giao Bộ phận một cửa chủ trì khắc phục tiêu chí 3.12" in notice
    report = rendered("cchc_report")
    text = all_text(report)
    assert "Kính gửi: Các cán bộ, công chức xã" in text and "6 tháng đầu năm 2023" in text
    assert "Tổng cộng\t100\t60,50\t39,50" in text
    assert "Hồ sơ trực tuyến\t≥ 20%\t12,00% (48/400)\tChưa đạt chỉ tiêu" in text
    assert text.count("[Phần do đơn vị tự viết") == 3 + 7  # direction, limits, next, and each field
    result = all_text(rendered("remediation_report"))
    assert "đã hoàn thành đúng hạn 1/3 biện pháp (33,33%)" in result
    assert "Hoàn thành 100% nhiệm vụ (hoàn thành ngày 30/11/2023)\tĐã hoàn thành" in result


def test_text_with_markup_characters_is_escaped_not_broken():
    doc = rendered("remediation_plan", subject='Khắc phục <tiêu chí> & "điểm"')
    assert 'Khắc phục <tiêu chí> & "điểm"' in paragraphs(doc)


INJECTIONS = [
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ h.__class__.__init__.__globals__ }}",
    "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
    "{{ lipsum.__globals__ }}",
    "{% for c in ''.__class__.__base__.__subclasses__() %}{{ c }}{% endfor %}",
]


@pytest.mark.parametrize("payload", INJECTIONS)
def test_a_template_that_tries_code_execution_is_refused(payload):
    from parindex.documents import layout

    doc = layout.new_document()
    layout.para(doc, payload)
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(render.TemplateRefused, match="không được phép"):
        render.render_docx(out.getvalue(), samples.sample_context("decision"))


def test_a_file_that_is_not_word_or_broken_jinja_is_refused():
    with pytest.raises(render.TemplateRefused, match="không phải văn bản Word"):
        render.render_docx(b"%PDF-1.4 not a docx", {})
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "x")
    with pytest.raises(render.TemplateRefused, match="không phải văn bản Word"):
        render.render_docx(buf.getvalue(), {})
    from parindex.documents import layout

    doc = layout.new_document()
    layout.para(doc, "{% for x in %}")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(render.TemplateRefused, match="cú pháp"):
        render.render_docx(out.getvalue(), {})


def test_the_shipped_templates_are_what_the_code_builds():
    call_command("documents_templates")  # raises CommandError when a file is stale


@pytest.mark.skipif(render.soffice() is None, reason="LibreOffice is not installed")
def test_a_document_converts_to_pdf_with_libreoffice():
    data = render.render_docx(
        builtin.builtin_path("conclusion_notice").read_bytes(), samples.sample_context("conclusion_notice")
    )
    pdf = render.docx_to_pdf(data)
    assert pdf.startswith(b"%PDF-")
