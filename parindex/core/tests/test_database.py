"""The PostgreSQL connection as production runs it: parameters bound by the server and the
statements a connection runs often prepared (Django turns psycopg's preparing off unless asked)."""

from __future__ import annotations

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's connection options")
def test_postgresql_binds_on_the_server_and_prepares_what_a_connection_runs_often():
    from django.db.backends.postgresql.base import ServerBindingCursor

    connection.ensure_connection()
    # Django passes prepare_threshold=None (never prepare) unless the settings name it.
    assert connection.connection.prepare_threshold == 5
    assert connection.connection.cursor_factory is ServerBindingCursor
