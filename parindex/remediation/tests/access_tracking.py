"""Where the access rules of the tracking pages (tracking_views.py) are tested."""

_WHERE = "remediation/tests/test_tracking_views.py"

TRACKING_ACCESS: dict[str, str] = {
    "action-board": f"{_WHERE} MATRIX['board']",
    "action-progress": f"{_WHERE} MATRIX['progress'], MATRIX['progress-save'], "
    "test_an_action_of_another_plan_is_not_found",
    "note-file": f"{_WHERE} MATRIX['note-file']",
    "province-overview": f"{_WHERE} MATRIX['province']",
    "at-stake": f"{_WHERE} MATRIX['at-stake']",
}
