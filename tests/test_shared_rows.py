"""tests/shared.py: rows built once for a module's tests stay as built for each of them, what a
test changes goes with its savepoint, and nothing is left once the module is done."""

from __future__ import annotations

import pytest
from django.db import transaction

from parindex.units.models import AdministrativeUnit
from parindex.units.tests.factories import nam_cua_viet, quang_tri
from tests import shared
from tests.shared import FIXED_NOW, shared_rows


def _build():
    from django.conf import settings
    from django.utils import timezone

    province = quang_tri()
    return {
        "province": province,
        "commune": nam_cua_viet(province),
        "built": timezone.now(),
        "hashers": settings.PASSWORD_HASHERS,
    }


def _as_a_test(rows, request, change):
    """What pytest-django does around a test: a savepoint of the open transaction, rolled back."""
    atomic = transaction.atomic()
    atomic.__enter__()
    try:
        data = rows.copy(request)
        change(data)
    finally:
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)
    return data


def test_shared_rows_are_the_same_for_every_test_and_gone_afterwards(request, django_db_setup, django_db_blocker):
    request.applymarker(pytest.mark.django_db)  # what copy() asks of the tests using it
    rows_of = lambda: AdministrativeUnit.objects.filter(code__in=["44", "19639"]).count()  # noqa: E731
    generator = shared_rows(django_db_blocker, _build)
    rows = next(generator)
    try:
        assert rows.data["hashers"] == shared.TEST_SETTINGS["PASSWORD_HASHERS"]  # built on the suite's settings
        assert abs((rows.data["built"] - FIXED_NOW).total_seconds()) < 60  # and clock
        assert [rows] == shared.OPEN  # noqa: SIM300
        with django_db_blocker.unblock():

            def rename(data):
                data["commune"].name = "Xã đổi tên"
                data["commune"].save()
                AdministrativeUnit.objects.filter(pk=data["province"].pk).update(name="Tỉnh khác")

            first = _as_a_test(rows, request, rename)
            assert first["commune"].name == "Xã đổi tên"
            # The next test: its own copy, and the rows as built.
            second = _as_a_test(rows, request, lambda data: None)
            assert second["commune"].name == "Xã Nam Cửa Việt" and second["commune"] is not first["commune"]
            assert second["commune"].province is second["province"]  # one copy per test, references kept
            assert AdministrativeUnit.objects.get(pk=second["province"].pk).name == "Tỉnh Quảng Trị"
            assert rows_of() == 2
    finally:
        generator.close()
    assert not shared.OPEN
    with django_db_blocker.unblock():
        assert rows_of() == 0


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_is_refused_the_shared_rows(request):
    rows = shared.SharedRows({"x": 1}, None)
    with pytest.raises(pytest.UsageError, match="transaction=True"):
        rows.copy(request)
