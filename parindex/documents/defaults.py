"""What a document's heading starts from: the body, the next number, today, the head as signer.

Defaults only: the user changes any of them in the form before rendering.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from parindex.documents import facts, selectors
from parindex.documents.context import lower_first
from parindex.documents.models import Kind

SUBJECTS = {
    Kind.DECISION: "Về việc phê duyệt và công bố Chỉ số cải cách hành chính năm {year} của {group}",
    Kind.REMEDIATION_LETTER: "khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm {assessed}",
    Kind.REMEDIATION_PLAN: "Khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm {assessed}",
    Kind.CONCLUSION_NOTICE: "Kết luận của Chủ tịch UBND {unit} tại cuộc họp đánh giá kết quả Chỉ số cải cách "
    "hành chính năm {assessed} và giải pháp khắc phục năm {year}",
    Kind.CCHC_REPORT: "Kết quả công tác cải cách hành chính 6 tháng đầu năm {year}",
    Kind.REMEDIATION_REPORT: "Kết quả khắc phục tồn tại, hạn chế Chỉ số cải cách hành chính năm {assessed}",
    Kind.DIRECTIVE: "Về nâng cao hiệu quả thực hiện nhiệm vụ cải cách hành chính năm {year}",
    Kind.BROADCAST: "Về cải cách hành chính tháng {month}/{this_year}",
}
RECIPIENTS = {
    Kind.DECISION: "Như Điều 3\nBộ Nội vụ (b/c)\nTT Tỉnh ủy, TT HĐND tỉnh (b/c)\nChủ tịch, các PCT UBND tỉnh\nLưu: VT, SNV",
    Kind.REMEDIATION_LETTER: "Như trên\nĐảng ủy, HĐND xã (b/c)\nUBMTTQ và các đoàn thể (p/h)\nLưu: VT, VP",
    Kind.REMEDIATION_PLAN: "Sở Nội vụ (b/c)\nĐảng ủy, HĐND xã (b/c)\nCT, các PCT UBND xã\nCác công chức chuyên môn\nLưu: VT, VP",
    Kind.CONCLUSION_NOTICE: "TT Đảng ủy (b/c)\nTT HĐND xã (b/c)\nCT, các PCT UBND xã\nCác công chức xã\nLưu: VT, VP",
    Kind.CCHC_REPORT: "Như trên\nĐảng ủy, HĐND xã (b/c)\nLưu: VT, VP",
    Kind.REMEDIATION_REPORT: "Như trên\nĐảng ủy, HĐND xã (b/c)\nLưu: VT, VP",
    Kind.DIRECTIVE: "TT Đảng ủy, TT HĐND xã (b/c)\nCT, các PCT UBND xã\nCác công chức chuyên môn\nLưu: VT, VP",
    Kind.BROADCAST: "Đài truyền thanh xã\nTrưởng các thôn\nLưu: VT, VP",
}
ADDRESSEES = {
    Kind.REMEDIATION_LETTER: "Các cán bộ, công chức UBND xã",
    Kind.CCHC_REPORT: "Sở Nội vụ tỉnh {province}",
    Kind.REMEDIATION_REPORT: "Sở Nội vụ tỉnh {province}",
}


NUMBERED = re.compile(r"^\s*0*(\d{1,5})\s*/\s*(\S+)\s*$")


def _known_number(source: selectors.Source, kind: str, symbol: str) -> tuple[int, dt.date | None] | None:
    """The number the source already carries, as the body's register gave it: the plan's own
    ("45/KH-UBND") for its Kế hoạch, the publication's decision ("165/QĐ-UBND") for the Quyết định."""
    if kind == Kind.REMEDIATION_PLAN and source.plan is not None:
        text, when = source.plan.document_number, None
    elif kind == Kind.DECISION and source.publication is not None:
        text, when = source.publication.decision_number, source.publication.decision_date
    else:
        return None
    match = NUMBERED.match(text or "")
    if match is None or match[2].upper() != symbol:
        return None
    return int(match[1]), when


def heading_initial(source: selectors.Source, kind: str) -> dict[str, Any]:
    """What the form starts from: the body, the number its register gives next (or the one the
    source was already given), today, the head as signer (three or four queries)."""
    unit, province = source.unit, source.province
    today = timezone.localdate()
    year = today.year
    symbol = selectors.SYMBOL[kind]
    number, date = (selectors.next_number(unit, year, symbol) if symbol else None), today
    known = _known_number(source, kind, symbol)
    if known is not None:
        when = known[1] or today
        if selectors.number_free(unit, when.year, symbol, known[0]):
            number, date = known[0], when
    plan = source.plan
    words = {
        "year": source.year,
        "assessed": plan.assessed_year if plan is not None else source.year - 1,
        "unit": lower_first(unit.name),
        "group": lower_first(source.publication.approval.name) if source.publication else "",
        "province": province.short_name if province else "",
        "month": today.month,
        "this_year": today.year,
    }
    if kind == Kind.DECISION:
        signer, deputy = "", False
    else:
        signer, deputy = selectors.head_of(unit)
    return {
        "body": f"Ủy ban nhân dân {lower_first(unit.name)}",
        "number": number,
        "symbol": symbol,
        "place": unit.short_name,
        "date": date,
        "subject": _subject(source, kind, words),
        "addressees": ADDRESSEES.get(kind, "").format(**words),
        # A decision is the chairman's ("CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH …" decides): no "TM." collective line.
        "on_behalf": kind != Kind.DECISION,
        "deputy": deputy,
        "signer_name": signer,
        "recipients": RECIPIENTS[kind],
    }


def _subject(source: selectors.Source, kind: str, words: dict[str, Any]) -> str:
    """The trích yếu; a correcting decision says which decision it corrects."""
    publication = source.publication
    if kind == Kind.DECISION and publication is not None and publication.supersedes_id:
        earlier = publication.supersedes
        return (
            f"Về việc đính chính kết quả Chỉ số cải cách hành chính năm {words['year']} của {words['group']} "
            f"công bố tại Quyết định số {earlier.decision_number} ngày {earlier.decision_date:%d/%m/%Y}"
        )
    return SUBJECTS[kind].format(**words)


def heading_of(initial: dict[str, Any]) -> facts.Heading:
    """The defaults as a heading, unchanged (for previews and the documentation's screenshots)."""
    lines = lambda text: tuple(line for line in text.splitlines() if line.strip())  # noqa: E731
    return facts.Heading(
        body=initial["body"],
        number=initial["number"],
        symbol=initial["symbol"],
        place=initial["place"],
        date=initial["date"],
        subject=initial["subject"],
        signer_name=initial["signer_name"] or "(họ và tên người ký)",
        on_behalf="Ủy ban nhân dân" if initial["on_behalf"] else "",
        deputy=initial["deputy"],
        recipients=lines(initial["recipients"]),
        addressees=lines(initial["addressees"]),
    )
