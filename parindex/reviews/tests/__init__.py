"""Tests of the reviews app (phúc tra)."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "request-list": "test_views.py test_the_head_files_from_the_page_* (each sees its units' requests and results)",
    "request-new": "test_views.py test_who_sees_and_who_may_act (head 200, office 403, another commune 404)",
    "request-detail": "test_views.py test_who_sees_and_who_may_act",
    "item-save": "test_views.py test_who_sees_and_who_may_act (commune 403), test_services.py test_who_may_do_what",
    "item-file": "test_views.py test_who_sees_and_who_may_act",
    "request-transition": "test_views.py test_who_sees_and_who_may_act (another commune 404, head 403)",
    "publication-panel": "test_views.py test_who_sees_and_who_may_act (communes 404, province staff 200)",
    "period-set": "test_views.py test_who_sees_and_who_may_act (commune 404), test_services.py test_who_may_do_what",
    "correction-issue": "test_views.py test_the_correction_is_issued_only_by_the_admin",
}
