"""Tests of the indicators app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "targets": "indicators/tests/test_targets.py TestPage.test_who_sees_and_sets_the_targets (Sở Nội vụ sets; staff read; others 404)",
    "forecast": "indicators/tests/test_forecast.py test_who_sees_the_forecast (commune people, province staff; others 404)",
    "unit-monitor": "indicators/tests/test_monitoring.py test_who_sees_a_communes_monitoring (commune people, province staff; others 404)",
    "province-monitor": "indicators/tests/test_monitoring.py test_who_sees_the_provinces_monitoring (province staff; communes 404)",
    "entry": "indicators/tests/test_entry_views.py test_who_sees_the_entry_grid (commune people, province staff; others 404)",
    "value-save": "indicators/tests/test_entry_views.py test_who_may_open_and_post_a_months_form (office, head, admin; readers 403; others 404)",
    "import": "indicators/tests/test_import_views.py test_who_may_open_the_import_page, test_those_who_may_not_import_cannot_post_a_file",
    "mapping-new": "indicators/tests/test_import_views.py test_who_may_make_a_mapping",
    "mapping-edit": "indicators/tests/test_import_views.py test_who_sees_and_changes_a_mapping (importers see; owner and admin change)",
    "import-job": "indicators/tests/test_import_jobs.py test_a_large_file_is_imported_by_the_worker_while_its_page_polls (404 for another province)",
}
