"""Tests of the inbox app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "inbox": "inbox/tests/test_views.py TestAccess (login required; only the person's own units and provinces)",
}
