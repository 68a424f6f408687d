"""Every kind of document rendered with the built-in templates, converted by LibreOffice and
measured on the PDF's text boxes the way a văn thư checks a page before signing (Nghị định
30/2020, Phụ lục I): the signature block on one page with body text before it, "Nơi nhận:"
level with the first signer line, no table cell cutting a date or "STT", "./." ending the
text, a Phụ lục numbered on its own. Then the .docx itself: Vietnamese on every run and
style, the spacings, the line under the trích yếu.

A short case per kind (the seeds' figures) and long ones: a Kế hoạch of 40 actions, a
Quyết định whose annex ranks 168 communes. Everything is rendered and converted once for the
module (one LibreOffice start); skipped when LibreOffice or poppler is missing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from decimal import Decimal as D

import pytest
from docx.oxml.ns import qn
from docx.shared import Pt

from parindex.documents import builtin, context, layout, render, samples
from parindex.documents.facts import LostItem, Measure
from parindex.documents.tests import pdf_layout
from parindex.documents.tests.pdf_layout import MM
from parindex.documents.tests.reading import open_docx

pytestmark = pytest.mark.skipif(
    render.soffice() is None or not pdf_layout.available(), reason="LibreOffice or poppler-utils is not installed"
)

OFFICES = ("Văn phòng - Thống kê", "Bộ phận một cửa", "Văn hóa - Xã hội", "Tài chính - Kế toán")


def _long_plan():
    """A plan of 40 actions over 14 sub-criteria, each with a dated deadline."""
    items = []
    n = 0
    for i in range(14):
        measures = []
        for _ in range(3 if i < 12 else 2):
            n += 1
            measures.append(
                Measure(
                    f"Biện pháp khắc phục số {n}: rà soát, bổ sung tài liệu kiểm chứng và theo dõi hằng tháng",
                    f"Công chức {n}",
                    OFFICES[n % len(OFFICES)],
                    f"Hạn {dt.date(2023, 1 + n % 12, 1 + n % 27):%d/%m/%Y}",
                )
            )
        items.append(
            LostItem(
                f"{1 + i % 7}.{i + 1}.{i % 3 + 1}",
                f"Tiêu chí thành phần thứ {i + 1} của bộ chỉ số",
                samples.FIELDS[i % 7].code,
                samples.FIELDS[i % 7].name,
                D(2),
                D("1.25"),
                D("0.75"),
                "Chưa đạt tỷ lệ theo yêu cầu của bộ chỉ số",
                tuple(measures),
            )  # fmt: skip
        )
    assert n == 40
    return dataclasses.replace(samples.PLAN, items=tuple(items), total_lost=D("10.5"))


def _communes(n: int):
    return [
        dataclasses.replace(samples.STANDING, unit_name=f"Xã Thử Nghiệm {i:03d}", rank=i, rank_of=n, rank_change=n % 5)
        for i in range(1, n + 1)
    ]


def _context(kind: str, facts: dict | None = None, **heading):
    h = samples.heading(samples.SYMBOLS[kind], **heading)
    return getattr(context, kind)(h, **(samples.sample_facts(kind) | (facts or {})))


# case -> (kind, context, where the decree wants "./." at the end of the text)
CASES = {
    "decision": ("decision", lambda: _context("decision")),
    "decision_168": ("decision", lambda: _context("decision", {"rows": _communes(168)})),
    "remediation_letter": ("remediation_letter", lambda: _context("remediation_letter")),
    "remediation_plan": ("remediation_plan", lambda: _context("remediation_plan")),
    "remediation_plan_40": ("remediation_plan", lambda: _context("remediation_plan", {"plan": _long_plan()})),
    "conclusion_notice": ("conclusion_notice", lambda: _context("conclusion_notice")),
    "conclusion_notice_40": ("conclusion_notice", lambda: _context("conclusion_notice", {"plan": _long_plan()})),
    "cchc_report": (
        "cchc_report",
        lambda: _context("cchc_report", addressees=("Sở Nội vụ tỉnh Quảng Trị", "Ban Chỉ đạo CCHC tỉnh Quảng Trị")),
    ),
    "remediation_report": ("remediation_report", lambda: _context("remediation_report")),
    "directive": ("directive", lambda: _context("directive")),
    "directive_40": ("directive", lambda: _context("directive", {"plan": _long_plan()})),
    "broadcast": ("broadcast", lambda: _context("broadcast")),
    "remediation_report_40": (
        "remediation_report",
        lambda: _context("remediation_report", {"plan": _long_plan(), "total": 40}),
    ),
    # A province's own templates (uploaded on "Mẫu văn bản của tỉnh"), rendered as they are, in
    # the bounded child: the built-in ones re-saved without any keep-with-next, as a template
    # made in Word would be. The same checks hold.
    "decision_168_own": ("decision", lambda: _context("decision", {"rows": _communes(168)})),
    "remediation_plan_40_own": ("remediation_plan", lambda: _context("remediation_plan", {"plan": _long_plan()})),
}
OWN = "_own"


def _as_province_template(data: bytes) -> bytes:
    """The template with every paragraph's keep-with-next removed (what the render must restore)."""
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            body = source.read(info.filename)
            if info.filename == "word/document.xml":
                body = body.replace(b"<w:keepNext/>", b"").replace(b'<w:keepNext w:val="1"/>', b"")
            target.writestr(info, body)
    return out.getvalue()


