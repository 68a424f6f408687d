"""Shared fixtures: the reference framework, real Quảng Trị units (codes from vietnam-provinces)
and users for each kind of role."""

from __future__ import annotations

import pytest
import time_machine

from parindex import scoring
from parindex.frameworks.files import REFERENCE_FRAMEWORK
from tests import shared
from tests.shared import FIXED_NOW, TEST_SETTINGS


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """A fast password hasher; background jobs run when queued (after the commit that queues
    them), as with ``make run`` (the tests of the queue itself switch to the database backend)."""
    for name, value in TEST_SETTINGS.items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _no_transactional_test_under_shared_rows(request):
    if shared.OPEN and shared.transactional(request):
        pytest.fail("a transactional test cannot run while a module's shared rows are open (tests/shared.py)")


# Every test but the browser ones runs on tests.shared.FIXED_NOW (ticking from there), so
# deadlines in factories.DUES stay in the future whatever the real date. Browser tests use the
# real clock (the browser keeps its own time for cookies) and deadlines relative to today.


@pytest.fixture(autouse=True)
def _fixed_clock(request):
    if request.node.get_closest_marker("browser") or request.node.get_closest_marker("real_clock"):
        yield None
        return
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture
def clock(_fixed_clock):
    """The test clock: ``clock.move_to(datetime)`` to cross a deadline."""
    return _fixed_clock


@pytest.fixture(scope="session")
def reference_spec() -> scoring.Framework:
    return scoring.parse_framework(scoring.load_path(REFERENCE_FRAMEWORK))


@pytest.fixture
def province_admin(django_user_model, province):
    """A Sở Nội vụ admin of ``province`` (the role, no Django permission): manages the province's
    frameworks (import, publish, drafts)."""
    from parindex.accounts.models import Role, RoleAssignment

    user = django_user_model.objects.create_user("sonoivu", password="pw-sonoivu-1")
    RoleAssignment.objects.create(user=user, role=Role.PROVINCE_ADMIN, unit=province, include_descendants=True)
    return user


@pytest.fixture
def commune_officer(django_user_model):
    """A commune official with no framework rights."""
    return django_user_model.objects.create_user("congchuc", password="pw-congchuc-1")


@pytest.fixture
def province(db):
    from parindex.units.tests.factories import quang_tri

    return quang_tri()


@pytest.fixture
def commune(province):
    from parindex.units.tests.factories import nam_cua_viet

    return nam_cua_viet(province)


@pytest.fixture
def other_commune(province):
    from parindex.units.tests.factories import dong_ha

    return dong_ha(province)


# The suite runs on one worker more than the cores (Makefile). The tests that start servers, browsers or
# LibreOffice take seconds each; collected last (``testpaths`` puts ``tests/`` after the apps),
# they left one worker idle while the other finished a queue of them. They run first, each
# module's tests still together (module fixtures such as the LibreOffice start are shared), and
# ``--dist worksteal`` (Makefile) lets an idle worker take half of the other's queue.
_SLOW_FIRST = ("tests/browser/", "tests/production/", "tests/storage/", "tests/security/", "test_layout.py")


def pytest_collection_modifyitems(config, items):
    items.sort(key=lambda item: not any(part in item.nodeid for part in _SLOW_FIRST))
