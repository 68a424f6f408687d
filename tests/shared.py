"""Rows written once for all the tests of a module, as Django's ``TestCase.setUpTestData`` does
for a class (pytest-django leaves the class transaction out so that tests may be wrapped in
transactions of a wider scope, which this is).

A module-scoped fixture builds the rows inside a transaction that stays open while the
module's tests run; each test runs in a savepoint of it (pytest-django's ``TestCase``), rolled
back after the test, and the transaction itself is rolled back after the module's last test.
Each test takes its own deep copy of the objects built (``TestData`` does the same), so what a
test changes, in the database or on an instance, never reaches the next one.

Only for modules whose tests all run in transactions (``django_db`` without
``transaction=True``, no live server): a transactional test would empty the tables under the
open transaction. ``SharedRows`` refuses that."""

from __future__ import annotations

import copy
import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connections, transaction
from django.test import override_settings

# Every test but the browser ones runs on this clock (ticking from here), so deadlines in
# factories.DUES stay in the future whatever the real date (conftest's ``_fixed_clock``).
FIXED_NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
# What conftest's autouse fixtures set for every test: a fast password hasher, background jobs
# run when queued.
TEST_SETTINGS = {
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    "TASKS": {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
}


# The shared rows open in this process (conftest fails a transactional test while there are).
OPEN: list[SharedRows] = []


class SharedRows:
    """What a module's tests share: ``build``'s result, its rows kept in an open transaction,
    and the files it stored (under ``media``)."""

    def __init__(self, data: Any, media: Path | None) -> None:
        self.data = data
        self.media = media

    def copy(self, request: pytest.FixtureRequest) -> Any:
        """A deep copy of the shared objects for one test (with the files, if any, copied to the
        test's own MEDIA_ROOT)."""
        if request.node.get_closest_marker("django_db") is None or transactional(request):
            raise pytest.UsageError(
                f"{request.node.nodeid}: shared rows need a django_db test without transaction=True"
            )
        if self.media is not None:
            tmp_path = request.getfixturevalue("tmp_path")
            shutil.copytree(self.media, tmp_path, dirs_exist_ok=True)
            request.getfixturevalue("settings").MEDIA_ROOT = tmp_path
        return copy.deepcopy(self.data)


def transactional(request: pytest.FixtureRequest) -> bool:
    marker = request.node.get_closest_marker("django_db")
    names = set(request.fixturenames)
    return bool(
        (marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
        or names & {"transactional_db", "live_server", "django_db_reset_sequences"}
    )


def shared_rows(django_db_blocker: Any, build: Callable[[], Any], *, media: Path | None = None) -> Iterator[SharedRows]:
    """For a module-scoped fixture: ``yield from shared_rows(django_db_blocker, build)``.

    ``build`` runs once, on the suite's clock and settings (and with MEDIA_ROOT ``media`` when
    it stores files), in a transaction rolled back when the module's tests are done."""
    with django_db_blocker.unblock():
        atomics = []
        for alias in connections:
            atomic = transaction.atomic(using=alias)
            atomic._from_testcase = True  # as a TestCase's own: durable blocks may nest in it
            atomic.__enter__()
            atomics.append(atomic)
        try:
            settings = {**TEST_SETTINGS, **({"MEDIA_ROOT": str(media)} if media is not None else {})}
            with time_machine.travel(FIXED_NOW, tick=True), override_settings(**settings):
                shared = SharedRows(build(), media)
        except BaseException:
            _roll_back(atomics)
            raise
    OPEN.append(shared)
    try:
        yield shared
    finally:
        OPEN.remove(shared)
        with django_db_blocker.unblock():
            _roll_back(atomics)


def shared_fixtures(build: Callable[[Any], dict[str, Any]], *names: str, media: bool = False) -> dict[str, Any]:
    """The fixtures of a module whose tests share ``build(reference_spec)``'s rows: ``_shared``
    (built once for the module), and one fixture per name in ``names``, each giving that entry of
    the test's own copy (the copies of one test share their objects). The module takes them with
    ``globals().update(shared_fixtures(...))``; names such as ``province`` or ``commune`` then
    stand for conftest's fixtures of the same names in that module. ``media``: ``build`` stores
    files, and each test gets a copy of them under its own MEDIA_ROOT."""

    @pytest.fixture(scope="module")
    def _shared(django_db_setup: Any, django_db_blocker: Any, reference_spec: Any, tmp_path_factory: Any) -> Any:
        where = tmp_path_factory.mktemp("shared-media") if media else None
        yield from shared_rows(django_db_blocker, lambda: build(reference_spec), media=where)

    @pytest.fixture
    def _rows(_shared: SharedRows, request: pytest.FixtureRequest) -> dict[str, Any]:
        return _shared.copy(request)

    fixtures: dict[str, Any] = {"_shared": _shared, "_rows": _rows}
    for name in names:
        # A parameter with a default is not a fixture to pytest: ``key`` is bound here.
        fixtures[name] = pytest.fixture(name=name)(lambda _rows, key=name: _rows[key])
    return fixtures


def _roll_back(atomics: list[Any]) -> None:
    for atomic in reversed(atomics):
        transaction.set_rollback(True, using=atomic.using)
        atomic.__exit__(None, None, None)
