"""Tests of the appraisals app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "appraisal-list": "test_views.MATRIX['list']",
    "appraisal-detail": "test_views.MATRIX['detail-a'], ['detail-b']",
    "appraisal-save": "test_views.MATRIX['save-1.1.3'], ['save-5.1']",
    "appraisal-evidence": "test_views.MATRIX['evidence']",
    "appraisal-accept": "test_views.MATRIX['accept']",
    "clarification-send": "test_views.MATRIX['request']",
    "appraisal-transition": "test_views.MATRIX['finish']",
    "appraiser-assignment": "test_views.MATRIX['assign']",
    "workbook-export": "test_excel.test_the_export_has_the_access_of_the_appraisal_page",
}
