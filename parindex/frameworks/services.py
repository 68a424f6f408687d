"""Writing frameworks: import a document as a version, and move versions through their states."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from parindex import scoring
from parindex.frameworks.models import Criterion, Framework, FrameworkVersion, FrameworkVersionEvent
from parindex.frameworks.selectors import jsonable
from parindex.frameworks.workflow import TRANSITIONS, Status, can_transition
from parindex.scoring.framework_file import framework_to_dict, rule_to_dict


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
    return hashlib.sha256(scoring.dumps(framework_to_dict(spec)).encode("utf-8")).hexdigest()


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
    *, spec: scoring.Framework, actor: Any = None, publish: bool = False, source_name: str = ""
) -> ImportResult:
    """Store a validated framework as a version of the framework with the same code.

    - new code: version 1 (a draft, or published with ``publish``);
    - same content as the newest version: nothing new is stored (imports are idempotent);
    - newest version still a draft: its content is replaced;
    - newest version published: a new draft version (published versions are frozen).
    """
    sha = content_hash(spec)
    fields = _version_fields(spec, sha, source_name)
    actor = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            framework, _ = Framework.objects.get_or_create(code=spec.code, defaults={"name": spec.name})
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
    *, version: FrameworkVersion, to: str, actor: Any = None, note: str = ""
) -> FrameworkVersion:
    """Move a version to ``to`` if the transition table allows it from its current state.

    The update is conditional on the state read, so two people acting at once cannot both
    succeed; the loser gets a ValidationError instead of a silent double transition.
    """
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
