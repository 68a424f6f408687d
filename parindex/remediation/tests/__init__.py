"""Tests of the remediation app."""

from parindex.remediation.tests.access_plan import PLAN_ACCESS
from parindex.remediation.tests.access_tracking import TRACKING_ACCESS

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {**PLAN_ACCESS, **TRACKING_ACCESS}
