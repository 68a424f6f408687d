"""Writing frameworks: import a document as a version, and move versions through their states."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parindex import scoring
from parindex.accounts.permissions import Principal
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion, FrameworkVersionEvent
from parindex.frameworks.permissions import can_manage_framework, can_manage_owner
from parindex.frameworks.selectors import jsonable
from parindex.frameworks.workflow import TRANSITIONS, Status, can_transition
from parindex.scoring.framework_file import rule_to_dict


class Outcome:
    CREATED = "created"
    REPLACED = "replaced"
    UNCHANGED = "unchanged"


OUTCOME_LABELS = {
    Outcome.CREATED: "Đã tạo phiên bản mới",
    Outcome.REPLACED: "Đã thay nội dung bản nháp",
    Outcome.UNCHANGED: "Nội dung trùng với phiên bản hiện có, không tạo phiên bản mới",
}


@dataclass(frozen=True)
class ImportResult:
    version: FrameworkVersion
    outcome: str

    @property
    def message(self) -> str:
        return f"{OUTCOME_LABELS[self.outcome]}: {self.version.framework.code} phiên bản {self.version.number}"


def content_hash(spec: scoring.Framework) -> str:
    return spec.content_sha256


def _version_fields(spec: scoring.Framework, sha: str, source_name: str) -> dict[str, Any]:
    return {
        "name": spec.name,
        "issuer": spec.issuer,
        "description": spec.description,
        "decision_number": spec.decision_number,
        "decision_date": spec.decision_date,
        "applies_to": list(spec.applies_to),
        "period_from": spec.period_from,
        "period_to": spec.period_to,
        "max_total": spec.max_total,
        "rounding": spec.rounding,
        "classification": [{"label": b.label, "min": scoring.decimals.plain(b.min)} for b in spec.classification],
        "extra": jsonable(dict(spec.extra)),
        "content_sha256": sha,
        "source_name": source_name[:255],
    }


def _write_criteria(version: FrameworkVersion, spec: scoring.Framework) -> None:
    """Store the tree level by level (one insert per depth) so parents have ids for children."""
    ids: dict[str, int] = {}
    depth = 0
    while True:
        level = [(i, node) for i, node in enumerate(spec.nodes) if node.depth == depth]
        if not level:
            break
        rows = [
            Criterion(
                version=version,
                parent_id=ids[node.parent] if node.parent is not None else None,
                code=node.code,
                name=node.name,
                position=i,
                depth=node.depth,
                max_points=node.max,
                rule_kind=node.rule.kind if node.rule else "",
                rule_params=jsonable(rule_to_dict(node.rule).get("params", {})) if node.rule else {},
                evidence=node.evidence,
                guidance=node.guidance,
                responsible=node.responsible,
                extra=jsonable(dict(node.extra)),
            )
            for i, node in level
        ]
        for row in Criterion.objects.bulk_create(rows):
            ids[row.code] = row.pk
        depth += 1


@transaction.atomic
def framework_import(
    *,
    spec: scoring.Framework,
    actor: Any = None,
    publish: bool = False,
    source_name: str = "",
    owner: Any = None,
    principal: Principal | None = None,
) -> ImportResult:
    """Store a validated framework as a version of the framework with the same code.

    - new code: version 1 (a draft, or published with ``publish``) of a framework owned by
      ``owner`` (a province; None: national);
    - a code that exists under another owner (or national, when ``owner`` is a province, and
      the other way round): refused, nothing written; only the owner imports new versions;
    - same content as the newest version: nothing new is stored (imports are idempotent);
    - newest version still a draft: its content is replaced;
    - newest version published: a new draft version (published versions are frozen).

    ``principal`` is the person importing (from a page): it must manage ``owner``'s
    frameworks. Without it the caller is an operator (the command line, the demo).
    """
    owner_id = getattr(owner, "pk", None)
    if principal is not None and not can_manage_owner(principal, owner_id):
        raise PermissionDenied(
            "Chỉ quản trị hệ thống được nạp bộ chỉ số dùng chung toàn quốc."
            if owner_id is None
            else f"Chỉ quản trị Sở Nội vụ {owner.name} được nạp bộ chỉ số của tỉnh."
        )
    sha = content_hash(spec)
    fields = _version_fields(spec, sha, source_name)
    actor = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            framework, _ = Framework.objects.select_related("owner").get_or_create(
                code=spec.code, defaults={"name": spec.name, "owner": owner}
            )
            if framework.owner_id != owner_id:
                raise ValidationError(_owned_elsewhere(framework), code="owner")
            latest = framework.versions.order_by("-number").first()
            if latest is not None and latest.content_sha256 == sha:
                result = ImportResult(latest, Outcome.UNCHANGED)
            elif latest is not None and _replace_draft(latest, fields, spec, actor):
                latest.refresh_from_db()
                result = ImportResult(latest, Outcome.REPLACED)
            else:
                number = latest.number + 1 if latest is not None else 1
                version = FrameworkVersion.objects.create(
                    framework=framework, number=number, created_by=actor, **fields
                )
                _write_criteria(version, spec)
                FrameworkVersionEvent.objects.create(
                    version=version, to_status=Status.DRAFT, actor=actor, note=f"Nạp từ tệp {source_name}"[:500]
                )
                result = ImportResult(version, Outcome.CREATED)
            if framework.name != spec.name:
                Framework.objects.filter(pk=framework.pk).update(name=spec.name)
    except IntegrityError:
        raise ValidationError(
            f"Bộ chỉ số {spec.code} vừa được người khác nạp cùng lúc; hãy tải lại trang và thử lại.", code="conflict"
        ) from None
    if publish and result.version.status == Status.DRAFT:
        framework_version_transition(version=result.version, to=Status.PUBLISHED, actor=actor)
        result.version.refresh_from_db()
    return result


def _owned_elsewhere(framework: Framework) -> str:
    if framework.owner is None:
        return (
            f"Bộ chỉ số mã {framework.code} là bộ chỉ số dùng chung toàn quốc; "
            "chỉ quản trị hệ thống được nạp phiên bản mới. Hãy đặt mã khác cho bộ chỉ số của tỉnh."
        )
    return (
        f"Bộ chỉ số mã {framework.code} thuộc {framework.owner.name}; chỉ tỉnh đó được nạp phiên bản mới. "
        "Hãy đặt mã khác cho bộ chỉ số của tỉnh mình."
    )


def _replace_draft(latest: FrameworkVersion, fields: dict[str, Any], spec: scoring.Framework, actor: Any) -> bool:
    """Replace a draft's content; False when it is no longer a draft (published meanwhile)."""
    updated = FrameworkVersion.objects.filter(pk=latest.pk, status=Status.DRAFT).update(**fields)
    if not updated:
        return False
    Criterion.objects.filter(version=latest).delete()
    _write_criteria(latest, spec)
    FrameworkVersionEvent.objects.create(
        version=latest, from_status=Status.DRAFT, to_status=Status.DRAFT, actor=actor,
        note=f"Thay nội dung bản nháp từ tệp {fields['source_name']}"[:500],
    )  # fmt: skip
    return True


