"""Account pages: my account (roles), password change, and the people pages where a province
admin (Sở Nội vụ) or a commune head manages officials and their roles. Login and logout are
Django's views; the admin site is for operators only."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from parindex.accounts import selectors, services, throttling
from parindex.accounts.forms import PeopleFilterForm, PersonCreateForm, PersonEditForm, RoleGrantForm
from parindex.accounts.models import Role
from parindex.accounts.permissions import (
    can_manage_people,
    can_manage_person,
    grantable_roles,
)
from parindex.accounts.selectors import person_ref, principal_for, role_assignments_of, unit_ref

PAGE_SIZE = 50


@login_required
@require_GET
def my_account(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "accounts/my_account.html",
        {
            "assignments": role_assignments_of(request.user),
            "manages_people": can_manage_people(principal_for(request.user)),
        },
    )


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        services.password_changed(user=form.user)
        return response


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


# --- People -------------------------------------------------------------------------------


def _manager(request: HttpRequest) -> Any:
    principal = principal_for(request.user)
    if not can_manage_people(principal):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ hoặc Chủ tịch UBND xã được quản lý người dùng.")
    return principal


def _managing(request: HttpRequest, pk: int) -> Any:
    """The manager's principal, after a 404 unless it may see person ``pk`` (the services then
    check it may change them: 403 for one's own account)."""
    principal = _manager(request)
    selectors.person_get_for(principal, pk)
    return principal


def _role_choices(principal: Any, units: Any) -> list[tuple[str, str]]:
    """The roles ``principal`` may grant at any of ``units``, in the Role enum's order."""
    allowed: set[str] = set()
    for unit in units:
        allowed |= grantable_roles(principal, unit_ref(unit))
    return [(value, label) for value, label in Role.choices if value in allowed]


@login_required
@require_GET
def people_list(request: HttpRequest) -> HttpResponse:
    principal = _manager(request)
    units = selectors.units_for_people(principal)
    form = PeopleFilterForm(request.GET or None, units=units)
    filters: dict[str, Any] = {}
    if form.is_valid():
        data = form.cleaned_data
        unit = data.get("don_vi")
        filters = {"q": data["q"], "unit_id": unit.pk if unit else None, "role": data["vai_tro"],
                   "active": data["trang_thai"]}  # fmt: skip
    people = selectors.people_search(principal, **filters)
    page = Paginator(people, PAGE_SIZE).get_page(request.GET.get("trang"))
    grants: dict[int, list[Any]] = {}
    for grant in selectors.roles_of_people([u.pk for u in page.object_list]):
        grants.setdefault(grant.user_id, []).append(grant)
    rows = [(person, grants.get(person.pk, [])) for person in page.object_list]
    query = request.GET.copy()
    query.pop("trang", None)
    return render(
        request,
        "accounts/people_list.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode(), "sees_log": principal.is_superuser
         or bool(selectors.admin_province_ids(principal))},
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def person_new(request: HttpRequest) -> HttpResponse:
    principal = _manager(request)
    units = selectors.units_for_people(principal)
    roles = _role_choices(principal, units)
    form = PersonCreateForm(request.POST or None, units=units, roles=roles)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.user_create(
                principal=principal, actor=request.user, username=data["username"], full_name=data["full_name"],
                unit=data["unit"], role=data["role"], position=data["position"], email=data["email"],
                phone=data["phone"], is_deputy=data["is_deputy"],
            )  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return _temporary_password_page(request, user, password, created=True)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "accounts/person_new.html", {"form": form}, status=status)


def _temporary_password_page(request: HttpRequest, user: Any, password: str, *, created: bool) -> HttpResponse:
    """The temporary password, shown once (never stored in clear, never cached)."""
    response = render(
        request, "accounts/temporary_password.html", {"person": user, "password": password, "created": created}
    )
    response["Cache-Control"] = "no-store"
    return response


