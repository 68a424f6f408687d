"""The notifications of the workflow events, written by the services that make the events.

Each function here is called from inside the service's transaction, after the change it
reports (so a refused change notifies nobody, and a failed notification undoes the change);
it reads who is concerned in one or two queries, whatever the number of units, and writes
every message with one insert through ``services.notifications_send``. Nobody is told of
their own action, except the commune's receipt of its submission.

==========================  ==================================================================
event                       who is notified
==========================  ==================================================================
submitted                   the appraisers assigned to the unit (every appraiser of the
                            province while none is) and the council chairs; the unit's office
                            and head (a receipt)
clarification requested     the unit's office and head: the items (code, name, question) and
                            the deadline
clarification answered      the appraisers of the fields asked about (every appraiser of the
                            province when none is assigned them) and the council chairs
appraised                   the council chairs and the unit's head
approved                    the units' office and head; the province admins (to publish)
published / corrected       the units' office and head, each with its rank
action assigned             the action's official, or the unit's office when none is named
==========================  ==================================================================

Keys name the event, so replaying one (or the same person holding two roles) notifies once:
``submitted:a12:1`` (the first submission of assessment 12), ``clarification:a12:r2`` …
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from parindex.accounts.models import Role, RoleAssignment
from parindex.assessments.workflow import Status
from parindex.core.numbers import vn_number
from parindex.notifications.models import Kind
from parindex.notifications.services import Message, notifications_send, notify

COMMUNE_LEADS = frozenset({Role.COMMUNE_OFFICE, Role.COMMUNE_HEAD})
# Answers quoted in an appraiser's notification are cut at this many characters.
QUOTE_CHARS = 240


def _day(value: Any) -> str:
    return f"{value:%d/%m/%Y}"


def _decimal(value: Decimal | None, places: int = 2) -> str:
    if value is None:
        return "–"
    return vn_number(value, places)


def _who(actor: Any) -> str:
    return str(actor) if getattr(actor, "pk", None) else ""


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1].rstrip() + "…"


def _holders(q: Q) -> dict[tuple[int, str], set[int]]:
    """(unit id, role) -> the active users holding it, for the grants matching ``q`` (one query)."""
    out: dict[tuple[int, str], set[int]] = defaultdict(set)
    for unit_id, role, user_id in RoleAssignment.objects.filter(q, user__is_active=True).values_list(
        "unit_id", "role", "user_id"
    ):
        out[unit_id, role].add(user_id)
    return out


def _of(holders: dict[tuple[int, str], set[int]], unit_id: int, roles: Iterable[str]) -> set[int]:
    return set().union(*(holders.get((unit_id, role), set()) for role in roles))


def _occurrence(assessment_id: int, to: str) -> int:
    """How many times the assessment has entered ``to`` (this time included): a key per occurrence."""
    from parindex.assessments.models import AssessmentEvent

    return AssessmentEvent.objects.filter(assessment_id=assessment_id, to_status=to).count()


def _appraisers(
    cycle: Any, unit_id: int, province_appraisers: set[int], codes: Iterable[str] | None = None
) -> set[int]:
    """The province's appraisers assigned the unit (and, given ``codes``, a field of one of those
    items); all of them when the cycle assigns none (one query)."""
    from parindex.appraisals.models import AppraiserAssignment

    rows = list(
        AppraiserAssignment.objects.filter(Q(unit__isnull=True) | Q(unit_id=unit_id), cycle_id=cycle.pk)
        .order_by()
        .values_list("appraiser_id", "criterion__code")
    )
    if codes is not None:
        from parindex.frameworks.selectors import framework_version_spec

        spec = framework_version_spec(cycle.framework_version)
        concerned = {ancestor for code in codes for ancestor in spec.lineage(code)}
        rows = [(user_id, code) for user_id, code in rows if code in concerned]
    assigned = {user_id for user_id, _ in rows} & province_appraisers
    return assigned or set(province_appraisers)


# -- the assessment's workflow ---------------------------------------------------------------


def assessment_moved(*, assessment: Any, to: str, actor: Any) -> None:
    """Called by ``assessments.services.assessment_transition`` after every move of one
    assessment; notifies the submission and the end of the appraisal."""
    if to == Status.SUBMITTED:
        _submitted(assessment, actor)
    elif to == Status.APPRAISED:
        _appraised(assessment, actor)


def _submitted(assessment: Any, actor: Any) -> None:
    cycle, unit = assessment.cycle, assessment.unit
    holders = _holders(
        Q(unit_id=cycle.province_id, role__in=[Role.APPRAISER, Role.COUNCIL_CHAIR])
        | Q(unit_id=unit.pk, role__in=COMMUNE_LEADS)
    )
    province = _appraisers(cycle, unit.pk, _of(holders, cycle.province_id, [Role.APPRAISER])) | _of(
        holders, cycle.province_id, [Role.COUNCIL_CHAIR]
    )
    key = f"submitted:a{assessment.pk}:{_occurrence(assessment.pk, Status.SUBMITTED)}"
    now = timezone.localtime()
    by = f" (người gửi: {_who(actor)})" if _who(actor) else ""
    when = f"lúc {now:%H:%M} ngày {now:%d/%m/%Y}"
    notify(
        users=province,
        exclude=actor,
        kind=Kind.SUBMITTED,
        key=key,
        title=f"Hồ sơ mới chờ thẩm định: {unit.name}",
        body=(
            f"{unit.name} đã gửi hồ sơ tự đánh giá {cycle.name} {when}{by}. "
            f"Hạn hoàn thành thẩm định: hết ngày {_day(cycle.appraisal_due)}."
        ),
        url=reverse("appraisals:appraisal-detail", args=[assessment.pk]),
    )
    notify(
        users=_of(holders, unit.pk, COMMUNE_LEADS),
        kind=Kind.SUBMITTED,
        key=key,
        title=f"Đã gửi hồ sơ tự đánh giá thẩm định: {unit.name}",
        body=(
            f"Hồ sơ tự đánh giá {cycle.name} của {unit.name} đã được gửi thẩm định {when}{by}. "
            "Số liệu không sửa được nữa; lãnh đạo UBND có thể rút lại để sửa khi tổ thẩm định chưa bắt đầu. "
            "Khi có yêu cầu giải trình, thông báo sẽ gửi tới Văn phòng - Thống kê và lãnh đạo UBND."
        ),
        url=reverse("assessments:assessment-detail", args=[assessment.pk]),
    )


def _appraised(assessment: Any, actor: Any) -> None:
    cycle, unit = assessment.cycle, assessment.unit
    holders = _holders(
        Q(unit_id=cycle.province_id, role=Role.COUNCIL_CHAIR) | Q(unit_id=unit.pk, role=Role.COMMUNE_HEAD)
    )
    key = f"appraised:a{assessment.pk}:{_occurrence(assessment.pk, Status.APPRAISED)}"
    by = f" ({_who(actor)})" if _who(actor) else ""
    notify(
        users=_of(holders, cycle.province_id, [Role.COUNCIL_CHAIR]),
        exclude=actor,
        kind=Kind.APPRAISED,
        key=key,
        title=f"Đã thẩm định xong: {unit.name} – chờ Hội đồng thông qua",
        body=(
            f"Tổ thẩm định{by} đã hoàn thành thẩm định hồ sơ {cycle.name} của {unit.name}. "
            f"Đề nghị Hội đồng xem xét, thông qua kết quả; hạn công bố: hết ngày {_day(cycle.publication_due)}."
        ),
        url=reverse("results:cycle-board", args=[cycle.pk]),
    )
    notify(
        users=_of(holders, unit.pk, [Role.COMMUNE_HEAD]),
        exclude=actor,
        kind=Kind.APPRAISED,
        key=key,
        title=f"Tổ thẩm định đã hoàn thành thẩm định hồ sơ của {unit.name}",
        body=(
            f"Hồ sơ tự đánh giá {cycle.name} của {unit.name} đã được thẩm định xong. "
            "Kết quả sẽ được Hội đồng thẩm định xem xét, thông qua và UBND tỉnh công bố."
        ),
        url=reverse("assessments:assessment-detail", args=[assessment.pk]),
    )


def clarification_requested(*, request: Any, items: Sequence[Any], actor: Any) -> None:
    """Called by ``appraisals.services.clarification_request_send`` once the request and its
    items are written: the unit's office and head get the items and the deadline."""
    assessment = request.assessment
    cycle, unit = assessment.cycle, assessment.unit
    lines = [
        f"- {i.criterion.code} {i.criterion.name}: {' '.join(i.question.split()) or 'đề nghị giải trình'}"
        for i in items
    ]
    message = f"\nNội dung yêu cầu: {' '.join(request.message.split())}" if request.message.strip() else ""
    holders = _holders(Q(unit_id=unit.pk, role__in=COMMUNE_LEADS))
    notify(
        users=_of(holders, unit.pk, COMMUNE_LEADS),
        exclude=actor,
        kind=Kind.CLARIFICATION_REQUESTED,
        key=f"clarification:a{assessment.pk}:r{request.number}",
        title=(
            f"Yêu cầu giải trình lần {request.number}: {len(items)} tiêu chí "
            f"({', '.join(i.criterion.code for i in items)}) – {unit.name}, hạn {_day(request.deadline)}"
        ),
        body="\n".join(
            [
                f"Tổ thẩm định đề nghị {unit.name} giải trình {len(items)} tiêu chí của hồ sơ {cycle.name}. "
                f"Hạn gửi giải trình: hết ngày {_day(request.deadline)}.{message}",
                "Các tiêu chí cần giải trình:",
                *lines,
                "Đề nghị ghi nội dung giải trình, bổ sung tài liệu kiểm chứng cho từng tiêu chí; lãnh đạo UBND "
                "gửi giải trình trước hạn.",
            ]
        ),
        url=reverse("assessments:assessment-detail", args=[assessment.pk]) + "#clarification",
    )


