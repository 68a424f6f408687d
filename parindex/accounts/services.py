"""Writing accounts: create officials, edit them, issue temporary passwords, lock and unlock,
grant and revoke roles. Every change is checked against the actor's rights here (not only in
the view), made in one transaction, and recorded as an ``AccountEvent`` (who, when, old → new).
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from parindex.accounts.models import PROVINCE_ROLES, AccountEvent, Role, RoleAssignment
from parindex.accounts.permissions import (
    Principal,
    can_create_people_at,
    can_manage_person,
    grantable_roles,
    is_province_unit,
    province_of,
)
from parindex.accounts.selectors import person_ref, unit_ref
from parindex.units.models import AdministrativeUnit

PROFILE_FIELDS = ("full_name", "position", "email", "phone")
# No 0/O, 1/l/I: a temporary password is read aloud or copied from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DENIED = "Bạn không có quyền quản lý tài khoản này."


def temporary_password() -> str:
    """14 characters in three groups (about 70 bits), e.g. ``k7Rm-x2Pq-9dHw``."""
    while True:
        groups = ["".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(3)]
        candidate = "-".join(groups)
        try:
            password_validation.validate_password(candidate)
        except ValidationError:  # pragma: no cover - practically never
            continue
        return candidate


def _profile(user: Any) -> dict[str, Any]:
    data = {name: getattr(user, name) for name in PROFILE_FIELDS}
    data["unit"] = user.unit.name if user.unit_id else ""
    return data


def _grant_text(grant: RoleAssignment) -> dict[str, Any]:
    return {
        "role": grant.role,
        "role_label": Role(grant.role).label,
        "unit": grant.unit.name,
        "unit_id": grant.unit_id,
        "is_deputy": grant.is_deputy,
    }


def _event(*, user: Any, actor: Any, action: str, old: dict | None = None, new: dict | None = None) -> None:
    province_id = None
    if user.unit_id:
        province_id = user.unit.province_id or user.unit_id
    AccountEvent.objects.create(
        user=user, actor=actor if getattr(actor, "pk", None) else None, province_id=province_id,
        action=action, old=old or {}, new=new or {},
    )  # fmt: skip


def _locked_person(principal: Principal, pk: int) -> tuple[Any, list[RoleAssignment]]:
    """The person, locked for this transaction, and refused unless ``principal`` manages them."""
    user = get_user_model().objects.select_for_update(of=("self",)).select_related("unit").filter(pk=pk).first()
    if user is None:
        raise ValidationError("Người dùng này không còn tồn tại.")
    grants = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
    if not can_manage_person(principal, person_ref(user, grants)):
        raise PermissionDenied(DENIED)
    return user, grants


def _check_unit_for_role(principal: Principal, unit: AdministrativeUnit, role: str) -> None:
    if unit.era != AdministrativeUnit.Era.CURRENT or unit.level == AdministrativeUnit.Level.DISTRICT:
        raise ValidationError("Chỉ giao vai trò tại tỉnh hoặc xã, phường hiện hành.")
    if role not in grantable_roles(principal, unit_ref(unit)):
        allowed = "cấp tỉnh" if role in PROVINCE_ROLES else "cấp xã"
        raise ValidationError(
            f"Không giao được vai trò '{Role(role).label}' tại {unit.name}: vai trò này là vai trò {allowed} "
            "hoặc bạn không quản lý đơn vị này."
        )


@transaction.atomic
def user_create(
    *,
    principal: Principal,
    actor: Any,
    username: str,
    full_name: str,
    unit: AdministrativeUnit,
    role: str,
    position: str = "",
    email: str = "",
    phone: str = "",
    is_deputy: bool = False,
) -> tuple[Any, str]:
    """Create an official working at ``unit`` with a first role there; returns the account and
    its temporary password (shown once; it must be changed at first login)."""
    if not can_create_people_at(principal, unit_ref(unit)):
        raise PermissionDenied("Bạn không được tạo tài khoản tại đơn vị này.")
    _check_unit_for_role(principal, unit, role)
    User = get_user_model()
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(f"Tên đăng nhập '{username}' đã có người dùng; hãy chọn tên khác.")
    password = temporary_password()
    try:
        with transaction.atomic():
            user = User.objects.create_user(
                username=username, password=password, full_name=full_name.strip(), position=position.strip(),
                email=email.strip(), phone=phone.strip(), unit=unit, must_change_password=True,
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(f"Tên đăng nhập '{username}' vừa được dùng; hãy chọn tên khác.") from None
    grant = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, include_descendants=is_province_unit(unit_ref(unit)),
        is_deputy=is_deputy and role == Role.COMMUNE_HEAD,
    )  # fmt: skip
    _event(user=user, actor=actor, action=AccountEvent.Action.CREATED, new={"username": username, **_profile(user)})
    _event(user=user, actor=actor, action=AccountEvent.Action.ROLE_GRANTED, new=_grant_text(grant))
    return user, password


@transaction.atomic
def user_update(*, principal: Principal, actor: Any, pk: int, base: dict[str, str], changes: dict[str, str]) -> Any:
    """Change a person's name, position, e-mail or phone. ``base`` holds the values the form
    was shown with: a field someone else changed since is never overwritten."""
    user, _ = _locked_person(principal, pk)
    old = {name: getattr(user, name) for name in PROFILE_FIELDS}
    stale = [name for name in PROFILE_FIELDS if name in base and base[name] != old[name]]
    if stale:
        raise ValidationError(
            "Thông tin của người dùng vừa được người khác sửa; trang đã hiện thông tin mới nhất, hãy kiểm tra rồi lưu lại.",
            code="stale",
        )
    new = {name: changes[name].strip() for name in PROFILE_FIELDS if name in changes}
    diff_old = {k: old[k] for k, v in new.items() if old[k] != v}
    if not diff_old:
        return user
    for name, value in new.items():
        setattr(user, name, value)
    user.save(update_fields=list(new))
    _event(user=user, actor=actor, action=AccountEvent.Action.UPDATED, old=diff_old, new={k: new[k] for k in diff_old})
    return user


@transaction.atomic
def user_password_reset(*, principal: Principal, actor: Any, pk: int) -> tuple[Any, str]:
    """Issue a temporary password (the old one stops working and the person's sessions end);
    the person must choose a new one at the next login."""
    user, _ = _locked_person(principal, pk)
    password = temporary_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    _event(user=user, actor=actor, action=AccountEvent.Action.PASSWORD_RESET, new={"must_change_password": True})
    return user, password


@transaction.atomic
def user_set_active(*, principal: Principal, actor: Any, pk: int, active: bool) -> Any:
    """Lock (``active=False``: the person can no longer log in, open sessions end at the next
    request) or reopen an account. Roles are kept, so reopening restores the same rights."""
    user, _ = _locked_person(principal, pk)
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    action = AccountEvent.Action.REACTIVATED if active else AccountEvent.Action.DEACTIVATED
    _event(user=user, actor=actor, action=action, old={"is_active": not active}, new={"is_active": active})
    return user


@transaction.atomic
def role_grant(
    *, principal: Principal, actor: Any, pk: int, role: str, unit: AdministrativeUnit, is_deputy: bool = False
) -> RoleAssignment:
    """Give a person a role at a unit of their own province (idempotent)."""
    user, grants = _locked_person(principal, pk)
    _check_unit_for_role(principal, unit, role)
    if user.unit_id is None or province_of(unit_ref(unit)) != province_of(unit_ref(user.unit)):
        raise ValidationError("Chỉ giao vai trò tại các đơn vị cùng tỉnh với đơn vị công tác của người dùng.")
    existing = next((g for g in grants if g.role == role and g.unit_id == unit.pk), None)
    if existing is not None:
        raise ValidationError(f"{user} đã có vai trò '{Role(role).label}' tại {unit.name}.")
    grant = RoleAssignment.objects.create(
        user=user, role=role, unit=unit, include_descendants=is_province_unit(unit_ref(unit)),
        is_deputy=is_deputy and role == Role.COMMUNE_HEAD,
    )  # fmt: skip
    _event(user=user, actor=actor, action=AccountEvent.Action.ROLE_GRANTED, new=_grant_text(grant))
    return grant


@transaction.atomic
def role_revoke(*, principal: Principal, actor: Any, pk: int, grant_pk: int) -> None:
    """Take a role away from a person."""
    user, grants = _locked_person(principal, pk)
    grant = next((g for g in grants if g.pk == grant_pk), None)
    if grant is None:
        raise ValidationError("Vai trò này đã được thu hồi.")
    if grant.role not in grantable_roles(principal, unit_ref(grant.unit)):
        raise PermissionDenied("Bạn không được thu hồi vai trò này.")
    old = _grant_text(grant)
    RoleAssignment.objects.filter(pk=grant.pk).delete()
    _event(user=user, actor=actor, action=AccountEvent.Action.ROLE_REVOKED, old=old)


@transaction.atomic
def user_unlock(*, principal: Principal, actor: Any, pk: int) -> int:
    """Lift a login lock (too many wrong passwords) on a person's account."""
    from parindex.accounts import throttling

    user, _ = _locked_person(principal, pk)
    removed = throttling.account_unlock(user.get_username())
    _event(user=user, actor=actor, action=AccountEvent.Action.UNLOCKED, new={"attempts_removed": removed})
    return removed


def password_changed(*, user: Any) -> None:
    """The person chose their own password: the temporary one's obligation ends."""
    if user.must_change_password:
        get_user_model().objects.filter(pk=user.pk).update(must_change_password=False)
        user.must_change_password = False
