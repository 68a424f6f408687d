"""Tests of the external indices app (the 766 service index)."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {}