def clarification_answered(*, request: Any, cycle: Any, unit: Any, actor: Any) -> None:
    """Called by ``appraisals.services.clarification_answers_send``: the appraisers of the fields
    asked about (and the council chairs) are told the items are back for a second appraisal."""
    assessment_id = request.assessment_id
    items = sorted(request.items.all(), key=lambda i: i.criterion.position)
    holders = _holders(Q(unit_id=cycle.province_id, role__in=[Role.APPRAISER, Role.COUNCIL_CHAIR]))
    users = _appraisers(
        cycle, unit.pk, _of(holders, cycle.province_id, [Role.APPRAISER]), [i.criterion.code for i in items]
    ) | _of(holders, cycle.province_id, [Role.COUNCIL_CHAIR])
    notify(
        users=users,
        exclude=actor,
        kind=Kind.CLARIFICATION_ANSWERED,
        key=f"clarified:a{assessment_id}:r{request.number}",
        title=f"{unit.name} đã gửi giải trình lần {request.number}: {len(items)} tiêu chí chờ thẩm định lại",
        body="\n".join(
            [
                f"{unit.name} đã gửi giải trình lần {request.number} hồ sơ {cycle.name}. "
                "Đề nghị thẩm định lại (lần 2) các tiêu chí:",
                *(f"- {i.criterion.code} {i.criterion.name}: {_quote(i.answer)}" for i in items),
                f"Hạn hoàn thành thẩm định: hết ngày {_day(cycle.appraisal_due)}.",
            ]
        ),
        url=reverse("appraisals:appraisal-detail", args=[assessment_id]),
    )