ANNEXED = {"decision", "remediation_letter"}


@pytest.fixture(scope="module")
def rendered():
    """case -> (the .docx bytes, the PDF's pages), all converted by one LibreOffice start."""
    from django.conf import settings

    from parindex.documents import bounded

    docs = {}
    for case, (kind, make) in CASES.items():
        template = builtin.builtin_path(kind).read_bytes()
        if case.endswith(OWN):
            own = _as_province_template(template)
            assert own != template  # the built-in template does keep paragraphs with the next
            docs[case] = bounded.render_bounded(
                own, make(), timeout_s=settings.DOCUMENT_RENDER_TIMEOUT_S, max_mb=settings.DOCUMENT_RENDER_MAX_MB
            )
        else:
            docs[case] = render.render_docx(template, make())
    pdfs = render.docx_to_pdfs(list(docs.values()))
    return {case: (docs[case], pdf_layout.pages(pdf)) for case, pdf in zip(docs, pdfs, strict=True)}


def _signature(pages, ctx):
    """(page, the "Nơi nhận:" word, the first signer line's first word, the signer's name)."""
    first_signer = ctx["h"]["signer_lines"][0]
    for page in pages:
        where = page.phrase("Nơi nhận:")
        if where is not None:
            return page, where, page.phrase(first_signer), page.phrase(ctx["h"]["signer_name"])
    raise AssertionError("no Nơi nhận on any page")


@pytest.mark.parametrize("case", list(CASES))
def test_the_signature_block_stays_on_one_page_with_text_before_it(rendered, case):
    data, pages = rendered[case]
    ctx = CASES[case][1]()
    page, recipients, signer, name = _signature(pages, ctx)
    assert signer is not None, f"{ctx['h']['signer_lines'][0]} is not on the page of Nơi nhận"
    assert name is not None, "the signer's name is not on the page of Nơi nhận"
    assert name.y0 > signer.y0
    above = [ln for ln in page.body_lines() if ln.y0 < recipients.y0 - 1]
    header_end = 0
    if page.number == 1:  # below the trích yếu or the Kính gửi on a first page
        header_end = max(ln.y0 for ln in above[:8])
    body = [ln for ln in above if ln.y0 > header_end]
    assert len(body) >= 2, f"only {len(body)} body line(s) before the signature on page {page.number}"
    # The last recipient line is on the same page too.
    assert page.phrase(ctx["h"]["recipients"][-1]) is not None


@pytest.mark.parametrize("case", list(CASES))
def test_noi_nhan_is_level_with_the_first_signer_line(rendered, case):
    _, pages = rendered[case]
    ctx = CASES[case][1]()
    _, recipients, signer, _ = _signature(pages, ctx)
    assert abs(recipients.y0 - signer.y0) <= 1 * MM, f"{(recipients.y0 - signer.y0) / MM:.1f} mm apart"


@pytest.mark.parametrize("case", list(CASES))
def test_no_table_cell_cuts_a_date_or_stt(rendered, case):
    _, pages = rendered[case]
    assert pdf_layout.broken_words(pages) == []
    if CASES[case][0] in ("decision", "remediation_plan", "remediation_report"):
        assert any(w.text == "STT" for p in pages for w in p.words)


@pytest.mark.parametrize("case", list(CASES))
def test_the_text_ends_with_the_decrees_mark(rendered, case):
    _, pages = rendered[case]
    ctx = CASES[case][1]()
    page, recipients, _, _ = _signature(pages, ctx)
    before = [ln for ln in page.body_lines() if ln.y0 < recipients.y0 - 1]
    # A text read aloud ends as it is read (seed 003); every other ends with "./.".
    assert before[-1].text.endswith("lắng nghe!" if CASES[case][0] == "broadcast" else "./."), before[-1].text
    if CASES[case][0] in ANNEXED:
        last = pages[-1].body_lines()[-1]
        assert last.text.endswith("./."), f"the Phụ lục ends {last.text!r}"


@pytest.mark.parametrize("case", ["decision_168", "remediation_letter"])
def test_the_annex_is_numbered_on_its_own(rendered, case):
    _, pages = rendered[case]
    start = next(p for p in pages if any(ln.text == "Phụ lục" for ln in p.lines))
    assert start.number > 1 and start.number_line() == ""  # its first page bears no number
    after = [p for p in pages if p.number > start.number]
    if case == "decision_168":
        assert len(after) >= 3
        assert [p.number_line() for p in after[:3]] == ["2", "3", "4"]
        # The table's header row is repeated on every page of the annex.
        assert all(p.phrase("STT") is not None for p in after)


