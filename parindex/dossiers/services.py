"""Writing the register of late dossiers, and taking its figure into sub-criterion 3.6.

Every change states the revision it started from (``base_revision``): an edit or a deletion
that someone else's save has overtaken writes nothing and says so. A year whose assessment of
the unit has left drafting (submitted, under appraisal, published ...) is frozen: its late
dossiers are part of what was submitted, so they are neither added, changed nor deleted.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from parindex.accounts.permissions import Principal
from parindex.assessments.models import Answer, Assessment
from parindex.assessments.signals import projections_stale
from parindex.dossiers import selectors
from parindex.dossiers.models import LateDossier
from parindex.dossiers.permissions import can_record_any
from parindex.units.models import REFORM_DATE, AdministrativeUnit

Era = AdministrativeUnit.Era
LIMITS = {"code": 64, "procedure": 500, "applicant": 300, "delay_reason": 2000, "letter_number": 64, "note": 500}
LABELS = {
    "code": "Mã hồ sơ",
    "procedure": "Tên thủ tục hành chính",
    "applicant": "Người, tổ chức nộp hồ sơ",
    "delay_reason": "Lý do trễ hạn",
    "letter_number": "Số, ký hiệu thư xin lỗi",
    "note": "Ghi chú",
}


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def _actor(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _require_record(principal: Principal, unit: AdministrativeUnit) -> None:
    if not can_record_any(principal, selectors.unit_refs(unit)):
        raise PermissionDenied(f"Bạn không có quyền ghi hồ sơ trễ hạn của {unit.name}.")


def _frozen_problem(unit: AdministrativeUnit, years: set[int]) -> str | None:
    ids = [unit.pk, *(ref.id for ref in selectors.unit_refs(unit) if ref.id != unit.pk)]
    # Lock the year's assessments until the write commits, so a submission cannot slip in
    # between this check and the write (it waits, then freezes what was written).
    list(
        Assessment.objects.select_for_update(of=("self",))
        .filter(unit_id__in=ids, cycle__year__in=years)
        .values_list("pk", flat=True)
    )
    frozen = sorted(selectors.frozen_years(ids, years))
    if not frozen:
        return None
    shown = ", ".join(map(str, frozen))
    return (
        f"Hồ sơ đánh giá Chỉ số CCHC năm {shown} của {unit.name} đã gửi thẩm định: sổ hồ sơ trễ hạn "
        f"năm {shown} không còn được thêm, sửa hoặc xóa."
    )


def _problems(unit: AdministrativeUnit, values: dict[str, Any], today: dt.date) -> list[str]:
    """What is wrong with a late dossier's values (pure, no query), in Vietnamese."""
    out = []
    if unit.level != AdministrativeUnit.Level.COMMUNE:
        out.append(f"{unit.name} không phải đơn vị cấp xã: sổ hồ sơ trễ hạn ghi cho từng xã, phường.")
    for key in ("code", "procedure", "delay_reason"):
        if not values[key]:
            out.append(
                {
                    "code": "Nhập mã hồ sơ.",
                    "procedure": "Nhập tên thủ tục hành chính.",
                    "delay_reason": "Ghi lý do trễ hạn.",
                }[key]
            )
    for key, limit in LIMITS.items():
        if len(values[key]) > limit:
            out.append(f"{LABELS[key]}: dài quá {limit} ký tự.")
    received, due, resolved = values["received_on"], values["due_on"], values["resolved_on"]
    if received is None:
        out.append("Nhập ngày tiếp nhận hồ sơ (dd/mm/yyyy).")
    elif received > today:
        out.append(f"Ngày tiếp nhận {_d(received)} không được sau hôm nay ({_d(today)}).")
    if due is None:
        out.append("Nhập ngày hẹn trả kết quả (dd/mm/yyyy).")
    elif received is not None and due < received:
        out.append(f"Ngày hẹn trả kết quả {_d(due)} không được trước ngày tiếp nhận {_d(received)}.")
    if resolved is not None:
        if resolved > today:
            out.append(f"Ngày trả kết quả {_d(resolved)} không được sau hôm nay; để trống nếu chưa trả.")
        if due is not None and resolved <= due:
            out.append(
                f"Hồ sơ trả kết quả ngày {_d(resolved)}, không sau ngày hẹn trả {_d(due)}: "
                "đây là hồ sơ đúng hạn, không ghi vào sổ hồ sơ trễ hạn."
            )
    if due is not None:
        if due < REFORM_DATE and unit.era == Era.CURRENT:
            out.append(
                f"Hồ sơ hẹn trả ngày {_d(due)} (trước 01/7/2025) ghi cho đơn vị cũ đã hợp thành {unit.name}, "
                "không ghi cho đơn vị mới."
            )
        elif due >= REFORM_DATE and unit.era == Era.PRE2025:
            out.append(f"{unit.name} là đơn vị trước 01/7/2025: không ghi hồ sơ hẹn trả từ 01/7/2025.")
    out += _letter_problems(values, today)
    return out


