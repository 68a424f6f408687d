"""Tests of the notifications app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "notification-list": "notifications/tests/test_views.py TestAccess (login required; only my notifications)",
    "notification-read": "notifications/tests/test_views.py TestAccess (404 for another user's; POST only)",
    "notification-read-all": "notifications/tests/test_views.py TestAccess (marks only my own; POST only)",
    "notification-preferences": "notifications/tests/test_events.py TestPreferencePage (login required; my own only)",
}
