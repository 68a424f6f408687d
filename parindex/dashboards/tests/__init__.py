"""Tests of the dashboards app."""

_WHERE = "dashboards/tests/test_views.py"

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "province": f"{_WHERE} test_the_public_sees_published_figures_only, test_province_staff_see_the_open_cycle",
    "commune": f"{_WHERE} MATRIX (commune people, province staff; others 404)",
}