def _letter_problems(values: dict[str, Any], today: dt.date) -> list[str]:
    number, letter_date, new_due = values["letter_number"], values["letter_date"], values["new_due_on"]
    received, due = values["received_on"], values["due_on"]
    if not values["apology_issued"]:
        if number or letter_date or new_due:
            return [
                "Đã ghi số, ngày hoặc ngày hẹn trả lại của thư xin lỗi: đánh dấu “Đã gửi thư xin lỗi”, "
                "hoặc xóa các thông tin đó nếu chưa gửi thư."
            ]
        return []
    out = []
    if not number:
        out.append("Ghi số, ký hiệu thư xin lỗi (ví dụ: 12/PXL-UBND).")
    if letter_date is None:
        out.append("Ghi ngày thư xin lỗi (dd/mm/yyyy).")
    else:
        if letter_date > today:
            out.append(f"Ngày thư xin lỗi {_d(letter_date)} không được sau hôm nay ({_d(today)}).")
        if received is not None and letter_date < received:
            out.append(f"Ngày thư xin lỗi {_d(letter_date)} không được trước ngày tiếp nhận hồ sơ {_d(received)}.")
    if new_due is None:
        out.append("Ghi ngày hẹn trả lại kết quả nêu trong thư xin lỗi (dd/mm/yyyy).")
    else:
        if due is not None and new_due <= due:
            out.append(f"Ngày hẹn trả lại {_d(new_due)} phải sau ngày hẹn trả ban đầu {_d(due)}.")
        if letter_date is not None and new_due < letter_date:
            out.append(f"Ngày hẹn trả lại {_d(new_due)} không được trước ngày thư xin lỗi {_d(letter_date)}.")
    return out


def _conflict(code: str) -> ValidationError:
    return ValidationError(
        f"Hồ sơ {code} vừa được người khác sửa hoặc xóa. Thay đổi của bạn chưa được lưu; "
        "hãy tải lại trang để xem thông tin mới rồi sửa lại.",
        code="conflict",
    )