# -- approval and publication ----------------------------------------------------------------


def results_approved(*, approval: Any, assessments: Sequence[Any], actor: Any) -> None:
    """Called by ``results.services.approval_create``: each unit's office and head, and the
    province admins who publish next (two queries whatever the number of units)."""
    cycle = approval.cycle
    holders = _holders(
        Q(unit_id__in=[a.unit_id for a in assessments], role__in=COMMUNE_LEADS)
        | Q(unit_id=cycle.province_id, role=Role.PROVINCE_ADMIN)
    )
    skip = getattr(actor, "pk", None)
    messages = []
    for a in assessments:
        for user_id in sorted(_of(holders, a.unit_id, COMMUNE_LEADS) - {skip}):
            messages.append(
                Message(
                    user_id,
                    Kind.APPROVED,
                    f"approved:ap{approval.pk}:a{a.pk}",
                    f"Hội đồng thẩm định đã thông qua kết quả Chỉ số CCHC năm {cycle.year}: {a.unit.name}",
                    f"Hội đồng thẩm định đã thông qua kết quả {cycle.name} của {a.unit.name} (nhóm xếp hạng: "
                    f"{approval.name}). Kết quả và thứ hạng sẽ được công bố theo quyết định của UBND tỉnh.",
                    reverse("assessments:assessment-detail", args=[a.pk]),
                )
            )
    for user_id in sorted(_of(holders, cycle.province_id, [Role.PROVINCE_ADMIN]) - {skip}):
        messages.append(
            Message(
                user_id,
                Kind.APPROVED,
                f"approved:ap{approval.pk}",
                f"Chờ công bố: Hội đồng đã thông qua {len(assessments)} đơn vị – {approval.name}",
                f"Hội đồng thẩm định đã thông qua kết quả {cycle.name} của {len(assessments)} đơn vị (nhóm xếp hạng: "
                f"{approval.name}). Đề nghị ban hành quyết định và công bố kết quả; hạn công bố: hết ngày "
                f"{_day(cycle.publication_due)}.",
                reverse("results:cycle-board", args=[cycle.pk]) + f"#nhom-{approval.pk}",
            )
        )
    notifications_send(messages=messages)