@transaction.atomic
def framework_version_transition(
    *, version: FrameworkVersion, to: str, actor: Any = None, note: str = "", principal: Principal | None = None
) -> FrameworkVersion:
    """Move a version to ``to`` if the transition table allows it from its current state.

    The update is conditional on the state read, so two people acting at once cannot both
    succeed; the loser gets a ValidationError instead of a silent double transition.
    ``principal`` (from a page) must manage the version's framework; without it the caller
    is an operator.
    """
    if principal is not None and not can_manage_framework(principal, version.framework):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ của tỉnh sở hữu bộ chỉ số được thay đổi trạng thái.")
    from_status = version.status
    if not can_transition(from_status, to):
        raise ValidationError(
            f"Không thể chuyển phiên bản từ '{Status(from_status).label}' sang '{Status(to).label}'.", code="transition"
        )
    changes: dict[str, Any] = {"status": to}
    if to == Status.PUBLISHED:
        # The content must still be a valid framework (it was validated at import).
        from parindex.frameworks.selectors import framework_version_spec

        framework_version_spec(version)
        changes["published_at"] = timezone.now()
    updated = FrameworkVersion.objects.filter(pk=version.pk, status=from_status).update(**changes)
    if not updated:
        raise ValidationError("Phiên bản vừa được người khác thay đổi trạng thái; hãy tải lại trang.", code="stale")
    actor = actor if getattr(actor, "pk", None) else None
    FrameworkVersionEvent.objects.create(
        version=version, from_status=from_status, to_status=to, actor=actor, note=note or TRANSITIONS[(from_status, to)]
    )
    version.refresh_from_db()
    return version


