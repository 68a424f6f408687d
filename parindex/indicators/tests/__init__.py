"""Tests of the indicators app."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "forecast": "indicators/tests/test_forecast.py test_who_sees_the_forecast (commune people, province staff; others 404)",
    "unit-monitor": "indicators/tests/test_monitoring.py test_who_sees_a_communes_monitoring (commune people, province staff; others 404)",
    "province-monitor": "indicators/tests/test_monitoring.py test_who_sees_the_provinces_monitoring (province staff; communes 404)",
}
