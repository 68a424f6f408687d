"""Tests of the external indices app (the 766 service index)."""

# URL name -> where its access rules are tested (read by tests/test_view_coverage.py).
ACCESS_TESTED: dict[str, str] = {
    "result-enter": "external/tests/test_views.py test_the_province_types_a_period_by_hand (commune 404, viewer 403)",
    "contest-file": "external/tests/test_views.py test_a_contest_carries_a_private_file (another commune 404)",
    "leaderboard": "external/tests/test_views.py test_who_sees_the_pages (province staff; communes and other provinces 404)",
    "unit-trend": "external/tests/test_views.py test_who_sees_the_pages (the commune's people, province staff; others 404)",
    "import": "external/tests/test_views.py test_who_sees_the_pages (Sở Nội vụ; viewers 403; others 404)",
    "contest-new": "external/tests/test_views.py test_who_may_post_the_forms (office; officer 403; other province 404)",
    "contest-decide": "external/tests/test_views.py test_who_may_post_the_forms (Sở Nội vụ; viewer 403; commune 404)",
    "adjustment-new": "external/tests/test_views.py test_who_may_post_the_forms (Sở Nội vụ; viewer 403; commune 404)",
    "adjustment-reverse": "external/tests/test_views.py test_who_may_post_the_forms (Sở Nội vụ; viewer 403; commune 404)",
    "target-set": "external/tests/test_views.py test_who_may_post_the_forms (Sở Nội vụ; viewer 403; commune 404)",
    "survey-results": "external/tests/test_surveys.py test_who_sees_the_survey_pages (province staff; communes and other provinces 404)",
    "survey-import": "external/tests/test_surveys.py test_who_sees_the_survey_pages (Sở Nội vụ; viewers 403; others 404)",
    "survey-settings": "external/tests/test_surveys.py test_who_may_declare_a_survey (Sở Nội vụ; viewer 403; commune, other province 404)",
    "unit-surveys": "external/tests/test_surveys.py test_who_sees_the_survey_pages (the commune's people, province staff; another commune, other provinces 404)",
}