def test_a_long_plan_keeps_every_row_whole_and_every_date_on_one_line(rendered):
    _, pages = rendered["remediation_plan_40"]
    dates = [w.text for p in pages for w in p.words if pdf_layout.re.match(r"^\d{2}/\d{2}/\d{4}", w.text)]
    assert len(dates) >= 40
    # Row numbers 1..40 each appear once, in order.
    numbers = [int(ln.words[0].text) for p in pages for ln in p.lines if ln.words[0].text.isdigit()]
    numbers = [n for n in numbers if 1 <= n <= 40]
    assert sorted(set(numbers)) == list(range(1, 41))


def test_several_addressees_are_aligned_after_kinh_gui_the_last_ending_with_a_full_stop(rendered):
    first = rendered["cchc_report"][1][0]
    kinh_gui = first.phrase("Kính gửi:")
    lines = [ln for ln in first.lines if ln.text.startswith(("- Sở Nội vụ", "- Ban Chỉ đạo"))]
    assert [ln.text for ln in lines] == ["- Sở Nội vụ tỉnh Quảng Trị;", "- Ban Chỉ đạo CCHC tỉnh Quảng Trị."]
    assert abs(lines[0].y0 - kinh_gui.y0) <= 1 * MM  # the first one on the line of "Kính gửi:"
    assert lines[0].x0 > kinh_gui.x0 + 20 * MM
    assert abs(lines[0].x0 - lines[1].x0) <= 1 * MM  # the next under it, not centred


def test_the_notice_and_the_plan_stay_close_to_the_seeds_length(rendered):
    """Seed 000 (a Thông báo) holds about 6,400 characters: even with 40 actions ours stays near it;
    seed 003 (a Bài tuyên truyền) about 5,600, seed 002 (a Chỉ thị, district level) 18,000."""
    for case, most in (("conclusion_notice_40", 7_500), ("conclusion_notice", 4_000), ("remediation_plan", 4_500),
                       ("broadcast", 5_600), ("directive_40", 6_000)):  # fmt: skip
        text = "\n".join(ln.text for p in rendered[case][1] for ln in p.lines)
        assert len(text) < most, (case, len(text))


# -- the .docx ---------------------------------------------------------------------------------


def _parts(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n).decode() for n in ("word/document.xml", "word/styles.xml", "word/settings.xml")}


@pytest.mark.parametrize("case", list(CASES))
def test_every_run_and_style_is_vietnamese(rendered, case):
    data, _ = rendered[case]
    parts = _parts(data)
    assert "en-US" not in parts["word/document.xml"] + parts["word/styles.xml"]
    doc = open_docx(data)
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    default = doc.styles.element.find(f"{w}docDefaults").find(f".//{w}lang")
    assert default.get(f"{w}val") == "vi-VN"
    runs = list(doc.element.body.iter(f"{w}r"))
    assert runs and all(r.find(f"{w}rPr/{w}lang").get(f"{w}val") == "vi-VN" for r in runs)
    assert '<w:themeFontLang w:val="vi-VN"' in parts["word/settings.xml"]


@pytest.mark.parametrize(
    "case", ["decision", "remediation_plan", "conclusion_notice", "cchc_report", "directive", "broadcast"]
)
def test_the_line_under_the_subject_is_a_third_to_a_half_of_the_text(rendered, case):
    doc = open_docx(rendered[case][0])
    subject = next(i for i, p in enumerate(doc.paragraphs) if p.text == samples.heading().subject)
    rule = doc.paragraphs[subject + 1]
    assert "w:bottom" in rule._p.xml and rule.text == ""
    width = layout.TEXT_MM - (rule.paragraph_format.left_indent.mm + rule.paragraph_format.right_indent.mm)
    assert layout.TEXT_MM / 3 <= width <= layout.TEXT_MM / 2, width


def test_six_points_under_the_number_before_the_vv_line(rendered):
    doc = open_docx(rendered["remediation_letter"][0])
    cell = doc.tables[0].rows[1].cells[0]
    number, subject = cell.paragraphs[0], cell.paragraphs[1]
    assert number.text.startswith("Số:") and subject.text.startswith("V/v")
    assert number.paragraph_format.space_after == Pt(6)


@pytest.mark.parametrize("case", list(CASES))
def test_the_signature_row_never_splits_and_starts_level(rendered, case):
    doc = open_docx(rendered[case][0])
    table = next(t for t in doc.tables if t.rows[0].cells[0].text.startswith("Nơi nhận:"))
    row = table.rows[0]
    assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    left, right = row.cells[0].paragraphs[0], row.cells[1].paragraphs[0]
    assert left.text == "Nơi nhận:" and right.text == CASES[case][1]()["h"]["signer_lines"][0]
    assert (left.paragraph_format.space_before or 0) == (right.paragraph_format.space_before or 0)