def _person_context(request: HttpRequest, principal: Any, user: Any, grants: list[Any], **extra: Any) -> dict:
    units = selectors.units_for_people(principal)
    manages = can_manage_person(principal, person_ref(user, grants))
    events = Paginator(selectors.account_events_for(principal, user=user), 20).get_page(request.GET.get("trang"))
    return {
        "person": user,
        "grants": [(g, g.role in grantable_roles(principal, unit_ref(g.unit))) for g in grants],
        "manages": manages,
        "edit_form": extra.pop("edit_form", None) or PersonEditForm.for_user(user),
        "grant_form": extra.pop("grant_form", None)
        or RoleGrantForm(units=units, roles=_role_choices(principal, units)),
        "events": events,
        "locked_until": throttling.account_locked_until(user.get_username()),
        **extra,
    }


@login_required
@never_cache
@require_GET
def person_detail(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _manager(request)
    user, grants = selectors.person_get_for(principal, pk)
    return render(request, "accounts/person_detail.html", _person_context(request, principal, user, grants))


def _after(request: HttpRequest, pk: int) -> HttpResponse:
    return redirect(reverse("accounts:person-detail", args=[pk]))


def _refused(request: HttpRequest, principal: Any, pk: int, exc: ValidationError, **forms: Any) -> HttpResponse:
    user, grants = selectors.person_get_for(principal, pk)
    context = _person_context(request, principal, user, grants, **forms)
    context["errors"] = exc.messages
    return render(request, "accounts/person_detail.html", context, status=400)


@login_required
@require_POST
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    form = PersonEditForm(request.POST)
    if not form.is_valid():
        return _refused(request, principal, pk, ValidationError("Thông tin chưa hợp lệ; xem các ô được đánh dấu."),
                        edit_form=form)  # fmt: skip
    try:
        services.user_update(
            principal=principal, actor=request.user, pk=pk, base=form.base(),
            changes={k: form.cleaned_data[k] for k in ("full_name", "position", "email", "phone")},
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, principal, pk, exc)
    messages.success(request, "Đã lưu thông tin người dùng.")
    return _after(request, pk)


@login_required
@require_POST
def person_password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    user, password = services.user_password_reset(principal=principal, actor=request.user, pk=pk)
    return _temporary_password_page(request, user, password, created=False)


@login_required
@require_POST
def person_active(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    active = request.POST.get("active") == "1"
    user = services.user_set_active(principal=principal, actor=request.user, pk=pk, active=active)
    messages.success(
        request, f"Đã mở lại tài khoản {user.username}." if active else f"Đã khóa tài khoản {user.username}."
    )
    return _after(request, pk)


@login_required
@require_POST
def person_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    services.user_unlock(principal=principal, actor=request.user, pk=pk)
    messages.success(request, "Đã gỡ tạm khóa đăng nhập; người dùng có thể đăng nhập lại ngay.")
    return _after(request, pk)


@login_required
@require_POST
def role_grant(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    units = selectors.units_for_people(principal)
    form = RoleGrantForm(request.POST, units=units, roles=_role_choices(principal, units))
    if not form.is_valid():
        return _refused(request, principal, pk, ValidationError("Chọn một vai trò và một đơn vị trong danh sách."),
                        grant_form=form)  # fmt: skip
    try:
        grant = services.role_grant(
            principal=principal, actor=request.user, pk=pk, role=form.cleaned_data["role"],
            unit=form.cleaned_data["unit"], is_deputy=form.cleaned_data["is_deputy"],
        )  # fmt: skip
    except ValidationError as exc:
        return _refused(request, principal, pk, exc, grant_form=form)
    messages.success(request, f"Đã giao vai trò '{grant.get_role_display()}' tại {grant.unit.name}.")
    return _after(request, pk)


@login_required
@require_POST
def role_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    principal = _managing(request, pk)
    try:
        services.role_revoke(principal=principal, actor=request.user, pk=pk, grant_pk=grant_pk)
    except ValidationError as exc:
        return _refused(request, principal, pk, exc)
    messages.success(request, "Đã thu hồi vai trò.")
    return _after(request, pk)


@login_required
@require_GET
def account_log(request: HttpRequest) -> HttpResponse:
    principal = _manager(request)
    if not (principal.is_superuser or selectors.admin_province_ids(principal)):
        raise PermissionDenied("Chỉ quản trị Sở Nội vụ xem được nhật ký tài khoản của tỉnh.")
    page = Paginator(selectors.account_events_for(principal), PAGE_SIZE).get_page(request.GET.get("trang"))
    return render(request, "accounts/account_log.html", {"page": page})
