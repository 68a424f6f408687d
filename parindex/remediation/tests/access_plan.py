"""Where the access rules of the plan pages (views.py) are tested."""

_WHERE = "remediation/tests/test_views.py MATRIX['{}'] and test_anonymous_users_are_sent_to_login"

PLAN_ACCESS: dict[str, str] = {
    "plan-list": _WHERE.format("list") + " (every signed-in user; only their units' rows)",
    "analysis": _WHERE.format("analysis") + " (unit's viewers 200; other communes, appraisers 404)",
    "plan-draft": _WHERE.format("draft") + " (commune office and head; 403 other viewers)",
    "plan-detail": _WHERE.format("detail"),
    "plan-header": _WHERE.format("header"),
    "item-save": _WHERE.format("item"),
    "action-add": _WHERE.format("add"),
    "action-update": _WHERE.format("update"),
    "action-delete": _WHERE.format("delete"),
    "plan-transition": _WHERE.format("transition") + " (commune head only)",
    "plan-report": _WHERE.format("report") + ", ['report-save']",
}
