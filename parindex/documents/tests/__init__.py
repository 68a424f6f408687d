"""Tests of the documents app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "home": "documents/tests/test_views.py test_the_hub_lists_what_each_unit_can_write_from (login; own units only)",
    "document-new": "documents/tests/test_views.py MATRIX (office/head, province admin for the decision; 403/404)",
    "issued-detail": "documents/tests/test_views.py test_issued_documents_are_seen_only_where_their_unit_is (404)",
    "issued-download": "documents/tests/test_views.py test_issued_documents_are_seen_only_where_their_unit_is (404)",
    "register": "documents/tests/test_views.py test_issued_documents_are_seen_only_where_their_unit_is (404)",
    "template-list": "documents/tests/test_templates.py test_only_the_province_admin_manages_templates (404)",
    "template-upload": "documents/tests/test_templates.py test_only_the_province_admin_manages_templates (404, 405)",
    "template-download": "documents/tests/test_templates.py test_only_the_province_admin_manages_templates (404)",
    "template-reset": "documents/tests/test_templates.py test_only_the_province_admin_manages_templates (404, 405)",
    "register-number": "documents/tests/test_register_numbers.py test_only_who_issues_may_set_the_next_number (404, 403, 405)",
    "issued-pdf": "documents/tests/test_pdf_jobs.py test_the_worker_makes_the_pdf_while_the_page_polls (404 for another commune, GET and POST)",
}
