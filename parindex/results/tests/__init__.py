"""Tests of the results app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "cycle-board": "results/tests/test_views.py MATRIX['board'] (province staff 200; commune users, other provinces 404)",
    "approval-create": "results/tests/test_views.py MATRIX['approve'] (council chair only; 403 other staff)",
    "publication-publish": "results/tests/test_views.py MATRIX['publish'] (province admin only; 403 other staff)",
    "publication-correct": "results/tests/test_views.py MATRIX['correct'] (province admin only; 403 other staff)",
    "publication-list": "results/tests/test_views.py test_public_pages_need_no_login (public)",
    "publication-detail": "results/tests/test_views.py test_public_pages_need_no_login (public)",
    "publication-csv": "results/tests/test_views.py test_public_pages_need_no_login (public)",
    "publication-json": "results/tests/test_views.py test_public_pages_need_no_login (public)",
    "publication-xlsx": "results/tests/test_excel.py test_the_ranking_workbook_is_public_and_unknown_publications_are_404 (public)",
    "publication-docx": "results/tests/test_files.py DOCX_ACCESS (as the board: province staff 200; others 404; login)",
    "open-data-csv": "results/tests/test_files.py test_the_open_data_file_* (public), test_a_year_without_publications_*",
    "cycle-xlsx": "results/tests/test_excel.py test_the_cycle_workbook_is_for_those_who_see_the_board (as the board)",
}