@transaction.atomic
def late_dossier_save(
    *,
    dossier: LateDossier | None = None,
    unit: AdministrativeUnit,
    code: str,
    procedure: str,
    applicant: str = "",
    received_on: dt.date | None,
    due_on: dt.date | None,
    resolved_on: dt.date | None = None,
    delay_reason: str,
    apology_issued: bool = False,
    letter_number: str = "",
    letter_date: dt.date | None = None,
    new_due_on: dt.date | None = None,
    note: str = "",
    base_revision: int | None,
    actor: Any,
    principal: Principal,
) -> LateDossier:
    """Record a late dossier (``dossier`` None) or correct one, with its apology letter if issued.

    ``base_revision`` is the revision the person started from (None for a new dossier); if
    someone saved or deleted it in between, nothing is written and a ValidationError says so.
    Both the year the dossier counted for and the year it counts for now must still be open.
    """
    if dossier is not None and dossier.unit_id != unit.pk:
        raise ValidationError("Không chuyển hồ sơ trễ hạn sang đơn vị khác; hãy xóa rồi ghi ở đơn vị kia.")
    _require_record(principal, unit)
    values: dict[str, Any] = {
        "code": code.strip(),
        "procedure": procedure.strip(),
        "applicant": applicant.strip(),
        "received_on": received_on,
        "due_on": due_on,
        "resolved_on": resolved_on,
        "delay_reason": delay_reason.strip(),
        "apology_issued": bool(apology_issued),
        "letter_number": letter_number.strip(),
        "letter_date": letter_date,
        "new_due_on": new_due_on,
        "note": note.strip(),
    }
    errors = _problems(unit, values, timezone.localdate())
    if errors:
        raise ValidationError(errors, code="invalid")
    years = {due_on.year} | ({dossier.due_on.year} if dossier is not None else set())
    frozen = _frozen_problem(unit, years)
    if frozen:
        raise ValidationError(frozen, code="frozen")
    values |= {"entered_by": _actor(actor), "entered_at": timezone.now()}
    try:
        with transaction.atomic():
            if dossier is None:
                created = LateDossier.objects.create(unit=unit, **values)
            else:
                updated = LateDossier.objects.filter(pk=dossier.pk, revision=base_revision).update(
                    **values, revision=F("revision") + 1
                )
    except IntegrityError:
        raise ValidationError(
            f"Mã hồ sơ {values['code']} đã có trong sổ hồ sơ trễ hạn của {unit.name}; hãy sửa hồ sơ đó.",
            code="duplicate",
        ) from None
    if dossier is not None and not updated:
        raise _conflict(dossier.code)
    for year in years:  # the forecasts fed by this register (3.6)
        projections_stale(sender=LateDossier, unit_ids=[unit.pk], year=year)
    return created if dossier is None else LateDossier.objects.get(pk=dossier.pk)


@transaction.atomic
def late_dossier_delete(*, dossier: LateDossier, base_revision: int | None, actor: Any, principal: Principal) -> None:
    """Delete a dossier recorded by mistake (returned on time, wrong unit ...), unless its year is
    frozen or someone changed it since ``base_revision``."""
    unit = dossier.unit
    _require_record(principal, unit)
    frozen = _frozen_problem(unit, {dossier.due_on.year})
    if frozen:
        raise ValidationError(frozen, code="frozen")
    deleted, _ = LateDossier.objects.filter(pk=dossier.pk, revision=base_revision).delete()
    if not deleted:
        raise _conflict(dossier.code)
    projections_stale(sender=LateDossier, unit_ids=[unit.pk], year=dossier.due_on.year)


def late_dossier_input_apply(*, assessment: Assessment, code: str, actor: Any, principal: Principal) -> Answer:
    """Write the register's figure of the assessment's year into sub-criterion ``code`` (3.6):
    late dossiers with an apology letter over late dossiers, or "not applicable" when there was
    no late dossier (``selectors.apology_offer``), through the audited answer service."""
    from parindex.assessments.services import answer_fill

    year = assessment.cycle.year
    offer = selectors.apology_offer(selectors.year_figures([assessment.unit_id], year).get(assessment.unit_id))
    if offer is None:
        raise ValidationError(
            f"Sổ hồ sơ trễ hạn năm {year} chưa ghi hồ sơ nào. Ghi các hồ sơ trễ hạn vào sổ; nếu trong năm "
            "không có hồ sơ trễ hạn, đánh dấu tiêu chí không áp dụng."
        )
    return answer_fill(
        assessment=assessment,
        code=code,
        inputs=offer.inputs,
        explanation=f"Theo sổ theo dõi hồ sơ trễ hạn năm {year}: {offer.detail}.",
        actor=actor,
    )
