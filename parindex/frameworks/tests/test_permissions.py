"""The framework predicates, pure: every kind of person × national / Quảng Trị's / Hà Nội's framework."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from parindex.accounts.models import Role
from parindex.accounts.permissions import ANONYMOUS, Grant, Principal
from parindex.frameworks.permissions import (
    can_import_frameworks,
    can_manage_framework,
    can_manage_owner,
    can_view_version,
    managed_owner_ids,
)
from parindex.frameworks.workflow import Status

QT, HN, QT_COMMUNE = 1, 2, 11  # two provinces and a commune of the first

PRINCIPALS = {
    "qt_admin": Principal(1, (Grant(Role.PROVINCE_ADMIN, QT, True),)),
    "hn_admin": Principal(2, (Grant(Role.PROVINCE_ADMIN, HN, True),)),
    "commune_officer": Principal(3, (Grant(Role.COMMUNE_OFFICER, QT_COMMUNE, False),)),
    "commune_office": Principal(4, (Grant(Role.COMMUNE_OFFICE, QT_COMMUNE, False),)),
    "commune_head": Principal(5, (Grant(Role.COMMUNE_HEAD, QT_COMMUNE, False),)),
    "appraiser": Principal(6, (Grant(Role.APPRAISER, QT, True),)),
    "council_chair": Principal(7, (Grant(Role.COUNCIL_CHAIR, QT, True),)),
    "viewer": Principal(8, (Grant(Role.VIEWER, QT, True),)),
    "anonymous": ANONYMOUS,
    "superuser": Principal(9, is_superuser=True),
}
FRAMEWORKS = {"national": None, "qt": QT, "hn": HN}
MANAGERS = {"national": {"superuser"}, "qt": {"superuser", "qt_admin"}, "hn": {"superuser", "hn_admin"}}
ACTIONS = ("list_published", "detail_draft", "import_for_owner", "reimport", "transition")


def allowed(action: str, p: Principal, owner_id: int | None) -> bool:
    framework = SimpleNamespace(owner_id=owner_id)
    return {
        "list_published": lambda: can_view_version(p, SimpleNamespace(status=Status.PUBLISHED, framework=framework)),
        "detail_draft": lambda: can_view_version(p, SimpleNamespace(status=Status.DRAFT, framework=framework)),
        "import_for_owner": lambda: can_manage_owner(p, owner_id),
        "reimport": lambda: can_manage_framework(p, framework),
        "transition": lambda: can_manage_framework(p, framework),
    }[action]()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("fw", FRAMEWORKS)
@pytest.mark.parametrize("who", PRINCIPALS)
def test_the_permission_matrix(who, fw, action):
    expected = action == "list_published" or who in MANAGERS[fw]
    assert allowed(action, PRINCIPALS[who], FRAMEWORKS[fw]) is expected


@pytest.mark.parametrize("who", PRINCIPALS)
def test_only_province_admins_and_superusers_reach_the_import_page(who):
    assert can_import_frameworks(PRINCIPALS[who]) is (who in {"qt_admin", "hn_admin", "superuser"})


def test_a_province_admin_role_held_at_a_commune_manages_no_province_framework():
    odd = Principal(10, (Grant(Role.PROVINCE_ADMIN, QT_COMMUNE, True),))
    assert not can_manage_owner(odd, QT) and not can_manage_owner(odd, None)


def test_an_admin_of_two_provinces_manages_both_and_nothing_national():
    both = Principal(11, (Grant(Role.PROVINCE_ADMIN, QT, True), Grant(Role.PROVINCE_ADMIN, HN, True)))
    assert can_manage_owner(both, QT) and can_manage_owner(both, HN) and not can_manage_owner(both, None)
    assert managed_owner_ids(both) == {QT, HN}