# An extension keeps a version for at most one more five-year period (the span of the
# socio-economic plans the criteria sets follow): beyond that a new set is due, not a longer one.
MAX_EXTENSION_YEARS = 5


@transaction.atomic
def framework_version_extend(
    *,
    version: FrameworkVersion,
    to_year: int,
    decision_number: str,
    decision_date: dt.date | None,
    actor: Any,
    principal: Principal | None = None,
) -> FrameworkVersion:
    """Record the decision keeping a published version in force until ``to_year``.

    When a province has not issued a new criteria set, its People's Committee decides to keep
    applying the current one for longer ("kéo dài thời gian áp dụng đến năm …"). The content is
    unchanged (and so its hash); only the years cycles may be opened for grow. A later decision
    replaces an earlier one, but never takes back a year a cycle already uses. Every problem is
    listed at once. ``principal`` (from a page) must manage the framework; without it the
    caller is an operator.
    """
    if principal is not None and not can_manage_framework(principal, version.framework):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ của tỉnh sở hữu bộ chỉ số được ghi quyết định kéo dài.")
    decision_number = (decision_number or "").strip()
    errors: list[str] = []
    if version.status != Status.PUBLISHED:
        errors.append("Chỉ kéo dài thời gian áp dụng của phiên bản đang áp dụng (đã ban hành).")
    if version.period_to is None:
        errors.append("Phiên bản không ghi năm kết thúc giai đoạn nên áp dụng cho mọi năm sau; không cần kéo dài.")
    elif not version.period_to < to_year <= version.period_to + MAX_EXTENSION_YEARS:
        errors.append(
            f"Năm kéo dài phải sau năm kết thúc giai đoạn ({version.period_to}) và không quá "
            f"{version.period_to + MAX_EXTENSION_YEARS}; sau đó cần ban hành bộ chỉ số của giai đoạn mới."
        )
    else:
        used = version.cycles.filter(year__gt=to_year).order_by("-year").values_list("year", flat=True).first()
        if used is not None:
            errors.append(
                f"Đã có kỳ đánh giá năm {used} dùng phiên bản này; không thể rút thời gian áp dụng về trước năm đó."
            )
    if not decision_number:
        errors.append("Nhập số quyết định kéo dài thời gian áp dụng.")
    elif len(decision_number) > 64:
        errors.append("Số quyết định dài quá 64 ký tự.")
    if decision_date is None:
        errors.append("Nhập ngày quyết định kéo dài thời gian áp dụng.")
    elif decision_date > timezone.localdate():
        errors.append("Ngày quyết định không được sau hôm nay.")
    if errors:
        raise ValidationError(errors)
    updated = FrameworkVersion.objects.filter(
        pk=version.pk, status=version.status, extended_to=version.extended_to
    ).update(extended_to=to_year, extension_decision_number=decision_number, extension_decision_date=decision_date)
    if not updated:
        raise ValidationError("Phiên bản vừa được người khác thay đổi; hãy tải lại trang.", code="stale")
    FrameworkVersionEvent.objects.create(
        version=version,
        from_status=version.status,
        to_status=version.status,
        actor=actor if getattr(actor, "pk", None) else None,
        note=f"Kéo dài thời gian áp dụng đến năm {to_year} (QĐ số {decision_number} ngày {decision_date:%d/%m/%Y})",
    )
    version.refresh_from_db(fields=["extended_to", "extension_decision_number", "extension_decision_date"])
    return version