def _rank_change(change: int | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return f" (tăng {change} bậc so với năm trước)"
    if change < 0:
        return f" (giảm {-change} bậc so với năm trước)"
    return " (giữ nguyên thứ hạng so với năm trước)"


def results_published(*, publication: Any, actor: Any) -> None:
    """Called by ``results.services.publication_publish`` and ``publication_correct``: each unit's
    office and head get its score, classification and rank (two queries)."""
    from parindex.results.models import PublishedResult

    corrected = publication.supersedes_id is not None
    kind = Kind.CORRECTED if corrected else Kind.PUBLISHED
    before: dict[int, tuple[int, int]] = {}
    if corrected:  # where each unit stood in the publication the correction supersedes
        before = {
            unit_id: (rank, rank_of)
            for unit_id, rank, rank_of in PublishedResult.objects.filter(
                publication_id=publication.supersedes_id
            ).values_list("unit_id", "rank", "rank_of")
        }
    results = list(
        PublishedResult.objects.filter(publication=publication)
        .order_by("rank", "unit_name")
        .values("unit_id", "unit_name", "total", "applicable_max", "percent", "classification", "rank", "rank_of",
                "rank_change")
    )  # fmt: skip
    holders = _holders(Q(unit_id__in=[r["unit_id"] for r in results], role__in=COMMUNE_LEADS))
    decision = f"Quyết định số {publication.decision_number} ngày {_day(publication.decision_date)}"
    places = publication.places
    skip = getattr(actor, "pk", None)
    url = reverse("results:publication-detail", args=[publication.pk])
    messages = []
    for r in results:
        lead = "Đính chính kết quả" if corrected else "Đã công bố kết quả"
        title = f"{lead} Chỉ số CCHC năm {publication.year}: {r['unit_name']} xếp hạng {r['rank']}/{r['rank_of']}"
        classification = f", xếp loại {r['classification']}" if r["classification"] else ""
        reason = (
            f" Lý do đính chính: {' '.join(publication.reason.split())}." if corrected and publication.reason else ""
        )
        moved = ""
        if r["unit_id"] in before and before[r["unit_id"]] != (r["rank"], r["rank_of"]):
            old_rank, old_of = before[r["unit_id"]]
            way = "lên" if r["rank"] < old_rank else "xuống" if r["rank"] > old_rank else "thành"
            moved = f" Thứ hạng thay đổi từ {old_rank}/{old_of} {way} {r['rank']}/{r['rank_of']} sau đính chính."
            title += f" (trước đính chính: {old_rank}/{old_of})"
        body = (
            f"Theo {decision}: {r['unit_name']} đạt {_decimal(r['percent'], places)}% "
            f"({_decimal(r['total'], places)}/{_decimal(r['applicable_max'], places)} điểm){classification}, "
            f"xếp hạng {r['rank']}/{r['rank_of']}{_rank_change(r['rank_change'])}.{reason}{moved} "
            "Các tiêu chí bị mất điểm là căn cứ lập kế hoạch khắc phục."
        )
        for user_id in sorted(_of(holders, r["unit_id"], COMMUNE_LEADS) - {skip}):
            messages.append(Message(user_id, kind, f"{kind}:p{publication.pk}:u{r['unit_id']}", title, body, url))
    notifications_send(messages=messages)


# -- review requests (phúc tra) ------------------------------------------------------------


def review_filed(*, request: Any, actor: Any) -> None:
    """Called by ``reviews.services.review_request_file``: the province's appraisers (those
    assigned the unit, else all) and the council chair are told what to re-appraise."""
    cycle, unit = request.assessment.cycle, request.unit
    codes = list(request.items.values_list("code", flat=True))
    holders = _holders(Q(unit_id=cycle.province_id, role__in=[Role.APPRAISER, Role.COUNCIL_CHAIR]))
    users = _appraisers(cycle, unit.pk, _of(holders, cycle.province_id, [Role.APPRAISER]), codes) | _of(
        holders, cycle.province_id, [Role.COUNCIL_CHAIR]
    )
    notify(
        users=users,
        exclude=actor,
        kind=Kind.REVIEW,
        key=f"review:r{request.pk}:filed",
        title=f"Đề nghị phúc tra mới: {unit.name} ({len(codes)} tiêu chí)",
        body=(
            f"{unit.name} đề nghị phúc tra kết quả Chỉ số CCHC năm {cycle.year} ở các tiêu chí "
            f"{', '.join(codes)}{f' (người gửi: {_who(actor)})' if _who(actor) else ''}."
        ),
        url=reverse("reviews:request-detail", args=[request.pk]),
    )


def review_decided(*, request: Any, actor: Any) -> None:
    """Called by ``reviews.services.review_transition``: the unit's office and head hear of a
    decision on their request (with its reason); the council chair of a finished phúc tra."""
    from parindex.reviews.workflow import ReviewStatus

    unit, cycle = request.unit, request.assessment.cycle
    url = reverse("reviews:request-detail", args=[request.pk])
    key = f"review:r{request.pk}:{request.status}:{request.revision}"
    if request.status == ReviewStatus.REVIEWED:
        holders = _holders(Q(unit_id=cycle.province_id, role=Role.COUNCIL_CHAIR))
        notify(
            users=_of(holders, cycle.province_id, [Role.COUNCIL_CHAIR]),
            exclude=actor,
            kind=Kind.REVIEW,
            key=key,
            title=f"Chờ Hội đồng: kết quả phúc tra của {unit.name}",
            body=f"Tổ thẩm định đã phúc tra đề nghị của {unit.name}; trình Hội đồng thông qua.",
            url=url,
        )
        return
    titles = {
        ReviewStatus.APPROVED: f"Hội đồng đã thông qua kết quả phúc tra: {unit.name} (chờ quyết định đính chính)",
        ReviewStatus.KEPT: f"Kết quả phúc tra: giữ nguyên kết quả của {unit.name}",
        ReviewStatus.REJECTED: f"Đề nghị phúc tra của {unit.name} không được chấp nhận",
    }
    if request.status not in titles:
        return
    note = f" Lý do: {' '.join(request.decision_note.split())}." if request.status == ReviewStatus.REJECTED else ""
    holders = _holders(Q(unit_id=unit.pk, role__in=COMMUNE_LEADS))
    notify(
        users=_of(holders, unit.pk, COMMUNE_LEADS),
        exclude=actor,
        kind=Kind.REVIEW,
        key=key,
        title=titles[request.status],
        body=f"Đề nghị phúc tra gửi ngày {_day(timezone.localtime(request.filed_at))}: {request.get_status_display()}.{note}",
        url=url,
    )


# -- remediation -----------------------------------------------------------------------------


def action_assigned(*, action: Any, actor: Any, official_before: int | None = None, created: bool = True) -> None:
    """Called by ``remediation.services.action_add`` and ``action_update``: the official the
    action is given to, or the unit's office when no official is named. An update notifies only
    when the official changes."""
    from parindex.remediation import schedule

    if not created and action.official_id == official_before:
        return
    plan, item = action.plan, action.item
    if action.official_id is not None:
        users: set[int] = {action.official_id}
        whose = "Bạn được giao"
    else:
        users = _of(_holders(Q(unit_id=plan.unit_id, role=Role.COMMUNE_OFFICE)), plan.unit_id, [Role.COMMUNE_OFFICE])
        whose = "Văn phòng - Thống kê được giao (chưa có công chức phụ trách)"
    description = " ".join(action.description.split())
    office = f" Bộ phận thực hiện: {action.office}." if action.office else ""
    state = " Kế hoạch đang là dự thảo, chờ lãnh đạo UBND phê duyệt." if plan.status == "draft" else ""
    notify(
        users=users,
        exclude=actor,
        kind=Kind.ACTION_ASSIGNED,
        key=f"action:{action.pk}:to:{action.official_id or 'office'}",
        title=f"Biện pháp khắc phục được giao: {item.code} – {description}",
        body=(
            f"{whose} biện pháp khắc phục tiêu chí {item.code} {' '.join(item.name.split())} "
            f"({plan.title}): {description}.{office} "
            f"{schedule.describe_deadline(action.deadline_kind, action.due, plan.year)}.{state}"
        ),
        url=reverse("remediation:plan-detail", args=[plan.pk]) + f"#action-{action.pk}",
    )
