"""Context builders: facts in, the plain dict a template is rendered with out.

Pure Python (no Django, no I/O). Every value is already text as it must appear on paper:
decimal comma, dd/mm/yyyy dates, the Nghị định 30/2020 number and date-line forms. The
names each document's template may use are listed in ``docs/documents.md``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import OrderedDict
from dataclasses import asdict, dataclass
from typing import Any

from parindex import scoring
from parindex.core.numbers import vn_number
from parindex.documents.facts import (
    FieldScore,
    Framework,
    FreeText,
    Heading,
    IndicatorFigure,
    LostItem,
    Plan,
    SelfAssessment,
    Standing,
)
from parindex.scoring.ranking import describe_change

PLACEHOLDER = "[Phần do đơn vị tự viết: {what}. Xóa dòng này sau khi điền.]"
BODY = "ỦY BAN NHÂN DÂN"

# -- the small forms of the decree ---------------------------------------------------------------


# A decimal with a decimal comma: at ``places`` decimals, or as written (``plain``) when None.
vn = vn_number


def day(value: dt.date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")


def date_line(place: str, when: dt.date) -> str:
    """ "Nam Cửa Việt, ngày 05 tháng 02 năm 2027": a leading 0 on days below 10 and on months 1 and 2."""
    month = f"{when.month:02d}" if when.month <= 2 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def date_words(when: dt.date, *, blank: bool = False) -> str:
    """ "ngày 05 tháng 02 năm 2027" (a Phụ lục's "Kèm theo" line); ``blank`` leaves day and month
    for the văn thư, "ngày      tháng      năm 2027", as the number is left."""
    if blank:
        return f"ngày      tháng      năm {when.year}"
    return date_line("", when).removeprefix(", ")


def ended(lines: list[str]) -> list[str]:
    """The body's last paragraph ending "./." (Phụ lục I: the end of a document's text)."""
    if not lines:
        return lines
    last = lines[-1].rstrip()
    if not last.endswith("./."):
        last = last.rstrip(".;:,") + "./."
    return [*lines[:-1], last]


def listed(lines: list[str], *, last: str = ".") -> list[str]:
    """Items of a list each ending ";" and the last ``last`` (căn cứ, addressees, Nơi nhận)."""
    cleaned = [line.strip().rstrip(" ;.") for line in lines if line.strip()]
    return [f"{line}{last if i == len(cleaned) - 1 else ';'}" for i, line in enumerate(cleaned)]


UNIT_WORDS = re.compile(r"\b(UBND|Ủy ban nhân dân|của|Chủ tịch UBND) (Xã|Phường|Thị Trấn|Thị trấn|Đặc Khu|Đặc khu)\b")


def in_sentence(text: str) -> str:
    """ "… của UBND Xã Nam Cửa Việt" → "… của UBND xã Nam Cửa Việt": a unit's kind in lower case inside a
    sentence (a plan's title is built from the unit's name, which starts with a capital)."""
    return UNIT_WORDS.sub(lambda m: f"{m[1]} {m[2].lower()}", text)


def number_short(number: int | None, symbol: str) -> str:
    """ "03/QĐ-UBND" (a leading 0 below 10); "…/QĐ-UBND" while the văn thư has not numbered it."""
    return f"{number:02d}/{symbol}" if number is not None else f"     /{symbol}"


def recipient_lines(lines: tuple[str, ...] | list[str]) -> list[str]:
    """ "- X;" per recipient, the last ending "." (the decree's Nơi nhận), whatever the user typed."""
    cleaned = [line.strip().lstrip("-–• ").rstrip(" ;.").strip() for line in lines]
    cleaned = [line for line in cleaned if line]
    return [f"- {line}{'.' if i == len(cleaned) - 1 else ';'}" for i, line in enumerate(cleaned)]


def body_lines(body: str) -> tuple[str, str]:
    """The issuing body on two lines: "ỦY BAN NHÂN DÂN" / "XÃ NAM CỬA VIỆT"."""
    text = " ".join(body.upper().split())
    if text.startswith(BODY + " "):
        return BODY, text[len(BODY) + 1 :]
    words = text.split()
    half = (len(words) + 1) // 2
    return " ".join(words[:half]), " ".join(words[half:])


def signer_lines(h: Heading) -> list[str]:
    lines = [f"TM. {h.on_behalf.upper()}"] if h.on_behalf else []
    title = h.head_title.upper()
    lines += [f"KT. {title}", f"PHÓ {title}"] if h.deputy else [title]
    return lines


def header(h: Heading) -> dict[str, Any]:
    line1, line2 = body_lines(h.body)
    return {
        "parent_body": h.parent_body.upper().strip(),
        "body": " ".join(h.body.upper().split()),
        "body_line1": line1,
        "body_line2": line2,
        "number": number_short(h.number, h.symbol),
        "number_text": f"Số: {number_short(h.number, h.symbol)}",
        "symbol": h.symbol,
        "date": day(h.date),
        "date_line": date_line(h.place, h.date),
        "subject": h.subject,
        "subject_lines": [f"V/v {h.subject}"] if h.subject else [],
        "signer_lines": signer_lines(h),
        "signer_name": h.signer_name,
        "recipients": recipient_lines(h.recipients),
        "addressees": [a.strip().lstrip("-–• ").rstrip(";.") for a in h.addressees if a.strip()],
        # Several addressees: "- A;" … "- B." (the last ends with a full stop).
        "addressee_lines": [f"- {a}" for a in listed([a.strip().lstrip("-–• ") for a in h.addressees if a.strip()])],
    }


def free(text: str, what: str) -> dict[str, Any]:
    """A section the unit writes: its paragraphs, or the marked placeholder when it is empty."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return {"lines": lines, "placeholder": PLACEHOLDER.format(what=what)}


def cited(number: str, date: dt.date | None, issuer: str) -> str:
    """ "Quyết định số 165/QĐ-UBND ngày 12/01/2024 của UBND huyện Gio Linh"."""
    parts = [f"số {number}"] if number else []
    if date is not None:
        parts.append(f"ngày {day(date)}")
    if issuer:
        parts.append(f"của {issuer}")
    return " ".join(parts)


def accompanying(kind: str, head: dict[str, Any], h: Heading) -> str:
    """ "(Kèm theo Quyết định số 10/QĐ-UBND ngày 15 tháng 02 năm 2023 của UBND xã Triệu Trạch)"."""
    when = date_words(h.date, blank=h.number is None)
    return f"(Kèm theo {kind} số {head['number']} {when} của {_short_body(head['body'])})"


WORKING_NOTE = re.compile(r"\s*\((?:bản )?(?:tham chiếu|nháp|thử nghiệm|mẫu)\)", re.IGNORECASE)


def official_name(name: str) -> str:
    """A framework's name as its decision gives it, without parindex's working notes ("(bản tham chiếu)")."""
    return WORKING_NOTE.sub("", name).strip()


CITED_DATE = re.compile(r"\b(ngày\s+\d{1,2}|\d{1,2}/\d{1,2}/\d{4})")


def citable(note: str) -> bool:
    """A paper a căn cứ may cite: one with its date at least ("Biên bản họp … ngày 10/02/2023")."""
    return bool(CITED_DATE.search(note))


def _field_title(f: FieldScore) -> str:
    return f"{f.code}. {f.name}"


def standing_sentence(s: Standing, unit_label: str) -> str:
    """The result in one sentence: score, class, rank and change of rank."""
    text = (
        f"Chỉ số CCHC năm {s.year} của {unit_label} đạt {vn(s.total, s.places)}/{vn(s.applicable_max)} điểm "
        f"({vn(s.percent, s.places)}%), xếp loại {s.classification}, xếp thứ {s.rank}/{s.rank_of}"
        + (f" {s.group.lower()}" if s.group else "")
    )
    if s.rank_change is not None and s.previous_rank is not None:
        change = describe_change(s.rank_change)
        year = f"năm {s.previous_year}" if s.previous_year else "năm trước"
        text += f", {change} so với {year} (thứ {s.previous_rank}" + (f"/{s.previous_of})" if s.previous_of else ")")
    return text + "."


def field_lines(s: Standing | SelfAssessment) -> list[str]:
    lines = []
    for i, f in enumerate(s.fields):
        end = "." if i == len(s.fields) - 1 else ";"
        if f.score is None:
            lines.append(f"- Lĩnh vực {_field_title(f)}: không áp dụng{end}")
        else:
            top = f.applicable_max if f.applicable_max is not None else f.max
            lines.append(f"- Lĩnh vực {_field_title(f)}: đạt {vn(f.score)}/{vn(top)} điểm{end}")
    return lines


def _groups(items: tuple[LostItem, ...]) -> OrderedDict[tuple[str, str], list[LostItem]]:
    groups: OrderedDict[tuple[str, str], list[LostItem]] = OrderedDict()
    for item in items:
        groups.setdefault((item.field_code, item.field_name), []).append(item)
    return groups


def _owner(m) -> str:
    if m.owner and m.office:
        return f"{m.office} ({m.owner})"
    return m.owner or m.office or "UBND xã"


# -- 1. Quyết định phê duyệt và công bố (province) ----------------------------------------------


@dataclass(frozen=True)
class Corrected:
    """The decision a correcting decision replaces the results of: its number, date, and why."""

    number: str
    date: dt.date
    reason: str


def decision(
    h: Heading,
    *,
    province: str,
    year: int,
    group: str,
    framework: Framework,
    rows: list[Standing],
    approval_note: str = "",
    corrects: Corrected | None = None,
) -> dict[str, Any]:
    """Quyết định phê duyệt và công bố Chỉ số CCHC of a ranking group, with its ranking annex;
    with ``corrects``, the correcting decision that replaces an earlier one's results."""
    legal = [
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;",
        f"Căn cứ Quyết định {cited(framework.decision_number, framework.decision_date, framework.issuer)} "
        f"ban hành {official_name(framework.name)};",
    ]
    if corrects is not None:
        legal.append(
            f"Căn cứ Quyết định {cited(corrects.number, corrects.date, '')} của Chủ tịch Ủy ban nhân dân tỉnh về "
            f"việc phê duyệt và công bố Chỉ số cải cách hành chính năm {year};"
        )
    # The council's minutes are cited only when they can be (a date at least): never a bare "Biên bản …".
    if approval_note and citable(approval_note):
        legal.append(f"Căn cứ {approval_note.rstrip('.;')};")
    legal.append("Theo đề nghị của Giám đốc Sở Nội vụ.")
    count = len(rows)
    places = rows[0].places if rows else 2
    fields = list(rows[0].fields) if rows else []
    classes: OrderedDict[str, int] = OrderedDict()
    for r in rows:
        classes[r.classification] = classes.get(r.classification, 0) + 1
    tally = "; ".join(f"{label}: {n} đơn vị" for label, n in classes.items())
    who = f"{count} đơn vị {group.lower() if group else 'cấp xã'} thuộc {province}"
    if corrects is None:
        first = {
            "heading": "Điều 1.",
            "text": f"Phê duyệt và công bố Chỉ số cải cách hành chính năm {year} của {who} (chi tiết tại Phụ lục "
            "kèm theo).",
            "lines": [f"Kết quả xếp loại: {tally}."] if tally else [],
        }
    else:
        reason = " ".join(corrects.reason.split()).rstrip(".")
        first = {
            "heading": "Điều 1.",
            "text": f"Đính chính kết quả Chỉ số cải cách hành chính năm {year} của {who} đã công bố tại Quyết định "
            f"{cited(corrects.number, corrects.date, '')}"
            + (f", lý do: {lower_first(reason)}" if reason else "")
            + ". Kết quả, thứ hạng sau đính chính của các đơn vị chi tiết tại Phụ lục kèm theo, thay thế Phụ lục "
            f"kèm theo Quyết định số {corrects.number}.",
            "lines": [f"Kết quả xếp loại sau đính chính: {tally}."] if tally else [],
        }
    articles = [
        first,
        {
            "heading": "Điều 2.",
            "text": "Ủy ban nhân dân các xã, phường, đặc khu căn cứ kết quả được công bố, phân tích các tiêu chí, "
            "tiêu chí thành phần chưa đạt điểm tối đa, xây dựng kế hoạch khắc phục và báo cáo kết quả "
            "khắc phục theo quy định.",
            "lines": [],
        },
        {
            "heading": "Điều 3.",
            "text": "Quyết định này có hiệu lực kể từ ngày ký"
            + (f"; các nội dung khác của Quyết định số {corrects.number} giữ nguyên" if corrects else "")
            + ". Chánh Văn phòng Ủy ban nhân dân tỉnh, Giám đốc "
            "Sở Nội vụ, Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu và các cơ quan, đơn vị có liên quan "
            "chịu trách nhiệm thi hành Quyết định này./.",
            "lines": [],
        },
    ]
    annex_rows = [
        {
            "position": str(i),
            "unit": r.unit_name,
            "fields": [vn(f.score, r.places) if f.score is not None else "KAD" for f in r.fields],
            "total": vn(r.total, r.places),
            "percent": vn(r.percent, r.places),
            "classification": r.classification,
            "rank": f"{r.rank}/{r.rank_of}",
            "change": describe_change(r.rank_change) if r.previous_rank is not None else "chưa có so sánh",
        }
        for i, r in enumerate(rows, start=1)
    ]
    head = header(h)
    return {
        "h": head,
        "d": {"authority": f"CHỦ TỊCH {head['body']}", "legal_basis": legal, "articles": articles},
        "annex": {
            "title": f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {year} {(group or 'các đơn vị cấp xã').upper()}",
            "caption": accompanying("Quyết định", head, h),
            "fields": [{"label": f"{f.code} ({vn(f.max)})", "code": f.code, "name": f.name} for f in fields],
            "rows": annex_rows,
            "note": "Ghi chú: điểm các lĩnh vực theo thứ tự trong bộ chỉ số (điểm tối đa trong ngoặc); "
            "KAD: không áp dụng; chỉ số (%) = điểm đạt / điểm tối đa áp dụng × 100."
            + (f" Số chữ số thập phân: {places}." if places != 2 else "")
            + "/.",
        },
    }


UNIT_KINDS = ("THÀNH PHỐ", "ĐẶC KHU", "THỊ TRẤN", "PHƯỜNG", "TỈNH", "XÃ")


def _short_body(body: str) -> str:
    """ "ỦY BAN NHÂN DÂN XÃ NAM CỬA VIỆT" → "UBND xã Nam Cửa Việt" (for captions and running text)."""
    line1, line2 = body_lines(body)
    kind = next((k for k in UNIT_KINDS if line2.startswith(k + " ")), None)
    if line1 != BODY or kind is None:
        return body
    return f"UBND {kind.lower()} {line2[len(kind) + 1 :].title()}"


def lower_first(text: str) -> str:
    """ "Xã Nam Cửa Việt" → "xã Nam Cửa Việt", for a unit's name inside a sentence."""
    return text[:1].lower() + text[1:]


# -- 2. Công văn khắc phục with its Phụ lục (commune) ---------------------------------------------


def _lost_annex(items: tuple[LostItem, ...], places: int) -> dict[str, Any]:
    groups = []
    for (code, name), members in _groups(items).items():
        groups.append(
            {
                "title": f"{code}. {name}",
                "entries": [
                    {
                        "title": f"{it.code}. {it.name}",
                        "max": vn(it.max),
                        "score": vn(it.score, places),
                        "lost": vn(it.lost, places),
                        "cause": it.cause,
                        "measures": [f"- {m.description} ({_owner(m)})" for m in it.measures],
                        "deadlines": [f"- {m.deadline}" for m in it.measures],
                    }
                    for it in members
                ],
            }
        )
    total_max = scoring.aggregates.total(it.max for it in items)
    total_score = scoring.aggregates.total(it.score for it in items)
    total_lost = scoring.aggregates.total(it.lost for it in items)
    return {
        "groups": groups,
        "total_max": vn(total_max),
        "total_score": vn(total_score, places),
        "total_lost": vn(total_lost, places),
        "total_lost_text": f"{vn(total_lost, places)} điểm bị mất ở {len(items)} tiêu chí thành phần",
    }


def remediation_letter(
    h: Heading, *, unit_label: str, standing: Standing, plan: Plan, free_text: FreeText
) -> dict[str, Any]:
    """Công văn khắc phục Chỉ số CCHC: the result, the request, and the Phụ lục of seed 001."""
    head = header(h)
    decision = cited(standing.decision_number, standing.decision_date, standing.decision_issuer)
    intro = (
        f"Căn cứ Quyết định {decision} về việc phê duyệt và công bố Chỉ số cải cách hành chính năm "
        f"{standing.year}. {standing_sentence(standing, unit_label)}"
    )
    paragraphs = [
        intro + " Kết quả chi tiết và các tiêu chí chưa đạt điểm tối đa tại Phụ lục kèm theo.",
        f"Để khắc phục các tồn tại, hạn chế, nâng cao Chỉ số CCHC năm {plan.year}, UBND xã yêu cầu các cán bộ, "
        "công chức và bộ phận được phân công duy trì các tiêu chí đã đạt điểm tối đa; thực hiện các biện pháp "
        "khắc phục tại Phụ lục đúng thời hạn và báo cáo kết quả về Văn phòng - Thống kê để tổng hợp.",
    ]
    annex = _lost_annex(plan.items, standing.places)
    annex.update(
        {
            "title": f"KẾT QUẢ CHỈ SỐ CCHC NĂM {standing.year} CỦA {unit_label.upper()}, "
            f"BIỆN PHÁP KHẮC PHỤC TRONG NĂM {plan.year}",
            "caption": accompanying("Công văn", head, h),
            "end": [
                "Các bộ phận, công chức được phân công báo cáo kết quả thực hiện về Văn phòng - Thống kê "
                f"trước ngày 15/12/{plan.year}./."
            ],
            "intro": [f"Căn cứ Quyết định {decision}. {standing_sentence(standing, unit_label)}"],
            "field_lines": field_lines(standing),
            "table_heading": "2. Các tiêu chí thành phần chưa đạt điểm tối đa, nguyên nhân, phân công, biện pháp "
            "khắc phục và thời gian hoàn thành",
            "measures_year": f" trong năm {plan.year}",
        }
    )
    return {
        "h": head,
        "d": {
            "paragraphs": paragraphs,
            "request": free(free_text.get("request"), "yêu cầu cụ thể của lãnh đạo UBND xã (nếu có)"),
            "end": ["Yêu cầu các cán bộ, công chức, bộ phận liên quan triển khai thực hiện kịp thời./."],
        },
        "annex": annex,
    }


# -- 3. Kế hoạch khắc phục (commune) ---------------------------------------------------------------


def _spans(numbers: list[int]) -> str:
    """ "1-3, 7, 9-10": row numbers of a table, runs written as ranges."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and runs[-1][1] == n - 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)


OFFICE = "Văn phòng - Thống kê"


def remediation_plan(
    h: Heading, *, unit_label: str, standing: Standing, plan: Plan, free_text: FreeText
) -> dict[str, Any]:
    """Kế hoạch khắc phục from the approved plan: purpose, one row per measure, who does which rows.

    Close to the seeds' length: the table says each measure once; the sections only refer to
    its rows ("các nội dung số 1-3, 7 tại Bảng").
    """
    decision = cited(standing.decision_number, standing.decision_date, standing.decision_issuer)
    rows = []
    position = 0
    by_office: OrderedDict[str, list[int]] = OrderedDict()
    for item in plan.items:
        lines = [
            f"{item.code}. {item.name}",
            f"Điểm tối đa {vn(item.max)}, đạt {vn(item.score, plan.places)}, bị mất {vn(item.lost, plan.places)}.",
        ]
        if item.cause:
            lines.append(f"Nguyên nhân: {item.cause}")
        for j, m in enumerate(item.measures or ()):
            position += 1
            by_office.setdefault(m.office or m.owner or "Các công chức chuyên môn", []).append(position)
            rows.append(
                {
                    "position": str(position),
                    "item_lines": lines if j == 0 else [f"{item.code} (tiếp)"],
                    "measure": m.description,
                    "owner": _owner(m),
                    "deadline": m.deadline,
                }
            )
    office_duty = (
        f"theo dõi, đôn đốc; tổng hợp, tham mưu UBND xã báo cáo kết quả khắc phục trước ngày 15/12/{plan.year}"
    )
    tasks = []
    for office, numbers in by_office.items():
        rows_text = f"{'các nội dung' if len(numbers) > 1 else 'nội dung'} số {_spans(numbers)} tại Bảng"
        duty = f"; {office_duty}" if office == OFFICE else ""
        tasks.append(f"- {office}: thực hiện {rows_text}{duty}.")
    if OFFICE not in by_office:
        tasks.append(f"- {OFFICE}: {office_duty}.")
    sections = [
        {
            "title": "I. MỤC ĐÍCH, YÊU CẦU",
            "lines": [
                f"Khắc phục các tồn tại, hạn chế được chỉ ra qua kết quả Chỉ số CCHC năm {standing.year}, nâng "
                f"điểm các tiêu chí thành phần bị mất điểm trong năm {plan.year}; phân công rõ người, rõ việc, rõ "
                "thời hạn.",
            ],
            "free": None,
        },
        {
            "title": "II. NỘI DUNG KHẮC PHỤC",
            "lines": [
                f"{standing_sentence(standing, unit_label)} Tổng số điểm bị mất: "
                f"{vn(plan.total_lost, plan.places)} điểm ở {len(plan.items)} tiêu chí thành phần; nội dung, "
                "biện pháp, người thực hiện và thời hạn tại Bảng sau:",
            ],
            "free": None,
        },
    ]
    closing = [
        {
            "title": "III. TỔ CHỨC THỰC HIỆN",
            "lines": tasks,
            "free": free(free_text.get("other"), "nội dung khác của kế hoạch (kinh phí, phối hợp … nếu có)"),
        },
    ]
    return {
        "h": header(h),
        "d": {
            "basis": listed(
                [f"Căn cứ Quyết định {decision} về việc phê duyệt và công bố Chỉ số CCHC năm {standing.year}"]
            ),
            "intro": [f"UBND xã ban hành Kế hoạch khắc phục tồn tại, hạn chế Chỉ số CCHC năm {standing.year} như sau:"],
            "sections": sections,
            "table_heading": "Bảng nội dung, biện pháp khắc phục",
            "rows": rows,
            "total_text": f"Tổng số điểm bị mất: {vn(plan.total_lost, plan.places)}",
            "closing": closing,
            "end": ended(["Yêu cầu các bộ phận, công chức liên quan nghiêm túc triển khai thực hiện."]),
        },
    }


# -- 4. Thông báo kết luận (commune chairman) -----------------------------------------------------


def plan_cited(plan: Plan) -> str:
    """ "Kế hoạch số 01/KH-UBND ngày 10/03/2025" (the number the Kế hoạch was issued with), else its title."""
    if plan.document_number:
        text = f"Kế hoạch số {plan.document_number}"
        when = plan.document_date or plan.approved_on
        return text + (f" ngày {day(when)}" if when else "")
    return in_sentence(plan.title)


def conclusion_notice(
    h: Heading,
    *,
    unit_label: str,
    chair: str,
    meeting_date: dt.date,
    participants: str,
    standing: Standing,
    plan: Plan | None,
    free_text: FreeText,
) -> dict[str, Any]:
    """Thông báo kết luận (seed 000): the meeting, the result, the causes of lost points, tasks by office.

    As short as the seed: the fields that lost points in one sentence, one line per lost
    sub-criterion, one task per office naming its sub-criteria (the measures are the plan's).
    """
    decision = cited(standing.decision_number, standing.decision_date, standing.decision_issuer)
    opening = [
        f"Ngày {day(meeting_date)}, UBND xã họp đánh giá kết quả Chỉ số cải cách hành chính năm {standing.year} "
        f"và đề ra giải pháp khắc phục. Tham dự cuộc họp: {participants.strip().rstrip('.') or 'lãnh đạo UBND xã và các công chức chuyên môn'}.",
        f"Sau khi nghe Văn phòng - Thống kê báo cáo kết quả và ý kiến thảo luận của các thành viên dự họp, "
        f"{chair} kết luận như sau:",
    ]
    items = plan.items if plan is not None else ()
    short = [
        f"{f.code} ({vn(f.score)}/{vn(f.applicable_max if f.applicable_max is not None else f.max)})"
        for f in standing.fields
        if f.score is not None and f.score < (f.applicable_max if f.applicable_max is not None else f.max)
    ]
    result = [f"Theo Quyết định {decision}: {standing_sentence(standing, unit_label)}"]
    if short:
        result.append(f"Các lĩnh vực chưa đạt điểm tối đa: {', '.join(short)}.")
    causes = [
        f"- Tiêu chí {it.code} (mất {vn(it.lost)} điểm)" + (f": {it.cause.rstrip('.')}" if it.cause else "") + "."
        for it in items
    ]
    by_office: OrderedDict[str, list[str]] = OrderedDict()
    deadlines: dict[str, list[str]] = {}
    for it in items:
        for m in it.measures:
            office = m.office or m.owner or "Các công chức chuyên môn"
            codes = by_office.setdefault(office, [])
            if it.code not in codes:
                codes.append(it.code)
            if m.deadline and m.deadline not in deadlines.setdefault(office, []):
                deadlines[office].append(m.deadline)
    where = f"theo {plan_cited(plan)}" if plan is not None and plan.document_number else "theo kế hoạch khắc phục"
    tasks = []
    for i, (office, codes) in enumerate(by_office.items(), start=1):
        due = deadlines.get(office, [])
        when = "; ".join(lower_first(d.removeprefix("Hạn ")) for d in due[:3]) + (" …" if len(due) > 3 else "")
        tasks.append(
            f"3.{i}. Giao {office} chủ trì khắc phục tiêu chí {', '.join(codes)} {where}"
            + (f" (thời hạn: {when})." if when else ".")
        )
    sections = [
        {"title": "1. Kết quả Chỉ số CCHC", "lines": result, "free": None},
        {
            "title": "2. Tồn tại, hạn chế và nguyên nhân",
            "lines": causes or ["Các tiêu chí, tiêu chí thành phần đều đạt điểm tối đa."],
            "free": free(
                free_text.get("assessment"), "nhận định chung của Chủ tịch về nguyên nhân chủ quan, khách quan"
            ),
        },
        {
            "title": "3. Nhiệm vụ, giải pháp khắc phục",
            "lines": tasks or ["Duy trì kết quả các tiêu chí đã đạt."],
            "free": free(free_text.get("tasks"), "nhiệm vụ khác do Chủ tịch giao (nếu có)"),
        },
    ]
    closing = [
        f"Kết quả thực hiện Chỉ số CCHC năm {standing.year + 1} là một trong các căn cứ đánh giá, xếp loại và "
        "khen thưởng cán bộ, công chức.",
        "UBND xã thông báo để các cán bộ, công chức liên quan biết và thực hiện./.",
    ]
    return {"h": header(h), "d": {"opening": opening, "sections": sections, "closing": closing}}


# -- 5. Báo cáo kết quả công tác CCHC 6 tháng / năm (commune) -----------------------------------


REPORT_FREE = {
    "direction": "công tác chỉ đạo, điều hành CCHC trong kỳ (văn bản ban hành, tuyên truyền, kiểm tra)",
    "limits": "tồn tại, hạn chế và nguyên nhân",
    "next": "nhiệm vụ trọng tâm kỳ tới và kiến nghị, đề xuất",
}


def cchc_report(
    h: Heading,
    *,
    unit_label: str,
    period: str,
    assessment: SelfAssessment,
    indicators: list[IndicatorFigure],
    plan_summary: str,
    free_text: FreeText,
) -> dict[str, Any]:
    """Báo cáo kết quả CCHC of a half-year (``period`` "6 tháng đầu năm 2026") or a year ("năm 2026").

    Figures come from the open cycle's self-assessment and the indicators; each field has a
    section for the unit's own account, marked until it is written.
    """
    places = assessment.places
    sections = [
        {"title": "I. CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CẢI CÁCH HÀNH CHÍNH", "lines": [],
         "free": free(free_text.get("direction"), REPORT_FREE["direction"])},
        {"title": "II. KẾT QUẢ THỰC HIỆN CÁC NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH", "lines": [], "free": None},
    ]  # fmt: skip
    for i, f in enumerate(assessment.fields, start=1):
        score = "không áp dụng" if f.score is None else f"{vn(f.score)}/{vn(f.applicable_max or f.max)} điểm"
        sections.append(
            {
                "title": f"{i}. {f.name}",
                "lines": [f"Điểm tự đánh giá đến thời điểm báo cáo: {score}."],
                "free": free(free_text.get(f"field_{f.code}"), f"kết quả thực hiện lĩnh vực {f.code}"),
            }
        )
    answered = f"{assessment.answered}/{assessment.applicable}"
    total_line = (
        f"Tổng điểm tự đánh giá đến thời điểm báo cáo: {vn(assessment.total, places)}/{vn(assessment.applicable_max)}"
        + (f" ({vn(assessment.percent, places)}%" if assessment.percent is not None else "")
        # A class means something only once every applicable sub-criterion has its figures.
        + (
            f", dự kiến xếp loại {assessment.classification}"
            if assessment.percent is not None
            and assessment.classification
            and assessment.answered >= assessment.applicable
            else ""
        )
        + (")" if assessment.percent is not None else "")
        + f"; đã nhập số liệu {answered} tiêu chí thành phần."
    )
    closing = [
        {"title": "IV. KẾT QUẢ KHẮC PHỤC TỒN TẠI, HẠN CHẾ CHỈ SỐ CCHC NĂM TRƯỚC", "lines": [in_sentence(plan_summary)],
         "free": None},
        {"title": "V. ĐÁNH GIÁ CHUNG", "lines": [], "free": free(free_text.get("limits"), REPORT_FREE["limits"])},
        {"title": "VI. NHIỆM VỤ TRỌNG TÂM VÀ KIẾN NGHỊ", "lines": [],
         "free": free(free_text.get("next"), REPORT_FREE["next"])},
    ]  # fmt: skip
    return {
        "h": header(h),
        "d": {
            "opening": [
                f"UBND xã báo cáo kết quả thực hiện công tác cải cách hành chính {period} của {unit_label} như sau:"
            ],
            "sections": sections,
            "scores_heading": f"Bảng điểm tự đánh giá Chỉ số CCHC năm {assessment.year} (đến thời điểm báo cáo). "
            + total_line,
            "fields": [
                {
                    "title": _field_title(f),
                    "max": vn(f.applicable_max if f.applicable_max is not None else f.max),
                    "score": "KAD" if f.score is None else vn(f.score, places),
                    "lost": ""
                    if f.score is None
                    else vn(
                        scoring.aggregates.lost(f.score, f.applicable_max if f.applicable_max is not None else f.max),
                        places,
                    ),
                }
                for f in assessment.fields
            ],
            "total_max": vn(assessment.applicable_max),
            "total": vn(assessment.total, places),
            "total_lost": vn(scoring.aggregates.lost(assessment.total, assessment.applicable_max), places),
            "indicators_heading": "III. CÁC CHỈ SỐ THEO DÕI SO VỚI CHỈ TIÊU",
            "indicators": [asdict(i) for i in indicators],
            "indicator_notes": [] if indicators else ["Chưa có số liệu chỉ số theo dõi trong kỳ báo cáo."],
            "closing": closing,
            "end": ended([f"Trên đây là báo cáo kết quả công tác cải cách hành chính {period} của {unit_label}."]),
        },
    }


# -- 6. Báo cáo kết quả khắc phục (commune) --------------------------------------------------------


def remediation_report(
    h: Heading, *, unit_label: str, standing: Standing, plan: Plan, done_on_time: int, total: int, free_text: FreeText
) -> dict[str, Any]:
    """Báo cáo kết quả khắc phục: every measure's result, the share done on time, the overall assessment."""
    rows = []
    position = 0
    for item in plan.items:
        for m in item.measures:
            position += 1
            result = m.result or ""
            if m.completed_on is not None:
                result = (result + " " if result else "") + f"(hoàn thành ngày {day(m.completed_on)})"
            rows.append(
                {
                    "position": str(position),
                    "item": f"{item.code}. {item.name}",
                    "measure": m.description,
                    "owner": f"{_owner(m)}; {m.deadline}",
                    "result": result,
                    "status": m.status,
                }
            )
    share = vn(scoring.aggregates.percent_of(done_on_time, total, 2), 2) if total else "0"
    plan_ref = plan_cited(plan)
    opening = [
        f"Thực hiện {plan_ref}"
        + (f" về khắc phục tồn tại, hạn chế Chỉ số CCHC năm {plan.assessed_year}" if plan.document_number else "")
        + f" ({standing_sentence(standing, unit_label).rstrip('.')}), UBND xã báo cáo kết quả thực hiện như sau:",
        f"Kế hoạch có {total} biện pháp cho {len(plan.items)} tiêu chí thành phần bị mất điểm "
        f"(tổng số điểm bị mất {vn(plan.total_lost, plan.places)}); đã hoàn thành đúng hạn {done_on_time}/{total} "
        f"biện pháp ({share}%).",
    ]
    sections = [
        {
            "title": "Đánh giá chung",
            "lines": [],
            "free": free(plan.report_summary or free_text.get("summary"), "đánh giá chung kết quả khắc phục"),
        },
        {
            "title": "Kiến nghị, đề xuất",
            "lines": [],
            "free": free(free_text.get("proposals"), "kiến nghị, đề xuất (nếu có)"),
        },
    ]
    return {
        "h": header(h),
        "d": {
            "opening": opening,
            "table_heading": "Kết quả thực hiện từng biện pháp:",
            "rows": rows,
            "sections": sections,
            "done_on_time": done_on_time,
            "total": total,
            "share": share,
            "end": ended(
                [
                    f"Trên đây là báo cáo kết quả khắc phục tồn tại, hạn chế Chỉ số CCHC năm {plan.assessed_year} của {unit_label}."
                ]
            ),
        },
    }


# -- 7. Chỉ thị về nhiệm vụ, chỉ tiêu CCHC (commune chairman, seed 002) -----------------------------

# Which office of a commune answers which field (the usual split of a commune's civil servants);
# a field of another framework goes to the office.
FIELD_OFFICES = (
    ("Văn phòng - Thống kê", ("I", "IV", "V"), "tham mưu chỉ đạo, điều hành CCHC, tổ chức bộ máy, chế độ công vụ"),
    ("Tư pháp - Hộ tịch", ("II",), "xây dựng, tổ chức thực hiện văn bản và theo dõi thi hành pháp luật"),
    ("Bộ phận một cửa", ("III",), "tiếp nhận, giải quyết thủ tục hành chính đúng hạn, dịch vụ công trực tuyến"),
    ("Tài chính - Kế toán", ("VI",), "cải cách tài chính công, giải ngân vốn đầu tư công"),
    ("Văn hóa - Xã hội", ("VII",), "chính quyền số, ký số văn bản và tuyên truyền CCHC"),
)


def directive(
    h: Heading,
    *,
    unit_label: str,
    year: int,
    fields: tuple[FieldScore, ...],
    targets: list[IndicatorFigure],
    standing: Standing | None,
    plan: Plan | None,
    free_text: FreeText,
) -> dict[str, Any]:
    """Chỉ thị of the chairman on the year's CCHC tasks and targets (seed 002): last year's result
    and its lost points, the targets of the indicators, the duties of each office, who follows up."""
    opening = []
    if standing is not None:
        decision = cited(standing.decision_number, standing.decision_date, standing.decision_issuer)
        opening.append(f"Theo Quyết định {decision}, {standing_sentence(standing, unit_label)}")
    items = plan.items if plan is not None else ()
    if items:
        worst = sorted(items, key=lambda it: it.lost, reverse=True)[:3]
        opening.append(
            f"Tuy nhiên, còn {len(items)} tiêu chí thành phần bị mất điểm (tổng {vn(plan.total_lost)} điểm), nhiều "
            "nhất ở các tiêu chí " + ", ".join(f"{it.code} ({it.name.rstrip('.')})" for it in worst) + "."
        )
    opening.append(
        f"Để thực hiện hiệu quả nhiệm vụ cải cách hành chính năm {year}, nâng cao Chỉ số CCHC của xã, Chủ tịch "
        "UBND xã yêu cầu các bộ phận, công chức thực hiện tốt các nhiệm vụ sau:"
    )
    shown = [t for t in targets if t.target]
    target_lines = listed(
        [f"- {t.name}: {t.target.replace('≥', 'tối thiểu').replace('≤', 'tối đa').replace(',00%', '%')}" for t in shown]
    )
    known = {c for _, cs, _ in FIELD_OFFICES for c in cs}
    duties = []
    letters = "abcdefgh"
    for i, (office, field_codes, work) in enumerate(FIELD_OFFICES):
        own = [f for f in fields if f.code in field_codes or (office == OFFICE and f.code not in known)]
        lost = [it.code for it in items if it.field_code in {f.code for f in own}]
        text = f"{letters[i]}) {office}: {work}" + (f" (lĩnh vực {', '.join(f.code for f in own)})" if own else "")
        if lost:
            text += f"; khắc phục dứt điểm các tiêu chí bị mất điểm năm trước: {', '.join(lost)}"
        duties.append(text + ".")
    sections = [
        {
            "title": f"1. Các chỉ tiêu phải đạt trong năm {year}",
            "lines": target_lines or ["Các chỉ tiêu theo kế hoạch cải cách hành chính năm của UBND xã."],
            "free": None,
        },
        {"title": "2. Nhiệm vụ của các bộ phận, công chức", "lines": duties, "free": None},
        {
            "title": "3. Tổ chức thực hiện",
            "lines": [
                "Công chức được giao nhiệm vụ chịu trách nhiệm trước Chủ tịch UBND xã về kết quả các tiêu chí, chỉ "
                "tiêu thuộc lĩnh vực phụ trách; kết quả thực hiện là căn cứ đánh giá, xếp loại cuối năm.",
                f"{OFFICE} theo dõi, đôn đốc việc thực hiện Chỉ thị này, tổng hợp báo cáo Chủ tịch UBND xã hằng quý.",
            ],
            "free": free(free_text.get("other"), "nhiệm vụ khác Chủ tịch giao (nếu có)"),
        },
    ]
    return {
        "h": header(h),
        "d": {"opening": opening, "sections": sections, "end": ["Chỉ thị này có hiệu lực kể từ ngày ký./."]},
    }


# -- 8. Bài tuyên truyền về CCHC (read on the commune's loudspeakers, seed 003) --------------------


def broadcast(
    h: Heading,
    *,
    unit_label: str,
    month: int,
    standing: Standing,
    plan: Plan,
    done_on_time: int,
    total: int,
    free_text: FreeText,
) -> dict[str, Any]:
    """Bài tuyên truyền (seed 003): the province's (or district's) published result and what the
    commune does about its lost points, then what citizens can do, in words read aloud: no
    placeholder (an empty section is left out), no table."""
    head = header(h)
    head["number_text"] = ""  # not numbered: the chairman approves the text for broadcasting
    decision = cited(standing.decision_number, standing.decision_date, standing.decision_issuer)
    body = _short_body(head["body"])
    lines = [
        f"Kính thưa bà con và các bạn, sau đây là nội dung tuyên truyền của {body} về cải cách hành chính.",
        f"Theo Quyết định {decision} về việc phê duyệt và công bố Chỉ số cải cách hành chính năm "
        f"{standing.year}, {standing_sentence(standing, unit_label)}",
    ]
    if plan.items:
        worst = sorted(plan.items, key=lambda it: it.lost, reverse=True)[:3]
        lines.append(
            f"Bên cạnh kết quả đạt được, xã còn {len(plan.items)} nội dung chưa đạt điểm tối đa, như: "
            + "; ".join(lower_first(it.name.rstrip(".")) for it in worst)
            + "."
        )
        lines.append(
            f"Để khắc phục, UBND xã đã ban hành {plan_cited(plan)}, phân công rõ người, rõ việc, rõ thời hạn; "
            f"đến nay đã hoàn thành đúng hạn {done_on_time}/{total} biện pháp."
        )
    lines += [
        "Để cùng chính quyền nâng cao chất lượng phục vụ, UBND xã đề nghị bà con và các bạn:",
        "Một là, nộp hồ sơ thủ tục hành chính trực tuyến trên Cổng Dịch vụ công quốc gia; cán bộ Bộ phận một cửa "
        "của xã sẵn sàng hướng dẫn tận tình.",
        "Hai là, thanh toán phí, lệ phí trực tuyến khi làm thủ tục, vừa nhanh vừa tiết kiệm thời gian đi lại.",
        "Ba là, đánh giá mức độ hài lòng sau khi được giải quyết thủ tục, phản ánh, kiến nghị với UBND xã khi "
        "cán bộ, công chức gây phiền hà hoặc giải quyết trễ hạn.",
    ]
    more = [line.strip() for line in free_text.get("more").splitlines() if line.strip()]
    lines += more
    lines.append(f"Bài tuyên truyền của {body} đến đây là hết, xin cảm ơn bà con và các bạn đã chú ý lắng nghe!")
    return {
        "h": head,
        "d": {
            "lines": lines,
            "note": "Ghi chú: phát trên Đài truyền thanh xã và loa truyền thanh các thôn"
            + (f" trong tháng {month}/{h.date.year}." if month else "."),
        },
    }
